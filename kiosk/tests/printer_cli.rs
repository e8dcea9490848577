//! `kiosk printer status` and `kiosk printer test` against a fake printer on a pty.

use std::process::{Command, Output};
use std::time::Duration;

use drivers::printer::StatusBytes;
use drivers::printer::fake::FakePrinter;

fn kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk")).args(args).output().expect("run kiosk")
}

fn status_of(replies: Option<StatusBytes>) -> (String, i32) {
    let fake = FakePrinter::start().expect("pty");
    if let Some(replies) = replies {
        fake.set_status(replies);
    }
    let out = kiosk(&["printer", "status", "--port", fake.path(), "--baud", "38400"]);
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

fn bytes(b: [u8; 4]) -> StatusBytes {
    StatusBytes { printer: b[0], offline_cause: b[1], error_cause: b[2], paper: b[3] }
}

#[test]
fn status_words_and_exit_codes() {
    assert_eq!(status_of(None), ("ok\n".to_string(), 0));
    assert_eq!(status_of(Some(bytes([0x1A, 0x32, 0x12, 0x7E]))), ("paper-out\n".to_string(), 1));
    assert_eq!(
        status_of(Some(bytes([0x12, 0x12, 0x12, 0x1E]))),
        ("paper-near-end\n".to_string(), 1)
    );
    assert_eq!(
        status_of(Some(bytes([0x1A, 0x16, 0x12, 0x1E]))),
        ("paper-near-end\ncover-open\n".to_string(), 1)
    );
}

#[test]
fn missing_port_is_offline() {
    let out = kiosk(&["printer", "status", "--port", "/nonexistent/ttyUSB9"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "offline\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn test_ticket_goes_out_with_both_codes() {
    let fake = FakePrinter::start().expect("pty");
    let out = kiosk(&["printer", "test", "--port", fake.path()]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(fake.wait_for(Duration::from_secs(2), |rx| rx.ends_with(&[16, 4, 4])));
    let rx = fake.received();
    let has = |needle: &[u8]| rx.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"TES PRINTER"));
    // CODE128 with the {B selector counted in n, and the QR store command.
    assert!(has(b"\x1d\x6b\x49\x0c{BKIOSK-TEST"));
    assert!(has(b"\x1d\x28\x6b\x0d\x00\x31\x50\x30KIOSK-TEST"));
    assert!(has(&[0x1D, 0x56, 0x42, 0x03]));
}

#[test]
fn test_ticket_refused_when_cover_open() {
    let fake = FakePrinter::start().expect("pty");
    fake.set_status(bytes([0x1A, 0x16, 0x12, 0x12]));
    let out = kiosk(&["printer", "test", "--port", fake.path()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cover-open\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(!fake.received().windows(11).any(|w| w == b"TES PRINTER"));
}
