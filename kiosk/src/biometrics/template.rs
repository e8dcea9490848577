//! The template: minutiae of one finger at 500 dpi, plus the edge table the matcher needs
//! (derived, never stored). Own compact format:
//! `b"KFMT"`, version u8 (= 1), width u16, height u16, count u16 (little endian), then per
//! minutia x u16, y u16, direction u8, kind (bit 7: bifurcation) | quality (bits 0..6).

use super::BiometricError;
use super::matcher::EdgeTable;
use super::minutiae::{Minutia, MinutiaKind};

const MAGIC: &[u8; 4] = b"KFMT";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 11;
const MINUTIA_LEN: usize = 6;
/// More minutiae than a template may hold (the extractor caps far lower).
pub const MAX_TEMPLATE_MINUTIAE: usize = 255;

/// Minutiae of one finger, ready for matching.
#[derive(Clone, Debug)]
pub struct Template {
    width: u16,
    height: u16,
    minutiae: Vec<Minutia>,
    pub(crate) edges: EdgeTable,
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.width == other.width && self.height == other.height && self.minutiae == other.minutiae
    }
}

impl Template {
    /// A template from minutiae inside a `width` x `height` image at 500 dpi.
    pub fn new(width: u16, height: u16, minutiae: Vec<Minutia>) -> Result<Self, BiometricError> {
        if minutiae.len() > MAX_TEMPLATE_MINUTIAE {
            return Err(BiometricError::InvalidTemplate(format!(
                "{} minutiae, at most {MAX_TEMPLATE_MINUTIAE} allowed",
                minutiae.len()
            )));
        }
        if let Some(m) = minutiae.iter().find(|m| m.x >= width || m.y >= height || m.quality > 100)
        {
            return Err(BiometricError::InvalidTemplate(format!(
                "minutia at ({}, {}) quality {} outside a {width}x{height} image",
                m.x, m.y, m.quality
            )));
        }
        let edges = EdgeTable::new(&minutiae);
        Ok(Template { width, height, minutiae, edges })
    }

    /// The minutiae.
    pub fn minutiae(&self) -> &[Minutia] {
        &self.minutiae
    }

    /// Image width at 500 dpi.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Image height at 500 dpi.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// Serialises to the own compact format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + MINUTIA_LEN * self.minutiae.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.width.to_le_bytes());
        out.extend_from_slice(&self.height.to_le_bytes());
        out.extend_from_slice(&(self.minutiae.len() as u16).to_le_bytes());
        for m in &self.minutiae {
            out.extend_from_slice(&m.x.to_le_bytes());
            out.extend_from_slice(&m.y.to_le_bytes());
            out.push(m.direction);
            let kind = if m.kind == MinutiaKind::Bifurcation { 0x80 } else { 0 };
            out.push(kind | m.quality.min(100));
        }
        out
    }

    /// Parses the own compact format; any inconsistency is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BiometricError> {
        let bad = |what: &str| BiometricError::InvalidTemplate(what.to_string());
        if bytes.len() < HEADER_LEN {
            return Err(bad("template shorter than its header"));
        }
        if &bytes[..4] != MAGIC {
            return Err(bad("not a kiosk template (bad magic)"));
        }
        if bytes[4] != VERSION {
            return Err(BiometricError::InvalidTemplate(format!(
                "template version {} not supported (expected {VERSION})",
                bytes[4]
            )));
        }
        let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]);
        let (width, height, count) = (u16_at(5), u16_at(7), u16_at(9) as usize);
        if bytes.len() != HEADER_LEN + count * MINUTIA_LEN {
            return Err(BiometricError::InvalidTemplate(format!(
                "template length {} does not match {count} minutiae",
                bytes.len()
            )));
        }
        let minutiae = (0..count)
            .map(|k| {
                let o = HEADER_LEN + k * MINUTIA_LEN;
                let flags = bytes[o + 5];
                Minutia {
                    x: u16_at(o),
                    y: u16_at(o + 2),
                    direction: bytes[o + 4],
                    kind: if flags & 0x80 != 0 {
                        MinutiaKind::Bifurcation
                    } else {
                        MinutiaKind::Ending
                    },
                    quality: flags & 0x7f,
                }
            })
            .collect();
        Template::new(width, height, minutiae)
    }
}
