//! A fake ESC/POS printer on the far end of a pseudo-terminal, for tests and demos without a
//! printer. It records every byte it receives, answers `10 04 n` with configurable status bytes
//! (optionally preceded by XON/XOFF or automatic status noise), and can stall (stop reading) or
//! hang up (close its end) on request.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

use super::SerialConfig;
use super::status::StatusBytes;

/// Serial settings for answers that should come: generous, since a loaded CI machine can delay
/// the fake printer's thread; it costs nothing when the answer is prompt.
pub fn patient_config() -> SerialConfig {
    SerialConfig {
        reply_timeout: Duration::from_secs(3),
        write_timeout: Duration::from_secs(3),
        retries: 1,
        backoff: Duration::from_millis(20),
        ..SerialConfig::default()
    }
}

/// Serial settings with short timeouts, for the phases where the printer is expected offline.
pub fn quick_config() -> SerialConfig {
    SerialConfig {
        reply_timeout: Duration::from_millis(150),
        write_timeout: Duration::from_millis(300),
        retries: 1,
        backoff: Duration::from_millis(20),
        ..SerialConfig::default()
    }
}

#[derive(Debug)]
struct FakeState {
    replies: StatusBytes,
    noise: Vec<u8>,
    received: Vec<u8>,
    /// Stop reading once this many bytes were received in total (`None`: read everything).
    read_limit: Option<usize>,
    /// Last two bytes seen, to find `10 04 n` across reads.
    tail: [u8; 2],
    /// Queries to leave unanswered before answering again (a line glitch).
    ignore_queries: usize,
}

fn lock(state: &Mutex<FakeState>) -> MutexGuard<'_, FakeState> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The printer end of a pty pair. Dropping it hangs up.
#[derive(Debug)]
pub struct FakePrinter {
    path: String,
    port: Option<TTYPort>,
    master: Arc<Mutex<Option<TTYPort>>>,
    state: Arc<Mutex<FakeState>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakePrinter {
    /// Opens a pty pair and starts a healthy printer (`12 12 12 12`) on the master end.
    pub fn start() -> io::Result<FakePrinter> {
        let (mut master, slave) = TTYPort::pair().map_err(io::Error::from)?;
        master.set_timeout(Duration::from_millis(5)).map_err(io::Error::from)?;
        let path = slave.name().unwrap_or_default();
        let master = Arc::new(Mutex::new(Some(master)));
        let state = Arc::new(Mutex::new(FakeState {
            replies: StatusBytes::HEALTHY,
            noise: Vec::new(),
            received: Vec::new(),
            read_limit: None,
            tail: [0, 0],
            ignore_queries: 0,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (master, state, stop) = (master.clone(), state.clone(), stop.clone());
            thread::spawn(move || run(master, state, stop))
        };
        Ok(FakePrinter { path, port: Some(slave), master, state, stop, thread: Some(thread) })
    }

    /// The device path of the host end (`/dev/pts/N`), for code that opens ports by name.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The already open host end, for `SerialPrinter::from_port` (once; later `None`).
    pub fn take_port(&mut self) -> Option<TTYPort> {
        self.port.take()
    }

    /// The four bytes answered to `10 04 1..4` from now on.
    pub fn set_status(&self, replies: StatusBytes) {
        lock(&self.state).replies = replies;
    }

    /// Bytes sent before every status reply (XON/XOFF, automatic status blocks).
    pub fn set_noise(&self, noise: &[u8]) {
        lock(&self.state).noise = noise.to_vec();
    }

    /// Sends bytes to the host now, unasked (a stale status block, automatic status).
    pub fn send_unsolicited(&self, bytes: &[u8]) -> io::Result<()> {
        let mut master = self.master.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match master.as_mut() {
            Some(port) => port.write_all(bytes),
            None => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    /// Stops reading (and so answering) once `more` further bytes have arrived: a stalled printer.
    pub fn stall_after(&self, more: usize) {
        let mut state = lock(&self.state);
        state.read_limit = Some(state.received.len() + more);
    }

    /// Stops reading now.
    pub fn stall(&self) {
        self.stall_after(0);
    }

    /// Leaves the next `count` status queries unanswered (a glitch the driver retries past).
    pub fn ignore_queries(&self, count: usize) {
        lock(&self.state).ignore_queries = count;
    }

    /// Reads and answers again.
    pub fn resume(&self) {
        lock(&self.state).read_limit = None;
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<u8> {
        lock(&self.state).received.clone()
    }

    /// Waits until `pred(received)` holds, at most `timeout`.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&[u8]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if pred(&lock(&self.state).received) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// Closes the printer end: the host sees a hang-up, as when the cable is pulled.
    pub fn hang_up(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let mut master = self.master.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        master.take();
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.hang_up();
    }
}

fn run(master: Arc<Mutex<Option<TTYPort>>>, state: Arc<Mutex<FakeState>>, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        let want = {
            let state = lock(&state);
            match state.read_limit {
                Some(limit) => limit.saturating_sub(state.received.len()).min(buf.len()),
                None => buf.len(),
            }
        };
        if want == 0 {
            thread::sleep(Duration::from_millis(2));
            continue;
        }
        let mut guard = master.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(port) = guard.as_mut() else { return };
        let count = match port.read(&mut buf[..want]) {
            Ok(count) if count > 0 => count,
            // Timeout, or no host end open right now (between two opens of the device path):
            // wait and try again; only `hang_up` ends the printer.
            _ => {
                drop(guard);
                thread::sleep(Duration::from_millis(1));
                continue;
            }
        };
        let mut answers = Vec::new();
        {
            let mut state = lock(&state);
            for &byte in &buf[..count] {
                state.received.push(byte);
                if state.tail == [0x10, 0x04] && (1..=4).contains(&byte) && state.ignore_queries > 0
                {
                    state.ignore_queries -= 1;
                } else if state.tail == [0x10, 0x04] && (1..=4).contains(&byte) {
                    answers.extend_from_slice(&state.noise.clone());
                    let r = state.replies;
                    answers.push(
                        [r.printer, r.offline_cause, r.error_cause, r.paper][byte as usize - 1],
                    );
                }
                state.tail = [state.tail[1], byte];
            }
        }
        if !answers.is_empty() && port.write_all(&answers).is_err() {
            tracing::debug!("fake printer could not answer: host end closed");
        }
    }
}
