//! Long work (capture, matching, printing) runs off the UI thread. A job returns an `Outcome`;
//! outcomes queue in the `Inbox` and the UI thread handles them in `Kiosk::pump`. The threaded
//! executor wakes the Slint event loop after each job; tests use `ManualExecutor` to decide
//! exactly when jobs run, so flows are deterministic without real threads or sleeps.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::ports::{FingerCapture, PersonId, PortError, PrinterCondition, ReaderFault};

/// The result of one job, handled on the UI thread.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The idle capture loop got a frame (or failed). `generation` drops results of a capture
    /// the app no longer waits for.
    Captured {
        generation: u64,
        result: Result<FingerCapture, ReaderFault>,
    },
    Identified {
        generation: u64,
        result: Result<Option<PersonId>, PortError>,
    },
    TicketPrinted {
        number: String,
        result: Result<(), PrinterCondition>,
    },
    TestPrinted(Result<(), PrinterCondition>),
    PrinterChecked(PrinterCondition),
    LiveImage(Result<FingerCapture, ReaderFault>),
    /// The technician PIN was checked against its Argon2 hash.
    PinChecked(bool),
}

pub type Job = Box<dyn FnOnce() -> Outcome + Send>;

/// Outcomes waiting for the UI thread.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<VecDeque<Outcome>>>);

impl Inbox {
    pub fn push(&self, outcome: Outcome) {
        // A poisoned lock only means another job panicked; the queue itself is still valid.
        let mut queue = self.0.lock().unwrap_or_else(|e| e.into_inner());
        queue.push_back(outcome);
    }

    pub fn pop(&self) -> Option<Outcome> {
        let mut queue = self.0.lock().unwrap_or_else(|e| e.into_inner());
        queue.pop_front()
    }
}

pub trait Executor {
    fn spawn(&self, job: Job, inbox: Inbox);
}

/// Runs each job on its own thread and asks the Slint event loop to pump the inbox afterwards.
pub struct ThreadExecutor {
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl ThreadExecutor {
    /// `wake` is called on the worker after the outcome is queued; it posts a pump to the UI
    /// thread (see `Kiosk::start`).
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        Self { wake }
    }
}

impl Executor for ThreadExecutor {
    fn spawn(&self, job: Job, inbox: Inbox) {
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new().name("kiosk-worker".into()).spawn(move || {
            inbox.push(job());
            wake();
        });
        if let Err(err) = spawned {
            tracing::error!("cannot start a worker thread: {err}");
        }
    }
}

/// Keeps jobs until the test runs them.
#[derive(Clone, Default)]
pub struct ManualExecutor {
    pending: Arc<Mutex<Vec<(Job, Inbox)>>>,
}

impl ManualExecutor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs the jobs queued so far (not those they queue in turn); returns how many ran.
    pub fn run_pending(&self) -> usize {
        let jobs: Vec<(Job, Inbox)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *pending)
        };
        let n = jobs.len();
        for (job, inbox) in jobs {
            inbox.push(job());
        }
        n
    }

    pub fn pending(&self) -> usize {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Executor for ManualExecutor {
    fn spawn(&self, job: Job, inbox: Inbox) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).push((job, inbox));
    }
}
