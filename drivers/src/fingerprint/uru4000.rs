//! DigitalPersona U.are.U 4000B / 4500 (05ba:000a) and Microsoft Fingerprint Reader v2
//! (045e:00ca): optical press readers, 384x290 8-bit frames at 512 dpi.
//!
//! Protocol (reverse-engineered by the libfprint project; see docs/HARDWARE.md):
//! - Registers are vendor control transfers, bRequest 0x04, wValue = register, wIndex 0;
//!   read with bmRequestType 0xC0, write with 0x40, 5 s timeout.
//! - One 64-byte interrupt IN transfer on 0x81 stays pending from open to close. The first two
//!   bytes (big-endian) are the event: 0x56aa scan power on, 0x0101 finger on, 0x0200 finger off,
//!   0x0800 "the next scan will probably fail".
//! - HWSTAT (0x07): bit 7 = low power, bit 2 = fault, bit 0 = powered after a reboot. Power up
//!   leaves low power by writing `hw & 0x0f` until bit 7 reads clear; the MS v2 wants an AES
//!   challenge answered between tries.
//! - A capture is a bulk IN on 0x82 of 64 + 384*290 bytes, submitted *before* MODE 0x20. The
//!   64-byte header describes up to 15 blocks of rows; rows may be scrambled with a key derived
//!   from a key exchange (registers 0x33/0x34), and a block may ask for a new key mid-frame.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use aes::Aes128;
use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};

use super::transport::ReaderTransport;
use super::{CANCEL_POLL, CancelToken, FingerImage, Reader, ReaderError, ReaderInfo};

// ---- Endpoints, requests, timeouts, sizes ----
const EP_INTR: u8 = 0x81;
const EP_DATA: u8 = 0x82;
const INTR_LEN: usize = 64;
const REQ_REG: u8 = 0x04;
const REQTYPE_READ: u8 = 0xc0;
const REQTYPE_WRITE: u8 = 0x40;
const CTRL_TIMEOUT: Duration = Duration::from_secs(5);

/// Frame geometry.
pub const IMAGE_WIDTH: usize = 384;
/// Frame geometry.
pub const IMAGE_HEIGHT: usize = 290;
/// Sensor resolution (vendor sheet).
pub const DPI: u32 = 512;
const HEADER_LEN: usize = 64;
const FRAME_LEN: usize = HEADER_LEN + IMAGE_WIDTH * IMAGE_HEIGHT;
const BLOCKS: usize = 15;

// ---- Registers ----
const REG_HWSTAT: u16 = 0x07;
const REG_SCRAMBLE_DATA_INDEX: u16 = 0x33;
const REG_SCRAMBLE_DATA_KEY: u16 = 0x34;
const REG_MODE: u16 = 0x4e;
const REG_DEVICE_INFO: u16 = 0xf0;
const REG_RESPONSE: u16 = 0x2000;
const REG_CHALLENGE: u16 = 0x2010;

// ---- Modes (register 0x4e) ----
const MODE_AWAIT_FINGER_ON: u8 = 0x10;
const MODE_AWAIT_FINGER_OFF: u8 = 0x12;
const MODE_CAPTURE: u8 = 0x20;
const MODE_OFF: u8 = 0x70;

// ---- Interrupt events ----
const IRQ_SCANPWR_ON: u16 = 0x56aa;
const IRQ_FINGER_ON: u16 = 0x0101;
const IRQ_FINGER_OFF: u16 = 0x0200;
const IRQ_DEATH: u16 = 0x0800;

// ---- Block flags of the frame header ----
const BLOCK_CHANGE_KEY: u8 = 0x80;
const BLOCK_NO_KEY_UPDATE: u8 = 0x04;
const BLOCK_SCRAMBLED: u8 = 0x02;
const BLOCK_NOT_PRESENT: u8 = 0x01;

/// Noise of the first two rows above which a frame is scrambled (recordings: 11240, 10849;
/// a plain image stays far below).
const SCRAMBLED_VARIANCE: i64 = 5000;

/// The MS v2's challenge/response key (AES-128-ECB).
const CR_KEY: [u8; 16] = [
    0x79, 0xac, 0x91, 0x79, 0x5c, 0xa1, 0x47, 0x8e, 0x98, 0xe0, 0x0f, 0x3c, 0x59, 0x8f, 0x5f, 0x4b,
];

/// Key-exchange seed used when `KIOSK_DEVICE_EMULATION=1` (the value in the recordings).
pub const EMULATION_SEED: u32 = 0x51ea_2124;

// ---- Retry limits and delays ----
const POWER_TRIES: u32 = 100;
const POWER_POLL: Duration = Duration::from_millis(10);
const SCANPWR_WAIT: Duration = Duration::from_millis(300);
const INIT_TRIES: u32 = 3;
const CAPTURE_TRIES: u32 = 5;
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(5);

/// What differs between the models this driver serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// USB vendor id.
    pub vendor_id: u16,
    /// USB product id.
    pub product_id: u16,
    /// Model name.
    pub model: &'static str,
    /// Needs the AES challenge answered while powering up (MS v2).
    pub auth_cr: bool,
    /// Image arrives upside down and is rotated 180 degrees (05ba:000a).
    pub rotate_180: bool,
}

/// Models served by this driver.
pub const PROFILES: &[Profile] = &[
    Profile {
        vendor_id: 0x05ba,
        product_id: 0x000a,
        model: "DigitalPersona U.are.U 4000B/4500",
        auth_cr: false,
        rotate_180: true,
    },
    Profile {
        vendor_id: 0x045e,
        product_id: 0x00ca,
        model: "Microsoft Fingerprint Reader v2",
        auth_cr: true,
        rotate_180: false,
    },
];

/// The profile for a USB id.
pub fn profile(vendor_id: u16, product_id: u16) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.vendor_id == vendor_id && p.product_id == product_id)
}

/// Where key-exchange seeds come from: random on a real kiosk, fixed under emulation.
pub enum Seeds {
    /// A fresh random value for each exchange.
    Random,
    /// Always the same value (replays of recordings).
    Fixed(u32),
    /// Any sequence (tests).
    Custom(Box<dyn FnMut() -> u32 + Send>),
}

