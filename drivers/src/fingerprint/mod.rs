//! Fingerprint readers: a `Reader` trait and one module per device family.
//!
//! A kiosk screen drives a reader in four steps: `wait_finger_on` (cancellable, so leaving the
//! screen stops the wait within 200 ms), `capture`, `wait_finger_off`, and dropping the reader
//! (which powers the sensor down). Real devices are found with [`list`] and [`open_first`]; the
//! [`SimulatedReader`] serves images for the demo and for UI tests.
//!
//! Drivers hold no policy: they deliver the image exactly as the device produced it after
//! descrambling and assembly. Quality checks and retries are the caller's business.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub mod nb1010;
mod simulated;
pub mod transport;
pub mod uru4000;
mod usb;

pub use nb1010::Nb1010;
pub use simulated::{SimulatedReader, SimulatedReaderHandle};
pub use uru4000::Uru4000;
pub use usb::{SUPPORTED, SupportedDevice, list, open_first, supported, wait_for_reader};

/// How often blocking waits look at their [`CancelToken`]; well inside the 200 ms promise.
pub const CANCEL_POLL: Duration = Duration::from_millis(50);

/// One 8-bit grey image, row-major, `width * height` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerImage {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Resolution of the sensor in dots per inch.
    pub dpi: u32,
    /// Grey levels, row after row; 0 is black.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for FingerImage {
    // The pixels would flood every log line and assertion message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("dpi", &self.dpi)
            .field("pixels", &format_args!("[{} bytes]", self.pixels.len()))
            .finish()
    }
}

impl FingerImage {
    /// An image from its parts; `None` when the pixel count does not match the size.
    pub fn new(width: u32, height: u32, dpi: u32, pixels: Vec<u8>) -> Option<Self> {
        let expected = (width as usize).checked_mul(height as usize)?;
        (pixels.len() == expected).then_some(Self { width, height, dpi, pixels })
    }

    /// Converts to an `image` buffer, e.g. to save it as PNG.
    pub fn to_gray_image(&self) -> Option<image::GrayImage> {
        image::GrayImage::from_raw(self.width, self.height, self.pixels.clone())
    }

    /// Reads an image file (any format `image` knows) as 8-bit grey at the given resolution.
    pub fn load(path: &std::path::Path, dpi: u32) -> Result<Self, ReaderError> {
        let img = image::open(path).map_err(|e| {
            ReaderError::Protocol(format!("cannot read image {}: {e}", path.display()))
        })?;
        let grey = img.into_luma8();
        let (width, height) = grey.dimensions();
        Ok(Self { width, height, dpi, pixels: grey.into_raw() })
    }
}

/// What a reader is and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Driver name: `uru4000`, `nb1010` or `simulated`.
    pub driver: &'static str,
    /// Human-readable model name.
    pub model: String,
    /// USB vendor id (0 for the simulated reader).
    pub vendor_id: u16,
    /// USB product id (0 for the simulated reader).
    pub product_id: u16,
    /// Where the device is: `usb:BUS-PORT.PORT` for USB, the folder for a simulated reader.
    pub location: String,
}

impl ReaderInfo {
    /// `vvvv:pppp`, the way `lsusb` prints the id.
    pub fn usb_id(&self) -> String {
        format!("{:04x}:{:04x}", self.vendor_id, self.product_id)
    }
}

/// Everything that can go wrong with a reader, coarse enough for a UI to turn into a sentence.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReaderError {
    /// No supported reader is connected.
    #[error("no supported fingerprint reader found")]
    NotFound,
    /// The device exists but this user may not open it (udev rule missing?).
    #[error("permission denied opening the fingerprint reader (is the udev rule installed?)")]
    PermissionDenied,
    /// The device went away; it may come back (see [`wait_for_reader`]).
    #[error("the fingerprint reader was unplugged")]
    Unplugged,
    /// A wait or a transfer ran out of time.
    #[error("timed out waiting for the fingerprint reader")]
    Timeout,
    /// The caller cancelled the wait.
    #[error("cancelled")]
    Cancelled,
    /// The device answered something the driver does not understand.
    #[error("fingerprint reader protocol error: {0}")]
    Protocol(String),
    /// Any other USB failure.
    #[error("USB error: {0}")]
    Usb(rusb::Error),
}

impl From<rusb::Error> for ReaderError {
    fn from(err: rusb::Error) -> Self {
        match err {
            rusb::Error::NoDevice => ReaderError::Unplugged,
            rusb::Error::Access => ReaderError::PermissionDenied,
            rusb::Error::Timeout => ReaderError::Timeout,
            other => ReaderError::Usb(other),
        }
    }
}

/// A cheap, shareable "stop waiting" flag. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every wait holding this token (or a clone) to return [`ReaderError::Cancelled`].
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A fingerprint reader, opened and powered up. Dropping it powers the sensor down.
pub trait Reader: Send {
    /// What the reader is and where it sits.
    fn info(&self) -> ReaderInfo;

    /// Blocks until a finger is on the sensor, the token is cancelled (within 200 ms) or the
    /// timeout (if any) passes.
    fn wait_finger_on(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError>;

    /// Takes one image of the finger that is on the sensor.
    fn capture(&mut self) -> Result<FingerImage, ReaderError>;

    /// Blocks until the finger is lifted, cancelled or timed out, like `wait_finger_on`.
    fn wait_finger_off(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError>;

    /// Powers the sensor down and releases the device. Dropping does the same, ignoring errors.
    fn close(self: Box<Self>) -> Result<(), ReaderError> {
        Ok(())
    }
}
