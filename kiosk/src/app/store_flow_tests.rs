//! The flows end to end on the demo store: Slint's testing backend, the production ports
//! (1:N identification against enrolled synthetic fingers, release dates from the sentence
//! computation, check-in and the queue, the print spooler, the audit log, diagnostics), the
//! simulated reader and printer, hand-driven workers and Slint's mock clock.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use slint::{ComponentHandle, Model};

use super::flow_tests::{exists, idle_left, press, submit_pin, value_of};
use super::format::{self, Language};
use super::harness::Harness;
use super::kiosk::{KioskRole, Settings};
use super::ports::{Records, Visits, WalkIn};
use super::real_ports::{self, StoreRecords, StoreVisits};
use super::simulated::{InjectedFault, SimulatedDevices};
use super::ui;
use crate::demo::{self as demo_store, DemoOptions};
use crate::identify::IdentifySettings;
use crate::sentence::SentenceSettings;
use crate::store::Store;
use crate::store::audit::{AuditEvent as Event, AuditOutcome};
use crate::store::persons::BookingStatus;
use crate::visits::queue::Terminal;
use crate::visits::rules::VisitRules;

/// A Thursday: a visiting day for narapidana and tahanan alike.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

/// The prepared demo store every test copies, and who is enrolled in it.
struct World {
    _dir: tempfile::TempDir,
    store: PathBuf,
    /// An enrolled narapidana with a release date.
    inmate: String,
    /// An enrolled visitor with a booking today that passes the visit rules at `check_in_at`.
    visitor: String,
    booked_inmate: String,
    check_in_at: NaiveDateTime,
    /// An enrolled visitor without a booking today whose walk-in to `walk_in_inmate` passes
    /// the visit rules in the morning.
    walk_in_visitor: String,
    walk_in_inmate: String,
}

/// Builds the world once per test process: a small demo store (the same generator as
/// `kiosk demo`) with synthetic fingers enrolled through the real enrolment checks.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let store_path = dir.path().join("demo.sqlite");
        let options = DemoOptions {
            inmates: 16,
            visitors: 20,
            bookings: 16,
            ..DemoOptions::standard(today())
        };
        demo_store::prepare(&store_path, &options).expect("demo store");

        // A booking that checks in: tried on a scratch copy, 20 minutes before its session.
        let rules = VisitRules::default();
        let scratch = dir.path().join("scratch.sqlite");
        std::fs::copy(&store_path, &scratch).expect("copy");
        let store = Store::open(&store_path).expect("open");
        let visits = StoreVisits::new(
            Store::open(&scratch).expect("open scratch"),
            demo_store::FACILITY_ID,
            Terminal { id: "SCRATCH".into(), slot: 9 },
            rules.clone(),
            crate::config::TimeZone::Makassar.offset(),
        );
        let bookings = store.bookings_on(demo_store::FACILITY_ID, today()).expect("bookings");
        let (booking, check_in_at) = bookings
            .iter()
            .filter(|b| b.status == BookingStatus::Booked)
            .find_map(|b| {
                let session = rules.sessions.iter().find(|s| s.code == b.session)?;
                let at = today().and_time(session.starts) - chrono::Duration::minutes(20);
                visits.check_in(&b.visitor_id, &b.inmate_id, None, at).ok().map(|_| (b.clone(), at))
            })
            .expect("a demo booking that passes the visit rules");
        // A walk-in that passes: no booking today, another inmate than the booked one.
        let booked = store.bookings_on(demo_store::FACILITY_ID, today()).expect("bookings");
        let walk_in = WalkIn { session: "S1".into(), group_size: 3 };
        let (walk_in_visitor, walk_in_inmate) = store
            .inmates(demo_store::FACILITY_ID)
            .expect("inmates")
            .iter()
            .filter(|i| i.person.id != booking.inmate_id)
            .flat_map(|i| store.linked_visitors(&i.person.id).expect("links"))
            .map(|(link, _)| (link.visitor_id, link.inmate_id))
            .find(|(v, i)| {
                !booked.iter().any(|b| &b.visitor_id == v)
                    && visits.check_in(v, i, Some(&walk_in), morning()).is_ok()
            })
            .expect("a demo walk-in that passes the visit rules");

        let records = StoreRecords::new(
            Store::open(&store_path).expect("open"),
            SentenceSettings::default(),
            rules,
        );
        let settings = IdentifySettings::default();
        let enrol = |id: &str| {
            real_ports::enrol_synthetic_fingers(&store, "TEST", &[id.to_string()], &settings).len()
                == 1
        };
        assert!(enrol(&booking.visitor_id), "visitor {} not enrolled", booking.visitor_id);
        assert!(enrol(&walk_in_visitor), "visitor {walk_in_visitor} not enrolled");
        let inmates = store.inmates(demo_store::FACILITY_ID).expect("inmates");
        let inmate = inmates
            .iter()
            .map(|i| i.person.id.clone())
            .filter(|id| *id != booking.inmate_id && *id != walk_in_inmate)
            .find(|id| records.release_view(id, today()).is_ok() && enrol(id))
            .expect("an enrolled inmate with a release date");
        // One more enrolled person, so identification has a choice to make.
        let other = inmates.iter().rev().map(|i| i.person.id.clone()).find(|id| *id != inmate);
        if let Some(other) = other {
            enrol(&other);
        }
        drop(store);
        World {
            _dir: dir,
            store: store_path,
            inmate,
            visitor: booking.visitor_id,
            booked_inmate: booking.inmate_id,
            check_in_at,
            walk_in_visitor,
            walk_in_inmate,
        }
    })
}

