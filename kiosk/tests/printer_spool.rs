//! The spooler with an in-memory store and a serial printer on a pty: a ticket is never lost
//! when the printer stalls, hangs up or runs out of paper, and prints once it recovers.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use drivers::printer::fake::{FakePrinter, patient_config as patient, quick_config as quick};
use drivers::printer::{Encoder, SerialPrinter, StatusBytes};
use kiosk::store::Store;
use kiosk::store::print_jobs::PrintJobStatus;
use kiosk::tickets::{PrintOutcome, PrinterProblem, QueueTicketPrint, Spooler, TicketJob};

fn connect(fake: &mut FakePrinter) -> SerialPrinter {
    SerialPrinter::from_port(fake.take_port().expect("port"), patient()).expect("printer")
}

fn ticket(number: u32) -> TicketJob {
    TicketJob::Queue(QueueTicketPrint {
        facility_name: "Rutan Kelas I Makassar".into(),
        service: "A".into(),
        number,
        ticket_code: format!("RUTAN-MKS-20261128-A{number:03}"),
        visitor_name: "Siti Aminah".into(),
        inmate_name: "Budi Santoso".into(),
        visit_date: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
        session_start: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
        session_end: NaiveTime::from_hms_opt(11, 0, 0).expect("time"),
        zone: "WITA".into(),
        group_size: 2,
        issued_at: NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(8, 30, 0))
            .expect("datetime"),
        complaint_contact: None,
    })
}

fn job_bytes(spooler_logo: bool, job: &TicketJob) -> Vec<u8> {
    let logo = if spooler_logo { kiosk::tickets::logo::logo_bitmap() } else { None };
    Encoder::encode(&job.layout(logo.as_ref())).expect("encode")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn normal_print_is_marked_printed() {
    let store = Store::open_in_memory().expect("store");
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let spooler = Spooler::new(kiosk::tickets::logo::logo_bitmap());
    let job = ticket(1);
    let (id, outcome) = spooler.print(&store, &mut printer, &job).expect("spool");
    assert_eq!(outcome, PrintOutcome::Printed);
    assert_eq!(spooler.job_status(&store, &id).expect("status"), Some(PrintJobStatus::Printed));
    assert!(contains(&fake.received(), &job_bytes(true, &job)));
}

#[test]
fn stalled_printer_keeps_the_job_until_it_reads_again() {
    let store = Store::open_in_memory().expect("store");
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let spooler = Spooler::default();
    fake.stall();
    *printer.config_mut() = quick();
    let started = Instant::now();
    let job = ticket(2);
    let (id, outcome) = spooler.print(&store, &mut printer, &job).expect("spool");
    let took = started.elapsed();
    assert_eq!(outcome, PrintOutcome::Queued(PrinterProblem::Offline));
    assert!(took <= quick().offline_after(), "offline after {took:?}");
    let row = store.print_job(&id).expect("row").expect("exists");
    assert_eq!((row.status, row.attempts), (PrintJobStatus::Queued, 1));

    // Still stalled: pumping changes nothing but the attempt count.
    let report = spooler.pump(&store, &mut printer).expect("pump");
    assert_eq!((report.printed.len(), report.still_queued), (0, 1));

    fake.resume();
    *printer.config_mut() = patient();
    let report = spooler.pump(&store, &mut printer).expect("pump");
    assert_eq!(report.printed, vec![id.clone()]);
    assert_eq!(spooler.job_status(&store, &id).expect("status"), Some(PrintJobStatus::Printed));
    assert!(contains(&fake.received(), &job_bytes(false, &job)));
}

#[test]
fn printer_stalling_mid_job_is_retried_whole() {
    let store = Store::open_in_memory().expect("store");
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let spooler = Spooler::new(kiosk::tickets::logo::logo_bitmap());
    // Reads the four status queries and 300 bytes of the ticket, then nothing.
    fake.stall_after(12 + 300);
    *printer.config_mut() = quick();
    let job = ticket(3);
    let (id, outcome) = spooler.print(&store, &mut printer, &job).expect("spool");
    assert_eq!(outcome, PrintOutcome::Queued(PrinterProblem::Offline));
    fake.resume();
    *printer.config_mut() = patient();
    let report = spooler.pump(&store, &mut printer).expect("pump");
    assert_eq!(report.printed, vec![id]);
    // The whole ticket arrived in one piece on the second attempt.
    let expected = job_bytes(true, &job);
    assert!(fake.wait_for(Duration::from_secs(2), |rx| contains(rx, &expected)));
}

#[test]
fn hang_up_keeps_the_job_for_the_next_printer() {
    let store = Store::open_in_memory().expect("store");
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let spooler = Spooler::default();
    fake.hang_up();
    *printer.config_mut() = quick();
    let started = Instant::now();
    let first = ticket(4);
    let (first_id, outcome) = spooler.print(&store, &mut printer, &first).expect("spool");
    assert_eq!(outcome, PrintOutcome::Queued(PrinterProblem::Offline));
    assert!(started.elapsed() <= quick().offline_after());
    let second = ticket(5);
    let (second_id, _) = spooler.print(&store, &mut printer, &second).expect("spool");
    assert_eq!(spooler.status(&store).expect("status").queued, 2);

    // The cable is plugged back in (a new port): both print, in queue order.
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let report = spooler.pump(&store, &mut printer).expect("pump");
    assert_eq!(report.printed, vec![first_id, second_id]);
    let received = fake.received();
    let (a, b) = (job_bytes(false, &first), job_bytes(false, &second));
    let pos = |needle: &[u8]| received.windows(needle.len()).position(|w| w == needle);
    assert!(pos(&a).expect("first printed") < pos(&b).expect("second printed"));
}

#[test]
fn paper_out_then_new_roll() {
    let store = Store::open_in_memory().expect("store");
    let mut fake = FakePrinter::start().expect("pty");
    fake.set_status(StatusBytes {
        printer: 0x1A,
        offline_cause: 0x32,
        error_cause: 0x12,
        paper: 0x7E,
    });
    let mut printer = connect(&mut fake);
    let spooler = Spooler::default();
    let (id, outcome) = spooler.print(&store, &mut printer, &ticket(6)).expect("spool");
    assert_eq!(outcome, PrintOutcome::Queued(PrinterProblem::PaperOut));
    assert!(spooler.status(&store).expect("status").last_error.expect("why").contains("paper-out"));
    fake.set_status(StatusBytes::HEALTHY);
    assert_eq!(spooler.pump(&store, &mut printer).expect("pump").printed, vec![id]);
}
