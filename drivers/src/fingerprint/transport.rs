//! The seam between a reader driver and USB: a few transfer kinds with timeouts, pending IN
//! transfers, and the clock. [`RusbTransport`] is the real one (libusb through rusb, with
//! libusb's asynchronous API for transfers that must stay pending); tests use a scripted mock
//! so error paths a recording cannot show run without hardware and without real sleeps.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

use rusb::UsbContext;
use rusb::ffi;

/// A transfer submitted with [`ReaderTransport::submit_in`] that has not been collected yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PendingIn(u32);

/// USB as a reader driver needs it. Errors are `rusb::Error` so `NoDevice` (unplugged) and
/// `Timeout` keep their meaning from the real transport to the mock.
pub trait ReaderTransport: Send {
    /// Control transfer device-to-host; returns the bytes received (possibly fewer than `len`).
    fn control_in(
        &mut self,
        request_type: u8,
        request: u8,
        value: u16,
        index: u16,
        len: usize,
        timeout: Duration,
    ) -> rusb::Result<Vec<u8>>;

    /// Control transfer host-to-device.
    fn control_out(
        &mut self,
        request_type: u8,
        request: u8,
        value: u16,
        index: u16,
        data: &[u8],
        timeout: Duration,
    ) -> rusb::Result<()>;

    /// Bulk OUT; fails unless every byte was sent.
    fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> rusb::Result<()>;

    /// Bulk IN of at most `len` bytes; returns what arrived.
    fn bulk_in(&mut self, endpoint: u8, len: usize, timeout: Duration) -> rusb::Result<Vec<u8>>;

    /// Submits a bulk IN transfer of `len` bytes with no timeout; it stays pending until it
    /// completes (collect it with [`poll_in`](Self::poll_in)) or is cancelled.
    fn submit_bulk_in(&mut self, endpoint: u8, len: usize) -> rusb::Result<PendingIn>;

    /// Waits up to `wait` for a pending transfer: `Ok(Some(data))` once it completed (the
    /// handle is then spent), `Ok(None)` while it is still pending.
    fn poll_in(&mut self, pending: PendingIn, wait: Duration) -> rusb::Result<Option<Vec<u8>>>;

    /// Cancels a pending transfer and forgets it. Unknown or spent handles are ignored.
    fn cancel_in(&mut self, pending: PendingIn);

    /// Keeps one `len`-byte interrupt IN transfer pending on `endpoint` with no timeout, and
    /// resubmits it the moment it completes (in libusb's callback, so no other transfer slips
    /// in between), until [`stop_interrupts`](Self::stop_interrupts).
    fn start_interrupts(&mut self, endpoint: u8, len: usize) -> rusb::Result<()>;

    /// The next interrupt packet received, waiting up to `wait`; `Ok(None)` if none came.
    /// An error (e.g. `NoDevice`) ends the stream.
    fn next_interrupt(&mut self, wait: Duration) -> rusb::Result<Option<Vec<u8>>>;

    /// Cancels the pending interrupt transfer and drops packets not yet collected.
    fn stop_interrupts(&mut self);

    /// Monotonic time since the transport was created (virtual in tests).
    fn now(&self) -> Duration;

    /// Sleeps (virtually in tests).
    fn sleep(&mut self, duration: Duration);
}

/// State a libusb callback shares with the thread that waits for it. Boxed so its address is
/// stable while libusb holds the pointer.
struct Completion {
    /// Set to 1 by the callback; libusb's `handle_events_timeout_completed` watches it.
    completed: AtomicI32,
}

/// One asynchronous transfer owned by [`RusbTransport`].
struct AsyncTransfer {
    transfer: *mut ffi::libusb_transfer,
    /// The data buffer libusb writes into; never resized while the transfer is in flight.
    buffer: Vec<u8>,
    completion: Box<Completion>,
}

extern "system" fn transfer_done(transfer: *mut ffi::libusb_transfer) {
    // SAFETY: libusb calls this with the transfer we filled; its user_data is the boxed
    // Completion that `RusbTransport` keeps alive until the transfer has completed.
    unsafe {
        let completion = (*transfer).user_data as *const Completion;
        (*completion).completed.store(1, Ordering::SeqCst);
    }
}

