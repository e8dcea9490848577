//! ESC/POS receipt printers (Epson TM-T20/T82 class and Xprinter clones).
//!
//! A [`Document`] describes a receipt (text, feeds, QR, CODE128, raster images, cut); the
//! [`Encoder`] turns it into ESC/POS bytes; a [`Printer`] prints it and reports its
//! [`PrinterStatus`]. [`SerialPrinter`] talks to a real printer over a serial port,
//! [`SimulatedPrinter`] renders to PNG for the demo and tests. No ticket wording lives here.

mod code128;
mod codepage;
mod document;
mod encoder;
pub mod fake;
mod raster;
mod serial;
mod simulated;
mod status;

pub use code128::{Code128Error, code128_modules};
pub use codepage::{to_wpc1252, wpc1252_char};
pub use document::{
    Align, Barcode128, Document, Element, QrCode, QrLevel, TextSize, TextStyle, columns_for,
};
pub use encoder::{EncodeError, Encoder, MAX_STRIP_ROWS, qr_capacity};
pub use raster::{Bitmap, dither};
pub use serial::{FlowControl, SerialConfig, SerialPrinter};
pub use simulated::{SimulatedPrinter, SimulatedPrinterControl, render};
pub use status::{Fault, PrinterStatus, StatusBytes};

/// Printable width of 80 mm paper at 203 dpi, in dots.
pub const PAPER_WIDTH_DOTS: u32 = 576;

/// What can go wrong while printing or asking the printer for its state.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    /// The printer answered but cannot print now (paper out, cover open, ...).
    #[error("printer not ready: {0}")]
    NotReady(PrinterStatus),
    /// The printer does not answer, stalled or was unplugged; the job was not (fully) printed.
    #[error("printer offline: {0}")]
    Offline(String),
    /// The serial port could not be opened or configured.
    #[error("cannot open printer port {port}: {source}")]
    Open {
        /// The port path.
        port: String,
        /// The reason from the serial layer.
        source: serialport::Error,
    },
    /// The document cannot be expressed in ESC/POS (too long, invalid barcode data, ...).
    #[error("cannot encode the document: {0}")]
    Encode(#[from] EncodeError),
    /// The simulated printer could not write its PNG.
    #[error("cannot save the rendered ticket {path}: {source}")]
    Save {
        /// The PNG path.
        path: std::path::PathBuf,
        /// The reason from the image encoder or the file system.
        source: image::ImageError,
    },
}

/// A receipt printer: something that reports its state and prints documents.
pub trait Printer: Send {
    /// Asks the printer for its state now. A printer that does not answer is reported as
    /// `Ok` with [`Fault::Offline`]; `Err` is kept for problems on this side (port cannot open).
    fn status(&mut self) -> Result<PrinterStatus, PrinterError>;

    /// Prints the document. `Ok` only when every byte was delivered and the printer reported
    /// itself healthy afterwards; anything else means the ticket may not be in the person's hand.
    fn print(&mut self, document: &Document) -> Result<(), PrinterError>;
}