/// A kiosk on a private copy of the world's store.
struct Kiosk {
    h: Harness<SimulatedDevices>,
    _dir: tempfile::TempDir,
    store: PathBuf,
}

impl Kiosk {
    fn start(role: KioskRole, now: NaiveDateTime) -> Kiosk {
        let w = world();
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("kiosk.sqlite");
        std::fs::copy(&w.store, &store).expect("copy store");
        i_slint_backend_testing::init_no_event_loop();
        let h = Harness::on_store(
            &store,
            &dir.path().join("tickets"),
            now,
            Settings {
                role,
                facility_name: demo_store::FACILITY_NAME.into(),
                ..Settings::default()
            },
        )
        .expect("kiosk on the demo store");
        h.step();
        Kiosk { h, _dir: dir, store }
    }

    fn store(&self) -> Store {
        Store::open(&self.store).expect("open kiosk store")
    }

    fn audit(&self) -> Vec<(Event, AuditOutcome, Option<String>)> {
        self.store()
            .recent_audit(100)
            .expect("audit")
            .into_iter()
            .map(|r| (r.event, r.outcome, r.person_id))
            .collect()
    }
}

fn morning() -> NaiveDateTime {
    today().and_hms_opt(9, 30, 0).expect("time")
}

#[test]
fn inmate_finger_shows_the_stores_release_date_then_times_out() {
    let w = world();
    let k = Kiosk::start(KioskRole::Block, morning());
    let h = &k.h;
    assert_eq!(h.screen(), ui::Screen::Idle);

    h.scan(&w.inmate);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    // The same figures as the sentence computation on the register.
    let view = StoreRecords::new(k.store(), SentenceSettings::default(), VisitRules::default())
        .release_view(&w.inmate, today())
        .expect("release view");
    assert_eq!(value_of(h, "inmate-name"), Some(view.name.clone()));
    assert_eq!(value_of(h, "release-date"), Some(format::date(view.release, Language::Indonesian)),);
    assert!(
        k.audit().iter().any(|(e, o, p)| *e == Event::View
            && *o == AuditOutcome::Accepted
            && p.as_deref() == Some(w.inmate.as_str())),
        "the view is in the store's audit log"
    );

    h.advance(29);
    assert_eq!(idle_left(h), 1);
    assert_eq!(h.screen(), ui::Screen::Inmate);
    h.advance(1);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(h.window().global::<ui::InmateAdapter>().get_inmate().name.is_empty());
}

