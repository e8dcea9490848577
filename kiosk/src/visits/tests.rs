//! Visit rules (every refusal and its words), check-in on a store, queue numbers under
//! concurrency and after a sync merge, now-serving, complaints.

use std::collections::BTreeSet;

use chrono::{NaiveTime, Weekday};

use super::rules::{ClosedBecause, rules_for_today as rules_on};
use super::*;
use crate::store::audit::AuditOutcome;
use crate::store::queue::MergeReport;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("test time")
}

fn holidays() -> &'static HolidayTable {
    HolidayTable::builtin().expect("holiday table")
}

/// Tuesday 2026-12-01, 09:00, a verified parent visiting a narapidana, group of 3.
fn facts() -> VisitFacts {
    VisitFacts {
        day: d("2026-12-01"),
        now: t("09:00"),
        inmate_status: InmateStatus::Narapidana,
        link: Some((Relation::Parent, true)),
        visitor_nik: Some("7371010101800001".into()),
        session: "S1".into(),
        group_size: 3,
        permit_reference: None,
        inmate_visits_in_period: vec![],
        facility_visits_today: 0,
        walk_in: false,
    }
}

#[test]
fn every_rule_and_its_refusal() {
    let rules = VisitRules::default();
    let four = VisitRules { max_group_size: 4, ..VisitRules::default() };
    let daily = VisitRules { frequency: VisitFrequency::OncePerDay, ..VisitRules::default() };
    let no_walk_in = VisitRules { walk_in_allowed: false, ..VisitRules::default() };
    let closed = VisitRules { closed_dates: vec![d("2026-12-01")], ..VisitRules::default() };
    let unlimited = VisitRules { daily_quota: None, ..VisitRules::default() };
    let f = facts();
    // (label, rules, facts, expected refusal code or None for allowed)
    let cases: Vec<(&str, &VisitRules, VisitFacts, Option<&str>)> = vec![
        ("allowed", &rules, f.clone(), None),
        ("sunday", &rules, VisitFacts { day: d("2026-12-06"), ..f.clone() }, Some("closed_day")),
        ("17 august", &rules, VisitFacts { day: d("2027-08-17"), ..f.clone() }, Some("closed_day")),
        (
            "idul fitri",
            &rules,
            VisitFacts { day: d("2026-03-21"), ..f.clone() },
            Some("closed_day"),
        ),
        ("facility closed", &closed, f.clone(), Some("closed_day")),
        (
            "tahanan on a narapidana day",
            &rules,
            VisitFacts {
                inmate_status: InmateStatus::Tahanan,
                permit_reference: Some("P-1".into()),
                ..f.clone()
            },
            Some("not_visiting_day_for_status"),
        ),
        (
            "narapidana on a tahanan day",
            &rules,
            VisitFacts { day: d("2026-11-30"), ..f.clone() },
            Some("not_visiting_day_for_status"),
        ),
        (
            "unknown session",
            &rules,
            VisitFacts { session: "S9".into(), ..f.clone() },
            Some("unknown_session"),
        ),
        ("just before cut-off", &rules, VisitFacts { now: t("10:29"), ..f.clone() }, None),
        (
            "at cut-off",
            &rules,
            VisitFacts { now: t("10:30"), ..f.clone() },
            Some("registration_closed"),
        ),
        (
            "after the session",
            &rules,
            VisitFacts { now: t("11:30"), ..f.clone() },
            Some("registration_closed"),
        ),
        (
            "afternoon session at 11:30",
            &rules,
            VisitFacts { now: t("11:30"), session: "S2".into(), ..f.clone() },
            None,
        ),
        ("not linked", &rules, VisitFacts { link: None, ..f.clone() }, Some("not_linked")),
        (
            "not close family",
            &rules,
            VisitFacts { link: Some((Relation::Other, true)), ..f.clone() },
            Some("relation_not_allowed"),
        ),
        (
            "sibling not in the default list",
            &rules,
            VisitFacts { link: Some((Relation::Sibling, true)), ..f.clone() },
            Some("relation_not_allowed"),
        ),
        (
            "family not verified",
            &rules,
            VisitFacts { link: Some((Relation::Spouse, false)), ..f.clone() },
            Some("family_not_verified"),
        ),
        (
            "lawyer needs no family documents",
            &rules,
            VisitFacts { link: Some((Relation::Lawyer, false)), ..f.clone() },
            None,
        ),
        ("no NIK", &rules, VisitFacts { visitor_nik: None, ..f.clone() }, Some("nik_missing")),
        (
            "short NIK",
            &rules,
            VisitFacts { visitor_nik: Some("737101010180001".into()), ..f.clone() },
            Some("nik_missing"),
        ),
        (
            "NIK with letters",
            &rules,
            VisitFacts { visitor_nik: Some("73710101018000X1".into()), ..f.clone() },
            Some("nik_missing"),
        ),
        ("group of 0", &rules, VisitFacts { group_size: 0, ..f.clone() }, Some("group_empty")),
        ("group of 5", &rules, VisitFacts { group_size: 5, ..f.clone() }, None),
        ("group of 6", &rules, VisitFacts { group_size: 6, ..f.clone() }, Some("group_too_large")),
        (
            "group of 5, facility max 4",
            &four,
            VisitFacts { group_size: 5, ..f.clone() },
            Some("group_too_large"),
        ),
        (
            "tahanan without permit",
            &rules,
            VisitFacts { day: d("2026-11-30"), inmate_status: InmateStatus::Tahanan, ..f.clone() },
            Some("permit_missing"),
        ),
        (
            "tahanan with a blank permit",
            &rules,
            VisitFacts {
                day: d("2026-11-30"),
                inmate_status: InmateStatus::Tahanan,
                permit_reference: Some("  ".into()),
                ..f.clone()
            },
            Some("permit_missing"),
        ),
        (
            "tahanan with permit",
            &rules,
            VisitFacts {
                day: d("2026-11-30"),
                inmate_status: InmateStatus::Tahanan,
                permit_reference: Some("B-123/PN.Mks/2026".into()),
                ..f.clone()
            },
            None,
        ),
        (
            "visited on Monday this week",
            &rules,
            VisitFacts { inmate_visits_in_period: vec![d("2026-11-30")], ..f.clone() },
            Some("already_visited"),
        ),
        (
            "visited last week",
            &rules,
            VisitFacts { inmate_visits_in_period: vec![d("2026-11-28")], ..f.clone() },
            None,
        ),
        (
            "once a day: visited yesterday",
            &daily,
            VisitFacts { inmate_visits_in_period: vec![d("2026-11-30")], ..f.clone() },
            None,
        ),
        (
            "once a day: visited today",
            &daily,
            VisitFacts { inmate_visits_in_period: vec![d("2026-12-01")], ..f.clone() },
            Some("already_visited"),
        ),
        (
            "quota reached",
            &rules,
            VisitFacts { facility_visits_today: 200, ..f.clone() },
            Some("quota_reached"),
        ),
        (
            "last place of the quota",
            &rules,
            VisitFacts { facility_visits_today: 199, ..f.clone() },
            None,
        ),
        ("no quota", &unlimited, VisitFacts { facility_visits_today: 5000, ..f.clone() }, None),
        ("walk-in allowed", &rules, VisitFacts { walk_in: true, ..f.clone() }, None),
        (
            "walk-in not allowed",
            &no_walk_in,
            VisitFacts { walk_in: true, ..f.clone() },
            Some("walk_in_not_allowed"),
        ),
        ("booking without walk-ins", &no_walk_in, f.clone(), None),
    ];
    for (label, rules, facts, want) in cases {
        let got = evaluate(rules, holidays(), &facts);
        match (want, got) {
            (None, Ok(session)) => assert_eq!(session.code, facts.session, "{label}"),
            (Some(code), Err(refusal)) => {
                assert_eq!(refusal.code(), code, "{label}: {refusal:?}");
                assert!(!refusal.message_id().is_empty() && !refusal.message_en().is_empty());
            }
            (want, got) => panic!("{label}: expected {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn refusal_messages_in_plain_words() {
    let on = d("2026-11-30");
    let cases: Vec<(Refusal, &str, &str)> = vec![
        (
            Refusal::ClosedDay { because: ClosedBecause::Weekday(Weekday::Sun) },
            "Hari Minggu tidak ada layanan kunjungan.",
            "No visits on Sunday.",
        ),
        (
            Refusal::ClosedDay { because: ClosedBecause::PublicHoliday },
            "hari libur nasional",
            "public holiday",
        ),
        (Refusal::ClosedDay { because: ClosedBecause::FacilityClosed }, "ditutup", "closed today"),
        (
            Refusal::NotVisitingDayForStatus {
                status: InmateStatus::Tahanan,
                days: vec![Weekday::Mon, Weekday::Wed],
            },
            "bukan jadwal kunjungan untuk tahanan. Jadwalnya: Senin, Rabu.",
            "not a visiting day for pre-trial detainees. Visiting days: Monday, Wednesday.",
        ),
        (
            Refusal::UnknownSession { session: "S9".into() },
            "\"S9\" tidak ada",
            "no visiting session \"S9\"",
        ),
        (
            Refusal::RegistrationClosed { session: "S1".into(), closed_at: t("10:30") },
            "Pendaftaran sesi S1 sudah ditutup pukul 10:30.",
            "Check-in for session S1 closed at 10:30.",
        ),
        (Refusal::NotLinked, "belum terdaftar sebagai pengunjung", "not registered as a visitor"),
        (
            Refusal::RelationNotAllowed { relation: Relation::Other },
            "keluarga inti",
            "close family",
        ),
        (Refusal::FamilyNotVerified, "Bawa KK", "family card"),
        (Refusal::NikMissing, "NIK e-KTP", "e-KTP"),
        (
            Refusal::GroupTooLarge { size: 6, max: 5 },
            "Rombongan 6 orang terlalu banyak: paling banyak 5 orang.",
            "A group of 6 is too large: at most 5 people.",
        ),
        (Refusal::GroupEmpty, "paling sedikit 1", "At least 1"),
        (
            Refusal::AlreadyVisited { on, frequency: VisitFrequency::OncePerWeek },
            "sudah dikunjungi minggu ini (tanggal 30 November 2026)",
            "already had a visit this week (on 30 November 2026)",
        ),
        (
            Refusal::QuotaReached { quota: 200 },
            "Kuota kunjungan hari ini (200) sudah penuh.",
            "Today's 200 visits are all taken.",
        ),
        (
            Refusal::PermitMissing,
            "izin dari instansi yang menahan",
            "permit from the detaining authority",
        ),
        (
            Refusal::BookingNotToday { booked_for: on },
            "untuk tanggal 30 November 2026, bukan hari ini",
            "for 30 November 2026, not today",
        ),
        (Refusal::BookingCancelled, "dibatalkan", "cancelled"),
        (Refusal::AlreadyCheckedIn, "sudah dipakai", "already been used"),
        (Refusal::WalkInNotAllowed, "didaftarkan lebih dahulu", "booked in advance"),
    ];
    let mut codes = BTreeSet::new();
    for (refusal, id, en) in cases {
        assert!(refusal.message_id().contains(id), "{}: {}", refusal.code(), refusal.message_id());
        assert!(refusal.message_en().contains(en), "{}: {}", refusal.code(), refusal.message_en());
        assert_ne!(refusal.message_id(), refusal.message_en());
        codes.insert(refusal.code());
        let json = serde_json::to_value(&refusal).expect("serialise");
        assert_eq!(json["code"], refusal.code());
    }
    assert_eq!(codes.len(), 17, "every refusal kind is covered");
}

#[test]
fn rules_for_a_day() {
    let rules = VisitRules::default();
    let sunday = rules_on(&rules, holidays(), d("2026-12-06"), t("09:00"));
    assert!(matches!(sunday.closed, Some(Refusal::ClosedDay { .. })));
    assert!(sunday.statuses.is_empty());
    assert!(sunday.sessions.iter().all(|s| !s.open_now));

    let cases = [
        ("09:00", [true, true]),
        ("10:45", [false, true]),
        ("13:29", [false, true]),
        ("13:30", [false, false]),
    ];
    for (now, open) in cases {
        let tuesday = rules_on(&rules, holidays(), d("2026-12-01"), t(now));
        assert_eq!(tuesday.closed, None);
        assert_eq!(tuesday.statuses, vec![InmateStatus::Narapidana]);
        let got: Vec<bool> = tuesday.sessions.iter().map(|s| s.open_now).collect();
        assert_eq!(got, open, "{now}");
        assert_eq!(tuesday.sessions[0].registration_closes, t("10:30"));
    }
    let monday = rules_on(&rules, holidays(), d("2026-11-30"), t("09:00"));
    assert_eq!(monday.statuses, vec![InmateStatus::Tahanan]);
}

#[test]
fn visit_rules_deserialise_with_defaults() {
    let rules: VisitRules = serde_json::from_str(
        r#"{"max_group_size": 4, "frequency": "once_per_day", "tahanan_days": ["Mon", "Thu"],
            "sessions": [{"code": "P", "starts": "08:00:00", "ends": "12:00:00"}]}"#,
    )
    .expect("rules");
    assert_eq!(rules.max_group_size, 4);
    assert_eq!(rules.frequency, VisitFrequency::OncePerDay);
    assert_eq!(rules.tahanan_days, vec![Weekday::Mon, Weekday::Thu]);
    assert_eq!(rules.daily_quota, VisitRules::default().daily_quota);
    assert!(serde_json::from_str::<VisitRules>(r#"{"max_group": 4}"#).is_err());
    assert_eq!(serde_json::from_str::<VisitRules>("{}").expect("empty"), VisitRules::default());
}

// --- on a store ---------------------------------------------------------------------------------

const FACILITY: &str = "RUTAN-MKS";

/// A facility with two narapidana, one tahanan, and visitors linked to them.
fn seeded_store(path: Option<&std::path::Path>) -> Store {
    let store = match path {
        Some(path) => Store::open(path).expect("open"),
        None => Store::open_in_memory().expect("open"),
    };
    let conn = store.conn();
    conn.execute_batch(
        "INSERT INTO facility (id, name) VALUES ('RUTAN-MKS', 'Rutan Kelas I Makassar');
         INSERT INTO person (id, facility_id, kind, full_name, nik) VALUES
           ('inm-1', 'RUTAN-MKS', 'inmate', 'Budi Santoso', NULL),
           ('inm-2', 'RUTAN-MKS', 'inmate', 'Andi Wijaya', NULL),
           ('inm-3', 'RUTAN-MKS', 'inmate', 'Rudi Hartono', NULL),
           ('vis-1', 'RUTAN-MKS', 'visitor', 'Siti Aminah', '7371014101800001'),
           ('vis-2', 'RUTAN-MKS', 'visitor', 'Ahmad Santoso', '7371010101800002'),
           ('vis-3', 'RUTAN-MKS', 'visitor', 'Dewi Lestari', '7371014101800003');
         INSERT INTO inmate (person_id, registration_number, religion, status, detained_on) VALUES
           ('inm-1', 'B.I-1/2025', 'islam', 'narapidana', '2025-01-10'),
           ('inm-2', 'B.I-2/2025', 'kristen', 'narapidana', '2025-02-10'),
           ('inm-3', 'A.I-3/2026', 'islam', 'tahanan', '2026-10-01');
         INSERT INTO family_link (id, visitor_id, inmate_id, relation, verified) VALUES
           ('l-1', 'vis-1', 'inm-1', 'spouse', 1),
           ('l-2', 'vis-2', 'inm-1', 'parent', 1),
           ('l-3', 'vis-2', 'inm-2', 'sibling', 1),
           ('l-4', 'vis-3', 'inm-2', 'spouse', 0),
           ('l-5', 'vis-1', 'inm-3', 'spouse', 1);",
    )
    .expect("seed");
    store
}

fn booking(id: &str, visitor: &str, inmate: &str, day: &str, session: &str) -> Booking {
    Booking {
        id: id.into(),
        facility_id: FACILITY.into(),
        code: format!("BK-{id}"),
        visitor_id: visitor.into(),
        inmate_id: inmate.into(),
        visit_date: d(day),
        session: session.into(),
        group_size: 3,
        permit_reference: None,
        source: BookingSource::Online,
        status: BookingStatus::Booked,
    }
}

/// 2026-12-01 (Tuesday) at the given time, WITA.
fn at(time: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("2026-12-01T{time}:00+08:00")).expect("time")
}

fn lobby(slot: u8) -> Terminal {
    Terminal { id: format!("lobby-{slot}"), slot }
}

fn request(visitor: &str, choice: VisitChoice, time: &str) -> CheckInRequest {
    CheckInRequest {
        facility_id: FACILITY.into(),
        terminal: lobby(0),
        visitor_id: visitor.into(),
        choice,
        now: at(time),
    }
}

fn by_booking(id: &str) -> VisitChoice {
    VisitChoice::Booking { booking_id: id.into() }
}

fn count(store: &Store, table: &str) -> u64 {
    store.counts().expect("counts").into_iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| n)
}

#[test]
fn booked_visitor_checks_in_and_gets_a_ticket() {
    let mut store = seeded_store(None);
    let rules = VisitRules::default();
    store.insert_booking(&booking("b-1", "vis-1", "inm-1", "2026-12-01", "S1")).expect("booking");

    let choices = todays_choices(&store, &rules, "vis-1", d("2026-12-01")).expect("choices");
    assert_eq!(choices.bookings.len(), 1);
    assert_eq!(choices.walk_in_inmates.len(), 2);

    let done =
        check_in(&mut store, &rules, holidays(), &request("vis-1", by_booking("b-1"), "09:05"))
            .expect("check in");
    let ticket = &done.ticket;
    assert_eq!(ticket.number_text, "A-001");
    assert_eq!(ticket.service, Service::Visit);
    assert_eq!(ticket.facility_name, "Rutan Kelas I Makassar");
    assert_eq!(ticket.visitor_name.as_deref(), Some("Siti Aminah"));
    assert_eq!(ticket.inmate_name.as_deref(), Some("Budi Santoso"));
    assert_eq!(ticket.session.as_deref(), Some("S1 08:30-11:00"));
    assert_eq!(ticket.group_size, Some(3));
    assert_eq!(ticket.service_day, d("2026-12-01"));
    assert_eq!(ticket.issued_at.to_rfc3339(), "2026-12-01T01:05:00+00:00");
    assert!(ticket.ticket_code.starts_with("261201A0001-"), "{}", ticket.ticket_code);
    assert_eq!(
        store.booking("b-1").expect("read").map(|b| b.status),
        Some(BookingStatus::CheckedIn)
    );
    assert_eq!(count(&store, "visit"), 1);
    assert!(
        todays_choices(&store, &rules, "vis-1", d("2026-12-01"))
            .expect("choices")
            .bookings
            .is_empty()
    );

    // The same booking again.
    let again =
        check_in(&mut store, &rules, holidays(), &request("vis-1", by_booking("b-1"), "09:06"));
    assert!(matches!(again, Err(VisitError::Refused(Refusal::AlreadyCheckedIn))), "{again:?}");

    // Both attempts are in the audit log, with the number or the refusal code.
    let audit = store.recent_audit(10).expect("audit");
    let details: Vec<_> = audit.iter().map(|r| (r.outcome, r.detail.clone())).collect();
    assert!(details.contains(&(AuditOutcome::Accepted, Some("A-001".into()))), "{details:?}");
    assert!(
        details.contains(&(AuditOutcome::Rejected, Some("already_checked_in".into()))),
        "{details:?}"
    );
}

#[test]
fn refused_check_ins_write_nothing_and_leave_no_gap() {
    let mut store = seeded_store(None);
    let rules = VisitRules::default();
    store.insert_booking(&booking("b-1", "vis-1", "inm-1", "2026-12-01", "S1")).expect("booking");
    store.insert_booking(&booking("b-2", "vis-2", "inm-1", "2026-12-01", "S2")).expect("booking");
    store.insert_booking(&booking("b-3", "vis-3", "inm-2", "2026-12-01", "S1")).expect("booking");
    store.insert_booking(&booking("b-4", "vis-2", "inm-2", "2026-12-02", "S1")).expect("booking");
    let mut cancelled = booking("b-5", "vis-2", "inm-2", "2026-12-01", "S1");
    cancelled.status = BookingStatus::Cancelled;
    store.insert_booking(&cancelled).expect("booking");

    check_in(&mut store, &rules, holidays(), &request("vis-1", by_booking("b-1"), "09:00"))
        .expect("first");
    let before = (count(&store, "visit"), count(&store, "queue_ticket"), count(&store, "booking"));
    let refusals = [
        (request("vis-2", by_booking("b-2"), "12:50"), "already_visited"),
        (request("vis-3", by_booking("b-3"), "09:10"), "family_not_verified"),
        (request("vis-2", by_booking("b-4"), "09:10"), "booking_not_today"),
        (request("vis-2", by_booking("b-5"), "09:10"), "booking_cancelled"),
        (
            request(
                "vis-2",
                VisitChoice::WalkIn {
                    inmate_id: "inm-2".into(),
                    session: "S1".into(),
                    group_size: 2,
                    permit_reference: None,
                },
                "09:10",
            ),
            "relation_not_allowed",
        ),
        (
            request(
                "vis-1",
                VisitChoice::WalkIn {
                    inmate_id: "inm-3".into(),
                    session: "S1".into(),
                    group_size: 2,
                    permit_reference: None,
                },
                "09:10",
            ),
            "not_visiting_day_for_status",
        ),
    ];
    for (req, code) in refusals {
        match check_in(&mut store, &rules, holidays(), &req) {
            Err(VisitError::Refused(refusal)) => assert_eq!(refusal.code(), code),
            other => panic!("{code}: {other:?}"),
        }
    }
    assert_eq!(
        (count(&store, "visit"), count(&store, "queue_ticket"), count(&store, "booking")),
        before
    );
    // Someone else's booking is not found for this visitor.
    let stolen =
        check_in(&mut store, &rules, holidays(), &request("vis-3", by_booking("b-2"), "09:10"));
    assert!(matches!(stolen, Err(VisitError::NotFound(_))), "{stolen:?}");

    // The next successful check-in continues the numbers without a gap.
    let walk_in = VisitChoice::WalkIn {
        inmate_id: "inm-2".into(),
        session: "S2".into(),
        group_size: 2,
        permit_reference: None,
    };
    let rules_with_siblings = VisitRules {
        allowed_relations: vec![
            Relation::Parent,
            Relation::Spouse,
            Relation::Child,
            Relation::Sibling,
        ],
        ..VisitRules::default()
    };
    let done =
        check_in(&mut store, &rules_with_siblings, holidays(), &request("vis-2", walk_in, "12:50"))
            .expect("walk-in");
    assert_eq!(done.ticket.number_text, "A-002");
    assert_eq!(done.ticket.inmate_name.as_deref(), Some("Andi Wijaya"));
    let created = store.booking(&done.booking_id).expect("read").expect("walk-in booking");
    assert_eq!((created.source, created.status), (BookingSource::WalkIn, BookingStatus::CheckedIn));
}

#[test]
fn quota_is_counted_in_the_store() {
    let mut store = seeded_store(None);
    let rules = VisitRules { daily_quota: Some(1), ..VisitRules::default() };
    store.insert_booking(&booking("b-1", "vis-1", "inm-1", "2026-12-01", "S1")).expect("booking");
    store.insert_booking(&booking("b-2", "vis-2", "inm-2", "2026-12-01", "S1")).expect("booking");
    let rules_with_siblings =
        VisitRules { allowed_relations: vec![Relation::Sibling, Relation::Spouse], ..rules };
    check_in(
        &mut store,
        &rules_with_siblings,
        holidays(),
        &request("vis-1", by_booking("b-1"), "09:00"),
    )
    .expect("first");
    match check_in(
        &mut store,
        &rules_with_siblings,
        holidays(),
        &request("vis-2", by_booking("b-2"), "09:01"),
    ) {
        Err(VisitError::Refused(Refusal::QuotaReached { quota: 1 })) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn services_number_separately_and_slots_use_their_block() {
    let mut store = seeded_store(None);
    let now = at("09:00");
    let texts: Vec<String> = [
        (lobby(0), Service::GoodsDeposit),
        (lobby(0), Service::Information),
        (lobby(0), Service::GoodsDeposit),
        (lobby(1), Service::GoodsDeposit),
        (lobby(0), Service::Visit),
        (lobby(1), Service::Information),
    ]
    .iter()
    .map(|(terminal, service)| {
        allocate_number(
            &mut store,
            FACILITY,
            terminal,
            *service,
            Some(("vis-1", "Siti Aminah")),
            now,
        )
        .expect("allocate")
        .number_text
    })
    .collect();
    assert_eq!(texts, ["B-001", "C-001", "B-002", "B-1001", "A-001", "C-1001"]);
    // Next day starts again.
    let tomorrow = now + chrono::Duration::days(1);
    let ticket =
        allocate_number(&mut store, FACILITY, &lobby(0), Service::GoodsDeposit, None, tomorrow)
            .expect("allocate");
    assert_eq!(ticket.number_text, "B-001");
    assert_eq!(ticket.visitor_name, None);
    // A slot outside 0-9 is refused.
    let bad = allocate_number(&mut store, FACILITY, &lobby(10), Service::Visit, None, now);
    assert!(matches!(bad, Err(VisitError::Queue(QueueError::BadSlot(10)))), "{bad:?}");
}

#[test]
fn calling_numbers_in_order_of_issue_and_now_serving() {
    let mut store = seeded_store(None);
    let a1 = allocate_number(&mut store, FACILITY, &lobby(1), Service::Visit, None, at("09:00"))
        .expect("a");
    let a0 = allocate_number(&mut store, FACILITY, &lobby(0), Service::Visit, None, at("09:01"))
        .expect("a");
    allocate_number(&mut store, FACILITY, &lobby(0), Service::Information, None, at("09:02"))
        .expect("c");
    let status = store.queue_status(FACILITY, d("2026-12-01")).expect("status");
    assert_eq!(
        status.iter().map(|s| (s.issued, s.waiting)).collect::<Vec<_>>(),
        [(2, 2), (0, 0), (1, 1)]
    );

    let first =
        call_next(&mut store, FACILITY, Service::Visit, at("09:10")).expect("call").expect("one");
    assert_eq!(first.number, a1.number, "first issued is first called, whatever the block");
    let second =
        call_next(&mut store, FACILITY, Service::Visit, at("09:11")).expect("call").expect("one");
    assert_eq!(second.number, a0.number);
    assert_eq!(call_next(&mut store, FACILITY, Service::Visit, at("09:12")).expect("call"), None);
    assert_eq!(
        call_next(&mut store, FACILITY, Service::GoodsDeposit, at("09:12")).expect("call"),
        None
    );

    let status = store.queue_status(FACILITY, d("2026-12-01")).expect("status");
    assert_eq!(status[0].waiting, 0);
    assert_eq!(status[0].last_called.as_ref().map(|t| t.number), Some(a0.number));
    assert_eq!(status[2].waiting, 1);
    assert_eq!(status[2].last_called, None);
}

#[test]
fn two_threads_on_one_store_never_duplicate_and_leave_no_gaps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lobby.sqlite");
    drop(seeded_store(Some(&path)));
    const PER_THREAD: usize = 60;
    let handles: Vec<_> = (0..2)
        .map(|thread| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).expect("open");
                let terminal = Terminal { id: format!("screen-{thread}"), slot: 0 };
                (0..PER_THREAD)
                    .map(|_| {
                        allocate_number(
                            &mut store,
                            FACILITY,
                            &terminal,
                            Service::Visit,
                            None,
                            at("09:00"),
                        )
                        .expect("allocate")
                        .number
                    })
                    .collect::<Vec<u32>>()
            })
        })
        .collect();
    let mut all: Vec<u32> = handles.into_iter().flat_map(|h| h.join().expect("thread")).collect();
    all.sort_unstable();
    let want: Vec<u32> = (1..=(2 * PER_THREAD) as u32).collect();
    assert_eq!(all, want, "unique and gap-free");
}

