//! An ESC/POS printer on a serial port (RS-232 or USB-serial), with real-time status.
//!
//! Status: before each `10 04 n` the input buffer is cleared (a stale reply or automatic status
//! block would otherwise be read as the answer), then every byte is classified: XON/XOFF and
//! automatic status blocks are skipped, the first byte with `b & 0x93 == 0x12` is the reply.
//! Printing: the printer answers real-time queries even inside image data, so unsolicited bytes
//! are drained while sending. A reply that does not come, a write that makes no progress (a
//! stalled printer) and a hang-up (unplugged) all mean offline.
//!
//! With RTS/CTS the printer must signal busy on "buffer full" only: if it also drops CTS on
//! paper-out, the status query cannot be sent and the printer reads as offline, not paper-out.
//! Status queries are retried with doubling backoff; a job is never resent here (a half-sent
//! job must not be followed by a blind resend): the spooler decides when to print it again.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::thread;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, SerialPort, TTYPort};

use super::encoder::Encoder;
use super::status::{
    Fault, PrinterStatus, StatusBytes, XOFF, XON, is_auto_status_start, is_status_reply,
};
use super::{Document, Printer, PrinterError};

/// How the printer paces the data it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowControl {
    /// None (3-wire cable).
    #[default]
    None,
    /// XON/XOFF.
    Software,
    /// RTS/CTS (the usual Epson cable).
    Hardware,
}

/// Serial line settings and the patience of the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    /// Baud rate; 38400 to 115200 keep logos quick (9600 is ~960 bytes/s).
    pub baud: u32,
    /// Flow control as configured on the printer.
    pub flow_control: FlowControl,
    /// How long to wait for one status byte.
    pub reply_timeout: Duration,
    /// How long a write may make no progress before the printer counts as stalled.
    pub write_timeout: Duration,
    /// Extra status attempts after the first one failed.
    pub retries: u32,
    /// Pause before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Bytes written between two drains of the input.
    pub chunk_size: usize,
    /// After a job, how long the line must stay quiet before the closing status query: the
    /// printer answers `10 04 n` patterns inside image data as it receives them, and those late
    /// answers must not be taken for the answer to the real query.
    pub settle: Duration,
}

impl Default for SerialConfig {
    fn default() -> SerialConfig {
        SerialConfig {
            baud: 38400,
            flow_control: FlowControl::None,
            reply_timeout: Duration::from_millis(500),
            write_timeout: Duration::from_secs(3),
            retries: 2,
            backoff: Duration::from_millis(200),
            chunk_size: 256,
            settle: Duration::from_millis(50),
        }
    }
}

impl SerialConfig {
    /// The longest a status query can take before it reports offline: every attempt waits one
    /// reply timeout (plus writing 3 bytes), with the backoff pauses in between.
    pub fn offline_after(&self) -> Duration {
        let attempts = self.retries + 1;
        let pauses: Duration = (0..self.retries).map(|i| self.backoff * 2u32.pow(i.min(16))).sum();
        (self.reply_timeout + self.write_timeout) * attempts + pauses
    }
}

/// Why talking to the printer failed at the line level.
#[derive(Debug)]
enum LinkError {
    /// No answer, or no write progress, in time.
    Timeout(&'static str),
    /// The port went away (unplugged printer, closed pty).
    HangUp(io::Error),
}

impl LinkError {
    fn describe(&self) -> String {
        match self {
            LinkError::Timeout(what) => format!("{what} timed out"),
            LinkError::HangUp(e) => format!("port hung up: {e}"),
        }
    }
}

fn classify(e: io::Error, what: &'static str) -> LinkError {
    match e.kind() {
        io::ErrorKind::TimedOut => LinkError::Timeout(what),
        _ => LinkError::HangUp(e),
    }
}

/// An ESC/POS printer on a serial port.
pub struct SerialPrinter {
    port: Option<TTYPort>,
    path: Option<String>,
    config: SerialConfig,
}

impl std::fmt::Debug for SerialPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialPrinter")
            .field("path", &self.path)
            .field("connected", &self.port.is_some())
            .field("config", &self.config)
            .finish()
    }
}

fn open_port(path: &str, config: &SerialConfig) -> Result<TTYPort, PrinterError> {
    let flow = match config.flow_control {
        FlowControl::None => serialport::FlowControl::None,
        FlowControl::Software => serialport::FlowControl::Software,
        FlowControl::Hardware => serialport::FlowControl::Hardware,
    };
    let port = serialport::new(path, config.baud)
        .flow_control(flow)
        .timeout(config.reply_timeout)
        .open_native()
        .map_err(|source| PrinterError::Open { port: path.to_string(), source })?;
    non_blocking(&port)
        .map_err(|e| PrinterError::Open { port: path.to_string(), source: e.into() })?;
    Ok(port)
}

