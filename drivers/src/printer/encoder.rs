//! [`Document`] -> ESC/POS bytes.
//!
//! Every job starts with initialise, cancel Chinese mode (clones print bytes >= 0x80 as Chinese
//! otherwise), USA charset and code table WPC1252. Alignment, bold and size are set per element
//! and reset right after it, so one element never leaks its style into the next.

use super::codepage::to_wpc1252;
use super::document::{Align, Barcode128, Document, Element, QrCode, QrLevel, TextStyle};
use super::raster::Bitmap;

/// Why a document cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// QR payload longer than a model 2 symbol holds in byte mode at the chosen level.
    #[error("QR payload of {len} bytes is too long (at most {max} at this error level)")]
    QrTooLong {
        /// Payload length in bytes.
        len: usize,
        /// Byte-mode capacity of version 40 at the level.
        max: usize,
    },
    /// QR payload is empty.
    #[error("QR payload is empty")]
    QrEmpty,
    /// QR module size outside 1..=16.
    #[error("QR module size {0} is outside 1..=16")]
    QrModuleSize(u8),
    /// Barcode payload is not printable ASCII, empty or too long.
    #[error("CODE128 payload is invalid: {0}")]
    Code128(#[from] super::code128::Code128Error),
    /// Barcode module width outside 2..=6 or height 0.
    #[error("CODE128 geometry invalid: module width {width}, height {height}")]
    Code128Geometry {
        /// Module width in dots.
        width: u8,
        /// Height in dots.
        height: u8,
    },
    /// Image wider than the paper.
    #[error("image {0} dots wide does not fit the paper")]
    ImageTooWide(u32),
}

/// Largest raster strip in rows: some printers' buffers overflow on taller `GS v 0` blocks.
pub const MAX_STRIP_ROWS: u32 = 256;

/// Initialise, cancel Chinese mode, USA charset, code table 16 (WPC1252).
pub const JOB_HEADER: [u8; 9] = [0x1B, 0x40, 0x1C, 0x2E, 0x1B, 0x52, 0x00, 0x1B, 0x74];
/// The code table number of WPC1252.
pub const CODE_TABLE_WPC1252: u8 = 16;

/// Byte-mode capacity of the largest QR symbol (version 40) at an error level.
pub fn qr_capacity(level: QrLevel) -> usize {
    match level {
        QrLevel::L => 2953,
        QrLevel::M => 2331,
        QrLevel::Q => 1663,
        QrLevel::H => 1273,
    }
}

/// Turns documents into ESC/POS bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Encoder;