#[test]
fn two_terminals_offline_then_merged_stay_unique_and_gap_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<_> = (0..2).map(|i| dir.path().join(format!("lobby-{i}.sqlite"))).collect();
    for path in &paths {
        drop(seeded_store(Some(path)));
    }
    // Each terminal: two threads on its own store (two screens), both services, no hub.
    let handles: Vec<_> = paths
        .iter()
        .enumerate()
        .flat_map(|(slot, path)| {
            (0..2).map(move |screen| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).expect("open");
                    let terminal =
                        Terminal { id: format!("lobby-{slot}-{screen}"), slot: slot as u8 };
                    for i in 0..40 {
                        let service =
                            if i % 4 == 0 { Service::GoodsDeposit } else { Service::Visit };
                        allocate_number(
                            &mut store,
                            FACILITY,
                            &terminal,
                            service,
                            None,
                            at("09:00"),
                        )
                        .expect("allocate");
                    }
                })
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread");
    }
    let mut stores: Vec<Store> = paths.iter().map(|p| Store::open(p).expect("open")).collect();
    let rows: Vec<Vec<_>> =
        stores.iter().map(|s| s.queue_tickets(FACILITY, d("2026-12-01")).expect("rows")).collect();
    assert_eq!(rows[0].len() + rows[1].len(), 160);

    // Sync: each store receives the other's rows, and a hub receives both (twice: idempotent).
    let report = stores[0].merge_queue_tickets(&rows[1]).expect("merge");
    assert_eq!(report, MergeReport { inserted: 80, already_present: 0, conflicts: vec![] });
    let report = stores[1].merge_queue_tickets(&rows[0]).expect("merge");
    assert_eq!(report.conflicts, vec![]);
    let mut hub = seeded_store(None);
    for batch in [&rows[0], &rows[1], &rows[0]] {
        let report = hub.merge_queue_tickets(batch).expect("merge");
        assert!(report.conflicts.is_empty());
    }
    for store in stores.iter().chain(std::iter::once(&hub)) {
        let merged = store.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
        assert_eq!(merged.len(), 160);
        let keys: BTreeSet<(Service, u32)> = merged.iter().map(|r| (r.service, r.number)).collect();
        assert_eq!(keys.len(), 160, "unique across terminals");
        for slot in 0..2u8 {
            for (service, n) in [(Service::Visit, 60u32), (Service::GoodsDeposit, 20)] {
                let mut seq: Vec<u32> = merged
                    .iter()
                    .filter(|r| r.terminal_slot == slot && r.service == service)
                    .map(|r| r.sequence)
                    .collect();
                seq.sort_unstable();
                assert_eq!(seq, (1..=n).collect::<Vec<_>>(), "slot {slot} {service:?} gap-free");
            }
        }
        store.integrity_check().expect("integrity");
    }
}

