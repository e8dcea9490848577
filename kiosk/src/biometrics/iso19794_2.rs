//! ISO/IEC 19794-2:2005 finger minutiae record import and export.
//! Record: "FMR\0", " 20\0", length u32, capture equipment u16, width u16, height u16,
//! x and y resolution u16 (pixels per cm), view count u8, reserved u8; per view: position u8,
//! view/impression u8, quality u8, minutia count u8, minutiae of 6 bytes (type:2|x:14,
//! reserved:2|y:14, angle u8 in 1/256 turns, quality u8), extended data length u16 + data.
//! All big endian. Only the first view is imported.

use super::BiometricError;
use super::minutiae::{Minutia, MinutiaKind};
use super::template::Template;

/// 500 dpi in pixels per centimetre, as ISO records it.
const PIXELS_PER_CM_500_DPI: u16 = 197;
const HEADER_LEN: usize = 24;
const VIEW_HEADER_LEN: usize = 4;

fn bad(what: impl Into<String>) -> BiometricError {
    BiometricError::InvalidIso(what.into())
}

impl Template {
    /// Exports as an ISO/IEC 19794-2:2005 record with one finger view at 500 dpi.
    pub fn to_iso(&self) -> Vec<u8> {
        let minutiae = &self.minutiae()[..self.minutiae().len().min(255)];
        let length = HEADER_LEN + VIEW_HEADER_LEN + 6 * minutiae.len() + 2;
        let mut out = Vec::with_capacity(length);
        out.extend_from_slice(b"FMR\0 20\0");
        out.extend_from_slice(&(length as u32).to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(&self.width().to_be_bytes());
        out.extend_from_slice(&self.height().to_be_bytes());
        out.extend_from_slice(&PIXELS_PER_CM_500_DPI.to_be_bytes());
        out.extend_from_slice(&PIXELS_PER_CM_500_DPI.to_be_bytes());
        out.push(1);
        out.push(0);
        let quality = if minutiae.is_empty() {
            0
        } else {
            (minutiae.iter().map(|m| m.quality as u32).sum::<u32>() / minutiae.len() as u32) as u8
        };
        out.extend_from_slice(&[0, 0, quality, minutiae.len() as u8]);
        for m in minutiae {
            let kind: u16 = if m.kind == MinutiaKind::Bifurcation { 2 } else { 1 };
            out.extend_from_slice(&((kind << 14) | (m.x & 0x3fff)).to_be_bytes());
            out.extend_from_slice(&(m.y & 0x3fff).to_be_bytes());
            out.push(m.direction);
            out.push(m.quality.min(100));
        }
        out.extend_from_slice(&0u16.to_be_bytes());
        out
    }

    /// Imports an ISO/IEC 19794-2:2005 record (first finger view). Coordinates at another
    /// resolution are rescaled to 500 dpi. Minutiae of type "other" are read as endings.
    pub fn from_iso(bytes: &[u8]) -> Result<Template, BiometricError> {
        if bytes.len() < HEADER_LEN {
            return Err(bad(format!("record of {} bytes is shorter than the header", bytes.len())));
        }
        if &bytes[..4] != b"FMR\0" {
            return Err(bad("not a finger minutiae record (no FMR magic)"));
        }
        if &bytes[4..8] != b" 20\0" {
            return Err(bad("not version 2005 (\" 20\")"));
        }
        let length = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        if length != bytes.len() {
            return Err(bad(format!("record length {length} but {} bytes given", bytes.len())));
        }
        let u16_at = |o: usize| u16::from_be_bytes([bytes[o], bytes[o + 1]]);
        let (width, height) = (u16_at(14), u16_at(16));
        let (x_res, y_res) = (u16_at(18), u16_at(20));
        if x_res == 0 || y_res == 0 {
            return Err(bad("resolution of zero"));
        }
        if bytes[22] == 0 {
            return Err(bad("record holds no finger view"));
        }
        let view = HEADER_LEN;
        if bytes.len() < view + VIEW_HEADER_LEN {
            return Err(bad("record truncated in the finger view header"));
        }
        let count = bytes[view + 3] as usize;
        let end = view + VIEW_HEADER_LEN + 6 * count;
        if bytes.len() < end + 2 {
            return Err(bad("record truncated in the minutiae"));
        }
        let extended = u16_at(end) as usize;
        if bytes[22] == 1 && end + 2 + extended != bytes.len() {
            return Err(bad("extended data length does not match the record length"));
        }
        let scale = |v: u16, res: u16| -> u16 {
            if res == PIXELS_PER_CM_500_DPI {
                v
            } else {
                (v as u32 * PIXELS_PER_CM_500_DPI as u32 / res as u32) as u16
            }
        };
        let (width, height) = (scale(width, x_res).max(1), scale(height, y_res).max(1));
        let mut minutiae = Vec::with_capacity(count);
        for k in 0..count {
            let o = view + VIEW_HEADER_LEN + 6 * k;
            let (first, second) = (u16_at(o), u16_at(o + 2));
            let kind =
                if first >> 14 == 2 { MinutiaKind::Bifurcation } else { MinutiaKind::Ending };
            let quality = bytes[o + 5];
            if quality > 100 {
                return Err(bad(format!("minutia quality {quality} above 100")));
            }
            minutiae.push(Minutia {
                x: scale(first & 0x3fff, x_res),
                y: scale(second & 0x3fff, y_res),
                direction: bytes[o + 4],
                kind,
                quality,
            });
        }
        // Positions on the image edge are legal in ISO; widen the frame instead of rejecting.
        let width = minutiae.iter().map(|m| m.x + 1).max().unwrap_or(0).max(width);
        let height = minutiae.iter().map(|m| m.y + 1).max().unwrap_or(0).max(height);
        Template::new(width, height, minutiae)
    }
}
