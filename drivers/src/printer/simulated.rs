//! A printer that renders documents to PNG images of an 80 mm roll (576 dots), for the demo and
//! for tests. It can be told to fail (paper out, offline, ...) through a shared control handle.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};
use image::{GrayImage, Luma};

use super::code128::code128_modules;
use super::codepage::to_wpc1252;
use super::document::{Align, Barcode128, Document, Element, QrCode, QrLevel, TextStyle};
use super::encoder::Encoder;
use super::raster::Bitmap;
use super::status::{Fault, PrinterStatus};
use super::{EncodeError, PAPER_WIDTH_DOTS, Printer, PrinterError};

/// Font A cell: 12 x 24 dots.
const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
/// Default line spacing of the printer, in dots (font height plus the gap).
const LINE_H: u32 = 30;
/// Paper fed by the cut command before the blade, in dots.
const CUT_FEED: u32 = 3 * LINE_H;

const WHITE: u8 = 255;
const BLACK: u8 = 0;

/// A growing strip of paper.
struct Paper {
    rows: Vec<u8>,
    height: u32,
}

impl Paper {
    fn new() -> Paper {
        Paper { rows: Vec::new(), height: 0 }
    }

    /// Adds `h` white rows and returns the y of the first one.
    fn grow(&mut self, h: u32) -> u32 {
        let top = self.height;
        self.height += h;
        self.rows.resize((self.height * PAPER_WIDTH_DOTS) as usize, WHITE);
        top
    }

    fn dot(&mut self, x: u32, y: u32, value: u8) {
        if x < PAPER_WIDTH_DOTS && y < self.height {
            self.rows[(y * PAPER_WIDTH_DOTS + x) as usize] = value;
        }
    }

    fn block(&mut self, x: u32, y: u32, w: u32, h: u32) {
        for dy in 0..h {
            for dx in 0..w {
                self.dot(x + dx, y + dy, BLACK);
            }
        }
    }

    fn into_image(self) -> GrayImage {
        // An empty document still gives a valid (1-row) image.
        let height = self.height.max(1);
        let mut rows = self.rows;
        rows.resize((height * PAPER_WIDTH_DOTS) as usize, WHITE);
        GrayImage::from_raw(PAPER_WIDTH_DOTS, height, rows)
            .unwrap_or_else(|| GrayImage::from_pixel(PAPER_WIDTH_DOTS, 1, Luma([WHITE])))
    }
}

fn left_for(align: Align, width: u32) -> u32 {
    let free = PAPER_WIDTH_DOTS.saturating_sub(width);
    match align {
        Align::Left => 0,
        Align::Centre => free / 2,
        Align::Right => free,
    }
}

/// The 8x8 glyph of a WPC1252 byte; the 0x80..0x9F range falls back to ASCII look-alikes.
fn glyph(byte: u8) -> [u8; 8] {
    match byte {
        0x00..=0x7F => BASIC_LEGACY[byte as usize],
        0xA0..=0xFF => LATIN_LEGACY[(byte - 0xA0) as usize],
        0x82 | 0x91 | 0x92 => BASIC_LEGACY[b'\'' as usize],
        0x84 | 0x93 | 0x94 => BASIC_LEGACY[b'"' as usize],
        0x95 => BASIC_LEGACY[b'*' as usize],
        0x96 | 0x97 => BASIC_LEGACY[b'-' as usize],
        0x8A => BASIC_LEGACY[b'S' as usize],
        0x9A => BASIC_LEGACY[b's' as usize],
        0x8E => BASIC_LEGACY[b'Z' as usize],
        0x9E => BASIC_LEGACY[b'z' as usize],
        0x9F => BASIC_LEGACY[b'Y' as usize],
        0x80 => BASIC_LEGACY[b'E' as usize],
        _ => BASIC_LEGACY[b'?' as usize],
    }
}

fn draw_text(paper: &mut Paper, text: &[u8], style: TextStyle) {
    let (w, h) = (style.size.width() as u32, style.size.height() as u32);
    let per_line = (PAPER_WIDTH_DOTS / (CELL_W * w)).max(1) as usize;
    let lines: Vec<&[u8]> =
        if text.is_empty() { vec![&[][..]] } else { text.chunks(per_line).collect() };
    for line in lines {
        let line_h = CELL_H * h + (LINE_H - CELL_H);
        let top = paper.grow(line_h);
        let left = left_for(style.align, line.len() as u32 * CELL_W * w);
        for (i, &byte) in line.iter().enumerate() {
            let rows = glyph(byte);
            let x0 = left + i as u32 * CELL_W * w;
            // The 8x8 glyph fills 12 x 16 dots of the 12 x 24 cell, 4 dots from the top.
            for cy in 0..CELL_H * h {
                let gy = cy / h;
                if !(4..20).contains(&gy) {
                    continue;
                }
                let src_row = rows[((gy - 4) / 2) as usize];
                for cx in 0..CELL_W * w {
                    let src_col = (cx / w) * 8 / CELL_W;
                    let on = src_row & (1 << src_col) != 0;
                    // Emphasis doubles each stroke one dot to the right.
                    let left_on = style.bold
                        && cx >= w
                        && src_row & (1 << (((cx - w) / w) * 8 / CELL_W)) != 0;
                    if on || left_on {
                        paper.dot(x0 + cx, top + cy, BLACK);
                    }
                }
            }
        }
    }
}

