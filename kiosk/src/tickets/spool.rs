//! The print spooler: never lose a ticket.
//!
//! A ticket is written to the store (`print_job`, status `queued`) before anything goes to the
//! printer, and marked `printed` only after the printer reported ok. When printing fails the job
//! stays queued with the reason; [`Spooler::pump`], which the app calls periodically, prints the
//! queue oldest first once the printer is back. Meanwhile the screen shows the number and tells
//! the visitor to show it to the officer ([`PrinterProblem::notice`]).
//!
//! A pass over the queue talks to the printer and can take as long as the driver's offline
//! timeout (a few seconds when the printer is unplugged): call it from a worker thread, never
//! from the UI event loop. A ticket whose closing status check failed after the bytes went out
//! stays queued and may come out twice; a duplicate is better than a lost ticket.

use chrono::Utc;
use drivers::printer::{Bitmap, Fault, Printer, PrinterError};

use super::TicketJob;
use crate::config::Language;
use crate::store::print_jobs::PrintJobStatus;
use crate::store::{Store, StoreError};

/// What can go wrong in the spooler itself (printer trouble is not an error here: it is queued).
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The store failed: the ticket may not be recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ticket could not be turned into JSON.
    #[error("cannot record the ticket: {0}")]
    Payload(#[from] serde_json::Error),
}

/// Why the printer did not print, in the terms a screen needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterProblem {
    /// Out of paper.
    PaperOut,
    /// Cover open.
    CoverOpen,
    /// Cutter jammed.
    CutterError,
    /// Not answering, unplugged or stalled.
    Offline,
    /// Anything else (could not write the simulated ticket, ...).
    Other,
}

impl PrinterProblem {
    /// Classifies a printer error.
    pub fn from_error(error: &PrinterError) -> PrinterProblem {
        match error {
            PrinterError::NotReady(status) => {
                if status.has(Fault::PaperOut) {
                    PrinterProblem::PaperOut
                } else if status.has(Fault::CoverOpen) {
                    PrinterProblem::CoverOpen
                } else if status.has(Fault::CutterError) {
                    PrinterProblem::CutterError
                } else {
                    PrinterProblem::Offline
                }
            }
            PrinterError::Offline(_) | PrinterError::Open { .. } => PrinterProblem::Offline,
            PrinterError::Encode(_) | PrinterError::Save { .. } => PrinterProblem::Other,
        }
    }

    fn reason(self, language: Language) -> &'static str {
        match (self, language) {
            (PrinterProblem::PaperOut, Language::Id) => "kertas printer habis",
            (PrinterProblem::CoverOpen, Language::Id) => "tutup printer terbuka",
            (PrinterProblem::CutterError, Language::Id) => "pemotong kertas macet",
            (PrinterProblem::Offline, Language::Id) => "printer tidak terhubung",
            (PrinterProblem::Other, Language::Id) => "printer bermasalah",
            (PrinterProblem::PaperOut, Language::En) => "the printer is out of paper",
            (PrinterProblem::CoverOpen, Language::En) => "the printer cover is open",
            (PrinterProblem::CutterError, Language::En) => "the paper cutter is jammed",
            (PrinterProblem::Offline, Language::En) => "the printer is not connected",
            (PrinterProblem::Other, Language::En) => "the printer has a problem",
        }
    }

    /// The sentence for the screen when a queue ticket could not be printed.
    pub fn notice(self, number: &str, language: Language) -> String {
        let reason = self.reason(language);
        match language {
            Language::Id => format!(
                "Tiket belum dapat dicetak ({reason}). Tunjukkan nomor {number} di layar ini \
                 kepada petugas. Tiket akan tercetak otomatis setelah printer siap."
            ),
            Language::En => format!(
                "The ticket could not be printed ({reason}). Show number {number} on this screen \
                 to the officer. It will print automatically once the printer is ready."
            ),
        }
    }
}

/// What happened to one ticket handed to [`Spooler::print`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintOutcome {
    /// In the visitor's hand.
    Printed,
    /// Recorded and waiting for the printer.
    Queued(PrinterProblem),
    /// Can never be printed (the printer cannot express it) and was set aside; the number on
    /// the screen is all the visitor gets.
    Abandoned,
}

