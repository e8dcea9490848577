//! End-to-end flows on Slint's testing backend: the real window, the demo ports, the simulated
//! reader and printer, hand-driven workers and Slint's mock clock (no sleeps).

use i_slint_backend_testing::ElementHandle;
use slint::{ComponentHandle, Model};

use super::demo::{self, BUDI, RINA, SITI, STRANGER};
use super::format::Language;
use super::harness::Harness;
use super::kiosk::{KioskRole, Settings};
use super::ports::{AuditEvent, PrinterCondition, QualityIssue};
use super::ui;

fn harness(role: KioskRole) -> Harness {
    i_slint_backend_testing::init_no_event_loop();
    let h = Harness::new(Settings { role, ..Settings::default() }).unwrap();
    h.step();
    h
}

/// Lets Slint instantiate the elements of a screen that just appeared (no time passes).
pub(super) fn settle() {
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::ZERO);
}

/// Presses the first visible element with this accessible label, as a finger would.
pub(super) fn press<D>(h: &Harness<D>, label: &str) {
    settle();
    let found: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(h.window(), label)
        .filter(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .collect();
    let el = found.first().unwrap_or_else(|| panic!("no button labelled {label:?}"));
    el.invoke_accessible_default_action();
}

pub(super) fn value_of<D>(h: &Harness<D>, label: &str) -> Option<String> {
    settle();
    ElementHandle::find_by_accessible_label(h.window(), label)
        .next()
        .and_then(|e| e.accessible_value())
        .map(|v| v.to_string())
}

pub(super) fn exists<D>(h: &Harness<D>, label: &str) -> bool {
    settle();
    ElementHandle::find_by_accessible_label(h.window(), label).next().is_some()
}

/// Types a PIN on the pad, presses "Masuk" and lets the worker check it.
pub(super) fn submit_pin<D>(h: &Harness<D>, pin: &str) {
    for d in pin.chars() {
        press(h, d.encode_utf8(&mut [0; 4]));
    }
    press(h, "Masuk");
    h.step();
}

pub(super) fn idle_left<D>(h: &Harness<D>) -> i32 {
    h.window().global::<ui::AppState>().get_idle_seconds_left()
}

#[test]
fn inmate_scan_shows_release_then_times_out_to_idle() {
    let h = harness(KioskRole::Block);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(exists(&h, "Tempelkan jari Anda"));

    h.demo.reader.place(BUDI);
    h.step();
    assert_eq!(h.screen(), ui::Screen::Scanning, "capture done, identification running");
    h.step();
    assert_eq!(h.screen(), ui::Screen::Inmate);
    assert_eq!(value_of(&h, "inmate-name").as_deref(), Some("Budi Santoso"));
    assert_eq!(value_of(&h, "release-date").as_deref(), Some("18 Maret 2027"));
    assert!(exists(&h, "perkiraan"), "projected remission labelled as an estimate");
    assert!(
        h.demo
            .audit
            .events()
            .contains(&AuditEvent::InmateViewed { viewer: BUDI.into(), inmate: BUDI.into() })
    );

    h.advance(20);
    assert_eq!(idle_left(&h), 10);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    // A touch restarts the countdown.
    h.window().global::<ui::AppState>().invoke_touched();
    assert_eq!(idle_left(&h), 30);
    h.advance(29);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    h.advance(1);
    assert_eq!(h.screen(), ui::Screen::Idle);
    let data = h.window().global::<ui::InmateAdapter>().get_inmate();
    assert!(data.name.is_empty(), "personal data cleared when leaving");

    // The capture loop runs again: the next person is recognised.
    h.scan(BUDI);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    press(&h, "Selesai");
    assert_eq!(h.screen(), ui::Screen::Idle);
}

#[test]
fn poor_press_shows_a_hint_and_does_not_count_as_failure() {
    let h = harness(KioskRole::Block);
    h.demo.reader.place_poor(QualityIssue::TooWet);
    h.step();
    assert_eq!(h.screen(), ui::Screen::Scanning);
    assert_eq!(h.window().global::<ui::ScanAdapter>().get_hint(), ui::QualityHint::TooWet);
    assert!(exists(&h, "quality-hint"));
    h.scan(BUDI);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    assert!(!h.demo.audit.events().iter().any(|e| matches!(e, AuditEvent::NotRecognised { .. })));
}

#[test]
fn family_checks_in_and_gets_a_ticket() {
    let h = harness(KioskRole::Lobby);
    assert!(exists(&h, "Keluarga: tempelkan jari Anda untuk melapor kunjungan"));
    h.scan(SITI);
    assert_eq!(h.screen(), ui::Screen::Family);
    let rows = h.window().global::<ui::FamilyAdapter>().get_inmates();
    assert_eq!(rows.row_count(), 2);
    assert_eq!(rows.row_data(0).unwrap().visit, ui::VisitState::Booked);

    press(&h, "Lihat informasi");
    assert_eq!(h.screen(), ui::Screen::Inmate);
    assert!(h.window().global::<ui::InmateAdapter>().get_limited());
    assert!(!exists(&h, "Perkara"), "no case details for family by default");
    assert_eq!(value_of(&h, "release-date").as_deref(), Some("18 Maret 2027"));
    assert!(
        h.demo
            .audit
            .events()
            .contains(&AuditEvent::InmateViewed { viewer: SITI.into(), inmate: BUDI.into() })
    );

    press(&h, "Lapor kunjungan");
    assert_eq!(h.screen(), ui::Screen::Ticket);
    assert_eq!(value_of(&h, "ticket-number").as_deref(), Some("A-007"));
    assert_eq!(h.window().global::<ui::TicketAdapter>().get_print(), ui::TicketPrint::Printing);
    h.step();
    assert_eq!(h.window().global::<ui::TicketAdapter>().get_print(), ui::TicketPrint::Printed);
    assert_eq!(h.demo.printer.printed(), vec!["A-007".to_string()]);
    assert!(h.demo.audit.events().iter().any(|e| matches!(e,
        AuditEvent::VisitCheckedIn { visitor, inmate, ticket }
            if visitor == SITI && inmate == BUDI && ticket == "A-007")));

    h.advance(30);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(h.window().global::<ui::TicketAdapter>().get_number().is_empty());
}

#[test]
fn failed_ticket_print_tells_to_show_the_number_then_printer_fault() {
    let h = harness(KioskRole::Lobby);
    h.scan(RINA);
    assert_eq!(h.screen(), ui::Screen::Family);
    h.demo.printer.set_condition(PrinterCondition::PaperOut);
    press(&h, "Lapor kunjungan");
    h.step();
    assert_eq!(h.window().global::<ui::TicketAdapter>().get_print(), ui::TicketPrint::Failed);
    assert!(exists(&h, "ticket-print-state"));
    press(&h, "Selesai");
    assert_eq!(h.screen(), ui::Screen::Fault);
    assert_eq!(h.window().global::<ui::FaultAdapter>().get_kind(), ui::FaultKind::PrinterAttention);
    assert_eq!(value_of(&h, "fault-reference").as_deref(), Some("A-007"));
    // Paper loaded: the next health check brings the lobby back.
    h.demo.printer.set_condition(PrinterCondition::Ok);
    h.advance(3);
    h.step();
    assert_eq!(h.screen(), ui::Screen::Idle);
}

#[test]
fn unknown_finger_three_times_locks_out() {
    let h = harness(KioskRole::Block);
    for attempt in 1..=2 {
        h.scan(STRANGER);
        assert_eq!(h.screen(), ui::Screen::NotRecognised);
        assert_eq!(h.window().global::<ui::NotRecognisedAdapter>().get_attempts(), attempt);
        assert!(!h.window().global::<ui::NotRecognisedAdapter>().get_locked());
        press(&h, if attempt == 1 { "Coba lagi" } else { "Pakai jari lain" });
        assert_eq!(h.screen(), ui::Screen::Idle);
    }
    h.scan(STRANGER);
    let nr = h.window().global::<ui::NotRecognisedAdapter>();
    assert!(nr.get_locked());
    assert!(h.demo.audit.events().contains(&AuditEvent::Lockout));
    // Retrying is disabled during the lockout; calling an officer is not.
    press(&h, "Coba lagi");
    assert_eq!(h.screen(), ui::Screen::NotRecognised);
    press(&h, "Panggil petugas");
    assert!(nr.get_officer_called());
    h.advance(59);
    assert_eq!(h.screen(), ui::Screen::NotRecognised);
    assert_eq!(nr.get_lockout_seconds_left(), 1);
    h.advance(1);
    assert_eq!(h.screen(), ui::Screen::Idle);
    h.scan(BUDI);
    assert_eq!(h.screen(), ui::Screen::Inmate, "usable again after the lockout");
}

#[test]
fn technician_pin_wrong_then_right_opens_diagnostics() {
    let h = harness(KioskRole::Block);
    press(&h, "technician");
    assert_eq!(h.screen(), ui::Screen::TechnicianPin);
    for d in ["1", "2", "3", "4"] {
        press(&h, d);
    }
    assert_eq!(value_of(&h, "pin-dots").as_deref(), Some("4"));
    press(&h, "Masuk");
    h.step();
    assert_eq!(h.screen(), ui::Screen::TechnicianPin);
    assert!(exists(&h, "pin-error"));
    assert!(h.demo.audit.events().contains(&AuditEvent::TechnicianPinRejected));

    submit_pin(&h, "123456");
    assert_eq!(h.screen(), ui::Screen::Diagnostics);
    assert!(h.demo.audit.events().contains(&AuditEvent::TechnicianLogin));
    let tech = h.window().global::<ui::TechnicianAdapter>();
    assert!(tech.get_reader_name().contains("Simulated"));
    assert!(tech.get_store_ok());
    h.step();
    assert_eq!(tech.get_printer(), ui::PrinterState::Ok);

    press(&h, "Tes cetak");
    h.step();
    assert_eq!(tech.get_test_print_result(), "ok");
    assert!(h.demo.printer.printed().contains(&"TES PRINTER".to_string()));

    press(&h, "Ambil gambar");
    h.demo.reader.place(SITI);
    h.step();
    assert_eq!(tech.get_live_quality(), 82);
    assert_eq!(tech.get_live_image().size().width, 160);

    press(&h, "Keluar");
    assert_eq!(h.screen(), ui::Screen::Idle);
}

#[test]
fn technician_pin_locks_after_repeated_failures() {
    let h = harness(KioskRole::Block);
    press(&h, "technician");
    for _ in 0..5 {
        submit_pin(&h, "9");
    }
    let tech = h.window().global::<ui::TechnicianAdapter>();
    assert!(tech.get_pin_locked());
    submit_pin(&h, "123456");
    assert_eq!(h.screen(), ui::Screen::TechnicianPin, "right PIN refused while locked");
}

#[test]
fn reader_unplugged_shows_fault_and_recovers() {
    let h = harness(KioskRole::Block);
    h.demo.reader.set_connected(false);
    h.step();
    assert_eq!(h.screen(), ui::Screen::Fault);
    assert_eq!(h.window().global::<ui::FaultAdapter>().get_kind(), ui::FaultKind::ReaderUnplugged);
    assert!(exists(&h, "fault-title"));
    h.advance(3);
    assert_eq!(h.screen(), ui::Screen::Fault, "still unplugged");
    h.demo.reader.set_connected(true);
    h.advance(3);
    assert_eq!(h.screen(), ui::Screen::Idle);
    h.scan(BUDI);
    assert_eq!(h.screen(), ui::Screen::Inmate);
}

#[test]
fn store_damage_and_out_of_service_wait_for_the_person_to_finish() {
    let h = harness(KioskRole::Block);
    h.scan(BUDI);
    h.demo.facts.set_damaged(true);
    h.advance(3);
    assert_eq!(h.screen(), ui::Screen::Inmate, "a fault never interrupts a person");
    press(&h, "Selesai");
    assert_eq!(h.screen(), ui::Screen::Fault);
    assert_eq!(h.window().global::<ui::FaultAdapter>().get_kind(), ui::FaultKind::StoreDamaged);
    h.demo.facts.set_damaged(false);
    h.demo.facts.set_out_of_service(true);
    h.advance(3);
    assert_eq!(h.window().global::<ui::FaultAdapter>().get_kind(), ui::FaultKind::OutOfService);
    h.demo.facts.set_out_of_service(false);
    h.advance(3);
    assert_eq!(h.screen(), ui::Screen::Idle);
}

#[test]
fn language_switch_translates_text_and_dates() {
    let h = harness(KioskRole::Block);
    press(&h, "English");
    assert_eq!(h.window().global::<ui::AppState>().get_language(), "en");
    assert!(exists(&h, "Place your finger"));
    assert!(!exists(&h, "Tempelkan jari Anda"));
    h.scan(BUDI);
    assert_eq!(value_of(&h, "release-date").as_deref(), Some("18 March 2027"));
    assert!(exists(&h, "Done"));
    assert!(exists(&h, "estimate"));
    // Switching back while the screen is up formats the same data again.
    h.window().global::<ui::AppState>().invoke_set_language("id".into());
    assert_eq!(value_of(&h, "release-date").as_deref(), Some("18 Maret 2027"));
    assert!(exists(&h, "Selesai"));
}

#[test]
fn display_role_shows_now_serving() {
    let h = harness(KioskRole::Display);
    assert_eq!(h.screen(), ui::Screen::Display);
    assert_eq!(value_of(&h, "serving-number").as_deref(), Some("A-005"));
    // The display never captures.
    assert_eq!(h.executor.pending(), 0);
}

#[test]
fn english_is_selectable_from_settings() {
    i_slint_backend_testing::init_no_event_loop();
    let h = Harness::new(Settings {
        language: Language::English,
        role: KioskRole::Lobby,
        ..Settings::default()
    })
    .unwrap();
    assert!(exists(&h, "Family: place your finger to check in for a visit"));
    let _ = demo::demo_now();
}