fn draw_qr(paper: &mut Paper, qr: &QrCode) -> Result<(), EncodeError> {
    let level = match qr.level {
        QrLevel::L => qrcode::EcLevel::L,
        QrLevel::M => qrcode::EcLevel::M,
        QrLevel::Q => qrcode::EcLevel::Q,
        QrLevel::H => qrcode::EcLevel::H,
    };
    let code =
        qrcode::QrCode::with_error_correction_level(qr.data.as_bytes(), level).map_err(|_| {
            EncodeError::QrTooLong {
                len: qr.data.len(),
                max: super::encoder::qr_capacity(qr.level),
            }
        })?;
    let n = code.width() as u32;
    let m = qr.module_size as u32;
    // Four modules of quiet zone all round, as a scanner needs.
    let side = (n + 8) * m;
    let top = paper.grow(side + LINE_H - CELL_H);
    let left = left_for(qr.align, side);
    for (i, colour) in code.to_colors().iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (x, y) = ((i as u32 % n + 4) * m, (i as u32 / n + 4) * m);
            paper.block(left + x, top + y, m, m);
        }
    }
    Ok(())
}

fn draw_code128(paper: &mut Paper, barcode: &Barcode128) -> Result<(), EncodeError> {
    let modules = code128_modules(&barcode.data)?;
    let m = barcode.module_width as u32;
    let width = modules.len() as u32 * m;
    let top = paper.grow(barcode.height as u32);
    let left = left_for(barcode.align, width);
    for (i, bar) in modules.iter().enumerate() {
        if *bar {
            paper.block(left + i as u32 * m, top, m, barcode.height as u32);
        }
    }
    if barcode.text_below {
        let style = TextStyle { align: barcode.align, ..TextStyle::default() };
        draw_text(paper, barcode.data.as_bytes(), style);
    } else {
        paper.grow(LINE_H - CELL_H);
    }
    Ok(())
}

fn draw_image(paper: &mut Paper, bitmap: &Bitmap, align: Align) {
    let top = paper.grow(bitmap.height());
    let left = left_for(align, bitmap.width());
    for y in 0..bitmap.height() {
        for x in 0..bitmap.width() {
            if bitmap.get(x, y) {
                paper.dot(left + x, top + y, BLACK);
            }
        }
    }
}

fn draw_cut(paper: &mut Paper) {
    let y = paper.grow(CUT_FEED + 1) + CUT_FEED;
    // A dashed line where the blade cuts (partial: a hinge stays in the middle).
    for x in (0..PAPER_WIDTH_DOTS).filter(|x| (x / 8) % 2 == 0) {
        if !(PAPER_WIDTH_DOTS / 2 - 8..PAPER_WIDTH_DOTS / 2 + 8).contains(&x) {
            paper.dot(x, y, 128);
        }
    }
}

/// Renders a document as the paper would come out: 576 dots wide, black on white. Rejects what
/// the encoder rejects, so a document that renders also prints.
pub fn render(document: &Document) -> Result<GrayImage, EncodeError> {
    Encoder::encode(document)?;
    let mut paper = Paper::new();
    for element in document.elements() {
        match element {
            Element::Text { text, style } => draw_text(&mut paper, &to_wpc1252(text), *style),
            Element::Feed(lines) => {
                paper.grow(*lines as u32 * LINE_H);
            }
            Element::Qr(qr) => draw_qr(&mut paper, qr)?,
            Element::Code128(barcode) => draw_code128(&mut paper, barcode)?,
            Element::Image { bitmap, align } => draw_image(&mut paper, bitmap, *align),
            Element::Cut => draw_cut(&mut paper),
        }
    }
    Ok(paper.into_image())
}

/// A handle to make a [`SimulatedPrinter`] fail or recover while someone else owns it.
#[derive(Debug, Clone, Default)]
pub struct SimulatedPrinterControl {
    faults: Arc<Mutex<Vec<Fault>>>,
}

impl SimulatedPrinterControl {
    /// The printer reports exactly these faults from now on (empty = healthy).
    pub fn set_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        let mut guard = self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = faults.into_iter().collect();
    }

    /// The printer is healthy again.
    pub fn recover(&self) {
        self.set_faults([]);
    }

    /// The current simulated state.
    pub fn status(&self) -> PrinterStatus {
        let guard = self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        PrinterStatus::with_faults(guard.iter().copied())
    }
}