/// The result of one pass over the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PumpReport {
    /// Jobs printed in this pass, in order.
    pub printed: Vec<String>,
    /// Jobs that can never print (unreadable, rejected by the encoder) and were set aside.
    pub abandoned: Vec<String>,
    /// Jobs still waiting after the pass.
    pub still_queued: u64,
    /// Why the pass stopped early, if it did.
    pub problem: Option<PrinterProblem>,
}

/// The spooler's state for diagnostics and the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolStatus {
    /// Jobs waiting.
    pub queued: u64,
    /// Why the oldest waiting job failed last, if it has been tried.
    pub last_error: Option<String>,
}

/// Prints tickets through the store.
#[derive(Debug, Clone, Default)]
pub struct Spooler {
    logo: Option<Bitmap>,
}

impl Spooler {
    /// A spooler printing `logo` on queue tickets (none: no logo).
    pub fn new(logo: Option<Bitmap>) -> Spooler {
        Spooler { logo }
    }

    /// Records a ticket as queued; returns the job id. Nothing is printed yet.
    pub fn submit(&self, store: &Store, job: &TicketJob) -> Result<String, SpoolError> {
        let payload = job.payload()?;
        let id = store.insert_print_job(job.kind(), &payload, Utc::now())?;
        tracing::info!(job = %id, kind = job.kind(), "ticket queued");
        Ok(id)
    }

    /// Records the ticket, then prints the queue (older waiting tickets first, so numbers come
    /// out in order). Tells whether this ticket is printed or waiting.
    pub fn print(
        &self,
        store: &Store,
        printer: &mut dyn Printer,
        job: &TicketJob,
    ) -> Result<(String, PrintOutcome), SpoolError> {
        let id = self.submit(store, job)?;
        let report = self.pump(store, printer)?;
        let outcome = if report.printed.contains(&id) {
            PrintOutcome::Printed
        } else if report.abandoned.contains(&id) {
            PrintOutcome::Abandoned
        } else {
            PrintOutcome::Queued(report.problem.unwrap_or(PrinterProblem::Other))
        };
        Ok((id, outcome))
    }

    /// Prints waiting jobs oldest first and stops at the first printer failure (the job keeps
    /// its place and the reason). Jobs that can never print are abandoned, not retried forever.
    pub fn pump(&self, store: &Store, printer: &mut dyn Printer) -> Result<PumpReport, SpoolError> {
        let mut report = PumpReport::default();
        for job in store.queued_print_jobs()? {
            let ticket = match TicketJob::decode(&job.kind, &job.payload) {
                Ok(ticket) => ticket,
                Err(error) => {
                    tracing::error!(job = %job.id, %error, "print job unreadable; abandoned");
                    store.abandon_print_job(&job.id, &error.to_string())?;
                    report.abandoned.push(job.id);
                    continue;
                }
            };
            let document = ticket.layout(self.logo.as_ref());
            match printer.print(&document) {
                Ok(()) => {
                    store.mark_print_job_printed(&job.id, Utc::now())?;
                    tracing::info!(job = %job.id, "ticket printed");
                    report.printed.push(job.id);
                }
                Err(PrinterError::Encode(error)) => {
                    tracing::error!(job = %job.id, %error, "ticket cannot be encoded; abandoned");
                    store.abandon_print_job(&job.id, &error.to_string())?;
                    report.abandoned.push(job.id);
                }
                Err(error) => {
                    tracing::warn!(job = %job.id, %error, "ticket not printed; stays queued");
                    store.record_print_job_failure(&job.id, &error.to_string())?;
                    report.problem = Some(PrinterProblem::from_error(&error));
                    break;
                }
            }
        }
        report.still_queued = store.count_queued_print_jobs()?;
        Ok(report)
    }

    /// Where a job stands (`None`: no such job).
    pub fn job_status(
        &self,
        store: &Store,
        id: &str,
    ) -> Result<Option<PrintJobStatus>, SpoolError> {
        Ok(store.print_job(id)?.map(|job| job.status))
    }