#[test]
fn visitor_finger_to_printed_ticket_in_at_most_four_touches() {
    let w = world();
    let k = Kiosk::start(KioskRole::Lobby, w.check_in_at);
    let h = &k.h;
    let mut touches = 0;

    h.scan(&w.visitor);
    assert_eq!(h.screen(), ui::Screen::Family);
    let rows = h.window().global::<ui::FamilyAdapter>().get_inmates();
    let booked = (0..rows.row_count())
        .filter_map(|i| rows.row_data(i))
        .find(|r| r.visit == ui::VisitState::Booked)
        .expect("the booking shows on the family screen");

    // The inmate's information on the way: limited fields for a family member.
    press(h, "Lihat informasi");
    touches += 1;
    assert_eq!(h.screen(), ui::Screen::Inmate);
    assert!(h.window().global::<ui::InmateAdapter>().get_limited());
    assert!(!exists(h, "Perkara"), "no case details for family by default");

    let number = last_touch_prints_a_ticket(h, "Lapor kunjungan", touches);

    // The queue row of this terminal (slot 1), for the booked inmate and this visitor.
    let store = k.store();
    let tickets = store.queue_tickets(demo_store::FACILITY_ID, today()).expect("tickets");
    let row = tickets
        .iter()
        .find(|t| crate::visits::queue::number_text(t.service, t.number) == number)
        .expect("the number on screen is the store's");
    assert_eq!(row.terminal_slot, 1);
    assert_eq!(row.visitor_id.as_deref(), Some(w.visitor.as_str()));
    assert_eq!(row.inmate_id.as_deref(), Some(w.booked_inmate.as_str()));
    let visitor_name = store.person(&w.visitor).expect("person").expect("visitor").full_name;
    let inmate_name = store.person(&w.booked_inmate).expect("person").expect("inmate").full_name;
    assert_eq!(booked.name.as_str(), inmate_name);

    // Printed on the simulated printer: the spooled job names both people and the number.
    let printed = h.demo.printed_tickets();
    assert_eq!(printed.len(), 1, "{printed:?}");
    let paper = image::open(&printed[0]).expect("ticket image").to_luma8();
    assert!(paper.height() > 200, "a ticket, not a blank strip");
    let job = printed_job(&store);
    assert_eq!(job.display_number(), number);
    assert_eq!(job.visitor_name, visitor_name);
    assert_eq!(job.inmate_name, inmate_name);
    assert!(
        k.audit()
            .iter()
            .any(|(e, _, p)| *e == Event::CheckIn && p.as_deref() == Some(w.visitor.as_str()))
    );

    // The same visitor again: the booking is used, no second ticket.
    h.advance(30);
    assert_eq!(h.screen(), ui::Screen::Idle);
    h.scan(&w.visitor);
    let rows = h.window().global::<ui::FamilyAdapter>().get_inmates();
    assert!(
        (0..rows.row_count())
            .filter_map(|i| rows.row_data(i))
            .any(|r| r.visit == ui::VisitState::CheckedIn)
    );
}

#[test]
fn unknown_finger_is_not_recognised_then_locks_out() {
    let w = world();
    let k = Kiosk::start(KioskRole::Block, morning());
    let h = &k.h;
    for attempt in 1..=2 {
        h.scan_unknown();
        assert_eq!(h.screen(), ui::Screen::NotRecognised, "attempt {attempt}");
        assert_eq!(h.window().global::<ui::NotRecognisedAdapter>().get_attempts(), attempt);
        press(h, "Coba lagi");
        assert_eq!(h.screen(), ui::Screen::Idle);
    }
    h.scan_unknown();
    let nr = h.window().global::<ui::NotRecognisedAdapter>();
    assert!(nr.get_locked());
    let audit = k.audit();
    let rejected = audit
        .iter()
        .filter(|(e, o, _)| *e == Event::Identify && *o == AuditOutcome::Rejected)
        .count();
    assert!(rejected >= 3, "every failed attempt and the lockout audited: {audit:?}");
    h.advance(60);
    assert_eq!(h.screen(), ui::Screen::Idle);
    h.scan(&w.inmate);
    assert_eq!(h.screen(), ui::Screen::Inmate, "usable again after the lockout");
}

#[test]
fn technician_pin_wrong_then_right_shows_the_stores_diagnostics() {
    let k = Kiosk::start(KioskRole::Block, morning());
    let h = &k.h;
    press(h, "technician");
    submit_pin(h, "1234");
    assert_eq!(h.screen(), ui::Screen::TechnicianPin);
    assert!(exists(h, "pin-error"));
    submit_pin(h, "123456");
    assert_eq!(h.screen(), ui::Screen::Diagnostics);
    let tech = h.window().global::<ui::TechnicianAdapter>();
    assert!(tech.get_reader_name().contains("Simulated"));
    assert!(tech.get_store_ok());
    let persons = k.store().counts().expect("counts");
    let facts: Vec<(String, String)> = (0..tech.get_store_counts().row_count())
        .filter_map(|i| tech.get_store_counts().row_data(i))
        .map(|f| (f.label.to_string(), f.value.to_string()))
        .collect();
    for (table, n) in persons.iter().filter(|(_, n)| *n > 0) {
        assert!(
            facts.iter().any(|(l, v)| l == table && *v == n.to_string()),
            "{table}={n} not in {facts:?}"
        );
    }
    let pins: Vec<AuditOutcome> =
        k.audit().into_iter().filter(|(e, _, _)| *e == Event::Pin).map(|(_, o, _)| o).collect();
    assert_eq!(pins, vec![AuditOutcome::Accepted, AuditOutcome::Rejected], "newest first");

    press(h, "Tes cetak");
    h.step();
    assert_eq!(tech.get_test_print_result(), "ok");
    assert_eq!(h.demo.printed_tickets().len(), 1);
}

