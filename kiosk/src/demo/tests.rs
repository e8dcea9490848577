//! Consistency of the demo store: what the kiosk's screens and the visit rules rely on.

use super::*;
use crate::store::persons::RemissionKind;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn demo_store(seed: u64) -> (Store, DemoSummary) {
    let mut store = Store::open_in_memory().expect("open");
    let options = DemoOptions { seed, ..DemoOptions::standard(today()) };
    let summary = generate(&mut store, &options).expect("generate");
    (store, summary)
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |row| row.get(0)).expect(sql)
}

#[test]
fn sizes_meet_the_demo_brief() {
    let (store, summary) = demo_store(DEFAULT_SEED);
    assert!(summary.inmates >= 200, "{summary:?}");
    assert!(summary.visitors >= 300, "{summary:?}");
    assert!(summary.bookings >= 30, "{summary:?}");
    assert!(summary.tahanan > 10 && summary.tahanan < summary.inmates / 3, "{summary:?}");
    assert!(summary.remissions > summary.inmates, "{summary:?}");
    assert!(summary.programme_decisions > 5, "{summary:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM inmate") as usize, summary.inmates);
    assert_eq!(
        count(&store, "SELECT count(*) FROM person WHERE kind = 'visitor'") as usize,
        summary.visitors
    );
    assert_eq!(count(&store, "SELECT count(*) FROM remission") as usize, summary.remissions);
    store.integrity_check().expect("integrity and foreign keys");
}

#[test]
fn every_family_link_points_to_an_existing_inmate_and_visitor() {
    let (store, _) = demo_store(DEFAULT_SEED);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM family_link f
             WHERE f.inmate_id NOT IN (SELECT person_id FROM inmate)
                OR f.visitor_id NOT IN (SELECT id FROM person WHERE kind = 'visitor')"
        ),
        0
    );
    // Every family visitor has at least one link; most inmates have a visitor.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM person p WHERE kind = 'visitor'
             AND NOT EXISTS (SELECT 1 FROM family_link f WHERE f.visitor_id = p.id)"
        ),
        0
    );
    let visited = count(&store, "SELECT count(DISTINCT inmate_id) FROM family_link");
    assert!(visited > 150, "{visited}");
    // The query module agrees with the table.
    for visitor in ["VIS-0001", "VIS-0150", "ADV-01"] {
        let linked = store.linked_inmates(visitor).expect("linked");
        assert!(!linked.is_empty(), "{visitor}");
        assert!(linked.iter().all(|l| l.link.visitor_id == visitor));
    }
}

#[test]
fn every_booking_is_for_today_by_a_linked_visitor() {
    let (store, summary) = demo_store(DEFAULT_SEED);
    let bookings = store.bookings_on(FACILITY_ID, today()).expect("bookings");
    assert_eq!(bookings.len(), summary.bookings);
    for booking in &bookings {
        let linked = store.linked_inmates(&booking.visitor_id).expect("linked");
        assert!(
            linked.iter().any(|l| l.inmate.person.id == booking.inmate_id),
            "booking {} is for an inmate its visitor is not linked to",
            booking.code
        );
        assert!(SESSIONS.contains(&booking.session.as_str()));
        let inmate = store.inmate(&booking.inmate_id).expect("load").expect("inmate");
        if inmate.status == InmateStatus::Tahanan {
            assert!(booking.permit_reference.is_some(), "tahanan visit needs a permit");
        }
    }
    let distinct: BTreeSet<_> = bookings.iter().map(|b| &b.visitor_id).collect();
    assert_eq!(distinct.len(), bookings.len(), "one booking per visitor per day");
}

#[test]
fn remissions_follow_keppres_174_1999() {
    let (store, _) = demo_store(DEFAULT_SEED);
    let mut kinds = BTreeSet::new();
    for inmate in store.inmates(FACILITY_ID).expect("inmates") {
        let grants = store.remissions(&inmate.person.id).expect("remissions");
        if inmate.status == InmateStatus::Tahanan || inmate.sentence_kind != SentenceKind::Term {
            assert!(grants.is_empty(), "{} has remissions", inmate.registration_number);
            continue;
        }
        let final_on = inmate.verdict_final_on.expect("narapidana have a final verdict");
        assert!(final_on >= inmate.detained_on);
        let mut release =
            remissions::add_term(inmate.detained_on, inmate.sentence).expect("expiry");
        let (mut ru, mut rk) = (0, 0);
        for grant in &grants {
            kinds.insert(grant.kind);
            assert!(grant.granted_on > inmate.detained_on + Days::new(180), "{grant:?}");
            assert!(grant.granted_on >= final_on && grant.granted_on <= today(), "{grant:?}");
            if let Some(until) = inmate.discipline_until {
                assert!(grant.granted_on > until, "{grant:?}");
            }
            assert!(grant.decree_number.as_deref().is_some_and(|d| d.contains("TAHUN")));
            let amount = (grant.months, grant.days);
            match grant.kind {
                RemissionKind::Umum => {
                    ru += 1;
                    assert_eq!((grant.granted_on.month(), grant.granted_on.day()), (8, 17));
                    let allowed: &[(u32, u32)] = match ru {
                        1 => &[(1, 0), (2, 0)],
                        2 => &[(3, 0)],
                        3 => &[(4, 0)],
                        4 | 5 => &[(5, 0)],
                        _ => &[(6, 0)],
                    };
                    assert!(allowed.contains(&amount), "RU #{ru} {amount:?}");
                }
                RemissionKind::Khusus => {
                    rk += 1;
                    let holiday = remissions::khusus_day(inmate.religion, grant.granted_on.year());
                    assert_eq!(holiday, Some(grant.granted_on), "{grant:?} {:?}", inmate.religion);
                    let allowed: &[(u32, u32)] = match rk {
                        1 => &[(0, 15), (1, 0)],
                        2 | 3 => &[(1, 0)],
                        4 | 5 => &[(1, 15)],
                        _ => &[(2, 0)],
                    };
                    assert!(allowed.contains(&amount), "RK #{rk} {amount:?}");
                }
                RemissionKind::Dasawarsa => {
                    assert_eq!(grant.granted_on, NaiveDate::from_ymd_opt(2025, 8, 17).expect("d"));
                    assert!(grant.months * 30 + grant.days <= 90);
                }
                other => panic!("unexpected kind {other:?}"),
            }
            release = remissions::sub_term(
                release,
                Term { years: 0, months: grant.months, days: grant.days },
            )
            .expect("release");
            assert!(release > grant.granted_on, "released before a later remission");
        }
        // The demo population is inside today: release after remissions is still to come.
        assert!(release > today(), "{} already free on {release}", inmate.registration_number);
    }
    for kind in [RemissionKind::Umum, RemissionKind::Khusus, RemissionKind::Dasawarsa] {
        assert!(kinds.contains(&kind), "no {kind:?} in the demo");
    }
}

