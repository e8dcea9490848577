//! NEXT Biometrics NB-1010-U (298d:1010): thermal press sensor, 256x180 8-bit frames.
//!
//! Protocol (reverse-engineered by the libfprint project; see docs/HARDWARE.md): interface 0,
//! bulk OUT 0x02 and bulk IN 0x83, 500 ms per transfer. A command is
//! `[0x80, cmd, seq, 0x00, total_len, 0, 0, 0, ...]` and the answer is 16 bytes
//! `[0x80, code, seq, ...]`. Known commands:
//! - 0x38 check finger: answer byte 12 is the finger level, above 0x30 means a finger.
//! - 0x0d before a capture (answer code 0x20).
//! - 0x12 capture (answer code 0x20), then 90 bulk reads of 540 bytes: a 25-byte header
//!   (`80 21 ...`, u32 at 16 = odd row counter, u16 256 at 20), 2 rows of 256 pixels,
//!   3 bytes of padding. Pixels are used as they come: no inversion, no flip.

use std::time::Duration;

use super::transport::ReaderTransport;
use super::{CANCEL_POLL, CancelToken, FingerImage, Reader, ReaderError, ReaderInfo};

const EP_OUT: u8 = 0x02;
const EP_IN: u8 = 0x83;
const TIMEOUT: Duration = Duration::from_millis(500);
const REPLY_LEN: usize = 16;

/// Frame geometry.
pub const FRAME_WIDTH: usize = 256;
/// Frame geometry.
pub const FRAME_HEIGHT: usize = 180;
/// Sensor resolution: 385 dpi is what a 11.9 x 16.9 mm sensing area at 180 x 256 pixels
/// gives (area from the vendor's product page; not measured here).
pub const DPI: u32 = 385;
const PARTIAL_LEN: usize = 540;
const PARTIAL_HEADER_LEN: usize = 25;
const ROWS_PER_PARTIAL: usize = 2;
const PARTIALS: usize = FRAME_HEIGHT / ROWS_PER_PARTIAL;

/// Answer byte holding the finger level, and the level above which a finger is on.
const FINGER_LEVEL_BYTE: usize = 12;
const FINGER_THRESHOLD: u8 = 0x30;
/// Pause between finger checks.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

const CMD_CHECK_FINGER: [u8; 8] = [0x80, 0x38, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00];
const CMD_PRE_CAPTURE: [u8; 12] =
    [0x80, 0x0d, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00];

fn capture_command() -> [u8; 32] {
    let mut cmd = [0u8; 32];
    cmd[..5].copy_from_slice(&[0x80, 0x12, 0x04, 0x00, 0x20]);
    cmd[8] = 0x02;
    cmd[28] = 0x20;
    cmd
}

/// An NB-1010-U, opened. Generic over the transport so tests can script the device.
pub struct Nb1010<T: ReaderTransport> {
    transport: T,
    info: ReaderInfo,
    gone: bool,
}

impl<T: ReaderTransport> std::fmt::Debug for Nb1010<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nb1010").field("info", &self.info).finish_non_exhaustive()
    }
}

impl<T: ReaderTransport> Nb1010<T> {
    /// Wraps an opened transport. The sensor needs no power-up sequence.
    pub fn open(transport: T, info: ReaderInfo) -> Result<Self, ReaderError> {
        Ok(Self { transport, info, gone: false })
    }

    fn track<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, ReaderError>,
    ) -> Result<R, ReaderError> {
        if self.gone {
            return Err(ReaderError::Unplugged);
        }
        let result = f(self);
        if matches!(result, Err(ReaderError::Unplugged)) {
            tracing::warn!(reader = %self.info.model, "reader vanished");
            self.gone = true;
        }
        result
    }

    /// Sends a command and reads its 16-byte answer.
    fn command(&mut self, cmd: &[u8]) -> Result<Vec<u8>, ReaderError> {
        self.transport.bulk_out(EP_OUT, cmd, TIMEOUT)?;
        let reply = self.transport.bulk_in(EP_IN, REPLY_LEN, TIMEOUT)?;
        if reply.len() != REPLY_LEN || reply[0] != 0x80 {
            return Err(ReaderError::Protocol(format!(
                "command {:#04x}: unexpected answer {reply:02x?}",
                cmd[1]
            )));
        }
        Ok(reply)
    }

    fn finger_level(&mut self) -> Result<u8, ReaderError> {
        Ok(self.command(&CMD_CHECK_FINGER)?[FINGER_LEVEL_BYTE])
    }

    /// Polls the finger level every 50 ms until `present(level)`.
    fn poll_finger(
        &mut self,
        present: bool,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        let start = self.transport.now();
        loop {
            if cancel.is_cancelled() {
                return Err(ReaderError::Cancelled);
            }
            let level = self.finger_level()?;
            if (level > FINGER_THRESHOLD) == present {
                tracing::debug!(level, present, "finger");
                return Ok(());
            }
            let waited = self.transport.now().saturating_sub(start);
            if timeout.is_some_and(|t| waited >= t) {
                return Err(ReaderError::Timeout);
            }
            // Sleep in slices no longer than CANCEL_POLL (POLL_INTERVAL is 50 ms already).
            self.transport.sleep(POLL_INTERVAL.min(CANCEL_POLL));
        }
    }

    fn read_frame(&mut self) -> Result<FingerImage, ReaderError> {
        self.command(&CMD_PRE_CAPTURE)?;
        self.command(&capture_command())?;
        let mut pixels = Vec::with_capacity(FRAME_WIDTH * FRAME_HEIGHT);
        for i in 0..PARTIALS {
            let part = self.transport.bulk_in(EP_IN, PARTIAL_LEN, TIMEOUT)?;
            if part.len() != PARTIAL_LEN || part[0] != 0x80 || part[1] != 0x21 {
                return Err(ReaderError::Protocol(format!(
                    "frame part {i}: {} bytes starting {:02x?}",
                    part.len(),
                    &part[..part.len().min(4)]
                )));
            }
            let rows =
                &part[PARTIAL_HEADER_LEN..PARTIAL_HEADER_LEN + ROWS_PER_PARTIAL * FRAME_WIDTH];
            pixels.extend_from_slice(rows);
        }
        Ok(FingerImage { width: FRAME_WIDTH as u32, height: FRAME_HEIGHT as u32, dpi: DPI, pixels })
    }
}

impl<T: ReaderTransport> Reader for Nb1010<T> {
    fn info(&self) -> ReaderInfo {
        self.info.clone()
    }

    fn wait_finger_on(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        self.track(|r| r.poll_finger(true, cancel, timeout))
    }

    fn capture(&mut self) -> Result<FingerImage, ReaderError> {
        self.track(|r| r.read_frame())
    }

    fn wait_finger_off(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        self.track(|r| r.poll_finger(false, cancel, timeout))
    }
}