#[test]
fn reader_unplugged_shows_the_fault_and_recovers() {
    let w = world();
    let k = Kiosk::start(KioskRole::Block, morning());
    let h = &k.h;
    h.demo.inject(InjectedFault::ReaderUnplugged);
    h.step();
    h.advance(3);
    assert_eq!(h.screen(), ui::Screen::Fault);
    assert_eq!(h.window().global::<ui::FaultAdapter>().get_kind(), ui::FaultKind::ReaderUnplugged);
    h.demo.inject(InjectedFault::ReaderReplugged);
    h.advance(3);
    h.step();
    assert_eq!(h.screen(), ui::Screen::Idle);
    h.scan(&w.inmate);
    assert_eq!(h.screen(), ui::Screen::Inmate);
}

#[test]
fn world_store_is_the_demo_generator_output() {
    // Guards the fixture itself: the tests above run on the demo generator's store.
    let w = world();
    let store = Store::open(Path::new(&w.store)).expect("open");
    assert!(store.inmates(demo_store::FACILITY_ID).expect("inmates").len() >= 16);
    assert!(store.fingerprints().map(|t| t.len()).unwrap_or(0) >= 2);
}

/// Types `text` on the on-screen keyboard, one key press per character (shift for capitals).
/// Presses `button`, the touch after `touches` others, and checks that it shows and prints a
/// ticket within four touches of the finger. Returns the number on screen.
fn last_touch_prints_a_ticket(h: &Harness<SimulatedDevices>, button: &str, touches: u32) -> String {
    press(h, button);
    let touches = touches + 1;
    assert_eq!(h.screen(), ui::Screen::Ticket);
    let number = value_of(h, "ticket-number").expect("number on screen");
    h.step();
    assert_eq!(h.window().global::<ui::TicketAdapter>().get_print(), ui::TicketPrint::Printed);
    assert!(touches <= 4, "{touches} touches from finger to ticket");
    number
}

/// The family screen's row of the inmate called `name`, with its index.
fn family_row(h: &Harness<SimulatedDevices>, name: &str) -> Option<(usize, ui::LinkedInmate)> {
    let rows = h.window().global::<ui::FamilyAdapter>().get_inmates();
    (0..rows.row_count())
        .filter_map(|i| rows.row_data(i).map(|r| (i, r)))
        .find(|(_, r)| r.name.as_str() == name)
}

/// The printed queue ticket's job, parsed from the spooler's store row.
fn printed_job(store: &Store) -> crate::tickets::QueueTicketPrint {
    let payload: String = store
        .conn()
        .query_row(
            "SELECT payload FROM print_job WHERE kind = 'queue_ticket' AND status = 'printed'",
            [],
            |r| r.get(0),
        )
        .expect("printed job");
    serde_json::from_str(&payload).expect("payload json")
}