#[test]
fn persons_are_plausible() {
    let (store, _) = demo_store(DEFAULT_SEED);
    assert_eq!(count(&store, "SELECT count(*) FROM person WHERE length(nik) != 16"), 0);
    assert_eq!(
        count(&store, "SELECT count(*) - count(DISTINCT nik) FROM person WHERE nik IS NOT NULL"),
        0
    );
    let inmates = store.inmates(FACILITY_ID).expect("inmates");
    let religions: BTreeSet<_> = inmates.iter().map(|i| i.religion).collect();
    assert!(religions.len() >= 4, "{religions:?}");
    let names: BTreeSet<_> = inmates.iter().map(|i| i.person.full_name.as_str()).collect();
    assert!(names.len() > inmates.len() / 2, "too many repeated names");
    for inmate in &inmates {
        let person = &inmate.person;
        let nik = person.nik.as_deref().expect("nik");
        let birth = person.birth_date.expect("birth");
        let day: u32 = nik[6..8].parse().expect("day");
        let day = if person.sex == Some(Sex::Female) { day - 40 } else { day };
        assert_eq!(day, birth.day(), "{nik}");
        assert_eq!(nik[8..10].parse::<u32>().expect("month"), birth.month());
        assert!(inmate.detained_on <= today());
        assert!(!person.full_name.is_empty());
        let periods = store.detention_periods(&person.id).expect("periods");
        assert!(
            periods
                .iter()
                .any(|p| p.kind == DetentionKind::Custody && p.start_on == inmate.detained_on)
        );
        assert!(periods.iter().all(|p| p.end_on >= p.start_on));
    }
}

#[test]
fn generation_is_deterministic_by_seed() {
    fn dump(store: &Store) -> Vec<String> {
        let mut rows = Vec::new();
        for (table, order) in [
            ("person", "id"),
            ("inmate", "person_id"),
            ("remission", "id"),
            ("family_link", "id"),
            ("booking", "id"),
            ("programme_decision", "id"),
        ] {
            let mut stmt = store
                .conn()
                .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
                .expect("q");
            let n = stmt.column_count();
            let mut q = stmt.query([]).expect("query");
            while let Some(row) = q.next().expect("row") {
                let cols: Vec<String> =
                    (0..n).map(|i| format!("{:?}", row.get_ref(i).expect("col"))).collect();
                rows.push(format!("{table}: {}", cols.join("|")));
            }
        }
        rows
    }
    let (a, _) = demo_store(7);
    let (b, _) = demo_store(7);
    let (c, _) = demo_store(8);
    // `person.updated_at` is stamped by SQLite at insert time; within one test run it may differ
    // by a second, so compare without it.
    let strip = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|r| r.rsplit_once('|').map_or(r.clone(), |(head, _)| head.to_string()))
            .collect()
    };
    assert_eq!(strip(dump(&a)), strip(dump(&b)));
    assert_ne!(strip(dump(&a)), strip(dump(&c)));
}

#[test]
fn prepare_writes_a_single_file_and_refreshes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("demo.sqlite");
    let options =
        DemoOptions { inmates: 30, visitors: 40, bookings: 5, ..DemoOptions::standard(today()) };
    let first = prepare(&path, &options).expect("prepare");
    assert_eq!(first.path, path);
    assert!(!dir.path().join("nested/demo.sqlite-wal").exists());
    assert!(!dir.path().join("nested/demo.sqlite.building").exists());
    {
        let store = Store::open(&path).expect("open");
        store.integrity_check().expect("integrity");
        let counts = store.counts().expect("counts");
        assert!(counts.contains(&("inmate", 30)), "{counts:?}");
    }
    // Refresh replaces the store (same content by seed), even while stale WAL files lie beside it.
    std::fs::write(dir.path().join("nested/demo.sqlite-wal"), b"stale").expect("write");
    let second = prepare(&path, &options).expect("refresh");
    assert_eq!(first, second);
    let store = Store::open(&path).expect("open");
    store.integrity_check().expect("integrity");
    assert!(store.counts().expect("counts").contains(&("booking", 5)));
}