impl Seeds {
    /// `Fixed(EMULATION_SEED)` when `KIOSK_DEVICE_EMULATION=1`, else `Random`.
    pub fn from_env() -> Self {
        if std::env::var("KIOSK_DEVICE_EMULATION").as_deref() == Ok("1") {
            Seeds::Fixed(EMULATION_SEED)
        } else {
            Seeds::Random
        }
    }

    fn next(&mut self) -> u32 {
        match self {
            Seeds::Random => {
                // RandomState is keyed from the OS's random source; no security depends on
                // this seed, it only has to differ between exchanges.
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u64(0x5eed);
                h.finish() as u32
            }
            Seeds::Fixed(seed) => *seed,
            Seeds::Custom(f) => f(),
        }
    }
}

/// Steps of powering the sensor up (libfprint's INIT, REBOOTPWR and POWERUP machines in one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InitState {
    /// Read HWSTAT to decide what to do.
    ReadHwstat,
    /// Both "low power" and "fault" set: power-cycle by writing `hw & 0x0f`.
    RebootPower { hwstat: u8 },
    /// Poll HWSTAT until bit 0 (powered) is set.
    RebootPoll { hwstat: u8, tries: u32 },
    /// Make sure bit 7 (low power) is set before leaving low power.
    EnterLowPower { hwstat: u8 },
    /// Write `hw & 0x0f` to leave low power.
    PowerOn { hwstat: u8, tries: u32 },
    /// Read HWSTAT; done when bit 7 reads clear.
    PowerCheck { hwstat: u8, tries: u32 },
    /// MS v2: read the challenge, write the AES answer.
    ChallengeResponse { hwstat: u8, tries: u32 },
    /// Wait for the 0x56aa interrupt (it may already have arrived).
    AwaitScanPower,
    /// Read the 16-byte device info block.
    ReadDeviceInfo,
}

/// What `InitState` step asks the runner to do next.
#[derive(Debug, PartialEq, Eq)]
enum InitStep {
    Next(InitState),
    After(Duration, InitState),
    /// 0x56aa did not come in time: run the whole procedure again.
    NoScanPower,
    Done,
}

/// A U.are.U 4000B/4500 or MS v2, opened and powered up. Generic over the transport so tests
/// can script the device.
pub struct Uru4000<T: ReaderTransport> {
    transport: T,
    profile: &'static Profile,
    info: ReaderInfo,
    seeds: Seeds,
    /// Set by interrupt 0x56aa, consumed while powering up.
    scan_power_seen: bool,
    /// The device warned (0x0800) that the next scan will probably fail.
    scan_warning: bool,
    /// The device vanished: no more transfers, not even to power it down.
    gone: bool,
    /// The interrupt stream and power are on and must be switched off on close.
    active: bool,
    /// Device info block read at power up (firmware identification).
    device_info: Vec<u8>,
}

impl<T: ReaderTransport> std::fmt::Debug for Uru4000<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uru4000").field("info", &self.info).finish_non_exhaustive()
    }
}

impl<T: ReaderTransport> Uru4000<T> {
    /// Starts the interrupt stream and powers the sensor up. `info` describes the device.
    pub fn open(
        transport: T,
        profile: &'static Profile,
        info: ReaderInfo,
        seeds: Seeds,
    ) -> Result<Self, ReaderError> {
        let mut reader = Self {
            transport,
            profile,
            info,
            seeds,
            scan_power_seen: false,
            scan_warning: false,
            gone: false,
            active: false,
            device_info: Vec::new(),
        };
        reader.track(|r| r.activate())?;
        Ok(reader)
    }

    /// The 16-byte device information block read at power up.
    pub fn device_info(&self) -> &[u8] {
        &self.device_info
    }

    /// Runs `f`; an `Unplugged` result marks the device gone so close skips its transfers.
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

    // ---- Register I/O ----

    fn read_regs(&mut self, reg: u16, len: usize) -> Result<Vec<u8>, ReaderError> {
        let data = self.transport.control_in(REQTYPE_READ, REQ_REG, reg, 0, len, CTRL_TIMEOUT)?;
        if data.len() != len {
            return Err(ReaderError::Protocol(format!(
                "register {reg:#06x}: expected {len} bytes, got {}",
                data.len()
            )));
        }
        Ok(data)
    }

    fn read_reg(&mut self, reg: u16) -> Result<u8, ReaderError> {
        Ok(self.read_regs(reg, 1)?[0])
    }

    fn write_regs(&mut self, reg: u16, data: &[u8]) -> Result<(), ReaderError> {
        Ok(self.transport.control_out(REQTYPE_WRITE, REQ_REG, reg, 0, data, CTRL_TIMEOUT)?)
    }

    fn write_reg(&mut self, reg: u16, value: u8) -> Result<(), ReaderError> {
        self.write_regs(reg, &[value])
    }

    fn set_mode(&mut self, mode: u8) -> Result<(), ReaderError> {
        tracing::debug!(mode = format_args!("{mode:#04x}"), "set mode");
        self.write_reg(REG_MODE, mode)
    }

    // ---- Interrupt handling ----

    /// Waits up to `wait` for the next interrupt event. Remembers 0x56aa and 0x0800 on the way.
    fn next_event(&mut self, wait: Duration) -> Result<Option<u16>, ReaderError> {
        let Some(packet) = self.transport.next_interrupt(wait)? else {
            return Ok(None);
        };
        if packet.len() < 2 {
            return Err(ReaderError::Protocol(format!(
                "interrupt packet of {} bytes",
                packet.len()
            )));
        }
        let event = u16::from_be_bytes([packet[0], packet[1]]);
        match event {
            IRQ_SCANPWR_ON => self.scan_power_seen = true,
            IRQ_DEATH => {
                tracing::warn!("reader warns that the next scan will probably fail (0x0800)");
                self.scan_warning = true;
            }
            IRQ_FINGER_ON | IRQ_FINGER_OFF => {}
            other => tracing::debug!(event = format_args!("{other:#06x}"), "unknown interrupt"),
        }
        Ok(Some(event))
    }