/// A blocking tty write can wait forever for room even after poll said "writable"; with
/// O_NONBLOCK it writes what fits and the driver's own deadline decides when it is stalled.
fn non_blocking(port: &TTYPort) -> io::Result<()> {
    let fd = port.as_raw_fd();
    // SAFETY: fcntl on a descriptor the port owns and keeps open; no memory is passed.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl SerialPrinter {
    /// Opens the printer's port. The printer itself is not asked anything yet.
    pub fn open(path: &str, config: SerialConfig) -> Result<SerialPrinter, PrinterError> {
        let port = open_port(path, &config)?;
        Ok(SerialPrinter { port: Some(port), path: Some(path.to_string()), config })
    }

    /// A printer on an already open port (a pty in tests). It cannot reopen after a hang-up.
    pub fn from_port(port: TTYPort, config: SerialConfig) -> Result<SerialPrinter, PrinterError> {
        non_blocking(&port).map_err(|e| PrinterError::Open {
            port: port.name().unwrap_or_default(),
            source: e.into(),
        })?;
        Ok(SerialPrinter { port: Some(port), path: None, config })
    }

    /// The settings in use.
    pub fn config(&self) -> &SerialConfig {
        &self.config
    }

    /// Changes the driver's patience (timeouts, retries) from the next operation on. Line
    /// settings (baud, flow control) apply when the port is next opened.
    pub fn config_mut(&mut self) -> &mut SerialConfig {
        &mut self.config
    }

    /// The port, reopening it after a hang-up when the path is known.
    fn port(&mut self) -> Result<&mut TTYPort, LinkError> {
        if self.port.is_none() {
            let Some(path) = &self.path else {
                return Err(LinkError::HangUp(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "port closed after a hang-up",
                )));
            };
            match open_port(path, &self.config) {
                Ok(port) => self.port = Some(port),
                Err(e) => {
                    return Err(LinkError::HangUp(io::Error::new(
                        io::ErrorKind::NotConnected,
                        e.to_string(),
                    )));
                }
            }
        }
        self.port.as_mut().ok_or(LinkError::Timeout("reopen"))
    }

    /// Reads and drops whatever the printer sent unasked (status replies to queries seen in
    /// image data, automatic status, XON/XOFF).
    fn drain_input(&mut self) -> Result<usize, LinkError> {
        let port = self.port()?;
        let mut dropped = 0;
        let mut buf = [0u8; 256];
        loop {
            match port.bytes_to_read() {
                Ok(0) => return Ok(dropped),
                Ok(_) => {}
                Err(e) => return Err(LinkError::HangUp(e.into())),
            }
            match port.read(&mut buf) {
                Ok(0) => return Err(LinkError::HangUp(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => dropped += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(dropped),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(classify(e, "drain")),
            }
        }
    }

    /// Writes all bytes; times out when a write makes no progress for `write_timeout`.
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        let write_timeout = self.config.write_timeout;
        let mut sent = 0;
        let mut deadline = Instant::now() + write_timeout;
        while sent < bytes.len() {
            let now = Instant::now();
            if now >= deadline {
                return Err(LinkError::Timeout("write"));
            }
            let port = self.port()?;
            port.set_timeout(deadline - now).map_err(|e| LinkError::HangUp(e.into()))?;
            match port.write(&bytes[sent..]) {
                Ok(0) => return Err(LinkError::HangUp(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    sent += n;
                    deadline = Instant::now() + write_timeout;
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) =>
                {
                    thread::sleep(Duration::from_millis(1));
                }
                Err(e) => return Err(classify(e, "write")),
            }
        }
        Ok(())
    }

    /// Sends a job in chunks, draining unsolicited input after each one.
    fn send(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        for chunk in bytes.chunks(self.config.chunk_size.max(1)) {
            self.write_all(chunk)?;
            let dropped = self.drain_input()?;
            if dropped > 0 {
                tracing::trace!(dropped, "drained unsolicited bytes from the printer");
            }
        }
        Ok(())
    }

    /// Waits until the job has left the port and the printer's answers to query-like bytes in
    /// it have stopped arriving (quiet for `settle`, at most `reply_timeout` of waiting).
    fn settle(&mut self) -> Result<(), LinkError> {
        let deadline = Instant::now() + self.config.write_timeout;
        loop {
            match self.port()?.bytes_to_write() {
                Ok(0) => break,
                Ok(_) if Instant::now() >= deadline => return Err(LinkError::Timeout("write")),
                Ok(_) => thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(LinkError::HangUp(e.into())),
            }
        }
        let started = Instant::now();
        let mut last_byte = started;
        loop {
            let now = Instant::now();
            if self.drain_input()? > 0 {
                last_byte = now;
            }
            if now - last_byte >= self.config.settle || now - started >= self.config.reply_timeout {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// One real-time status query `10 04 n`: clear input, ask, classify bytes until a reply.
    fn query(&mut self, n: u8) -> Result<u8, LinkError> {
        let reply_timeout = self.config.reply_timeout;
        {
            let port = self.port()?;
            if let Err(e) = port.clear(ClearBuffer::Input) {
                tracing::debug!(error = %e, "clearing the input buffer failed; draining instead");
            }
        }
        self.drain_input()?;
        self.write_all(&[0x10, 0x04, n])?;
        let deadline = Instant::now() + reply_timeout;
        let mut skip = 0;
        let mut buf = [0u8; 64];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(LinkError::Timeout("status reply"));
            }
            let port = self.port()?;
            port.set_timeout(deadline - now).map_err(|e| LinkError::HangUp(e.into()))?;
            let count = match port.read(&mut buf) {
                Ok(0) => return Err(LinkError::HangUp(io::ErrorKind::UnexpectedEof.into())),
                Ok(count) => count,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) =>
                {
                    thread::sleep(Duration::from_millis(1));
                    continue;
                }
                Err(e) => return Err(classify(e, "status reply")),
            };
            for &byte in &buf[..count] {
                if skip > 0 {
                    skip -= 1;
                } else if byte == XON || byte == XOFF {
                    // Flow control on the same line: not an answer.
                } else if is_status_reply(byte) {
                    return Ok(byte);
                } else if is_auto_status_start(byte) {
                    skip = 3;
                } else {
                    tracing::debug!(byte, "ignoring an unexpected byte from the printer");
                }
            }
        }
    }

    fn status_bytes(&mut self) -> Result<StatusBytes, LinkError> {
        Ok(StatusBytes {
            printer: self.query(1)?,
            offline_cause: self.query(2)?,
            error_cause: self.query(3)?,
            paper: self.query(4)?,
        })
    }

    fn forget_port_on_hang_up(&mut self, error: &LinkError) {
        if matches!(error, LinkError::HangUp(_)) {
            self.port = None;
        }
    }

    /// Status with retries and backoff; `Err` describes why the printer is offline.
    fn status_or_link_error(&mut self) -> Result<PrinterStatus, LinkError> {
        let mut pause = self.config.backoff;
        let mut attempt = 0;
        loop {
            match self.status_bytes() {
                Ok(raw) => return Ok(PrinterStatus::from_bytes(raw)),
                Err(error) => {
                    tracing::debug!(attempt, error = error.describe(), "status query failed");
                    self.forget_port_on_hang_up(&error);
                    // A closed pty cannot come back: no point retrying without a path.
                    let hopeless = self.port.is_none() && self.path.is_none();
                    if attempt >= self.config.retries || hopeless {
                        return Err(error);
                    }
                    thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                    attempt += 1;
                }
            }
        }
    }

    fn ready_or_error(&mut self) -> Result<(), PrinterError> {
        match self.status_or_link_error() {
            Ok(status) if status.can_print() => Ok(()),
            Ok(status) => Err(PrinterError::NotReady(status)),
            Err(error) => Err(PrinterError::Offline(error.describe())),
        }
    }
}

impl Printer for SerialPrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        match self.status_or_link_error() {
            Ok(status) => Ok(status),
            Err(error) => {
                tracing::info!(error = error.describe(), "printer offline");
                Ok(PrinterStatus::with_faults([Fault::Offline]))
            }
        }
    }

    /// Checks the printer is ready, sends the job, and checks again. The job itself is not
    /// resent here: after a partial send the caller (the spooler) decides when to try again.
    fn print(&mut self, document: &Document) -> Result<(), PrinterError> {
        let bytes = Encoder::encode(document)?;
        self.ready_or_error()?;
        if let Err(error) = self.send(&bytes).and_then(|()| self.settle()) {
            self.forget_port_on_hang_up(&error);
            return Err(PrinterError::Offline(error.describe()));
        }
        self.ready_or_error()
    }
}