/// A printer that writes each printed document as `ticket-NNNN.png` into a folder.
#[derive(Debug)]
pub struct SimulatedPrinter {
    out_dir: PathBuf,
    control: SimulatedPrinterControl,
    printed: Vec<PathBuf>,
}

impl SimulatedPrinter {
    /// A healthy simulated printer writing into `out_dir` (created when the first ticket prints).
    pub fn new(out_dir: impl Into<PathBuf>) -> SimulatedPrinter {
        SimulatedPrinter {
            out_dir: out_dir.into(),
            control: SimulatedPrinterControl::default(),
            printed: Vec::new(),
        }
    }

    /// The handle that makes this printer fail or recover.
    pub fn control(&self) -> SimulatedPrinterControl {
        self.control.clone()
    }

    /// The PNGs printed so far, oldest first.
    pub fn printed(&self) -> &[PathBuf] {
        &self.printed
    }

    /// The folder the PNGs go to.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }
}

impl Printer for SimulatedPrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        Ok(self.control.status())
    }

    fn print(&mut self, document: &Document) -> Result<(), PrinterError> {
        let status = self.control.status();
        if status.has(Fault::Offline) {
            return Err(PrinterError::Offline("simulated printer is offline".into()));
        }
        if !status.can_print() {
            return Err(PrinterError::NotReady(status));
        }
        let image = render(document)?;
        let path = self.out_dir.join(format!("ticket-{:04}.png", self.printed.len() + 1));
        std::fs::create_dir_all(&self.out_dir)
            .map_err(|e| PrinterError::Save { path: path.clone(), source: e.into() })?;
        image.save(&path).map_err(|source| PrinterError::Save { path: path.clone(), source })?;
        tracing::debug!(path = %path.display(), "simulated printer printed a ticket");
        self.printed.push(path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::document::TextSize;

    fn decode_qr(image: &GrayImage) -> Vec<String> {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
            image.width() as usize,
            image.height() as usize,
            |x, y| image.get_pixel(x as u32, y as u32).0[0],
        );
        prepared
            .detect_grids()
            .iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
            .collect()
    }

    fn sample() -> Document {
        let mut doc = Document::new();
        doc.text(
            "RUTAN",
            TextStyle { align: Align::Centre, bold: true, size: TextSize::new(2, 2) },
        )
        .line("Nomor antrean")
        .qr(QrCode {
            data: "Q-20261128-A-012".into(),
            module_size: 6,
            level: QrLevel::M,
            align: Align::Centre,
        })
        .code128(Barcode128 {
            data: "KIOSK-TEST".into(),
            height: 80,
            module_width: 2,
            text_below: true,
            align: Align::Centre,
        })
        .feed(2)
        .cut();
        doc
    }

    #[test]
    fn renders_full_width_and_the_qr_decodes() {
        let image = render(&sample()).expect("render");
        assert_eq!(image.width(), 576);
        assert!(image.height() > 300);
        assert_eq!(decode_qr(&image), vec!["Q-20261128-A-012".to_string()]);
    }

    #[test]
    fn centred_text_is_centred() {
        let mut doc = Document::new();
        doc.text("AB", TextStyle { align: Align::Centre, ..TextStyle::default() });
        let image = render(&doc).expect("render");
        let black: Vec<u32> = image
            .enumerate_pixels()
            .filter(|(_, _, p)| p.0[0] == BLACK)
            .map(|(x, _, _)| x)
            .collect();
        let (min, max) = (black.iter().min().copied(), black.iter().max().copied());
        // "AB" is 24 dots wide, starting at (576 - 24) / 2 = 276.
        assert!(min >= Some(276) && max < Some(300), "{min:?}..{max:?}");
    }

    #[test]
    fn long_lines_wrap_like_the_printer() {
        let mut doc = Document::new();
        doc.line("x".repeat(49));
        assert_eq!(render(&doc).expect("render").height(), 2 * LINE_H);
    }

    #[test]
    fn simulated_faults_and_recovery() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut printer = SimulatedPrinter::new(dir.path().join("out"));
        let control = printer.control();
        control.set_faults([Fault::PaperOut]);
        assert_eq!(printer.status().expect("status").faults(), &[Fault::PaperOut]);
        assert!(matches!(printer.print(&sample()), Err(PrinterError::NotReady(_))));
        control.set_faults([Fault::Offline]);
        assert!(matches!(printer.print(&sample()), Err(PrinterError::Offline(_))));
        control.set_faults([Fault::PaperNearEnd]);
        printer.print(&sample()).expect("near end still prints");
        control.recover();
        printer.print(&sample()).expect("print");
        assert_eq!(printer.printed().len(), 2);
        assert!(printer.printed()[1].ends_with("ticket-0002.png"));
        let png = image::open(&printer.printed()[0]).expect("png").to_luma8();
        assert_eq!(decode_qr(&png), vec!["Q-20261128-A-012".to_string()]);
    }
}