#[test]
fn visitor_without_booking_registers_a_walk_in_and_gets_a_ticket_in_three_touches() {
    let w = world();
    let k = Kiosk::start(KioskRole::Lobby, morning());
    let h = &k.h;
    let mut touches = 0;

    h.scan(&w.walk_in_visitor);
    assert_eq!(h.screen(), ui::Screen::Family);
    let store = k.store();
    let inmate_name = store.person(&w.walk_in_inmate).expect("person").expect("inmate").full_name;
    let (index, row) = family_row(h, &inmate_name).expect("the inmate is on the family screen");
    assert_eq!(row.visit, ui::VisitState::NoBooking);
    assert!(row.walk_in, "a walk-in is offered");
    assert!(!exists(h, "Lapor kunjungan"), "nothing booked to report");

    // That inmate's "Daftar kunjungan sekarang" (the visitor may have several linked inmates).
    h.window().global::<ui::FamilyAdapter>().invoke_walk_in(index as i32);
    touches += 1;
    assert_eq!(h.screen(), ui::Screen::WalkIn);
    let a = h.window().global::<ui::WalkInAdapter>();
    assert_eq!(a.get_inmate_name().as_str(), inmate_name);
    // 09:30: both sessions still take registrations; the morning one is chosen.
    let sessions: Vec<String> = (0..a.get_sessions().row_count())
        .filter_map(|i| a.get_sessions().row_data(i))
        .map(|s| s.code.to_string())
        .collect();
    assert_eq!(sessions, ["S1", "S2"]);
    assert_eq!((a.get_session(), a.get_group_size(), a.get_max_group_size()), (0, 1, 5));

    press(h, "3 orang");
    touches += 1;
    assert_eq!(a.get_group_size(), 3);
    let number = last_touch_prints_a_ticket(h, "Ambil nomor antrean", touches);

    // The store: a walk-in booking, checked in, with the group size chosen on screen, and the
    // ticket of this terminal for it.
    let bookings = store.bookings_for_visitor(&w.walk_in_visitor, today()).expect("bookings");
    let booking = bookings.iter().find(|b| b.inmate_id == w.walk_in_inmate).expect("booking");
    assert_eq!(booking.source, crate::store::persons::BookingSource::WalkIn);
    assert_eq!((booking.status, booking.group_size), (BookingStatus::CheckedIn, 3));
    assert_eq!(booking.session, "S1");
    let tickets = store.queue_tickets(demo_store::FACILITY_ID, today()).expect("tickets");
    let ticket = tickets
        .iter()
        .find(|t| crate::visits::queue::number_text(t.service, t.number) == number)
        .expect("the number on screen is the store's");
    assert_eq!((ticket.terminal_slot, ticket.group_size), (1, Some(3)));
    let job = printed_job(&store);
    assert_eq!(job.display_number(), number);
    assert_eq!(job.inmate_name, inmate_name);

    // Back to the family screen later: the visit is reported, no second walk-in offered.
    h.advance(30);
    h.scan(&w.walk_in_visitor);
    let (_, row) = family_row(h, &inmate_name).expect("row");
    assert_eq!(row.visit, ui::VisitState::CheckedIn);
    assert!(!row.walk_in);
}

#[test]
fn a_refused_walk_in_says_why_in_the_screens_language_and_stores_nothing() {
    let w = world();
    let k = Kiosk::start(KioskRole::Lobby, morning());
    let h = &k.h;
    // The visitor's e-KTP number is not on record (yet): the rules need it.
    k.store()
        .conn()
        .execute("UPDATE person SET nik = NULL WHERE id = ?1", [&w.walk_in_visitor])
        .expect("clear nik");

    h.scan(&w.walk_in_visitor);
    let inmate_name =
        k.store().person(&w.walk_in_inmate).expect("person").expect("inmate").full_name;
    let (index, _) = family_row(h, &inmate_name).expect("the inmate is on the family screen");
    h.window().global::<ui::FamilyAdapter>().invoke_walk_in(index as i32);
    press(h, "Ambil nomor antrean");
    assert_eq!(h.screen(), ui::Screen::WalkIn, "the visitor stays where they acted");
    assert_eq!(
        value_of(h, "walk-in-problem").as_deref(),
        Some("NIK e-KTP belum tercatat. Silakan tunjukkan e-KTP ke petugas.")
    );
    h.window().global::<ui::AppState>().invoke_set_language("en".into());
    let english = value_of(h, "walk-in-problem").expect("problem in English");
    assert!(english.contains("e-KTP number"), "{english}");
    assert_ne!(english, "NIK e-KTP belum tercatat. Silakan tunjukkan e-KTP ke petugas.");

    let store = k.store();
    assert!(store.queue_tickets(demo_store::FACILITY_ID, today()).expect("tickets").is_empty());
    let bookings = store.bookings_for_visitor(&w.walk_in_visitor, today()).expect("bookings");
    assert!(bookings.is_empty(), "{bookings:?}");
    assert!(
        k.audit().iter().any(|(e, o, p)| *e == Event::CheckIn
            && *o == AuditOutcome::Rejected
            && p.as_deref() == Some(w.walk_in_visitor.as_str())),
        "the refusal is audited"
    );

    // Back, and the privacy timeout still takes the screen home.
    press(h, "Back");
    assert_eq!(h.screen(), ui::Screen::Family);
    h.advance(30);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(h.window().global::<ui::WalkInAdapter>().get_inmate_name().is_empty());
}

fn type_on_keyboard(h: &Harness<SimulatedDevices>, text: &str) {
    for c in text.chars() {
        if c == ' ' {
            press(h, "key-space");
            continue;
        }
        if c.is_uppercase() {
            press(h, "key-shift");
        }
        press(h, &format!("key-{}", c.to_lowercase()));
    }
}