/// What the interrupt callback shares with the driver's thread.
struct InterruptShared {
    /// Packets (or the error that ended the stream) not collected yet.
    queue: Mutex<VecDeque<rusb::Result<Vec<u8>>>>,
    /// Set to 1 by the callback whenever it queued something; watched by libusb's event loop.
    completed: AtomicI32,
    /// Set before cancelling so the callback stops resubmitting.
    stopping: AtomicBool,
    /// True while libusb owns the transfer.
    in_flight: AtomicBool,
}

/// The interrupt transfer that stays pending; resubmitted from its own callback.
struct InterruptStream {
    transfer: *mut ffi::libusb_transfer,
    /// Buffer libusb writes into; lives as long as the transfer.
    _buffer: Box<[u8]>,
    shared: Box<InterruptShared>,
}

fn transfer_status(status: i32) -> rusb::Result<()> {
    use ffi::constants::*;
    match status {
        LIBUSB_TRANSFER_COMPLETED => Ok(()),
        LIBUSB_TRANSFER_TIMED_OUT => Err(rusb::Error::Timeout),
        LIBUSB_TRANSFER_NO_DEVICE => Err(rusb::Error::NoDevice),
        LIBUSB_TRANSFER_STALL => Err(rusb::Error::Pipe),
        LIBUSB_TRANSFER_OVERFLOW => Err(rusb::Error::Overflow),
        LIBUSB_TRANSFER_CANCELLED => Err(rusb::Error::Interrupted),
        _ => Err(rusb::Error::Io),
    }
}

extern "system" fn interrupt_done(transfer: *mut ffi::libusb_transfer) {
    // SAFETY: user_data is the boxed InterruptShared, kept alive by `RusbTransport` until
    // `in_flight` is false; buffer/actual_length describe the data libusb just wrote.
    unsafe {
        let shared = &*((*transfer).user_data as *const InterruptShared);
        let result = transfer_status((*transfer).status).map(|()| {
            let n = usize::try_from((*transfer).actual_length).unwrap_or(0);
            std::slice::from_raw_parts((*transfer).buffer, n).to_vec()
        });
        let ok = result.is_ok();
        let stopping = shared.stopping.load(Ordering::SeqCst);
        let mut resubmitted = false;
        if ok && !stopping {
            let rc = ffi::libusb_submit_transfer(transfer);
            resubmitted = rc >= 0;
            if let Ok(mut queue) = shared.queue.lock() {
                queue.push_back(result);
                if rc < 0 {
                    queue.push_back(Err(libusb_error(rc)));
                }
            }
        } else if !stopping && let Ok(mut queue) = shared.queue.lock() {
            queue.push_back(result);
        }
        shared.in_flight.store(resubmitted, Ordering::SeqCst);
        shared.completed.store(1, Ordering::SeqCst);
    }
}

/// The real transport: one libusb context and one opened device with interface 0 claimed.
pub struct RusbTransport {
    // Field order matters for drop: the handle closes before the context goes away.
    handle: rusb::DeviceHandle<rusb::Context>,
    context: rusb::Context,
    pending: HashMap<PendingIn, AsyncTransfer>,
    next_id: u32,
    interrupts: Option<InterruptStream>,
    started: Instant,
}

// SAFETY: the raw transfer pointers are only touched through `&mut self`, so by one thread at a
// time; libusb itself is thread-safe.
unsafe impl Send for RusbTransport {}

impl RusbTransport {
    /// Opens the device, detaches a kernel driver if one is bound, claims interface 0.
    pub fn open(
        context: rusb::Context,
        device: &rusb::Device<rusb::Context>,
    ) -> rusb::Result<Self> {
        let handle = device.open()?;
        // Only detach when a kernel driver is known to be bound: the query is unsupported on
        // some platforms (and under umockdev), where claiming tells the truth anyway.
        if handle.kernel_driver_active(0) == Ok(true) {
            handle.detach_kernel_driver(0)?;
        }
        handle.claim_interface(0)?;
        Ok(Self {
            handle,
            context,
            pending: HashMap::new(),
            next_id: 0,
            interrupts: None,
            started: Instant::now(),
        })
    }