    /// Waits for `wanted`, ignoring other events, polling `cancel` every 50 ms.
    fn await_event(
        &mut self,
        wanted: u16,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        let start = self.transport.now();
        loop {
            if cancel.is_cancelled() {
                return Err(ReaderError::Cancelled);
            }
            let mut slice = CANCEL_POLL;
            if let Some(timeout) = timeout {
                let left = timeout.saturating_sub(self.transport.now().saturating_sub(start));
                if left.is_zero() {
                    return Err(ReaderError::Timeout);
                }
                slice = slice.min(left);
            }
            if self.next_event(slice)? == Some(wanted) {
                return Ok(());
            }
        }
    }

    // ---- Initialisation ----

    fn activate(&mut self) -> Result<(), ReaderError> {
        self.transport.start_interrupts(EP_INTR, INTR_LEN)?;
        self.active = true;
        let mut attempt = 1;
        let mut state = InitState::ReadHwstat;
        loop {
            match self.init_step(state)? {
                InitStep::Next(next) => state = next,
                InitStep::After(delay, next) => {
                    self.transport.sleep(delay);
                    state = next;
                }
                InitStep::NoScanPower if attempt < INIT_TRIES => {
                    // Sometimes 0x56aa never comes; going through power up again fixes it.
                    tracing::debug!(attempt, "no scan-power interrupt, retrying power up");
                    attempt += 1;
                    state = InitState::ReadHwstat;
                }
                InitStep::NoScanPower => {
                    return Err(ReaderError::Protocol(format!(
                        "sensor did not report power on after {INIT_TRIES} attempts"
                    )));
                }
                InitStep::Done => return Ok(()),
            }
        }
    }

    /// One transfer (or wait) of the power-up procedure, and where to go next.
    fn init_step(&mut self, state: InitState) -> Result<InitStep, ReaderError> {
        use InitState::*;
        Ok(match state {
            ReadHwstat => {
                let hwstat = self.read_reg(REG_HWSTAT)?;
                tracing::debug!(hwstat = format_args!("{hwstat:#04x}"), "init");
                if hwstat & 0x84 == 0x84 {
                    InitStep::Next(RebootPower { hwstat })
                } else {
                    InitStep::Next(EnterLowPower { hwstat })
                }
            }
            RebootPower { hwstat } => {
                self.write_reg(REG_HWSTAT, hwstat & 0x0f)?;
                InitStep::Next(RebootPoll { hwstat, tries: 0 })
            }
            RebootPoll { tries, .. } => {
                let hwstat = self.read_reg(REG_HWSTAT)?;
                if hwstat & 0x01 != 0 {
                    InitStep::Next(EnterLowPower { hwstat })
                } else if tries + 1 >= POWER_TRIES {
                    return Err(ReaderError::Protocol(format!(
                        "sensor did not come back after power cycle (HWSTAT {hwstat:#04x})"
                    )));
                } else {
                    InitStep::After(POWER_POLL, RebootPoll { hwstat, tries: tries + 1 })
                }
            }
            EnterLowPower { hwstat } => {
                let hwstat = if hwstat & 0x80 == 0 {
                    let low = hwstat | 0x80;
                    self.write_reg(REG_HWSTAT, low)?;
                    low
                } else {
                    hwstat
                };
                InitStep::Next(PowerOn { hwstat, tries: 0 })
            }
            PowerOn { hwstat, tries } => {
                self.write_reg(REG_HWSTAT, hwstat & 0x0f)?;
                InitStep::Next(PowerCheck { hwstat, tries })
            }
            PowerCheck { tries, .. } => {
                let hwstat = self.read_reg(REG_HWSTAT)?;
                if hwstat & 0x80 == 0 {
                    InitStep::Next(AwaitScanPower)
                } else if tries + 1 >= POWER_TRIES {
                    return Err(ReaderError::Protocol(format!(
                        "sensor stays in low power (HWSTAT {hwstat:#04x})"
                    )));
                } else if self.profile.auth_cr {
                    InitStep::After(POWER_POLL, ChallengeResponse { hwstat, tries: tries + 1 })
                } else {
                    InitStep::After(POWER_POLL, PowerOn { hwstat, tries: tries + 1 })
                }
            }
            ChallengeResponse { hwstat, tries } => {
                let challenge = self.read_regs(REG_CHALLENGE, 16)?;
                let response = answer_challenge(&challenge)?;
                self.write_regs(REG_RESPONSE, &response)?;
                InitStep::Next(PowerOn { hwstat, tries })
            }
            AwaitScanPower => {
                if !self.scan_power_seen {
                    let never = CancelToken::new();
                    match self.await_event(IRQ_SCANPWR_ON, &never, Some(SCANPWR_WAIT)) {
                        Err(ReaderError::Timeout) => return Ok(InitStep::NoScanPower),
                        other => other?,
                    }
                }
                self.scan_power_seen = false;
                InitStep::Next(ReadDeviceInfo)
            }
            ReadDeviceInfo => {
                self.device_info = self.read_regs(REG_DEVICE_INFO, 16)?;
                tracing::debug!(info = ?self.device_info, "device info");
                InitStep::Done
            }
        })
    }

    // ---- Imaging ----

    /// One bulk frame: submitted before `MODE_CAPTURE` when `set_mode`, since the sensor
    /// starts sending at once.
    fn read_frame(&mut self, set_mode: bool) -> Result<Vec<u8>, ReaderError> {
        let pending = self.transport.submit_bulk_in(EP_DATA, FRAME_LEN)?;
        if set_mode && let Err(err) = self.set_mode(MODE_CAPTURE) {
            self.transport.cancel_in(pending);
            return Err(err);
        }
        let start = self.transport.now();
        loop {
            match self.transport.poll_in(pending, CANCEL_POLL) {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(err) => return Err(err.into()),
            }
            if self.transport.now().saturating_sub(start) >= CAPTURE_TIMEOUT {
                self.transport.cancel_in(pending);
                return Err(ReaderError::Timeout);
            }
        }
    }

