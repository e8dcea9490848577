//! A receipt described as elements, independent of the printer's command language.

use super::raster::Bitmap;

/// Horizontal alignment of a line, symbol or image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Flush left (the printer's default).
    #[default]
    Left,
    /// Centred.
    Centre,
    /// Flush right.
    Right,
}

/// Character magnification, 1 to 8 in each direction (`1D 21 n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSize {
    width: u8,
    height: u8,
}

impl TextSize {
    /// Normal size.
    pub const NORMAL: TextSize = TextSize { width: 1, height: 1 };

    /// A magnification; each factor is clamped to 1..=8.
    pub fn new(width: u8, height: u8) -> TextSize {
        TextSize { width: width.clamp(1, 8), height: height.clamp(1, 8) }
    }

    /// Horizontal factor.
    pub fn width(self) -> u8 {
        self.width
    }

    /// Vertical factor.
    pub fn height(self) -> u8 {
        self.height
    }
}

impl Default for TextSize {
    fn default() -> TextSize {
        TextSize::NORMAL
    }
}

/// How a line of text looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// Alignment of the line.
    pub align: Align,
    /// Emphasised (bold).
    pub bold: bool,
    /// Magnification.
    pub size: TextSize,
}

/// QR error correction level (L 7 %, M 15 %, Q 25 %, H 30 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrLevel {
    /// 7 %.
    L,
    /// 15 %.
    #[default]
    M,
    /// 25 %.
    Q,
    /// 30 %.
    H,
}

/// A QR code (model 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// The payload, stored in byte mode.
    pub data: String,
    /// Dots per module, 1..=16.
    pub module_size: u8,
    /// Error correction level.
    pub level: QrLevel,
    /// Alignment of the symbol.
    pub align: Align,
}

/// A CODE128 barcode in code set B (printable ASCII).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Barcode128 {
    /// The payload: ASCII 0x20..=0x7E.
    pub data: String,
    /// Bar height in dots, 1..=255.
    pub height: u8,
    /// Narrowest module width in dots, 2..=6.
    pub module_width: u8,
    /// Print the payload as text under the bars.
    pub text_below: bool,
    /// Alignment of the symbol.
    pub align: Align,
}

/// One element of a receipt, printed top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    /// One line of text (the printer wraps it if it is longer than the paper).
    Text {
        /// The text; characters outside WPC1252 are transliterated, control characters dropped.
        text: String,
        /// Alignment, weight and size.
        style: TextStyle,
    },
    /// Blank lines.
    Feed(u8),
    /// A QR code.
    Qr(QrCode),
    /// A CODE128 barcode.
    Code128(Barcode128),
    /// A 1-bit image.
    Image {
        /// The dots (true = black).
        bitmap: Bitmap,
        /// Alignment of the image.
        align: Align,
    },
    /// Feed past the tear line and cut, leaving a small hinge (partial cut).
    Cut,
}

/// A receipt: elements in print order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    elements: Vec<Element>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Document {
        Document::default()
    }

    /// The elements in print order.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// Appends any element.
    pub fn push(&mut self, element: Element) -> &mut Document {
        self.elements.push(element);
        self
    }

    /// Appends a line of text.
    pub fn text(&mut self, text: impl Into<String>, style: TextStyle) -> &mut Document {
        self.push(Element::Text { text: text.into(), style })
    }

    /// Appends a plain left-aligned line.
    pub fn line(&mut self, text: impl Into<String>) -> &mut Document {
        self.text(text, TextStyle::default())
    }

    /// Appends `lines` blank lines.
    pub fn feed(&mut self, lines: u8) -> &mut Document {
        self.push(Element::Feed(lines))
    }

    /// Appends a QR code.
    pub fn qr(&mut self, qr: QrCode) -> &mut Document {
        self.push(Element::Qr(qr))
    }

    /// Appends a CODE128 barcode.
    pub fn code128(&mut self, barcode: Barcode128) -> &mut Document {
        self.push(Element::Code128(barcode))
    }

    /// Appends an image.
    pub fn image(&mut self, bitmap: Bitmap, align: Align) -> &mut Document {
        self.push(Element::Image { bitmap, align })
    }

    /// Appends a partial cut (after feeding past the tear line).
    pub fn cut(&mut self) -> &mut Document {
        self.push(Element::Cut)
    }
}

/// Characters per line of font A (12 dots wide) on 80 mm paper at a horizontal magnification.
pub fn columns_for(size: TextSize) -> usize {
    48 / size.width() as usize
}