    /// Runs libusb's event loop for at most `wait`, returning early once `completion` fired.
    fn handle_events(&self, completed: &AtomicI32, wait: Duration) -> rusb::Result<()> {
        let deadline = Instant::now() + wait;
        while completed.load(Ordering::SeqCst) == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let tv = libc::timeval {
                tv_sec: left.as_secs() as libc::time_t,
                tv_usec: left.subsec_micros() as libc::suseconds_t,
            };
            // SAFETY: the context is alive, `tv` and the flag outlive the call.
            let rc = unsafe {
                ffi::libusb_handle_events_timeout_completed(
                    self.context.as_raw(),
                    &tv,
                    completed.as_ptr(),
                )
            };
            if rc < 0 && rc != ffi::constants::LIBUSB_ERROR_INTERRUPTED {
                return Err(libusb_error(rc));
            }
        }
        Ok(())
    }

    /// Frees a completed (or cancelled and reaped) transfer and returns its outcome.
    fn finish(&mut self, id: PendingIn) -> rusb::Result<Vec<u8>> {
        let Some(mut slot) = self.pending.remove(&id) else {
            return Err(rusb::Error::NotFound);
        };
        // SAFETY: the transfer completed, so libusb no longer touches it or its buffer.
        let (status, actual) = unsafe {
            let t = slot.transfer;
            let out = ((*t).status, (*t).actual_length);
            ffi::libusb_free_transfer(t);
            out
        };
        let actual = usize::try_from(actual).unwrap_or(0).min(slot.buffer.len());
        slot.buffer.truncate(actual);
        transfer_status(status).map(|()| slot.buffer)
    }
}

/// rusb keeps its own errno mapping private; this is the same table.
fn libusb_error(rc: i32) -> rusb::Error {
    use ffi::constants::*;
    match rc {
        LIBUSB_ERROR_IO => rusb::Error::Io,
        LIBUSB_ERROR_INVALID_PARAM => rusb::Error::InvalidParam,
        LIBUSB_ERROR_ACCESS => rusb::Error::Access,
        LIBUSB_ERROR_NO_DEVICE => rusb::Error::NoDevice,
        LIBUSB_ERROR_NOT_FOUND => rusb::Error::NotFound,
        LIBUSB_ERROR_BUSY => rusb::Error::Busy,
        LIBUSB_ERROR_TIMEOUT => rusb::Error::Timeout,
        LIBUSB_ERROR_OVERFLOW => rusb::Error::Overflow,
        LIBUSB_ERROR_PIPE => rusb::Error::Pipe,
        LIBUSB_ERROR_INTERRUPTED => rusb::Error::Interrupted,
        LIBUSB_ERROR_NO_MEM => rusb::Error::NoMem,
        LIBUSB_ERROR_NOT_SUPPORTED => rusb::Error::NotSupported,
        _ => rusb::Error::Other,
    }
}

impl ReaderTransport for RusbTransport {
    fn control_in(
        &mut self,
        request_type: u8,
        request: u8,
        value: u16,
        index: u16,
        len: usize,
        timeout: Duration,
    ) -> rusb::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.handle.read_control(request_type, request, value, index, &mut buf, timeout)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn control_out(
        &mut self,
        request_type: u8,
        request: u8,
        value: u16,
        index: u16,
        data: &[u8],
        timeout: Duration,
    ) -> rusb::Result<()> {
        let n = self.handle.write_control(request_type, request, value, index, data, timeout)?;
        if n == data.len() { Ok(()) } else { Err(rusb::Error::Io) }
    }

    fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> rusb::Result<()> {
        let n = self.handle.write_bulk(endpoint, data, timeout)?;
        if n == data.len() { Ok(()) } else { Err(rusb::Error::Io) }
    }

