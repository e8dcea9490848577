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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::transport::mock::{MockTransport, Step};

    fn send(data: &[u8]) -> Step {
        Step::BulkOut { endpoint: EP_OUT, data: data.to_vec(), reply: Ok(()) }
    }

    fn answer(code: u8, seq: u8, level: u8) -> Step {
        let mut reply = vec![0u8; REPLY_LEN];
        reply[..3].copy_from_slice(&[0x80, code, seq]);
        reply[FINGER_LEVEL_BYTE] = level;
        Step::BulkIn { endpoint: EP_IN, len: REPLY_LEN, reply: Ok(reply) }
    }

    fn check_finger(level: u8) -> [Step; 2] {
        [send(&CMD_CHECK_FINGER), answer(0x37, 0x01, level)]
    }

    fn part(i: usize, rows: &[u8]) -> Step {
        let mut p = vec![0u8; PARTIAL_LEN];
        p[..6].copy_from_slice(&[0x80, 0x21, 0x00, 0x00, 0x1c, 0x02]);
        p[16..20].copy_from_slice(&((2 * i + 1) as u32).to_le_bytes());
        p[20..22].copy_from_slice(&[0x00, 0x01]);
        p[PARTIAL_HEADER_LEN..PARTIAL_HEADER_LEN + rows.len()].copy_from_slice(rows);
        Step::BulkIn { endpoint: EP_IN, len: PARTIAL_LEN, reply: Ok(p) }
    }

    fn capture_start() -> Vec<Step> {
        vec![
            send(&CMD_PRE_CAPTURE),
            answer(0x20, 0x03, 0),
            send(&capture_command()),
            answer(0x20, 0x04, 0),
        ]
    }

    fn reader(mock: &MockTransport) -> Nb1010<MockTransport> {
        let info = ReaderInfo {
            driver: "nb1010",
            model: "NEXT Biometrics NB-1010-U".into(),
            vendor_id: 0x298d,
            product_id: 0x1010,
            location: "mock".into(),
        };
        Nb1010::open(mock.clone(), info).unwrap()
    }

    fn picture() -> Vec<u8> {
        (0..FRAME_WIDTH * FRAME_HEIGHT).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn capture_command_matches_the_recording() {
        let recorded = "8012040020000000020000000000000000000000000000000000000020000000";
        let ours: String = capture_command().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ours, recorded);
    }

    #[test]
    fn polls_every_50_ms_until_a_finger_then_captures_90_parts() {
        let mock = MockTransport::default();
        for level in [0x05, 0x30, 0xf7] {
            mock.push(check_finger(level));
        }
        let mut r = reader(&mock);
        r.wait_finger_on(&CancelToken::new(), Some(Duration::from_secs(1))).unwrap();
        assert_eq!(mock.elapsed(), POLL_INTERVAL * 2);

        let pixels = picture();
        mock.push(capture_start());
        for (i, rows) in pixels.chunks(2 * FRAME_WIDTH).enumerate() {
            mock.push([part(i, rows)]);
        }
        let image = r.capture().unwrap();
        assert_eq!((image.width, image.height, image.dpi), (256, 180, DPI));
        assert_eq!(image.pixels, pixels);

        mock.push(check_finger(0xf0));
        mock.push(check_finger(0x10));
        r.wait_finger_off(&CancelToken::new(), None).unwrap();
        assert!(mock.remaining().is_empty());
    }

    #[test]
    fn finger_wait_times_out_and_cancels() {
        let mock = MockTransport::default();
        for _ in 0..11 {
            mock.push(check_finger(0));
        }
        let mut r = reader(&mock);
        let err = r.wait_finger_on(&CancelToken::new(), Some(Duration::from_millis(500)));
        assert!(matches!(err, Err(ReaderError::Timeout)));
        assert_eq!(mock.elapsed(), Duration::from_millis(500));
        let cancel = CancelToken::new();
        cancel.cancel();
        assert!(matches!(r.wait_finger_on(&cancel, None), Err(ReaderError::Cancelled)));
        assert!(mock.remaining().is_empty());
    }

    #[test]
    fn garbage_answers_and_parts_are_protocol_errors() {
        let mock = MockTransport::new([
            send(&CMD_CHECK_FINGER),
            Step::BulkIn { endpoint: EP_IN, len: REPLY_LEN, reply: Ok(vec![0x42; 16]) },
        ]);
        let mut r = reader(&mock);
        assert!(matches!(
            r.wait_finger_on(&CancelToken::new(), None),
            Err(ReaderError::Protocol(_))
        ));

        mock.push(capture_start());
        mock.push([part(0, &[1u8; 512])]);
        mock.push([Step::BulkIn { endpoint: EP_IN, len: PARTIAL_LEN, reply: Ok(vec![0x80; 100]) }]);
        assert!(matches!(r.capture(), Err(ReaderError::Protocol(_))));
        assert!(mock.remaining().is_empty());
    }

    #[test]
    fn transfer_timeout_is_a_timeout() {
        let mock = MockTransport::new([
            send(&CMD_CHECK_FINGER),
            Step::BulkIn { endpoint: EP_IN, len: REPLY_LEN, reply: Err(rusb::Error::Timeout) },
        ]);
        let mut r = reader(&mock);
        assert!(matches!(r.wait_finger_on(&CancelToken::new(), None), Err(ReaderError::Timeout)));
        assert_eq!(mock.elapsed(), TIMEOUT);
    }

    #[test]
    fn device_vanishing_mid_capture_is_a_clean_unplugged_error() {
        let mock = MockTransport::new(capture_start());
        for i in 0..10 {
            mock.push([part(i, &[9u8; 512])]);
        }
        mock.push([Step::BulkIn {
            endpoint: EP_IN,
            len: PARTIAL_LEN,
            reply: Err(rusb::Error::NoDevice),
        }]);
        let mut r = reader(&mock);
        assert!(matches!(r.capture(), Err(ReaderError::Unplugged)));
        // No more transfers to a vanished device.
        assert!(matches!(r.capture(), Err(ReaderError::Unplugged)));
        assert!(matches!(r.wait_finger_on(&CancelToken::new(), None), Err(ReaderError::Unplugged)));
        assert!(mock.remaining().is_empty());
    }
}
