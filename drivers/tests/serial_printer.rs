//! SerialPrinter against a fake printer on the other end of a pty.

use std::time::{Duration, Instant};

use drivers::printer::fake::{FakePrinter, patient_config as patient, quick_config as quick};
use drivers::printer::{
    Align, Bitmap, Document, Encoder, Fault, Printer, PrinterError, SerialPrinter, StatusBytes,
    TextStyle,
};
use serialport::SerialPort;

fn connect(fake: &mut FakePrinter) -> SerialPrinter {
    SerialPrinter::from_port(fake.take_port().expect("port"), patient()).expect("printer")
}

fn bytes(b: [u8; 4]) -> StatusBytes {
    StatusBytes { printer: b[0], offline_cause: b[1], error_cause: b[2], paper: b[3] }
}

fn ticket() -> Document {
    let mut doc = Document::new();
    doc.text("NOMOR 12", TextStyle { align: Align::Centre, ..TextStyle::default() })
        .line("Budi Santoso")
        .feed(2)
        .cut();
    doc
}

/// A document with a raster image of `rows` rows whose data contains `10 04 01` sequences, as
/// real image data can.
fn image_ticket(rows: u32) -> Document {
    let mut bitmap = Bitmap::new(576, rows);
    for y in 0..rows {
        for x in 0..576 {
            // Row pattern 0x10 0x04 0x01 ... repeated: the printer will "answer" inside the data.
            let byte = [0x10u8, 0x04, 0x01][(x / 8 % 3) as usize];
            bitmap.set(x, y, byte & (0x80 >> (x % 8)) != 0);
        }
    }
    let mut doc = ticket();
    doc.image(bitmap, Align::Left).cut();
    doc
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn normal_print_delivers_every_byte() {
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let doc = image_ticket(40);
    printer.print(&doc).expect("print");
    let expected = Encoder::encode(&doc).expect("encode");
    assert!(fake.wait_for(Duration::from_secs(2), |rx| contains(rx, &expected)));
    let received = fake.received();
    // Status before and after: 4 queries each around the job.
    assert_eq!(&received[..12], &[16, 4, 1, 16, 4, 2, 16, 4, 3, 16, 4, 4]);
    assert_eq!(&received[12..12 + expected.len()], &expected[..]);
}

fn status_words(replies: [u8; 4]) -> Vec<Fault> {
    let mut fake = FakePrinter::start().expect("pty");
    fake.set_status(bytes(replies));
    let mut printer = connect(&mut fake);
    printer.status().expect("status").faults().to_vec()
}

#[test]
fn status_ok_paper_out_near_end_cover_open() {
    assert_eq!(status_words([0x12, 0x12, 0x12, 0x12]), vec![]);
    assert_eq!(status_words([0x1A, 0x32, 0x12, 0x7E]), vec![Fault::PaperOut]);
    assert_eq!(status_words([0x12, 0x12, 0x12, 0x1E]), vec![Fault::PaperNearEnd]);
    assert_eq!(status_words([0x1A, 0x16, 0x12, 0x12]), vec![Fault::CoverOpen]);
    assert_eq!(status_words([0x1A, 0x52, 0x1A, 0x12]), vec![Fault::CutterError]);
    assert_eq!(status_words([0x1A, 0x12, 0x12, 0x12]), vec![Fault::Offline]);
}

/// Puts bytes into the host's input buffer before the printer object exists, and waits until
/// the kernel has delivered them, so the query really finds them waiting.
fn connect_with_stale(fake: &mut FakePrinter, stale: &[u8]) -> SerialPrinter {
    let port = fake.take_port().expect("port");
    fake.send_unsolicited(stale).expect("stale bytes");
    let deadline = Instant::now() + Duration::from_secs(2);
    while port.bytes_to_read().expect("bytes_to_read") < stale.len() as u32 {
        assert!(Instant::now() < deadline, "stale bytes never arrived");
        std::thread::sleep(Duration::from_millis(1));
    }
    SerialPrinter::from_port(port, patient()).expect("printer")
}

#[test]
fn stale_status_block_in_the_buffer_is_not_the_answer() {
    // Healthy printer, but the buffer still holds an old paper-out answer and an automatic
    // status block: a driver that does not clear first would report paper out.
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer =
        connect_with_stale(&mut fake, &[0x1A, 0x32, 0x12, 0x7E, 0x18, 0x0C, 0x00, 0x0F]);
    assert!(printer.status().expect("status").is_ok());

    // And the other way round: an old healthy answer waiting while the paper is now out.
    let mut fake = FakePrinter::start().expect("pty");
    fake.set_status(bytes([0x1A, 0x32, 0x12, 0x7E]));
    let mut printer = connect_with_stale(&mut fake, &[0x12, 0x12, 0x12, 0x12]);
    assert_eq!(printer.status().expect("status").faults(), &[Fault::PaperOut]);
}

#[test]
fn xon_xoff_and_automatic_status_are_skipped() {
    let mut fake = FakePrinter::start().expect("pty");
    // XON, XOFF, an automatic status block whose later bytes are not replies, line garbage.
    fake.set_noise(&[0x11, 0x13, 0x10, 0x00, 0x00, 0x00, 0xFF, 0x00]);
    fake.set_status(bytes([0x12, 0x12, 0x12, 0x1E]));
    let mut printer = connect(&mut fake);
    assert_eq!(printer.status().expect("status").faults(), &[Fault::PaperNearEnd]);
}

#[test]
fn replies_inside_image_data_are_drained() {
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    // ~14 KB of image data full of `10 04 01`: the fake answers each, the driver must not be
    // confused by those answers when it asks for status after the job.
    let doc = image_ticket(200);
    printer.print(&doc).expect("print");
    // The fake has read the whole job and the closing queries (its answers are on the way).
    let job = Encoder::encode(&doc).expect("encode");
    assert!(fake.wait_for(Duration::from_secs(3), |rx| rx.len() >= 24 + job.len()));
    fake.set_status(bytes([0x1A, 0x16, 0x12, 0x12]));
    assert_eq!(printer.status().expect("status").faults(), &[Fault::CoverOpen]);
}

#[test]
fn paper_out_refuses_to_print() {
    let mut fake = FakePrinter::start().expect("pty");
    fake.set_status(bytes([0x1A, 0x32, 0x12, 0x7E]));
    let mut printer = connect(&mut fake);
    match printer.print(&ticket()) {
        Err(PrinterError::NotReady(status)) => assert_eq!(status.faults(), &[Fault::PaperOut]),
        other => panic!("expected NotReady, got {other:?}"),
    }
    // Nothing but status queries went out.
    assert!(fake.received().chunks(3).all(|q| q[0] == 0x10 && q[1] == 0x04));
}

#[test]
fn stalled_printer_is_offline_within_the_timeout() {
    let mut fake = FakePrinter::start().expect("pty");
    fake.stall();
    let mut printer = connect(&mut fake);
    *printer.config_mut() = quick();
    let started = Instant::now();
    assert_eq!(printer.status().expect("status").faults(), &[Fault::Offline]);
    let took = started.elapsed();
    assert!(took <= quick().offline_after(), "took {took:?}");
    assert!(took >= quick().reply_timeout, "gave up too early: {took:?}");
}

#[test]
fn printer_that_stops_reading_mid_job_is_offline() {
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    // Answers the 4 status queries, then reads only 1 KB of the ~43 KB job.
    fake.stall_after(12 + 1024);
    *printer.config_mut() = quick();
    let started = Instant::now();
    match printer.print(&image_ticket(600)) {
        Err(PrinterError::Offline(reason)) => assert!(reason.contains("write"), "{reason}"),
        other => panic!("expected Offline, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    // The printer comes back: it reads the rest and answers again.
    fake.resume();
    *printer.config_mut() = patient();
    assert!(printer.status().expect("status").is_ok());
    printer.print(&ticket()).expect("prints after recovery");
}

#[test]
fn hang_up_is_offline_quickly() {
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    assert!(printer.status().expect("status").is_ok());
    fake.hang_up();
    *printer.config_mut() = quick();
    let started = Instant::now();
    assert_eq!(printer.status().expect("status").faults(), &[Fault::Offline]);
    assert!(matches!(printer.print(&ticket()), Err(PrinterError::Offline(_))));
    assert!(started.elapsed() <= quick().offline_after());
}

#[test]
fn open_by_path() {
    let mut fake = FakePrinter::start().expect("pty");
    let path = fake.path().to_string();
    drop(fake.take_port());
    let mut printer = SerialPrinter::open(&path, patient()).expect("open by path");
    fake.set_status(bytes([0x12, 0x12, 0x12, 0x1E]));
    assert_eq!(printer.status().expect("status").faults(), &[Fault::PaperNearEnd]);
    assert!(matches!(
        SerialPrinter::open("/nonexistent/tty", quick()),
        Err(PrinterError::Open { .. })
    ));
}

#[test]
fn a_lost_reply_is_retried_after_a_backoff() {
    let mut fake = FakePrinter::start().expect("pty");
    let mut printer = connect(&mut fake);
    let mut config = quick();
    config.retries = 2;
    config.backoff = Duration::from_millis(30);
    *printer.config_mut() = config.clone();
    fake.ignore_queries(1);
    let started = Instant::now();
    assert!(printer.status().expect("status").is_ok());
    // One reply timeout plus the first backoff went by before the retry succeeded.
    assert!(started.elapsed() >= config.reply_timeout + config.backoff);
    // Two lost replies in a row: still ok with two retries, the second pause doubled.
    fake.ignore_queries(2);
    assert!(printer.status().expect("status").is_ok());
    // More than the retries allow: offline.
    fake.ignore_queries(3);
    assert_eq!(printer.status().expect("status").faults(), &[Fault::Offline]);
}