#[test]
fn a_misconfigured_duplicate_slot_is_reported_not_merged() {
    let mut one = seeded_store(None);
    let mut two = seeded_store(None);
    allocate_number(&mut one, FACILITY, &lobby(0), Service::Visit, None, at("09:00")).expect("a");
    allocate_number(
        &mut two,
        FACILITY,
        &Terminal { id: "other".into(), slot: 0 },
        Service::Visit,
        None,
        at("09:05"),
    )
    .expect("a");
    let incoming = two.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    let report = one.merge_queue_tickets(&incoming).expect("merge");
    assert_eq!(report.inserted, 0);
    assert_eq!(report.conflicts.len(), 1);
    let kept = one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].terminal_id, "lobby-0", "the existing row is never overwritten");
}

#[test]
fn called_state_travels_with_the_merge() {
    let mut one = seeded_store(None);
    let mut hub = seeded_store(None);
    allocate_number(&mut one, FACILITY, &lobby(0), Service::Visit, None, at("09:00")).expect("a");
    hub.merge_queue_tickets(&one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows"))
        .expect("merge");
    call_next(&mut one, FACILITY, Service::Visit, at("09:10")).expect("call").expect("called");
    let report = hub
        .merge_queue_tickets(&one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows"))
        .expect("merge");
    assert_eq!(report.already_present, 1);
    assert_eq!(hub.queue_status(FACILITY, d("2026-12-01")).expect("status")[0].waiting, 0);
}

#[test]
fn the_earliest_call_wins_and_a_call_is_never_taken_back() {
    let mut one = seeded_store(None);
    let mut two = seeded_store(None);
    allocate_number(&mut one, FACILITY, &lobby(0), Service::Visit, None, at("09:00")).expect("a");
    let issued = one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    two.merge_queue_tickets(&issued).expect("merge");
    // Both terminals call the same ticket while apart; terminal two's clock says earlier.
    let late = call_next(&mut one, FACILITY, Service::Visit, at("09:10")).expect("call");
    let early = call_next(&mut two, FACILITY, Service::Visit, at("09:05")).expect("call");
    assert_eq!(late.map(|t| t.id), early.map(|t| t.id));
    let called_at = |store: &Store| {
        store.queue_tickets(FACILITY, d("2026-12-01")).expect("rows")[0].called_at.clone()
    };
    let rows_one = one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    let rows_two = two.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    // The later call changes nothing where the earlier one is; the earlier one replaces it.
    two.merge_queue_tickets(&rows_one).expect("merge");
    assert_eq!(called_at(&two).as_deref(), Some("2026-12-01T01:05:00Z"));
    one.merge_queue_tickets(&rows_two).expect("merge");
    assert_eq!(called_at(&one).as_deref(), Some("2026-12-01T01:05:00Z"));
    // An uncalled copy (an old row) does not un-call it.
    one.merge_queue_tickets(&issued).expect("merge");
    assert_eq!(called_at(&one).as_deref(), Some("2026-12-01T01:05:00Z"));
    // Instants compare as instants, not as text: 09:04+08:00 is earlier than 01:05Z.
    let mut offset = issued[0].clone();
    offset.called_at = Some("2026-12-01T09:04:00+08:00".into());
    one.merge_queue_tickets(&[offset]).expect("merge");
    assert_eq!(called_at(&one).as_deref(), Some("2026-12-01T09:04:00+08:00"));
    assert_eq!(one.queue_status(FACILITY, d("2026-12-01")).expect("status")[0].waiting, 0);
}

#[test]
fn a_ticket_known_under_another_number_is_reported_and_kept() {
    let mut one = seeded_store(None);
    allocate_number(&mut one, FACILITY, &lobby(0), Service::Visit, None, at("09:00")).expect("a");
    let mut renumbered = one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows")[0].clone();
    let id = renumbered.id.clone();
    renumbered.number = 7;
    renumbered.called_at = Some("2026-12-01T01:30:00Z".into());
    let report = one.merge_queue_tickets(&[renumbered]).expect("merge");
    assert_eq!(report.conflicts, vec![(id.clone(), id)]);
    let kept = one.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    assert_eq!((kept[0].number, kept[0].called_at.as_deref()), (1, None));
}

#[test]
fn complaints_get_receipt_numbers() {
    let mut store = seeded_store(None);
    let now = at("10:00");
    let first = file_complaint(
        &mut store,
        FACILITY,
        &lobby(0),
        ComplaintCategory::IllegalFee,
        " Diminta uang di pintu. ",
        None,
        now,
    )
    .expect("file");
    let second = file_complaint(
        &mut store,
        FACILITY,
        &lobby(0),
        ComplaintCategory::Visit,
        "Antrean lama",
        Some("vis-1"),
        now,
    )
    .expect("file");
    let other_terminal = file_complaint(
        &mut store,
        FACILITY,
        &lobby(2),
        ComplaintCategory::Other,
        "Lain",
        None,
        now,
    )
    .expect("file");
    assert_eq!(first.receipt_number, "PGD-20261201-0001");
    assert_eq!(second.receipt_number, "PGD-20261201-0002");
    assert_eq!(other_terminal.receipt_number, "PGD-20261201-2001");
    let stored = store.complaint_by_receipt(&first.receipt_number).expect("read").expect("row");
    assert!(stored.anonymous);
    assert_eq!(stored.person_id, None);
    assert_eq!(stored.body, "Diminta uang di pintu.");
    assert_eq!(stored.category, "illegal_fee");
    let named = store.complaint_by_receipt(&second.receipt_number).expect("read").expect("row");
    assert_eq!((named.anonymous, named.person_id.as_deref()), (false, Some("vis-1")));

    for body in ["", "   ", &"x".repeat(2001)] {
        let refused = file_complaint(
            &mut store,
            FACILITY,
            &lobby(0),
            ComplaintCategory::Other,
            body,
            None,
            now,
        );
        assert!(matches!(refused, Err(VisitError::InvalidComplaint { .. })), "{refused:?}");
    }
    assert_eq!(count(&store, "complaint"), 3);
    for category in ComplaintCategory::ALL {
        assert!(!category.label_id().is_empty() && !category.label_en().is_empty());
        file_complaint(&mut store, FACILITY, &lobby(1), category, "isi", None, now)
            .expect("every category fits the schema");
    }
}

#[test]
fn configuration_sections_for_visits_sentence_and_queue_slot() {
    let base = "role = \"lobby\"\nterminal_id = \"LOBBY-2\"\n[facility]\nname = \"Rutan X\"\ncode = \"X\"\n[store]\npath = \"/tmp/x.sqlite\"\n";
    let config = crate::config::Config::parse(base, "t").expect("defaults");
    assert_eq!(config.queue_slot.get(), 0);
    assert_eq!(config.visits, VisitRules::default());
    assert_eq!(config.sentence, crate::sentence::SentenceSettings::default());

    let text = format!(
        "queue_slot = 2\n{base}[visits]\nmax_group_size = 4\nfrequency = \"once_per_day\"\nclosed_weekdays = [\"Sun\", \"Sat\"]\n\
         [[visits.sessions]]\ncode = \"P\"\nstarts = \"08:00:00\"\nends = \"12:00:00\"\n\
         [sentence]\nmonth_convention = \"thirty_days\"\ncb_max_months = 4\n"
    );
    let config = crate::config::Config::parse(&text, "t").expect("sections");
    assert_eq!(config.queue_slot.get(), 2);
    assert_eq!(Terminal::from_config(&config), Terminal { id: "LOBBY-2".into(), slot: 2 });
    assert_eq!(config.visits.max_group_size, 4);
    assert_eq!(config.visits.frequency, VisitFrequency::OncePerDay);
    assert_eq!(config.visits.closed_weekdays, vec![Weekday::Sun, Weekday::Sat]);
    assert_eq!(config.visits.sessions.len(), 1);
    assert_eq!(config.visits.sessions[0].ends, t("12:00"));
    assert_eq!(config.sentence.cb_max_months, 4);
    assert_eq!(config.sentence.month_convention, crate::sentence::MonthConvention::ThirtyDays);

    for bad in [format!("queue_slot = 10\n{base}"), format!("{base}[visits]\nmax_group = 4\n")] {
        assert!(crate::config::Config::parse(&bad, "t").is_err(), "{bad}");
    }
}

#[test]
fn rows_written_by_other_tools_fit_the_scheme() {
    // The sync tests and hub tools insert tickets with the base columns only: slot and sequence
    // follow from the number, and allocation continues after them.
    let mut store = seeded_store(None);
    store
        .conn()
        .execute_batch(
            "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, issued_at)
             VALUES ('qt-1', 'RUTAN-MKS', '2026-12-01', 'A', 1, 'lobby-0', '2026-12-01T01:00:00Z'),
                    ('qt-2', 'RUTAN-MKS', '2026-12-01', 'A', 1001, 'lobby-1', '2026-12-01T01:00:00Z');
             INSERT INTO complaint (id, facility_id, receipt_number, category, body, person_id, created_at)
             VALUES ('c-1', 'RUTAN-MKS', 'ADU-0001', 'layanan', 'Antrian lama', NULL, '2026-12-01T02:00:00Z');",
        )
        .expect("base columns");
    let rows = store.queue_tickets(FACILITY, d("2026-12-01")).expect("rows");
    let derived: Vec<_> =
        rows.iter().map(|r| (r.terminal_slot, r.sequence, r.ticket_code.clone())).collect();
    assert_eq!(derived, [(0, 1, None), (1, 1, None)]);
    let next = allocate_number(&mut store, FACILITY, &lobby(1), Service::Visit, None, at("09:00"))
        .expect("allocate");
    assert_eq!(next.number_text, "A-1002");
    let called = call_next(&mut store, FACILITY, Service::Visit, at("09:05"))
        .expect("call")
        .expect("ticket");
    assert_eq!(called.id, "qt-1");
    // A number outside every block is refused by the store.
    for number in [0, 1000, 10001] {
        let bad = store.conn().execute(
            "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, issued_at)
             VALUES (?1, 'RUTAN-MKS', '2026-12-01', 'B', ?2, 'x', '2026-12-01T01:00:00Z')",
            rusqlite::params![format!("bad-{number}"), number],
        );
        assert!(bad.is_err(), "{number}");
    }
}