    fn bulk_in(&mut self, endpoint: u8, len: usize, timeout: Duration) -> rusb::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.handle.read_bulk(endpoint, &mut buf, timeout)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn submit_bulk_in(&mut self, endpoint: u8, len: usize) -> rusb::Result<PendingIn> {
        let length = i32::try_from(len).map_err(|_| rusb::Error::InvalidParam)?;
        // SAFETY: allocation with no isochronous packets; checked for null below.
        let transfer = unsafe { ffi::libusb_alloc_transfer(0) };
        if transfer.is_null() {
            return Err(rusb::Error::NoMem);
        }
        let mut slot = AsyncTransfer {
            transfer,
            buffer: vec![0u8; len],
            completion: Box::new(Completion { completed: AtomicI32::new(0) }),
        };
        let user_data = &*slot.completion as *const Completion as *mut c_void;
        // SAFETY: the handle, the buffer and the completion live in `self.pending` until the
        // transfer has completed or been cancelled and reaped (see `cancel_in` and `Drop`).
        let rc = unsafe {
            ffi::libusb_fill_bulk_transfer(
                transfer,
                self.handle.as_raw(),
                endpoint,
                slot.buffer.as_mut_ptr(),
                length,
                transfer_done,
                user_data,
                0,
            );
            ffi::libusb_submit_transfer(transfer)
        };
        if rc < 0 {
            // SAFETY: never submitted, so we still own it.
            unsafe { ffi::libusb_free_transfer(slot.transfer) };
            slot.transfer = std::ptr::null_mut();
            return Err(libusb_error(rc));
        }
        self.next_id = self.next_id.wrapping_add(1);
        let id = PendingIn(self.next_id);
        self.pending.insert(id, slot);
        Ok(id)
    }

    fn poll_in(&mut self, pending: PendingIn, wait: Duration) -> rusb::Result<Option<Vec<u8>>> {
        let Some(slot) = self.pending.get(&pending) else {
            return Err(rusb::Error::NotFound);
        };
        let completion: *const Completion = &*slot.completion;
        // SAFETY: the Box stays in `self.pending` during the call (nothing removes it).
        self.handle_events(unsafe { &(*completion).completed }, wait)?;
        if unsafe { &*completion }.completed.load(Ordering::SeqCst) == 0 {
            return Ok(None);
        }
        self.finish(pending).map(Some)
    }

    fn cancel_in(&mut self, pending: PendingIn) {
        let Some(slot) = self.pending.get(&pending) else { return };
        let completion: *const Completion = &*slot.completion;
        // SAFETY: the transfer is in flight or completed-but-unreaped; both are valid to cancel.
        unsafe { ffi::libusb_cancel_transfer(slot.transfer) };
        // The callback must run before the buffer may be freed; a vanished device completes
        // at once, a live one within a few ms. Give up after 2 s rather than hang a kiosk.
        let _ = self.handle_events(unsafe { &(*completion).completed }, Duration::from_secs(2));
        if unsafe { &*completion }.completed.load(Ordering::SeqCst) == 1 {
            let _ = self.finish(pending);
        } else if let Some(slot) = self.pending.remove(&pending) {
            tracing::error!("USB transfer did not finish after cancel; leaking its buffer");
            std::mem::forget(slot.buffer);
            std::mem::forget(slot.completion);
        }
    }

    fn start_interrupts(&mut self, endpoint: u8, len: usize) -> rusb::Result<()> {
        if self.interrupts.is_some() {
            return Ok(());
        }
        let length = i32::try_from(len).map_err(|_| rusb::Error::InvalidParam)?;
        // SAFETY: as in `submit_bulk_in`.
        let transfer = unsafe { ffi::libusb_alloc_transfer(0) };
        if transfer.is_null() {
            return Err(rusb::Error::NoMem);
        }
        let mut buffer = vec![0u8; len].into_boxed_slice();
        let shared = Box::new(InterruptShared {
            queue: Mutex::new(VecDeque::new()),
            completed: AtomicI32::new(0),
            stopping: AtomicBool::new(false),
            in_flight: AtomicBool::new(true),
        });
        let user_data = &*shared as *const InterruptShared as *mut c_void;
        // SAFETY: buffer and shared are stored in `self.interrupts` below and outlive the
        // transfer (see `stop_interrupts`).
        let rc = unsafe {
            ffi::libusb_fill_interrupt_transfer(
                transfer,
                self.handle.as_raw(),
                endpoint,
                buffer.as_mut_ptr(),
                length,
                interrupt_done,
                user_data,
                0,
            );
            ffi::libusb_submit_transfer(transfer)
        };
        if rc < 0 {
            // SAFETY: never submitted.
            unsafe { ffi::libusb_free_transfer(transfer) };
            return Err(libusb_error(rc));
        }
        self.interrupts = Some(InterruptStream { transfer, _buffer: buffer, shared });
        Ok(())
    }