#[test]
fn anonymous_complaint_from_idle_is_stored_with_a_receipt() {
    let w = world();
    let k = Kiosk::start(KioskRole::Lobby, w.check_in_at);
    let h = &k.h;
    assert!(exists(h, "Pengaduan"), "the idle screen offers complaints");

    press(h, "Pengaduan");
    assert_eq!(h.screen(), ui::Screen::Complaint);
    assert_eq!(idle_left(h), 120, "typing gets a longer privacy countdown");
    assert!(!h.window().global::<ui::ComplaintAdapter>().get_can_identify());

    // Nothing chosen yet: a plain-words reason, nothing stored.
    press(h, "Kirim pengaduan");
    assert_eq!(
        value_of(h, "complaint-problem").as_deref(),
        Some("Pilih kategori pengaduan terlebih dahulu.")
    );
    press(h, "Pungutan liar");
    press(h, "Kirim pengaduan");
    assert_eq!(value_of(h, "complaint-problem").as_deref(), Some("Tuliskan isi pengaduan Anda."));

    type_on_keyboard(h, "Petugas minta uang antrex");
    press(h, "key-erase");
    assert_eq!(value_of(h, "complaint-text").as_deref(), Some("Petugas minta uang antre"));
    assert!(!exists(h, "complaint-problem"), "typing clears the old reason");
    press(h, "Kirim pengaduan");

    let receipt = value_of(h, "complaint-receipt").expect("receipt on screen");
    // Slot 1's block of the day, like its queue numbers.
    assert_eq!(receipt, "PGD-20261126-1001");
    let row = k.store().complaint_by_receipt(&receipt).expect("query").expect("stored");
    assert_eq!(row.category, "illegal_fee");
    assert_eq!(row.body, "Petugas minta uang antre");
    assert!(row.anonymous);
    assert_eq!(row.person_id, None);
    assert!(
        k.audit().iter().any(|(e, _, p)| *e == Event::Complaint && p.is_none()),
        "the filing is audited without a person"
    );
    assert!(!exists(h, "complaint-text"), "the form gave way to the receipt");
    assert!(h.window().global::<ui::ComplaintAdapter>().get_text().is_empty());

    // The receipt stays for the normal privacy time, then the form is gone.
    h.advance(30);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(h.window().global::<ui::ComplaintAdapter>().get_receipt().is_empty());
}

#[test]
fn a_recognised_visitor_may_put_their_name_on_a_complaint() {
    let w = world();
    let k = Kiosk::start(KioskRole::Lobby, w.check_in_at);
    let h = &k.h;
    h.scan(&w.visitor);
    assert_eq!(h.screen(), ui::Screen::Family);
    press(h, "Sampaikan pengaduan");
    assert_eq!(h.screen(), ui::Screen::Complaint);
    let adapter = h.window().global::<ui::ComplaintAdapter>();
    assert!(adapter.get_can_identify());
    assert!(adapter.get_anonymous(), "anonymous unless chosen otherwise");
    press(h, "Kirim tanpa nama (anonim)");
    assert!(!adapter.get_anonymous());

    press(h, "Layanan");
    // The form stops at the limit instead of losing what was typed.
    adapter.invoke_typed("x".repeat(crate::visits::complaints::MAX_BODY_CHARS).into());
    press(h, "key-a");
    assert_eq!(adapter.get_text().chars().count(), crate::visits::complaints::MAX_BODY_CHARS);
    press(h, "Kirim pengaduan");
    let receipt = value_of(h, "complaint-receipt").expect("receipt");
    let row = k.store().complaint_by_receipt(&receipt).expect("query").expect("stored");
    assert_eq!(row.category, "service");
    assert!(!row.anonymous);
    assert_eq!(row.person_id.as_deref(), Some(w.visitor.as_str()));
}

#[test]
fn an_abandoned_complaint_times_out_and_nothing_is_stored() {
    let w = world();
    let k = Kiosk::start(KioskRole::Block, morning());
    let h = &k.h;
    press(h, "Pengaduan");
    press(h, "Lainnya");
    type_on_keyboard(h, "rahasia");
    h.advance(119);
    assert_eq!(h.screen(), ui::Screen::Complaint);
    h.advance(1);
    assert_eq!(h.screen(), ui::Screen::Idle);
    assert!(h.window().global::<ui::ComplaintAdapter>().get_text().is_empty());
    let stored: i64 = k
        .store()
        .conn()
        .query_row("SELECT count(*) FROM complaint", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 0);
    let _ = w;
}