    fn capture_frame(&mut self) -> Result<FingerImage, ReaderError> {
        let mut set_mode = true;
        for attempt in 1..=CAPTURE_TRIES {
            let frame = self.read_frame(set_mode)?;
            set_mode = false;
            let mut frame = match Frame::parse(&frame) {
                Ok(frame) => frame,
                Err(reason) => {
                    tracing::info!(attempt, %reason, warned = self.scan_warning, "bad frame, recapturing");
                    continue;
                }
            };
            self.scan_warning = false;
            if frame.is_scrambled() {
                let Self { transport, seeds, .. } = self;
                frame.descramble(|key_number| key_exchange(transport, seeds, key_number))?;
            }
            let mut pixels = frame.assemble();
            for v in &mut pixels {
                *v = 255 - *v;
            }
            if self.profile.rotate_180 {
                pixels.reverse();
            }
            return Ok(FingerImage {
                width: IMAGE_WIDTH as u32,
                height: IMAGE_HEIGHT as u32,
                dpi: DPI,
                pixels,
            });
        }
        Err(ReaderError::Protocol(format!("no usable frame in {CAPTURE_TRIES} attempts")))
    }

    fn deactivate(&mut self) -> Result<(), ReaderError> {
        if !self.active {
            return Ok(());
        }
        self.active = false;
        let result = if self.gone { Ok(()) } else { self.set_mode(MODE_OFF) };
        self.transport.stop_interrupts();
        result
    }
}

/// Key exchange: tell the sensor which key slot and seed, read back `key ^ seed`.
fn key_exchange<T: ReaderTransport>(
    transport: &mut T,
    seeds: &mut Seeds,
    key_number: u8,
) -> Result<u32, ReaderError> {
    let seed = seeds.next();
    let mut index = [0u8; 5];
    index[0] = key_number;
    index[1..].copy_from_slice(&seed.to_le_bytes());
    transport.control_out(
        REQTYPE_WRITE,
        REQ_REG,
        REG_SCRAMBLE_DATA_INDEX,
        0,
        &index,
        CTRL_TIMEOUT,
    )?;
    let key =
        transport.control_in(REQTYPE_READ, REQ_REG, REG_SCRAMBLE_DATA_KEY, 0, 4, CTRL_TIMEOUT)?;
    let key: [u8; 4] = key.as_slice().try_into().map_err(|_| {
        ReaderError::Protocol(format!("scramble key: expected 4 bytes, got {}", key.len()))
    })?;
    tracing::debug!(key_number, "key exchange");
    Ok(u32::from_le_bytes(key) ^ seed)
}

/// The MS v2 power-up challenge answered: AES-128-ECB of the 16 challenge bytes.
fn answer_challenge(challenge: &[u8]) -> Result<[u8; 16], ReaderError> {
    if challenge.len() != 16 {
        return Err(ReaderError::Protocol(format!("challenge of {} bytes", challenge.len())));
    }
    let cipher = Aes128::new(GenericArray::from_slice(&CR_KEY));
    let mut block = GenericArray::clone_from_slice(challenge);
    cipher.encrypt_block(&mut block);
    Ok(block.into())
}

/// The scrambling key stream: a 32-bit LFSR. Taps 1 3 4 7 11 13 20 23 26 29 32.
fn step_key(key: u32) -> u32 {
    let mut b = key & 0x9248_144d;
    b ^= b << 16;
    b ^= b << 8;
    b ^= b << 4;
    b ^= b << 2;
    b ^= b << 1;
    (b & 0x8000_0000) | (key >> 1)
}

/// The byte XORed onto the data for this key: key bits 4 8 11 14 18 21 24 29.
fn xor_byte(key: u32) -> u8 {
    [4, 8, 11, 14, 18, 21, 24, 29]
        .iter()
        .enumerate()
        .fold(0u8, |acc, (i, bit)| acc | ((((key >> bit) & 1) as u8) << i))
}

/// Descrambles `data` in place (each output byte is the *next* input byte XOR the key stream;
/// the last byte becomes 0) and returns the key after it.
fn descramble(data: &mut [u8], mut key: u32) -> u32 {
    let n = data.len();
    if n == 0 {
        return key;
    }
    for i in 0..n - 1 {
        let x = xor_byte(key);
        key = step_key(key);
        data[i] = data[i + 1] ^ x;
    }
    data[n - 1] = 0;
    step_key(key)
}

/// A received frame: header fields and the rows (zero-filled to the full 290 rows).
#[derive(Debug, Clone)]
struct Frame {
    num_lines: usize,
    key_number: u8,
    blocks: [(u8, u8); BLOCKS],
    rows: Vec<u8>,
}

impl Frame {
    /// Checks length and line count (a bad frame is recaptured, not an error).
    fn parse(buf: &[u8]) -> Result<Frame, String> {
        if buf.len() < HEADER_LEN {
            return Err(format!("frame of {} bytes has no header", buf.len()));
        }
        let num_lines = usize::from(u16::from_le_bytes([buf[4], buf[5]]));
        if num_lines >= IMAGE_HEIGHT {
            return Err(format!("header claims {num_lines} lines"));
        }
        let needed = HEADER_LEN + num_lines * IMAGE_WIDTH;
        if buf.len() < needed {
            return Err(format!("short frame: {} bytes for {num_lines} lines", buf.len()));
        }
        let mut blocks = [(0u8, 0u8); BLOCKS];
        for (i, block) in blocks.iter_mut().enumerate() {
            *block = (buf[16 + 2 * i], buf[17 + 2 * i]);
        }
        let mut rows = vec![0u8; IMAGE_WIDTH * IMAGE_HEIGHT];
        rows[..num_lines * IMAGE_WIDTH].copy_from_slice(&buf[HEADER_LEN..needed]);
        Ok(Frame { num_lines, key_number: buf[6], blocks, rows })
    }

    fn row(&self, r: usize) -> &[u8] {
        &self.rows[r * IMAGE_WIDTH..(r + 1) * IMAGE_WIDTH]
    }

    /// Scrambled rows look like noise: the first two present rows vary a lot.
    fn is_scrambled(&self) -> bool {
        self.first_rows_variance() >= SCRAMBLED_VARIANCE
    }