    fn next_interrupt(&mut self, wait: Duration) -> rusb::Result<Option<Vec<u8>>> {
        let Some(stream) = &self.interrupts else {
            return Err(rusb::Error::NotFound);
        };
        let shared: *const InterruptShared = &*stream.shared;
        // SAFETY: the Box stays in `self.interrupts` during this call.
        let shared = unsafe { &*shared };
        let pop = || shared.queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
        if let Some(packet) = pop() {
            return packet.map(Some);
        }
        if !shared.in_flight.load(Ordering::SeqCst) {
            // The stream ended with an error that was already handed out.
            return Err(rusb::Error::Io);
        }
        shared.completed.store(0, Ordering::SeqCst);
        self.handle_events(&shared.completed, wait)?;
        match pop() {
            Some(packet) => packet.map(Some),
            None => Ok(None),
        }
    }

    fn stop_interrupts(&mut self) {
        let Some(stream) = self.interrupts.take() else { return };
        stream.shared.stopping.store(true, Ordering::SeqCst);
        if stream.shared.in_flight.load(Ordering::SeqCst) {
            // SAFETY: the transfer is in flight.
            unsafe { ffi::libusb_cancel_transfer(stream.transfer) };
            let deadline = Instant::now() + Duration::from_secs(2);
            while stream.shared.in_flight.load(Ordering::SeqCst) && Instant::now() < deadline {
                stream.shared.completed.store(0, Ordering::SeqCst);
                let _ = self.handle_events(&stream.shared.completed, Duration::from_millis(100));
            }
        }
        if stream.shared.in_flight.load(Ordering::SeqCst) {
            tracing::error!("interrupt transfer did not finish after cancel; leaking it");
            std::mem::forget(stream);
        } else {
            // SAFETY: libusb no longer owns the transfer.
            unsafe { ffi::libusb_free_transfer(stream.transfer) };
        }
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl Drop for RusbTransport {
    fn drop(&mut self) {
        let ids: Vec<PendingIn> = self.pending.keys().copied().collect();
        for id in ids {
            self.cancel_in(id);
        }
        self.stop_interrupts();
        let _ = self.handle.release_interface(0);
    }
}

#[cfg(test)]
pub(crate) mod mock {
    //! A scripted transport: the test lists every transfer the driver must make, in order, with
    //! the device's answer, like umockdev does with a recording. Any other transfer panics with
    //! both sides printed. Interrupt packets (`Step::Interrupt`) arrive asynchronously: once
    //! they reach the head of the script they are queued for `next_interrupt`. Time is
    //! virtual: sleeps, waits and timed-out transfers advance a counter.

    use super::*;
    use std::sync::Arc;

    /// One expected step.
    #[derive(Debug, Clone)]
    pub enum Step {
        ControlIn {
            request_type: u8,
            request: u8,
            value: u16,
            index: u16,
            len: usize,
            reply: rusb::Result<Vec<u8>>,
        },
        ControlOut {
            request_type: u8,
            request: u8,
            value: u16,
            index: u16,
            data: Vec<u8>,
            reply: rusb::Result<()>,
        },
        BulkOut {
            endpoint: u8,
            data: Vec<u8>,
            reply: rusb::Result<()>,
        },
        BulkIn {
            endpoint: u8,
            len: usize,
            reply: rusb::Result<Vec<u8>>,
        },
        /// A bulk IN transfer is submitted to stay pending.
        SubmitBulk {
            endpoint: u8,
            len: usize,
            reply: rusb::Result<()>,
        },
        /// The pending bulk transfer on this endpoint completes (at the driver's next poll).
        Complete {
            endpoint: u8,
            reply: rusb::Result<Vec<u8>>,
        },
        /// The pending bulk transfer on this endpoint is cancelled.
        Cancel {
            endpoint: u8,
        },
        /// The interrupt stream starts.
        StartInterrupts {
            endpoint: u8,
            len: usize,
        },
        /// An interrupt packet arrives (or the stream fails).
        Interrupt(rusb::Result<Vec<u8>>),
        /// The interrupt stream is cancelled.
        StopInterrupts,
    }

    #[derive(Debug, Default)]
    struct State {
        steps: VecDeque<Step>,
        pending: HashMap<PendingIn, u8>,
        interrupts: VecDeque<rusb::Result<Vec<u8>>>,
        streaming: bool,
        next_id: u32,
        now: Duration,
        done: Vec<String>,
    }

    impl State {
        /// Interrupt packets at the head of the script have "arrived".
        fn deliver_interrupts(&mut self) {
            while let Some(Step::Interrupt(_)) = self.steps.front() {
                let Some(Step::Interrupt(packet)) = self.steps.pop_front() else { unreachable!() };
                assert!(
                    self.streaming,
                    "interrupt scripted while no interrupt transfer is pending"
                );
                self.done.push(format!("Interrupt {packet:02x?}"));
                self.interrupts.push_back(packet);
            }
        }
    }

    /// Clone it before handing it to a driver to look at the script afterwards.
    #[derive(Debug, Clone, Default)]
    pub struct MockTransport(Arc<Mutex<State>>);

    impl MockTransport {
        pub fn new(steps: impl IntoIterator<Item = Step>) -> Self {
            let mock = Self::default();
            mock.0.lock().unwrap().steps.extend(steps);
            mock
        }

        /// Appends steps.
        pub fn push(&self, steps: impl IntoIterator<Item = Step>) {
            self.state().steps.extend(steps);
        }

        /// Steps not taken yet.
        pub fn remaining(&self) -> Vec<Step> {
            self.state().steps.iter().cloned().collect()
        }

        /// Virtual time spent so far.
        pub fn elapsed(&self) -> Duration {
            self.state().now
        }

        /// The next step; `None` while the test is already failing (a driver's `Drop` then
        /// gets an error instead of a second panic that would abort the test binary).
        /// The script state; a poisoned lock (a mismatch panicked) is still readable.
        fn state(&self) -> std::sync::MutexGuard<'_, State> {
            self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        fn next(&self, what: String) -> Option<Step> {
            if std::thread::panicking() {
                return None;
            }
            let mut s = self.state();
            s.deliver_interrupts();
            match s.steps.pop_front() {
                Some(step) => {
                    s.done.push(what);
                    Some(step)
                }
                None => panic!("unexpected {what}: script finished; done: {:#?}", s.done),
            }
        }

        fn mismatch(&self, got: String, expected: Step) -> ! {
            let s = self.state();
            panic!("script mismatch: got {got}, expected {expected:?}; done: {:#?}", s.done)
        }
    }

    impl ReaderTransport for MockTransport {
        fn control_in(
            &mut self,
            request_type: u8,
            request: u8,
            value: u16,
            index: u16,
            len: usize,
            timeout: Duration,
        ) -> rusb::Result<Vec<u8>> {
            let got =
                format!("ControlIn {request_type:#x} {request:#x} value {value:#x} len {len}");
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::ControlIn {
                    request_type: t,
                    request: r,
                    value: v,
                    index: i,
                    len: l,
                    reply,
                } if (t, r, v, i, l) == (request_type, request, value, index, len) => {
                    if matches!(reply, Err(rusb::Error::Timeout)) {
                        self.sleep(timeout);
                    }
                    reply
                }
                other => self.mismatch(got, other),
            }
        }

        fn control_out(
            &mut self,
            request_type: u8,
            request: u8,
            value: u16,
            index: u16,
            data: &[u8],
            timeout: Duration,
        ) -> rusb::Result<()> {
            let got = format!(
                "ControlOut {request_type:#x} {request:#x} value {value:#x} data {data:02x?}"
            );
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::ControlOut {
                    request_type: t,
                    request: r,
                    value: v,
                    index: i,
                    data: d,
                    reply,
                } if (t, r, v, i) == (request_type, request, value, index) && d == data => {
                    if matches!(reply, Err(rusb::Error::Timeout)) {
                        self.sleep(timeout);
                    }
                    reply
                }
                other => self.mismatch(got, other),
            }
        }

        fn bulk_out(&mut self, endpoint: u8, data: &[u8], timeout: Duration) -> rusb::Result<()> {
            let got = format!("BulkOut {endpoint:#x} {data:02x?}");
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::BulkOut { endpoint: e, data: d, reply } if e == endpoint && d == data => {
                    if matches!(reply, Err(rusb::Error::Timeout)) {
                        self.sleep(timeout);
                    }
                    reply
                }
                other => self.mismatch(got, other),
            }
        }