    /// How many jobs wait and why the oldest one failed.
    pub fn status(&self, store: &Store) -> Result<SpoolStatus, SpoolError> {
        let queued = store.queued_print_jobs()?;
        Ok(SpoolStatus {
            queued: queued.len() as u64,
            last_error: queued.first().and_then(|job| job.last_error.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::tests::sample;
    use drivers::printer::{SimulatedPrinter, render};

    fn job(number: u32) -> TicketJob {
        let mut ticket = sample();
        ticket.number = number;
        ticket.ticket_code = format!("T-{number}");
        TicketJob::Queue(ticket)
    }

    #[test]
    fn prints_immediately_when_the_printer_is_fine() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_memory().expect("store");
        let mut printer = SimulatedPrinter::new(dir.path());
        let spooler = Spooler::new(crate::tickets::logo::logo_bitmap());
        let (id, outcome) = spooler.print(&store, &mut printer, &job(1)).expect("print");
        assert_eq!(outcome, PrintOutcome::Printed);
        assert_eq!(spooler.job_status(&store, &id).expect("status"), Some(PrintJobStatus::Printed));
        assert_eq!(printer.printed().len(), 1);
    }

    #[test]
    fn paper_out_keeps_jobs_in_order_until_recovery() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_memory().expect("store");
        let mut printer = SimulatedPrinter::new(dir.path());
        let control = printer.control();
        let spooler = Spooler::default();
        control.set_faults([Fault::PaperOut]);
        let (first, outcome) = spooler.print(&store, &mut printer, &job(1)).expect("print");
        assert_eq!(outcome, PrintOutcome::Queued(PrinterProblem::PaperOut));
        let (second, _) = spooler.print(&store, &mut printer, &job(2)).expect("print");
        let status = spooler.status(&store).expect("status");
        assert_eq!(status.queued, 2);
        assert!(status.last_error.expect("reason").contains("paper-out"));
        assert_eq!(store.print_job(&first).expect("job").expect("exists").attempts, 2);

        control.recover();
        let report = spooler.pump(&store, &mut printer).expect("pump");
        assert_eq!(report.printed, vec![first, second]);
        assert_eq!((report.still_queued, report.problem), (0, None));
        assert_eq!(printer.printed().len(), 2);
    }

    #[test]
    fn unreadable_jobs_are_set_aside_not_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_memory().expect("store");
        let mut printer = SimulatedPrinter::new(dir.path());
        let spooler = Spooler::default();
        let bad = store.insert_print_job("queue_ticket", "{not json", Utc::now()).expect("insert");
        let mut long = sample();
        long.ticket_code = "x".repeat(3000);
        let too_long = spooler.submit(&store, &TicketJob::Queue(long.clone())).expect("submit");
        let good = spooler.submit(&store, &job(3)).expect("submit");
        let report = spooler.pump(&store, &mut printer).expect("pump");
        assert_eq!(report.abandoned, vec![bad.clone(), too_long]);
        assert_eq!(report.printed, vec![good]);
        let (_, outcome) =
            spooler.print(&store, &mut printer, &TicketJob::Queue(long)).expect("print");
        assert_eq!(outcome, PrintOutcome::Abandoned);
        let bad = store.print_job(&bad).expect("job").expect("exists");
        assert_eq!(bad.status, PrintJobStatus::Abandoned);
        assert!(bad.last_error.is_some());
    }

    #[test]
    fn notices_tell_the_visitor_what_to_do() {
        let id = PrinterProblem::PaperOut.notice("A-012", Language::Id);
        assert!(id.contains("A-012") && id.contains("petugas") && id.contains("kertas"));
        let en = PrinterProblem::Offline.notice("A-012", Language::En);
        assert!(en.contains("A-012") && en.contains("officer"));
    }

    #[test]
    fn simulated_ticket_qr_decodes_to_the_ticket_code() {
        let doc = job(7).layout(crate::tickets::logo::logo_bitmap().as_ref());
        let image = render(&doc).expect("render");
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
            image.width() as usize,
            image.height() as usize,
            |x, y| image.get_pixel(x as u32, y as u32).0[0],
        );
        let codes: Vec<String> =
            prepared.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|d| d.1).collect();
        assert_eq!(codes, vec!["T-7".to_string()]);
    }
}