    fn first_rows_variance(&self) -> i64 {
        let mut picked = Vec::with_capacity(2);
        let mut r = 0;
        'blocks: for &(flags, lines) in &self.blocks {
            if flags & BLOCK_NOT_PRESENT != 0 {
                continue;
            }
            for _ in 0..lines {
                if picked.len() == 2 || r >= IMAGE_HEIGHT {
                    break 'blocks;
                }
                picked.push(r);
                r += 1;
            }
        }
        let [a, b] = picked[..] else { return 0 };
        let (a, b) = (self.row(a), self.row(b));
        let sums: Vec<i64> = a.iter().zip(b).map(|(&x, &y)| i64::from(x) + i64::from(y)).collect();
        let mean = sums.iter().sum::<i64>() / IMAGE_WIDTH as i64;
        sums.iter().map(|s| (s - mean) * (s - mean)).sum::<i64>() / IMAGE_WIDTH as i64
    }

    /// Undoes the scrambling block by block. `exchange(key_number)` performs a key exchange;
    /// it is called once at the start and again for every block flagged "change key".
    fn descramble(
        &mut self,
        mut exchange: impl FnMut(u8) -> Result<u32, ReaderError>,
    ) -> Result<(), ReaderError> {
        let mut key = exchange(self.key_number)?;
        let mut done = 0usize;
        for i in 0..BLOCKS {
            let (flags, lines) = self.blocks[i];
            if lines == 0 || done >= self.num_lines {
                break;
            }
            if flags & BLOCK_CHANGE_KEY != 0 {
                self.blocks[i].0 &= !BLOCK_CHANGE_KEY;
                self.key_number = self.key_number.wrapping_add(1);
                tracing::debug!(block = i, "key change mid-frame");
                key = exchange(self.key_number)?;
            }
            let lines = usize::from(lines);
            let start = (done * IMAGE_WIDTH).min(self.rows.len());
            let end = ((done + lines) * IMAGE_WIDTH).min(self.rows.len());
            match flags & (BLOCK_NO_KEY_UPDATE | BLOCK_SCRAMBLED) {
                BLOCK_SCRAMBLED => key = descramble(&mut self.rows[start..end], key),
                0 => {
                    for _ in 0..lines * IMAGE_WIDTH {
                        key = step_key(key);
                    }
                }
                _ => {}
            }
            if flags & BLOCK_NOT_PRESENT == 0 {
                done += lines;
            }
        }
        Ok(())
    }

    /// The 384x290 image: blocks copied in order; "not present" blocks repeat the rows that
    /// follow (the sensor skipped unchanged rows).
    fn assemble(&self) -> Vec<u8> {
        let mut out = vec![0u8; IMAGE_WIDTH * IMAGE_HEIGHT];
        let (mut r, mut to) = (0usize, 0usize);
        for &(flags, lines) in &self.blocks {
            if lines == 0 || r >= self.num_lines {
                break;
            }
            let lines = usize::from(lines);
            let n = lines.min(IMAGE_HEIGHT - r).min(IMAGE_HEIGHT.saturating_sub(to));
            out[to * IMAGE_WIDTH..(to + n) * IMAGE_WIDTH]
                .copy_from_slice(&self.rows[r * IMAGE_WIDTH..(r + n) * IMAGE_WIDTH]);
            if flags & BLOCK_NOT_PRESENT == 0 {
                r += lines;
            }
            to += lines;
            if to >= IMAGE_HEIGHT {
                break;
            }
        }
        out
    }
}

impl<T: ReaderTransport> Reader for Uru4000<T> {
    fn info(&self) -> ReaderInfo {
        self.info.clone()
    }

    fn wait_finger_on(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        self.track(|r| {
            r.set_mode(MODE_AWAIT_FINGER_ON)?;
            r.await_event(IRQ_FINGER_ON, cancel, timeout)
        })
    }

    fn capture(&mut self) -> Result<FingerImage, ReaderError> {
        self.track(|r| r.capture_frame())
    }

    fn wait_finger_off(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        self.track(|r| {
            r.set_mode(MODE_AWAIT_FINGER_OFF)?;
            r.await_event(IRQ_FINGER_OFF, cancel, timeout)
        })
    }

    fn close(mut self: Box<Self>) -> Result<(), ReaderError> {
        self.deactivate()
    }
}