        fn bulk_in(
            &mut self,
            endpoint: u8,
            len: usize,
            timeout: Duration,
        ) -> rusb::Result<Vec<u8>> {
            let got = format!("BulkIn {endpoint:#x} len {len}");
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::BulkIn { endpoint: e, len: l, reply } if (e, l) == (endpoint, len) => {
                    if matches!(reply, Err(rusb::Error::Timeout)) {
                        self.sleep(timeout);
                    }
                    reply
                }
                other => self.mismatch(got, other),
            }
        }

        fn submit_bulk_in(&mut self, endpoint: u8, len: usize) -> rusb::Result<PendingIn> {
            let got = format!("SubmitBulk {endpoint:#x} len {len}");
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::SubmitBulk { endpoint: e, len: l, reply } if (e, l) == (endpoint, len) => {
                    reply?;
                    let mut s = self.state();
                    s.next_id += 1;
                    let id = PendingIn(s.next_id);
                    s.pending.insert(id, endpoint);
                    Ok(id)
                }
                other => self.mismatch(got, other),
            }
        }

        fn poll_in(&mut self, pending: PendingIn, wait: Duration) -> rusb::Result<Option<Vec<u8>>> {
            let mut s = self.state();
            s.deliver_interrupts();
            let Some(&endpoint) = s.pending.get(&pending) else {
                return Err(rusb::Error::NotFound);
            };
            if let Some(Step::Complete { endpoint: e, .. }) = s.steps.front()
                && *e == endpoint
            {
                let Some(Step::Complete { reply, .. }) = s.steps.pop_front() else {
                    unreachable!()
                };
                s.done.push(format!("Complete {endpoint:#x}"));
                s.pending.remove(&pending);
                return reply.map(Some);
            }
            s.now += wait;
            Ok(None)
        }

        fn cancel_in(&mut self, pending: PendingIn) {
            let endpoint = {
                let mut s = self.state();
                match s.pending.remove(&pending) {
                    Some(e) => e,
                    None => return,
                }
            };
            let got = format!("Cancel {endpoint:#x}");
            let Some(step) = self.next(got.clone()) else { return };
            match step {
                Step::Cancel { endpoint: e } if e == endpoint => {}
                other => self.mismatch(got, other),
            }
        }

        fn start_interrupts(&mut self, endpoint: u8, len: usize) -> rusb::Result<()> {
            let got = format!("StartInterrupts {endpoint:#x} len {len}");
            match self.next(got.clone()).ok_or(rusb::Error::NoDevice)? {
                Step::StartInterrupts { endpoint: e, len: l } if (e, l) == (endpoint, len) => {
                    self.state().streaming = true;
                    Ok(())
                }
                other => self.mismatch(got, other),
            }
        }

        fn next_interrupt(&mut self, wait: Duration) -> rusb::Result<Option<Vec<u8>>> {
            let mut s = self.state();
            s.deliver_interrupts();
            if let Some(packet) = s.interrupts.pop_front() {
                if packet.is_err() {
                    s.streaming = false;
                }
                return packet.map(Some);
            }
            if !s.streaming {
                return Err(rusb::Error::Io);
            }
            s.now += wait;
            Ok(None)
        }

        fn stop_interrupts(&mut self) {
            {
                let mut s = self.state();
                if !s.streaming {
                    return;
                }
                s.streaming = false;
                s.interrupts.clear();
            }
            let got = "StopInterrupts".to_owned();
            let Some(step) = self.next(got.clone()) else { return };
            match step {
                Step::StopInterrupts => {}
                other => self.mismatch(got, other),
            }
        }

        fn now(&self) -> Duration {
            self.state().now
        }

        fn sleep(&mut self, duration: Duration) {
            self.state().now += duration;
        }
    }
}