impl Encoder {
    /// The whole job: header, then every element.
    pub fn encode(document: &Document) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(&JOB_HEADER);
        out.push(CODE_TABLE_WPC1252);
        for element in document.elements() {
            Encoder::element(&mut out, element)?;
        }
        Ok(out)
    }

    /// One element's bytes.
    pub fn element(out: &mut Vec<u8>, element: &Element) -> Result<(), EncodeError> {
        match element {
            Element::Text { text, style } => Encoder::text(out, text, *style),
            Element::Feed(lines) => Encoder::feed(out, *lines),
            Element::Qr(qr) => Encoder::qr(out, qr)?,
            Element::Code128(barcode) => Encoder::code128(out, barcode)?,
            Element::Image { bitmap, align } => Encoder::image(out, bitmap, *align)?,
            Element::Cut => Encoder::cut(out),
        }
        Ok(())
    }

    fn align(out: &mut Vec<u8>, align: Align) {
        let n = match align {
            Align::Left => 0,
            Align::Centre => 1,
            Align::Right => 2,
        };
        out.extend_from_slice(&[0x1B, 0x61, n]);
    }

    /// Runs `body` with `align` set, resetting to left afterwards (alignment persists otherwise).
    fn aligned(out: &mut Vec<u8>, align: Align, body: impl FnOnce(&mut Vec<u8>)) {
        if align != Align::Left {
            Encoder::align(out, align);
        }
        body(out);
        if align != Align::Left {
            Encoder::align(out, Align::Left);
        }
    }

    /// A line of text followed by LF, with its style set before and reset after.
    pub fn text(out: &mut Vec<u8>, text: &str, style: TextStyle) {
        Encoder::aligned(out, style.align, |out| {
            if style.bold {
                out.extend_from_slice(&[0x1B, 0x45, 0x01]);
            }
            let size = ((style.size.width() - 1) << 4) | (style.size.height() - 1);
            if size != 0 {
                out.extend_from_slice(&[0x1D, 0x21, size]);
            }
            out.extend_from_slice(&to_wpc1252(text));
            out.push(0x0A);
            if size != 0 {
                out.extend_from_slice(&[0x1D, 0x21, 0x00]);
            }
            if style.bold {
                out.extend_from_slice(&[0x1B, 0x45, 0x00]);
            }
        });
    }

    /// `lines` blank lines: LF for one, `ESC d n` for more.
    pub fn feed(out: &mut Vec<u8>, lines: u8) {
        match lines {
            0 => {}
            1 => out.push(0x0A),
            n => out.extend_from_slice(&[0x1B, 0x64, n]),
        }
    }

    /// QR model 2: select model, module size, error level, store data, print.
    pub fn qr(out: &mut Vec<u8>, qr: &QrCode) -> Result<(), EncodeError> {
        let data = qr.data.as_bytes();
        if data.is_empty() {
            return Err(EncodeError::QrEmpty);
        }
        let max = qr_capacity(qr.level);
        if data.len() > max {
            return Err(EncodeError::QrTooLong { len: data.len(), max });
        }
        if !(1..=16).contains(&qr.module_size) {
            return Err(EncodeError::QrModuleSize(qr.module_size));
        }
        let level = match qr.level {
            QrLevel::L => 48,
            QrLevel::M => 49,
            QrLevel::Q => 50,
            QrLevel::H => 51,
        };
        let stored = data.len() + 3;
        Encoder::aligned(out, qr.align, |out| {
            out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
            out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, qr.module_size]);
            out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, level]);
            out.extend_from_slice(&[
                0x1D,
                0x28,
                0x6B,
                (stored & 0xFF) as u8,
                (stored >> 8) as u8,
                0x31,
                0x50,
                0x30,
            ]);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
            out.push(0x0A);
        });
        Ok(())
    }

    /// CODE128 code set B: height, module width, text position, then `GS k 73 n {B data`.
    pub fn code128(out: &mut Vec<u8>, barcode: &Barcode128) -> Result<(), EncodeError> {
        let data = super::code128::validate(&barcode.data)?;
        if !(2..=6).contains(&barcode.module_width) || barcode.height == 0 {
            return Err(EncodeError::Code128Geometry {
                width: barcode.module_width,
                height: barcode.height,
            });
        }
        // `{` starts a selector in Epson's CODE128 syntax: a literal one is sent as `{{`.
        let mut payload = vec![0x7B, 0x42];
        for &byte in data {
            payload.push(byte);
            if byte == b'{' {
                payload.push(b'{');
            }
        }
        let n = u8::try_from(payload.len())
            .map_err(|_| super::code128::Code128Error::TooLong(data.len()))?;
        Encoder::aligned(out, barcode.align, |out| {
            out.extend_from_slice(&[0x1D, 0x68, barcode.height]);
            out.extend_from_slice(&[0x1D, 0x77, barcode.module_width]);
            out.extend_from_slice(&[0x1D, 0x48, if barcode.text_below { 0x02 } else { 0x00 }]);
            out.extend_from_slice(&[0x1D, 0x6B, 0x49, n]);
            out.extend_from_slice(&payload);
            out.push(0x0A);
        });
        Ok(())
    }

    /// Raster image in strips of at most [`MAX_STRIP_ROWS`] rows, each `GS v 0` carrying exactly
    /// `x * y` bytes (a short block would swallow the text after it).
    pub fn image(out: &mut Vec<u8>, bitmap: &Bitmap, align: Align) -> Result<(), EncodeError> {
        if bitmap.width() > super::PAPER_WIDTH_DOTS {
            return Err(EncodeError::ImageTooWide(bitmap.width()));
        }
        if bitmap.width() == 0 || bitmap.height() == 0 {
            return Ok(());
        }
        let x = bitmap.row_bytes();
        Encoder::aligned(out, align, |out| {
            let mut top = 0;
            while top < bitmap.height() {
                let rows = (bitmap.height() - top).min(MAX_STRIP_ROWS);
                out.extend_from_slice(&[
                    0x1D,
                    0x76,
                    0x30,
                    0x00,
                    (x & 0xFF) as u8,
                    (x >> 8) as u8,
                    (rows & 0xFF) as u8,
                    (rows >> 8) as u8,
                ]);
                let start = top as usize * x;
                out.extend_from_slice(&bitmap.data()[start..start + rows as usize * x]);
                top += rows;
            }
        });
        Ok(())
    }

    /// Feed to the cutter plus 3 motion units, then partial cut (`GS V 66 3`): the last line is
    /// past the blade and the tear line.
    pub fn cut(out: &mut Vec<u8>) {
        out.extend_from_slice(&[0x1D, 0x56, 0x42, 0x03]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::document::TextSize;

    fn one(element: Element) -> Vec<u8> {
        let mut out = Vec::new();
        Encoder::element(&mut out, &element).expect("encode");
        out
    }

    fn text(text: &str, style: TextStyle) -> Vec<u8> {
        one(Element::Text { text: text.into(), style })
    }

    #[test]
    fn job_header() {
        let bytes = Encoder::encode(&Document::new()).expect("encode");
        assert_eq!(bytes, vec![0x1B, 0x40, 0x1C, 0x2E, 0x1B, 0x52, 0x00, 0x1B, 0x74, 0x10]);
    }

    #[test]
    fn plain_text_is_just_bytes_and_lf() {
        assert_eq!(text("Rutan", TextStyle::default()), b"Rutan\n".to_vec());
    }

    #[test]
    fn alignment_is_reset_after_use() {
        let centre = TextStyle { align: Align::Centre, ..TextStyle::default() };
        assert_eq!(text("A", centre), vec![0x1B, 0x61, 0x01, b'A', 0x0A, 0x1B, 0x61, 0x00]);
        let right = TextStyle { align: Align::Right, ..TextStyle::default() };
        assert_eq!(text("A", right), vec![0x1B, 0x61, 0x02, b'A', 0x0A, 0x1B, 0x61, 0x00]);
    }

    #[test]
    fn bold_on_and_off() {
        let bold = TextStyle { bold: true, ..TextStyle::default() };
        assert_eq!(text("B", bold), vec![0x1B, 0x45, 0x01, b'B', 0x0A, 0x1B, 0x45, 0x00]);
    }

    #[test]
    fn size_byte_and_reset() {
        let big = TextStyle { size: TextSize::new(4, 4), ..TextStyle::default() };
        assert_eq!(text("7", big), vec![0x1D, 0x21, 0x33, b'7', 0x0A, 0x1D, 0x21, 0x00]);
        let wide = TextStyle { size: TextSize::new(2, 1), ..TextStyle::default() };
        assert_eq!(text("7", wide), vec![0x1D, 0x21, 0x10, b'7', 0x0A, 0x1D, 0x21, 0x00]);
        let all = TextStyle { align: Align::Centre, bold: true, size: TextSize::new(1, 3) };
        assert_eq!(
            text("x", all),
            vec![
                0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01, 0x1D, 0x21, 0x02, b'x', 0x0A, 0x1D, 0x21, 0x00,
                0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00
            ]
        );
    }

    #[test]
    fn text_is_wpc1252_and_cannot_inject_commands() {
        assert_eq!(
            text("Dédé\u{1b}@", TextStyle::default()),
            vec![b'D', 0xE9, b'd', 0xE9, b'@', 0x0A]
        );
    }

    #[test]
    fn feeds() {
        assert_eq!(one(Element::Feed(0)), Vec::<u8>::new());
        assert_eq!(one(Element::Feed(1)), vec![0x0A]);
        assert_eq!(one(Element::Feed(3)), vec![0x1B, 0x64, 0x03]);
    }

    #[test]
    fn qr_sequence() {
        let qr = QrCode {
            data: "A-012".into(),
            module_size: 6,
            level: QrLevel::Q,
            align: Align::Centre,
        };
        let mut expected = vec![0x1B, 0x61, 0x01];
        expected.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        expected.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]);
        expected.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x32]);
        expected.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x08, 0x00, 0x31, 0x50, 0x30]);
        expected.extend_from_slice(b"A-012");
        expected.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, 0x0A]);
        expected.extend_from_slice(&[0x1B, 0x61, 0x00]);
        assert_eq!(one(Element::Qr(qr)), expected);
    }

    #[test]
    fn qr_levels_and_long_length_bytes() {
        for (level, byte) in
            [(QrLevel::L, 48), (QrLevel::M, 49), (QrLevel::Q, 50), (QrLevel::H, 51)]
        {
            let qr = QrCode { data: "x".repeat(300), module_size: 3, level, align: Align::Left };
            let bytes = one(Element::Qr(qr));
            assert_eq!(bytes[24], byte);
            // 300 + 3 = 303 = 0x012F.
            assert_eq!(&bytes[25..33], &[0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]);
            assert_eq!(bytes.len(), 33 + 300 + 9);
        }
    }

    #[test]
    fn qr_limits() {
        let mut out = Vec::new();
        let qr = |data: String, module_size| QrCode {
            data,
            module_size,
            level: QrLevel::M,
            align: Align::Left,
        };
        assert_eq!(Encoder::qr(&mut out, &qr(String::new(), 4)), Err(EncodeError::QrEmpty));
        assert_eq!(
            Encoder::qr(&mut out, &qr("x".repeat(2332), 4)),
            Err(EncodeError::QrTooLong { len: 2332, max: 2331 })
        );
        assert_eq!(Encoder::qr(&mut out, &qr("x".into(), 17)), Err(EncodeError::QrModuleSize(17)));
        assert!(out.is_empty());
    }

    #[test]
    fn code128_with_selector_counted() {
        let barcode = Barcode128 {
            data: "KIOSK-TEST".into(),
            height: 80,
            module_width: 2,
            text_below: true,
            align: Align::Left,
        };
        let mut expected =
            vec![0x1D, 0x68, 0x50, 0x1D, 0x77, 0x02, 0x1D, 0x48, 0x02, 0x1D, 0x6B, 0x49, 12];
        expected.extend_from_slice(&[0x7B, 0x42]);
        expected.extend_from_slice(b"KIOSK-TEST");
        expected.push(0x0A);
        assert_eq!(one(Element::Code128(barcode)), expected);
    }

    #[test]
    fn code128_escapes_brace_and_rejects_bad_data() {
        let barcode = |data: &str| Barcode128 {
            data: data.into(),
            height: 50,
            module_width: 3,
            text_below: false,
            align: Align::Centre,
        };
        let bytes = one(Element::Code128(barcode("a{b")));
        assert_eq!(&bytes[..3], &[0x1B, 0x61, 0x01]);
        assert_eq!(&bytes[9..12], &[0x1D, 0x48, 0x00]);
        assert_eq!(
            &bytes[12..],
            &[0x1D, 0x6B, 0x49, 6, 0x7B, 0x42, b'a', b'{', b'{', b'b', 0x0A, 0x1B, 0x61, 0x00]
        );
        let mut out = Vec::new();
        assert!(Encoder::code128(&mut out, &barcode("é")).is_err());
        assert!(Encoder::code128(&mut out, &barcode("")).is_err());
        assert!(Encoder::code128(&mut out, &barcode(&"x".repeat(254))).is_err());
        let mut thin = barcode("x");
        thin.module_width = 1;
        assert!(Encoder::code128(&mut out, &thin).is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn image_in_exact_strips() {
        let mut bitmap = Bitmap::new(12, 300);
        bitmap.set(0, 0, true);
        bitmap.set(11, 299, true);
        let bytes = one(Element::Image { bitmap, align: Align::Left });
        // Strip 1: 2 bytes x 256 rows; strip 2: 2 bytes x 44 rows.
        assert_eq!(&bytes[..8], &[0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x00, 0x01]);
        assert_eq!(bytes[8], 0x80);
        let second = 8 + 2 * 256;
        assert_eq!(&bytes[second..second + 8], &[0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 44, 0x00]);
        assert_eq!(bytes.len(), second + 8 + 2 * 44);
        assert_eq!(bytes[bytes.len() - 1], 0x10);
    }

    #[test]
    fn image_alignment_and_width_limit() {
        let bitmap = Bitmap::new(8, 1);
        assert_eq!(
            one(Element::Image { bitmap, align: Align::Centre }),
            vec![
                0x1B, 0x61, 0x01, 0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x1B, 0x61,
                0x00
            ]
        );
        let mut out = Vec::new();
        let wide = Bitmap::new(577, 1);
        assert_eq!(
            Encoder::image(&mut out, &wide, Align::Left),
            Err(EncodeError::ImageTooWide(577))
        );
    }

    #[test]
    fn partial_cut() {
        assert_eq!(one(Element::Cut), vec![0x1D, 0x56, 0x42, 0x03]);
    }
}