impl<T: ReaderTransport> Drop for Uru4000<T> {
    fn drop(&mut self) {
        if let Err(err) = self.deactivate() {
            tracing::debug!(%err, "powering the reader down failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::transport::mock::{MockTransport, Step};

    const MS_V2: &Profile = &PROFILES[1];
    const U4500: &Profile = &PROFILES[0];

    fn rd(reg: u16, bytes: &[u8]) -> Step {
        Step::ControlIn {
            request_type: 0xc0,
            request: 0x04,
            value: reg,
            index: 0,
            len: bytes.len(),
            reply: Ok(bytes.to_vec()),
        }
    }

    fn wr(reg: u16, bytes: &[u8]) -> Step {
        Step::ControlOut {
            request_type: 0x40,
            request: 0x04,
            value: reg,
            index: 0,
            data: bytes.to_vec(),
            reply: Ok(()),
        }
    }

    fn wr_fails(reg: u16, bytes: &[u8], err: rusb::Error) -> Step {
        match wr(reg, bytes) {
            Step::ControlOut { request_type, request, value, index, data, .. } => {
                Step::ControlOut { request_type, request, value, index, data, reply: Err(err) }
            }
            _ => unreachable!(),
        }
    }

    fn irq(event: u16) -> Step {
        let mut packet = vec![0u8; 64];
        packet[..2].copy_from_slice(&event.to_be_bytes());
        Step::Interrupt(Ok(packet))
    }

    fn start() -> Step {
        Step::StartInterrupts { endpoint: 0x81, len: 64 }
    }

    fn submit() -> Step {
        Step::SubmitBulk { endpoint: 0x82, len: FRAME_LEN, reply: Ok(()) }
    }

    fn frame(data: Vec<u8>) -> Step {
        Step::Complete { endpoint: 0x82, reply: Ok(data) }
    }

    /// Power up as recorded from the 4500: HWSTAT 01 -> 81 -> 01 -> read 01, 0x56aa, info.
    fn power_up_4500() -> Vec<Step> {
        vec![
            start(),
            rd(0x07, &[0x01]),
            wr(0x07, &[0x81]),
            wr(0x07, &[0x01]),
            irq(0x56aa),
            rd(0x07, &[0x01]),
            rd(0xf0, &[0u8; 16]),
        ]
    }

    fn close_steps() -> Vec<Step> {
        vec![wr(0x4e, &[0x70]), Step::StopInterrupts]
    }

    fn info(profile: &Profile) -> ReaderInfo {
        ReaderInfo {
            driver: "uru4000",
            model: profile.model.into(),
            vendor_id: profile.vendor_id,
            product_id: profile.product_id,
            location: "mock".into(),
        }
    }

    fn open(
        mock: &MockTransport,
        profile: &'static Profile,
        seeds: Seeds,
    ) -> Result<Uru4000<MockTransport>, ReaderError> {
        Uru4000::open(mock.clone(), profile, info(profile), seeds)
    }

    fn assert_script_done(mock: &MockTransport) {
        assert!(mock.remaining().is_empty(), "steps not taken: {:#?}", mock.remaining());
    }

    /// A smooth test picture: low row-to-row noise, so never mistaken for scrambled data.
    fn plain_rows(lines: usize) -> Vec<u8> {
        (0..lines * IMAGE_WIDTH)
            .map(|i| ((i / IMAGE_WIDTH) / 2 + (i % IMAGE_WIDTH) / 8) as u8)
            .collect()
    }

    fn header(num_lines: usize, key_number: u8, blocks: &[(u8, u8)]) -> Vec<u8> {
        let mut h = vec![0u8; HEADER_LEN];
        h[4..6].copy_from_slice(&(num_lines as u16).to_le_bytes());
        h[6] = key_number;
        for (i, &(flags, lines)) in blocks.iter().enumerate() {
            h[16 + 2 * i] = flags;
            h[17 + 2 * i] = lines;
        }
        h
    }

    /// Inverse of `descramble` for a block: the sensor's side, used to build scrambled frames.
    fn scramble(plain: &[u8], mut key: u32) -> (Vec<u8>, u32) {
        let n = plain.len();
        let mut data = vec![0xa5u8; n];
        for i in 0..n - 1 {
            let x = xor_byte(key);
            key = step_key(key);
            data[i + 1] = plain[i] ^ x;
        }
        (data, step_key(key))
    }

    fn capture_finish(pixels: Vec<u8>) -> Vec<u8> {
        let mut full = vec![0u8; IMAGE_WIDTH * IMAGE_HEIGHT];
        full[..pixels.len()].copy_from_slice(&pixels);
        full.iter().map(|v| 255 - v).collect()
    }

    #[test]
    fn ms_v2_answers_the_recorded_challenge() {
        let challenge = [
            0x4d, 0xae, 0x5a, 0x0b, 0x12, 0x47, 0xa8, 0x6c, 0x9f, 0xbf, 0x29, 0xfd, 0xcc, 0x17,
            0x8a, 0x74,
        ];
        let response = [
            0x32, 0x93, 0x51, 0x37, 0x1e, 0x4a, 0xdf, 0xb1, 0xf3, 0x5f, 0x09, 0xf3, 0x29, 0xc6,
            0xab, 0x46,
        ];
        assert_eq!(answer_challenge(&challenge).unwrap(), response);
        assert!(matches!(answer_challenge(&challenge[..15]), Err(ReaderError::Protocol(_))));
        // Power up as recorded: 03 -> 83 -> 03 -> read 83 -> challenge -> 03 -> read 03.
        let mock = MockTransport::new([
            start(),
            rd(0x07, &[0x03]),
            wr(0x07, &[0x83]),
            wr(0x07, &[0x03]),
            rd(0x07, &[0x83]),
            rd(0x2010, &challenge),
            wr(0x2000, &response),
            wr(0x07, &[0x03]),
            rd(0x07, &[0x03]),
            irq(0x56aa),
            rd(0xf0, &[7u8; 16]),
        ]);
        let reader = open(&mock, MS_V2, Seeds::Fixed(EMULATION_SEED)).unwrap();
        assert_eq!(reader.device_info(), &[7u8; 16]);
        assert_eq!(mock.elapsed(), POWER_POLL);
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn reboot_power_loop_when_low_power_and_fault() {
        let mock = MockTransport::new([
            start(),
            rd(0x07, &[0x84]),
            wr(0x07, &[0x04]),
            rd(0x07, &[0x04]),
            rd(0x07, &[0x04]),
            rd(0x07, &[0x04]),
            rd(0x07, &[0x05]),
            wr(0x07, &[0x85]),
            wr(0x07, &[0x05]),
            rd(0x07, &[0x05]),
            irq(0x56aa),
            rd(0xf0, &[0u8; 16]),
        ]);
        let reader = open(&mock, U4500, Seeds::Random).unwrap();
        assert_eq!(mock.elapsed(), POWER_POLL * 3);
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn reboot_power_gives_up_after_100_polls() {
        let mut steps = vec![start(), rd(0x07, &[0x84]), wr(0x07, &[0x04])];
        steps.extend((0..POWER_TRIES).map(|_| rd(0x07, &[0x04])));
        steps.extend(close_steps());
        let mock = MockTransport::new(steps);
        let err = open(&mock, U4500, Seeds::Random).unwrap_err();
        assert!(matches!(err, ReaderError::Protocol(ref m) if m.contains("power cycle")), "{err}");
        assert_eq!(mock.elapsed(), POWER_POLL * (POWER_TRIES - 1));
        assert_script_done(&mock);
    }

    #[test]
    fn missing_scan_power_interrupt_retries_power_up_three_times() {
        let once = [rd(0x07, &[0x01]), wr(0x07, &[0x81]), wr(0x07, &[0x01]), rd(0x07, &[0x01])];
        // Second attempt gets its 0x56aa.
        let mut steps = vec![start()];
        steps.extend(once.clone());
        steps.extend(once.clone());
        steps.extend([irq(0x56aa), rd(0xf0, &[0u8; 16])]);
        let mock = MockTransport::new(steps);
        let reader = open(&mock, U4500, Seeds::Random).unwrap();
        assert_eq!(mock.elapsed(), SCANPWR_WAIT);
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);

        // It never comes: three attempts, then a protocol error.
        let mut steps = vec![start()];
        for _ in 0..INIT_TRIES {
            steps.extend(once.clone());
        }
        steps.extend(close_steps());
        let mock = MockTransport::new(steps);
        let err = open(&mock, U4500, Seeds::Random).unwrap_err();
        assert!(matches!(err, ReaderError::Protocol(_)), "{err}");
        assert_eq!(mock.elapsed(), SCANPWR_WAIT * INIT_TRIES);
        assert_script_done(&mock);
    }

    #[test]
    fn control_transfer_timeout_is_a_timeout_and_the_reader_stays_usable() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        let before = mock.elapsed();
        mock.push([wr_fails(0x4e, &[0x10], rusb::Error::Timeout)]);
        let err = reader.wait_finger_on(&CancelToken::new(), None).unwrap_err();
        assert!(matches!(err, ReaderError::Timeout), "{err}");
        assert_eq!(mock.elapsed() - before, CTRL_TIMEOUT);
        mock.push([wr(0x4e, &[0x10]), irq(0x0101)]);
        reader.wait_finger_on(&CancelToken::new(), None).unwrap();
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn control_timeout_during_power_up_is_not_mistaken_for_a_missing_interrupt() {
        let mock = MockTransport::new([
            start(),
            Step::ControlIn {
                request_type: 0xc0,
                request: 0x04,
                value: 0x07,
                index: 0,
                len: 1,
                reply: Err(rusb::Error::Timeout),
            },
            wr(0x4e, &[0x70]),
            Step::StopInterrupts,
        ]);
        let err = open(&mock, U4500, Seeds::Random).unwrap_err();
        assert!(matches!(err, ReaderError::Timeout), "{err}");
        assert_script_done(&mock);
    }

    #[test]
    fn finger_wait_ignores_other_events_times_out_and_cancels() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([wr(0x4e, &[0x10]), irq(0x56aa), irq(0x0200), irq(0x0101)]);
        reader.wait_finger_on(&CancelToken::new(), Some(Duration::from_secs(1))).unwrap();

        mock.push([wr(0x4e, &[0x10])]);
        let before = mock.elapsed();
        let err = reader.wait_finger_on(&CancelToken::new(), Some(Duration::from_secs(2)));
        assert!(matches!(err, Err(ReaderError::Timeout)));
        assert_eq!(mock.elapsed() - before, Duration::from_secs(2));

        // Cancelled from another thread while waiting with no timeout: the loop looks at the
        // token between 50 ms slices, so it returns promptly.
        mock.push([wr(0x4e, &[0x10])]);
        let cancel = CancelToken::new();
        let canceller = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            canceller.cancel();
        });
        let err = reader.wait_finger_on(&cancel, None);
        t.join().unwrap();
        assert!(matches!(err, Err(ReaderError::Cancelled)));
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn unscrambled_frame_is_assembled_and_inverted_without_key_exchange() {
        let lines = 200;
        let rows = plain_rows(lines);
        let mut data = header(lines, 3, &[(0x00, 120), (0x00, 80)]);
        data.extend_from_slice(&rows);
        // No 0x33/0x34 steps: a key exchange would break the script.
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, MS_V2_AS_4500, Seeds::Random).unwrap();
        mock.push([submit(), wr(0x4e, &[0x20]), frame(data)]);
        let image = reader.capture().unwrap();
        assert_eq!((image.width, image.height, image.dpi), (384, 290, 512));
        assert_eq!(image.pixels, capture_finish(rows));
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    /// The 4500's power-up script with the MS v2's image orientation (not rotated).
    const MS_V2_AS_4500: &Profile = &Profile { auth_cr: false, ..PROFILES[1] };

    #[test]
    fn the_4500_image_is_rotated_180_degrees() {
        let lines = 10;
        let rows = plain_rows(lines);
        let mut data = header(lines, 0, &[(0x00, 10)]);
        data.extend_from_slice(&rows);
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([submit(), wr(0x4e, &[0x20]), frame(data)]);
        let image = reader.capture().unwrap();
        let mut expected = capture_finish(rows);
        expected.reverse();
        assert_eq!(image.pixels, expected);
        // The first source pixel (0, inverted to 255) ends up last.
        assert_eq!(image.pixels[IMAGE_WIDTH * IMAGE_HEIGHT - 1], 255);
        mock.push(close_steps());
        drop(reader);
    }

    #[test]
    fn not_present_block_repeats_the_following_rows() {
        let rows = plain_rows(30);
        let mut data = header(30, 0, &[(0x00, 10), (0x01, 5), (0x00, 20)]);
        data.extend_from_slice(&rows);
        let frame = Frame::parse(&data).unwrap();
        let out = frame.assemble();
        let w = IMAGE_WIDTH;
        assert_eq!(&out[..10 * w], &rows[..10 * w]);
        assert_eq!(&out[10 * w..15 * w], &rows[10 * w..15 * w]);
        assert_eq!(&out[15 * w..35 * w], &rows[10 * w..30 * w]);
        assert!(out[35 * w..].iter().all(|&v| v == 0));
    }

    #[test]
    fn scrambled_frame_with_mid_frame_key_change() {
        let (key0, key1) = (0x1234_5678u32, 0x0bad_f00du32);
        let (seed0, seed1) = (0x51ea_2124u32, 0x0102_0304u32);
        let blocks = [(0x02u8, 100u8), (0x82, 100), (0x02, 89)];
        let lines = 289;
        let mut plain = plain_rows(lines);
        // Descrambling zeroes the last byte of each scrambled block.
        for end in [100, 200, 289] {
            plain[end * IMAGE_WIDTH - 1] = 0;
        }
        let w = IMAGE_WIDTH;
        let (b0, _) = scramble(&plain[..100 * w], key0);
        let (b1, k) = scramble(&plain[100 * w..200 * w], key1);
        let (b2, _) = scramble(&plain[200 * w..], k);
        let mut data = header(lines, 5, &blocks);
        data.extend(b0);
        data.extend(b1);
        data.extend(b2);

        let mut seeds = vec![seed0, seed1].into_iter();
        let seeds = Seeds::Custom(Box::new(move || seeds.next().expect("two seeds")));
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, MS_V2_AS_4500, seeds).unwrap();
        let mut index0 = vec![5u8];
        index0.extend(seed0.to_le_bytes());
        let mut index1 = vec![6u8];
        index1.extend(seed1.to_le_bytes());
        mock.push([
            submit(),
            wr(0x4e, &[0x20]),
            frame(data),
            wr(0x33, &index0),
            rd(0x34, &(key0 ^ seed0).to_le_bytes()),
            wr(0x33, &index1),
            rd(0x34, &(key1 ^ seed1).to_le_bytes()),
        ]);
        let image = reader.capture().unwrap();
        assert_eq!(image.pixels, capture_finish(plain));
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn skipped_block_advances_the_key_stream() {
        // Block 0 is sent in clear (flags 0) but the key still runs over it.
        let key = 0x7777_1111u32;
        let w = IMAGE_WIDTH;
        let mut plain = plain_rows(20);
        plain[20 * w - 1] = 0;
        let mut k = key;
        for _ in 0..10 * w {
            k = step_key(k);
        }
        let (b1, _) = scramble(&plain[10 * w..], k);
        let mut data = header(20, 0, &[(0x00, 10), (0x02, 10)]);
        data.extend_from_slice(&plain[..10 * w]);
        data.extend(b1);
        let mut frame = Frame::parse(&data).unwrap();
        frame.descramble(|_| Ok(key)).unwrap();
        assert_eq!(&frame.rows[..20 * w], &plain[..]);
    }

    #[test]
    fn noisy_rows_are_detected_as_scrambled() {
        let mut data = header(2, 0, &[(0x02, 2)]);
        data.extend((0..2 * IMAGE_WIDTH).map(|i| if i % 2 == 0 { 0 } else { 250 }));
        assert!(Frame::parse(&data).unwrap().is_scrambled());
        let mut data = header(2, 0, &[(0x02, 2)]);
        data.extend(plain_rows(2));
        assert!(!Frame::parse(&data).unwrap().is_scrambled());
        // Fewer than two present rows: nothing to judge, treated as plain.
        let mut data = header(1, 0, &[(0x01, 4), (0x02, 1)]);
        data.extend(vec![0u8; IMAGE_WIDTH]);
        assert!(!Frame::parse(&data).unwrap().is_scrambled());
    }

    #[test]
    fn short_or_oversized_frames_are_recaptured_after_a_0800_warning() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, MS_V2_AS_4500, Seeds::Random).unwrap();
        mock.push([wr(0x4e, &[0x10]), irq(0x0800), irq(0x0101)]);
        reader.wait_finger_on(&CancelToken::new(), None).unwrap();
        assert!(reader.scan_warning);

        let rows = plain_rows(100);
        let mut good = header(100, 0, &[(0x00, 100)]);
        good.extend_from_slice(&rows);
        let short = good[..HEADER_LEN + 99 * IMAGE_WIDTH].to_vec();
        let mut oversized = header(290, 0, &[(0x00, 200), (0x00, 90)]);
        oversized.extend(vec![0u8; 290 * IMAGE_WIDTH]);
        mock.push([
            submit(),
            wr(0x4e, &[0x20]),
            frame(short),
            // A recapture only resubmits the transfer: the sensor stays in capture mode.
            submit(),
            frame(oversized),
            submit(),
            frame(vec![0u8; 10]),
            submit(),
            frame(good),
        ]);
        let image = reader.capture().unwrap();
        assert_eq!(image.pixels, capture_finish(rows));
        assert!(!reader.scan_warning);

        // Nothing but bad frames: a protocol error after five tries.
        let mut steps = vec![submit(), wr(0x4e, &[0x20]), frame(vec![1u8; 100])];
        for _ in 1..CAPTURE_TRIES {
            steps.extend([submit(), frame(vec![1u8; 100])]);
        }
        mock.push(steps);
        assert!(matches!(reader.capture(), Err(ReaderError::Protocol(_))));
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn frame_that_never_arrives_times_out_and_is_cancelled() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([submit(), wr(0x4e, &[0x20]), Step::Cancel { endpoint: 0x82 }]);
        let before = mock.elapsed();
        assert!(matches!(reader.capture(), Err(ReaderError::Timeout)));
        assert_eq!(mock.elapsed() - before, CAPTURE_TIMEOUT);
        mock.push(close_steps());
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn device_vanishing_mid_capture_is_a_clean_unplugged_error() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([
            submit(),
            wr(0x4e, &[0x20]),
            Step::Complete { endpoint: 0x82, reply: Err(rusb::Error::NoDevice) },
        ]);
        assert!(matches!(reader.capture(), Err(ReaderError::Unplugged)));
        // Later calls fail the same way without touching USB (the script has no more steps).
        assert!(matches!(reader.capture(), Err(ReaderError::Unplugged)));
        assert!(matches!(
            reader.wait_finger_off(&CancelToken::new(), None),
            Err(ReaderError::Unplugged)
        ));
        // Closing frees the interrupt transfer but sends no MODE_OFF to a device that is gone.
        mock.push([Step::StopInterrupts]);
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn device_vanishing_while_waiting_for_a_finger() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([wr(0x4e, &[0x10]), Step::Interrupt(Err(rusb::Error::NoDevice))]);
        let err = reader.wait_finger_on(&CancelToken::new(), None);
        assert!(matches!(err, Err(ReaderError::Unplugged)));
        // The failed stream ended by itself: nothing to cancel, and no MODE_OFF either.
        drop(reader);
        assert_script_done(&mock);
    }

    #[test]
    fn finger_off_then_close_as_recorded() {
        let mock = MockTransport::new(power_up_4500());
        let mut reader = open(&mock, U4500, Seeds::Random).unwrap();
        mock.push([wr(0x4e, &[0x12]), irq(0x0200)]);
        reader.wait_finger_off(&CancelToken::new(), Some(Duration::from_secs(1))).unwrap();
        mock.push(close_steps());
        Box::new(reader).close().unwrap();
        assert_script_done(&mock);
    }
}
