//! The kiosk against a real PostgreSQL hub (started by `tests::pg`): initial sync at scale, a
//! connection killed in the middle of a batch, the hub down, idempotent push, row-level security,
//! quarantine of malformed rows, all-or-nothing CSV import.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use kiosk::store::Store;
use kiosk::sync::hub::import::{ImportError, import_csv};
use kiosk::sync::{HookPoint, HubConfig, SyncError, SyncOptions, sync_once};
use kiosk::visits::{
    ComplaintCategory, Service, Terminal, allocate_number, call_next, file_complaint,
};
use rusqlite::types::Value;
use tests::pg::TestHub;
use tokio_postgres::Client;

/// Tables whose content must match exactly between two stores (everything but sync bookkeeping).
const DATA_TABLES: &[&str] = &[
    "facility",
    "person",
    "inmate",
    "detention_period",
    "remission",
    "programme_decision",
    "family_link",
    "fingerprint",
    "booking",
    "visit",
    "queue_ticket",
    "complaint",
    "audit_log",
    "sync_quarantine",
    "sync_pushed",
];

/// Every row of the data tables plus the cursor, as text, in key order.
fn dump(store: &Store) -> Vec<String> {
    let mut out = vec![format!("cursor={}", store.sync_cursor().expect("cursor"))];
    for table in DATA_TABLES {
        let sql = match *table {
            // Quarantine ids and times differ between stores: compare what was quarantined.
            "sync_quarantine" => {
                "SELECT direction, table_name, row_id, seq, error FROM sync_quarantine ORDER BY 1, 2, 3, 4"
                    .to_string()
            }
            "sync_pushed" => "SELECT table_name, row_id FROM sync_pushed ORDER BY 1, 2".to_string(),
            _ => format!("SELECT * FROM {table} ORDER BY 1"),
        };
        let mut stmt = store.conn().prepare(&sql).expect("prepare dump");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                let mut line = format!("{table}:");
                for i in 0..columns {
                    let value: Value = row.get(i)?;
                    let _ = write!(line, " {value:?}");
                }
                Ok(line)
            })
            .expect("query dump");
        out.extend(rows.map(|r| r.expect("row")));
    }
    out
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

async fn hub_count(client: &Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.expect("hub count").get(0)
}

async fn import(
    hub: &TestHub,
    csv: &str,
) -> Result<kiosk::sync::hub::import::ImportSummary, ImportError> {
    let mut client = hub.admin().await;
    import_csv(&mut client, csv.as_bytes()).await
}

fn facilities_csv(ids: &[&str]) -> String {
    let mut csv = String::from("facility_id,name,time_zone\n");
    for id in ids {
        let _ = writeln!(csv, "{id},Rutan {id},Asia/Makassar");
    }
    csv
}

const INMATE_HEADER: &str = "facility_id,registration_number,full_name,nik,birth_date,sex,religion,status,block,crime_category,article,case_summary,detained_on,verdict_on,verdict_final_on,sentence_kind,sentence_years,sentence_months,sentence_days,fine_rupiah,subsider_months,subsider_days,fine_paid";

fn inmates_csv(facility: &str, n: usize) -> String {
    let mut csv = format!("{INMATE_HEADER}\n");
    for i in 0..n {
        let _ = writeln!(
            csv,
            "{facility},B.I-{i}/2024,\"Warga {i}, bin Ahmad\",{nik},1990-01-{day:02},L,islam,narapidana,A-{block},general,362 KUHP,Pencurian,2024-01-{day:02},2024-06-{day:02},2024-07-{day:02},term,{years},6,0,0,0,0,0",
            nik = 3_300_000_000_000_000u64 + (i as u64) + nik_offset(facility),
            day = 1 + i % 28,
            block = i % 12,
            years = 1 + i % 9,
        );
    }
    csv
}

fn nik_offset(facility: &str) -> u64 {
    facility.bytes().map(u64::from).sum::<u64>() * 1_000_000
}

fn families_csv(facility: &str, inmates: usize, per_inmate: usize) -> String {
    let mut csv = String::from(
        "facility_id,registration_number,visitor_nik,visitor_full_name,visitor_birth_date,visitor_sex,relation,verified\n",
    );
    let relations = ["spouse", "child", "parent", "sibling"];
    for i in 0..inmates {
        for k in 0..per_inmate {
            let v = i * per_inmate + k;
            let _ = writeln!(
                csv,
                "{facility},B.I-{i}/2024,{nik},Keluarga {v},1985-03-{day:02},P,{rel},{verified}",
                nik = 3_500_000_000_000_000u64 + v as u64 + nik_offset(facility),
                day = 1 + v % 28,
                rel = relations[k % relations.len()],
                verified = if v % 2 == 0 { "ya" } else { "tidak" },
            );
        }
    }
    csv
}

/// Five templates of 300-600 pseudo-random bytes for every person of the facility, in SQL so
/// seeding stays fast.
async fn seed_templates(admin: &Client, facility: &str) -> u64 {
    admin
        .execute(
            "INSERT INTO fingerprint (id, facility_id, person_id, finger, template, quality, enrolled_at)
             SELECT gen_random_uuid()::text, p.facility_id, p.id, f.finger,
                    (SELECT decode(string_agg(md5(p.id || f.finger || g::text), ''), 'hex')
                     FROM generate_series(1, 19 + (hashtext(p.id || f.finger) & 255) % 19) g),
                    40 + (hashtext(f.finger || p.id) & 1023) % 60, now()
             FROM person p
             CROSS JOIN unnest(ARRAY['right-thumb', 'right-index', 'right-middle', 'left-thumb',
                                     'left-index']) AS f(finger)
             WHERE p.facility_id = $1",
            &[&facility],
        )
        .await
        .expect("seed templates")
}

/// A small facility: `inmates` inmates, one family member each, two templates per person.
async fn seed_small(hub: &TestHub, facility: &str, inmates: usize) {
    import(hub, &facilities_csv(&[facility])).await.expect("facility");
    import(hub, &inmates_csv(facility, inmates)).await.expect("inmates");
    import(hub, &families_csv(facility, inmates, 1)).await.expect("families");
    let admin = hub.admin().await;
    admin
        .execute(
            "INSERT INTO fingerprint (id, facility_id, person_id, finger, template, quality, enrolled_at)
             SELECT gen_random_uuid()::text, p.facility_id, p.id, f.finger,
                    decode(repeat(md5(p.id || f.finger), 25), 'hex'), 80, now()
             FROM person p CROSS JOIN unnest(ARRAY['right-thumb', 'left-thumb']) AS f(finger)
             WHERE p.facility_id = $1",
            &[&facility],
        )
        .await
        .expect("templates");
}

/// User + system CPU time of this process in ms, from /proc (Linux); None elsewhere.
fn process_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10) // USER_HZ is 100 on Linux
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("kiosk.sqlite")).expect("store");
    (dir, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_sync_of_a_full_facility() {
    let Some(hub) = TestHub::new().await else { return };
    let admin = hub.admin().await;
    import(&hub, &facilities_csv(&["RUTAN-MKS"])).await.expect("facility");
    let started = Instant::now();
    let inmates = import(&hub, &inmates_csv("RUTAN-MKS", 2000)).await.expect("inmates");
    let families = import(&hub, &families_csv("RUTAN-MKS", 2000, 3)).await.expect("families");
    let import_ms = started.elapsed().as_millis();
    assert_eq!((inmates.rows, families.rows), (2000, 6000));
    let started = Instant::now();
    let templates = seed_templates(&admin, "RUTAN-MKS").await;
    assert_eq!(templates, 40_000);
    let seed_ms = started.elapsed().as_millis();
    let kiosk_url = hub.add_kiosk("RUTAN-MKS").await;

    let (_dir, mut store) = temp_store();
    let started = Instant::now();
    let cpu_before = process_cpu_ms();
    let report =
        sync_once(&mut store, &HubConfig::plain(kiosk_url.clone()), &SyncOptions::default())
            .await
            .expect("initial sync");
    let sync_ms = started.elapsed().as_millis();
    // CPU time of this process (the kiosk side) during the sync: wall time on a shared machine
    // says little, this says what the kiosk spent.
    if let (Some(before), Some(after)) = (cpu_before, process_cpu_ms()) {
        eprintln!("initial sync: kiosk-side CPU {} ms (whole test process)", after - before);
    }
    eprintln!(
        "initial sync: {} changes in {} batches, {sync_ms} ms (fetch {} ms, apply {} ms; \
         CSV import of 2,000 inmates + 6,000 family links {import_ms} ms, 40,000 templates seeded {seed_ms} ms)",
        report.pulled, report.batches, report.fetch_ms, report.apply_ms
    );
    assert_eq!(count(&store, "facility"), 1);
    assert_eq!(count(&store, "inmate"), 2000);
    assert_eq!(count(&store, "person"), 8000);
    assert_eq!(count(&store, "family_link"), 6000);
    assert_eq!(count(&store, "fingerprint"), 40_000);
    assert_eq!(report.quarantined, 0);
    assert!(report.templates_changed);
    assert_eq!(report.pending_changes, 0);
    // Templates arrive byte for byte.
    let row = admin
        .query_one("SELECT id, template FROM fingerprint ORDER BY id LIMIT 1", &[])
        .await
        .expect("hub template");
    let (id, bytes): (String, Vec<u8>) = (row.get(0), row.get(1));
    assert!((300..=600).contains(&bytes.len()), "template of {} bytes", bytes.len());
    let local: Vec<u8> = store
        .conn()
        .query_row("SELECT template FROM fingerprint WHERE id = ?1", [&id], |r| r.get(0))
        .expect("local template");
    assert_eq!(local, bytes);
    let status = store.sync_status().expect("status");
    assert_eq!(status.cursor, report.cursor);
    assert!(status.last_success_at.is_some() && status.last_error.is_none());
    assert_eq!(status.pending_changes, Some(0));
    assert_eq!(status.unpushed_events, 0, "pulled templates are not local enrolments");

    // Nothing new: the next round pulls nothing and says templates are unchanged.
    let again =
        sync_once(&mut store, &HubConfig::plain(kiosk_url.clone()), &SyncOptions::default())
            .await
            .expect("second sync");
    assert_eq!((again.pulled, again.templates_changed), (0, false));

    // A re-import of the same export writes nothing and sends nothing to kiosks.
    let reimport = import(&hub, &inmates_csv("RUTAN-MKS", 2000)).await.expect("re-import");
    assert_eq!(reimport.written, 0);
    // An update and a delete travel too.
    admin
        .batch_execute(
            "UPDATE inmate SET block = 'C-1' WHERE registration_number = 'B.I-7/2024';
             DELETE FROM person WHERE id = (SELECT visitor_id FROM family_link ORDER BY id LIMIT 1);",
        )
        .await
        .expect("edit");
    let third = sync_once(&mut store, &HubConfig::plain(kiosk_url), &SyncOptions::default())
        .await
        .expect("third sync");
    assert!(third.deleted >= 1 && third.templates_changed, "{third:?}");
    let block: String = store
        .conn()
        .query_row("SELECT block FROM inmate WHERE registration_number = 'B.I-7/2024'", [], |r| {
            r.get(0)
        })
        .expect("block");
    assert_eq!(block, "C-1");
    assert_eq!(count(&store, "person"), 7999);
    assert_eq!(count(&store, "fingerprint"), 39_995);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_connection_mid_batch_leaves_the_store_as_before_that_batch() {
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-A", 150).await;
    let url = HubConfig::plain(hub.add_kiosk("RUTAN-A").await);
    let options = SyncOptions { batch_size: 200, fetch_chunk: 50, ..SyncOptions::default() };

    // Reference: a store that stopped cleanly after two batches, and one fully synced.
    let (_d1, mut after_two) = temp_store();
    let two = SyncOptions { max_batches: Some(2), ..options.clone() };
    sync_once(&mut after_two, &url, &two).await.expect("two batches");
    let (_d2, mut full) = temp_store();
    sync_once(&mut full, &url, &options).await.expect("full");

    // Kill the hub backend after the first chunk of batch 3 arrived.
    let admin = Arc::new(hub.admin().await);
    let killer = admin.clone();
    let hook: kiosk::sync::Hook = Arc::new(move |point| {
        if let HookPoint::Fetched { batch: 3, rows: 50, backend_pid } = point {
            let killer = killer.clone();
            tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(async move {
                    let killed: bool = killer
                        .query_one("SELECT pg_terminate_backend($1, 5000)", &[&backend_pid])
                        .await
                        .expect("terminate")
                        .get(0);
                    assert!(killed);
                })
            });
        }
        Ok(())
    });
    let (_d3, mut victim) = temp_store();
    let killed = SyncOptions { hook: Some(hook), ..options.clone() };
    let err = sync_once(&mut victim, &url, &killed).await.expect_err("connection killed");
    assert!(matches!(err, SyncError::Hub(_)), "{err}");
    assert_eq!(dump(&victim), dump(&after_two), "store differs from the state before batch 3");
    assert!(victim.sync_status().expect("status").last_error.is_some());
    victim.integrity_check().expect("intact");

    // The next run completes it.
    let report = sync_once(&mut victim, &url, &options).await.expect("resume");
    assert!(report.pulled > 0);
    assert_eq!(dump(&victim), dump(&full));
    assert!(victim.sync_status().expect("status").last_error.is_none());

    // A fault between fetch and commit (inside the batch's transaction) is just as harmless.
    let (_d4, mut after_one) = temp_store();
    let one = SyncOptions { max_batches: Some(1), ..options.clone() };
    sync_once(&mut after_one, &url, &one).await.expect("one batch");
    let hook: kiosk::sync::Hook = Arc::new(|point| match point {
        HookPoint::Applied { batch: 2, row: 120 } => Err("power cut".into()),
        _ => Ok(()),
    });
    let (_d5, mut cut) = temp_store();
    let faulty = SyncOptions { hook: Some(hook), ..options.clone() };
    let err = sync_once(&mut cut, &url, &faulty).await.expect_err("interrupted");
    assert!(matches!(err, SyncError::Interrupted(_)), "{err}");
    assert_eq!(dump(&cut), dump(&after_one));
    sync_once(&mut cut, &url, &options).await.expect("resume after cut");
    assert_eq!(dump(&cut), dump(&full));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_down_at_start_leaves_the_kiosk_usable_with_its_last_data() {
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-B", 20).await;
    let url = HubConfig::plain(hub.add_kiosk("RUTAN-B").await);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.sqlite");
    let mut store = Store::open(&path).expect("store");
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("first sync");
    let before = dump(&store);
    let last_success = store.sync_status().expect("status").last_success_at;
    drop(store);

    // Nothing listens on this port: the hub is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let down =
        HubConfig::plain(format!("postgresql://kiosk@127.0.0.1:{port}/hub?connect_timeout=3"));
    let mut store = Store::open(&path).expect("reopen");
    let err = sync_once(&mut store, &down, &SyncOptions::default()).await.expect_err("hub down");
    assert!(matches!(err, SyncError::Connect(_)), "{err}");
    assert_eq!(dump(&store), before);
    store.integrity_check().expect("intact");
    let name: String = store
        .conn()
        .query_row(
            "SELECT p.full_name FROM inmate i JOIN person p ON p.id = i.person_id
             WHERE i.registration_number = 'B.I-3/2024'",
            [],
            |r| r.get(0),
        )
        .expect("inmate still there");
    assert_eq!(name, "Warga 3, bin Ahmad");
    let status = store.sync_status().expect("status");
    assert!(status.last_error.as_deref().is_some_and(|e| e.contains("connect")), "{status:?}");
    assert_eq!(status.last_success_at, last_success);
    // And when the hub is back, sync resumes.
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("hub back");
    assert!(store.sync_status().expect("status").last_error.is_none());
}

fn add_local_events(store: &Store, person: &str, inmate: &str) {
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, visitor_id, inmate_id, issued_at)
             VALUES ('qt-1', 'RUTAN-C', '2026-11-28', 'A', 1, 'lobby-1', '{person}', '{inmate}', '2026-11-28T01:00:00Z');
             INSERT INTO visit (id, booking_id, visitor_id, inmate_id, visit_date, session, group_size, checked_in_at, ticket_id, terminal_id)
             VALUES ('v-1', NULL, '{person}', '{inmate}', '2026-11-28', 'pagi', 2, '2026-11-28T01:00:05Z', 'qt-1', 'lobby-1');
             INSERT INTO complaint (id, facility_id, receipt_number, category, body, person_id, created_at)
             VALUES ('c-1', 'RUTAN-C', 'ADU-0001', 'layanan', 'Antrian lama', NULL, '2026-11-28T02:00:00Z');
             INSERT INTO audit_log (id, at, terminal_id, event, person_id, outcome, detail)
             VALUES ('a-1', '2026-11-28T01:00:00Z', 'lobby-1', 'identify', '{person}', 'accepted', NULL),
                    ('a-2', '2026-11-28T01:00:04Z', 'lobby-1', 'check_in', '{person}', 'accepted', NULL);
             INSERT INTO fingerprint (id, person_id, finger, template, quality, enrolled_at)
             VALUES ('enrol-1', '{person}', 'left-middle', x'0102030405', 77, '2026-11-28T03:00:00Z');"
        ))
        .expect("local events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushing_the_same_events_twice_creates_no_duplicates() {
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-C", 5).await;
    let url = HubConfig::plain(hub.add_kiosk("RUTAN-C").await);
    let admin = hub.admin().await;
    let (_dir, mut store) = temp_store();
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("first sync");
    let (visitor, inmate): (String, String) = store
        .conn()
        .query_row("SELECT visitor_id, inmate_id FROM family_link LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("link");
    add_local_events(&store, &visitor, &inmate);
    assert_eq!(store.sync_status().expect("status").unpushed_events, 6);

    let first = sync_once(&mut store, &url, &SyncOptions::default()).await.expect("push");
    assert_eq!((first.pushed, first.push_repeats, first.push_refused), (6, 0, 0));
    assert_eq!(store.sync_status().expect("status").unpushed_events, 0);
    // The enrolment became master data and came back as a pulled template.
    assert!(first.templates_changed);
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM fingerprint WHERE id = 'enrol-1'").await, 1);

    // The acknowledgement was lost: the kiosk pushes everything again.
    store
        .conn()
        .execute(
            "DELETE FROM sync_pushed WHERE table_name <> 'fingerprint' OR row_id = 'enrol-1'",
            [],
        )
        .expect("forget");
    let second = sync_once(&mut store, &url, &SyncOptions::default()).await.expect("push again");
    assert_eq!((second.pushed, second.push_repeats), (0, 6));
    for (table, n) in
        [("queue_ticket", 1), ("visit", 1), ("complaint", 1), ("audit_log", 2), ("enrolment", 1)]
    {
        assert_eq!(hub_count(&admin, &format!("SELECT count(*) FROM {table}")).await, n, "{table}");
    }
    let facility: String = admin
        .query_one("SELECT facility_id FROM audit_log WHERE id = 'a-1'", &[])
        .await
        .expect("audit")
        .get(0);
    assert_eq!(facility, "RUTAN-C");

    // A row the hub refuses (another facility's ticket) is quarantined; the rest still goes.
    store
        .conn()
        .execute_batch(
            "INSERT INTO facility (id, name) VALUES ('RUTAN-X', 'Elsewhere');
             INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, issued_at)
             VALUES ('qt-x', 'RUTAN-X', '2026-11-28', 'B', 1, 'lobby-1', '2026-11-28T04:00:00Z'),
                    ('qt-2', 'RUTAN-C', '2026-11-28', 'B', 2, 'lobby-1', '2026-11-28T04:00:00Z');
             INSERT INTO audit_log (id, at, terminal_id, event, outcome)
             VALUES ('a-bad', 'yesterday-ish', 'lobby-1', 'view', 'accepted');",
        )
        .expect("more events");
    let third = sync_once(&mut store, &url, &SyncOptions::default()).await.expect("third");
    assert_eq!((third.pushed, third.push_refused), (1, 2), "{third:?}");
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM queue_ticket").await, 2);
    let status = store.sync_status().expect("status");
    assert_eq!(status.quarantined, 2);
    assert!(status.recent_quarantine.iter().any(|q| q.row_id == "qt-x" && q.direction == "push"));
    assert!(status.recent_quarantine.iter().any(|q| q.row_id == "a-bad" && q.error.contains("at")));
    // Refused rows are not retried every round.
    let fourth = sync_once(&mut store, &url, &SyncOptions::default()).await.expect("fourth");
    assert_eq!((fourth.pushed, fourth.push_refused), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_role_cannot_read_another_facilitys_rows() {
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-D", 10).await;
    seed_small(&hub, "LAPAS-E", 7).await;
    let url = hub.add_kiosk("RUTAN-D").await;
    let kiosk = kiosk::sync::connect(&HubConfig::plain(url.clone())).await.expect("kiosk login");
    for table in ["facility", "person", "inmate", "family_link", "fingerprint", "change_log"] {
        let others = hub_count(
            &kiosk,
            &format!("SELECT count(*) FROM {table} WHERE facility_id <> 'RUTAN-D'"),
        )
        .await;
        assert_eq!(others, 0, "{table}: kiosk sees another facility's rows");
        assert!(hub_count(&kiosk, &format!("SELECT count(*) FROM {table}")).await > 0, "{table}");
    }
    assert_eq!(hub_count(&kiosk, "SELECT count(*) FROM inmate").await, 10);
    // Writing another facility's events, or any master data, is refused.
    let err = kiosk
        .execute(
            "INSERT INTO audit_log (id, facility_id, at, terminal_id, event, outcome)
             VALUES ('x', 'LAPAS-E', now(), 't', 'view', 'accepted')",
            &[],
        )
        .await
        .expect_err("RLS insert");
    assert!(kiosk::sync::describe(&err).contains("row-level security"), "{err}");
    let err = kiosk
        .execute("UPDATE person SET full_name = 'x' WHERE facility_id = 'RUTAN-D'", &[])
        .await
        .expect_err("master write");
    assert!(kiosk::sync::describe(&err).contains("permission denied"), "{err}");
    // Events are write-only for kiosks: not even their own come back.
    kiosk
        .execute(
            "INSERT INTO audit_log (id, at, terminal_id, event, outcome)
             VALUES ('mine', now(), 't', 'view', 'accepted') ON CONFLICT DO NOTHING",
            &[],
        )
        .await
        .expect("own event");
    let err = kiosk.query("SELECT count(*) FROM audit_log", &[]).await.expect_err("write-only");
    assert!(kiosk::sync::describe(&err).contains("permission denied"), "{err}");
    // Queue tickets reach kiosks through the change log only, and a kiosk can call only its own
    // facility's tickets.
    let err = kiosk.query("SELECT count(*) FROM queue_ticket", &[]).await.expect_err("tickets");
    assert!(kiosk::sync::describe(&err).contains("permission denied"), "{err}");
    let admin = hub.admin().await;
    admin
        .execute(
            "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, issued_at)
             VALUES ('qt-e', 'LAPAS-E', '2026-12-01', 'A', 1, 'lobby-e', now())",
            &[],
        )
        .await
        .expect("other facility's ticket");
    let called: Option<chrono::DateTime<chrono::Utc>> =
        kiosk.query_one("SELECT hub_call_ticket('qt-e', now())", &[]).await.expect("call").get(0);
    assert_eq!(called, None);
    assert_eq!(
        hub_count(&admin, "SELECT count(*) FROM queue_ticket WHERE called_at IS NOT NULL").await,
        0
    );

    // And its store gets its own facility only.
    let (_dir, mut store) = temp_store();
    sync_once(&mut store, &HubConfig::plain(url), &SyncOptions::default()).await.expect("sync");
    assert_eq!(count(&store, "facility"), 1);
    assert_eq!(count(&store, "inmate"), 10);
    let others: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM person WHERE facility_id <> 'RUTAN-D'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(others, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_row_is_quarantined_and_the_rest_applied() {
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-F", 4).await;
    let url = HubConfig::plain(hub.add_kiosk("RUTAN-F").await);
    let admin = hub.admin().await;
    let inmate: String = admin
        .query_one("SELECT person_id FROM inmate WHERE registration_number = 'B.I-0/2024'", &[])
        .await
        .expect("inmate")
        .get(0);
    // Rows no trigger would write, as a broken or hostile hub might: an impossible date, a
    // template of a person the kiosk does not know, a table the kiosk does not know.
    let bad_remission = serde_json::json!({
        "id": "rem-bad", "facility_id": "RUTAN-F", "inmate_id": inmate, "kind": "RU",
        "granted_on": "2024-02-30", "months": 1, "days": 0, "decree_number": null
    });
    let orphan_template = serde_json::json!({
        "id": "fp-orphan", "facility_id": "RUTAN-F", "person_id": "nobody", "finger": "right-thumb",
        "template": "\\x0102", "quality": 50, "enrolled_at": "2026-01-01T00:00:00+00:00"
    });
    for (table, id, data) in [
        ("remission", "rem-bad", Some(bad_remission)),
        ("fingerprint", "fp-orphan", Some(orphan_template)),
        ("parole_board", "pb-1", Some(serde_json::json!({"id": "pb-1"}))),
    ] {
        admin
            .execute(
                "INSERT INTO change_log (seq, facility_id, table_name, row_id, op, data)
                 VALUES (nextval('change_log_seq'), 'RUTAN-F', $1, $2, 'upsert', $3)",
                &[&table, &id, &data],
            )
            .await
            .expect("bad change");
    }
    // Good rows after the bad ones.
    import(
        &hub,
        "facility_id,registration_number,kind,granted_on,months,days,decree_number\n\
         RUTAN-F,B.I-0/2024,RU,2024-08-17,3,0,SK-17\nRUTAN-F,B.I-1/2024,RK,2024-04-10,1,15,SK-4\n",
    )
    .await
    .expect("remissions");

    let (_dir, mut store) = temp_store();
    let report = sync_once(&mut store, &url, &SyncOptions::default()).await.expect("sync");
    assert_eq!(report.quarantined, 3, "{report:?}");
    assert_eq!(count(&store, "remission"), 2);
    assert_eq!(count(&store, "inmate"), 4);
    assert_eq!(count(&store, "fingerprint"), 16);
    let status = store.sync_status().expect("status");
    assert_eq!(status.quarantined, 3);
    let errors: Vec<(String, String)> =
        status.recent_quarantine.iter().map(|q| (q.row_id.clone(), q.error.clone())).collect();
    assert!(errors.iter().any(|(id, e)| id == "rem-bad" && e.contains("granted_on")), "{errors:?}");
    assert!(
        errors.iter().any(|(id, e)| id == "fp-orphan" && e.contains("FOREIGN KEY")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|(id, e)| id == "pb-1" && e.contains("parole_board")), "{errors:?}");

    // A later good version of the row applies and leaves quarantine.
    admin
        .execute(
            "INSERT INTO remission (id, facility_id, inmate_id, kind, granted_on, months, days)
             VALUES ('rem-bad', 'RUTAN-F', $1, 'RD', '2024-02-29', 1, 0)",
            &[&inmate],
        )
        .await
        .expect("fixed row");
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("sync again");
    assert_eq!(count(&store, "remission"), 3);
    assert_eq!(store.sync_status().expect("status").quarantined, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_with_bad_rows_loads_nothing_and_lists_them() {
    let Some(hub) = TestHub::new().await else { return };
    let admin = hub.admin().await;
    import(&hub, &facilities_csv(&["RUTAN-G"])).await.expect("facility");
    let changes_before = hub_count(&admin, "SELECT count(*) FROM change_log").await;

    let mut csv = inmates_csv("RUTAN-G", 6);
    csv = csv.replacen("2024-01-03,2024-06-03", "2024-01-03,2024-02-30", 1); // line 4: impossible date
    csv = csv.replacen(",islam,narapidana,A-4,", ",jedi,narapidana,A-4,", 1); // line 6: unknown religion
    csv.push_str("RUTAN-X,B.I-99/2024,Orang Luar,,,,islam,tahanan,,,,,2024-01-01,,,,,,,,,,\n"); // line 8
    csv.push_str("RUTAN-G,B.I-0/2024,Duplikat,,,,islam,tahanan,,,,,2024-01-01,,,,,,,,,,\n"); // line 9
    let err = import(&hub, &csv).await.expect_err("bad rows");
    let ImportError::Rows(rows) = err else { panic!("expected row errors, got {err}") };
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 6, 8, 9], "{rows:?}");
    assert!(rows[0].message.contains("verdict_on"), "{}", rows[0]);
    assert!(rows[1].message.contains("religion"), "{}", rows[1]);
    assert!(rows[2].message.contains("unknown facility"), "{}", rows[2]);
    assert!(rows[3].message.contains("twice"), "{}", rows[3]);
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM inmate").await, 0);
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM person").await, 0);
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM change_log").await, changes_before);

    // References are checked too: remissions of unknown inmates load nothing.
    import(&hub, &inmates_csv("RUTAN-G", 3)).await.expect("good inmates");
    let err = import(
        &hub,
        "facility_id,registration_number,kind,granted_on,months,days,decree_number\n\
         RUTAN-G,B.I-0/2024,RU,2024-08-17,3,0,SK-1\nRUTAN-G,B.I-77/2024,RU,2024-08-17,3,0,SK-1\n",
    )
    .await
    .expect_err("unknown inmate");
    assert!(err.to_string().contains("line 3: unknown registration number"), "{err}");
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM remission").await, 0);

    // Bookings name the inmate and the visitor (by NIK) the hub knows.
    import(&hub, &families_csv("RUTAN-G", 3, 1)).await.expect("families");
    let nik = 3_500_000_000_000_000u64 + nik_offset("RUTAN-G");
    let header = "facility_id,code,registration_number,visitor_nik,visit_date,session,group_size,permit_reference,source\n";
    let good = format!("RUTAN-G,BK-1,B.I-0/2024,{nik},2026-12-01,pagi,2,,whatsapp\n");
    let err = import(
        &hub,
        &format!("{header}{good}RUTAN-G,BK-2,B.I-1/2024,9999999999999999,2026-12-01,pagi,2,,\n"),
    )
    .await
    .expect_err("unknown visitor");
    assert!(err.to_string().contains("line 3: unknown visitor NIK"), "{err}");
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM booking").await, 0);
    let loaded = import(&hub, &format!("{header}{good}")).await.expect("booking");
    assert_eq!(loaded.written, 1);

    // A kiosk gets the booking; its check-in closes the booking on the hub for every kiosk.
    let url = HubConfig::plain(hub.add_kiosk("RUTAN-G").await);
    let (_dir, mut store) = temp_store();
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("sync");
    let (booking, visitor, inmate): (String, String, String) = store
        .conn()
        .query_row("SELECT id, visitor_id, inmate_id FROM booking WHERE code = 'BK-1'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("booking pulled");
    store
        .conn()
        .execute(
            "INSERT INTO visit (id, booking_id, visitor_id, inmate_id, visit_date, session, group_size, checked_in_at, terminal_id)
             VALUES ('v-bk1', ?1, ?2, ?3, '2026-12-01', 'pagi', 2, '2026-12-01T01:00:00Z', 'lobby-1')",
            [&booking, &visitor, &inmate],
        )
        .expect("check-in");
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("push check-in");
    let status: String = store
        .conn()
        .query_row("SELECT status FROM booking WHERE code = 'BK-1'", [], |r| r.get(0))
        .expect("status");
    assert_eq!(status, "checked_in");

    // A header that names no kind is refused as a whole.
    let err = import(&hub, "nama,alamat\nBudi,Makassar\n").await.expect_err("unknown header");
    assert!(matches!(err, ImportError::UnknownHeader { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_retries_with_backoff_and_reports_template_changes() {
    use std::time::Duration;
    let Some(hub) = TestHub::new().await else { return };
    seed_small(&hub, "RUTAN-L", 3).await;
    let (_dir, mut store) = temp_store();

    // Hub down: the loop keeps trying, with growing delays, until told to stop.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let down =
        HubConfig::plain(format!("postgresql://kiosk@127.0.0.1:{port}/hub?connect_timeout=2"));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut failures = 0;
    let backoff = kiosk::sync::Backoff::new(
        Duration::from_millis(10),
        Duration::from_millis(5),
        Duration::from_millis(40),
    );
    kiosk::sync::run_loop(
        &mut store,
        &down,
        &SyncOptions::default(),
        backoff.clone(),
        |outcome| {
            assert!(outcome.is_err());
            failures += 1;
            if failures == 3 {
                let _ = stop.send(true);
            }
        },
        shutdown,
    )
    .await;
    assert_eq!(failures, 3);
    assert_eq!(count(&store, "inmate"), 0);

    // Hub up: the first round brings templates (the app would rebuild its 1:N index), the next
    // brings nothing new.
    let up = HubConfig::plain(hub.add_kiosk("RUTAN-L").await);
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut rounds: Vec<bool> = Vec::new();
    kiosk::sync::run_loop(
        &mut store,
        &up,
        &SyncOptions::default(),
        backoff,
        |outcome| {
            let report = outcome.as_ref().expect("round");
            rounds.push(report.templates_changed);
            if rounds.len() == 2 {
                let _ = stop.send(true);
            }
        },
        shutdown,
    )
    .await;
    assert_eq!(rounds, vec![true, false]);
    assert_eq!(count(&store, "fingerprint"), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_refuses_a_hub_it_was_not_synced_with() {
    let Some(first) = TestHub::new().await else { return };
    let Some(second) = TestHub::new().await else { return };
    seed_small(&first, "RUTAN-H", 3).await;
    seed_small(&second, "RUTAN-H", 2).await;
    let (_dir, mut store) = temp_store();
    let url = HubConfig::plain(first.add_kiosk("RUTAN-H").await);
    sync_once(&mut store, &url, &SyncOptions::default()).await.expect("first hub");
    let before = dump(&store);
    let other = HubConfig::plain(second.add_kiosk("RUTAN-H").await);
    let err = sync_once(&mut store, &other, &SyncOptions::default()).await.expect_err("other hub");
    assert!(matches!(err, SyncError::OtherHub { .. }), "{err}");
    assert_eq!(dump(&store), before);

    // A hub restored from an older backup is behind the cursor: refused, nothing skipped.
    let admin = first.admin().await;
    admin.execute("SELECT setval('change_log_seq', 3)", &[]).await.expect("rewind");
    let err = sync_once(&mut store, &url, &SyncOptions::default()).await.expect_err("behind");
    assert!(matches!(err, SyncError::HubBehind { hub: 3, .. }), "{err}");
    assert_eq!(dump(&store), before);
}

/// Numbers of `service` issued by `slot` in a store, sorted.
fn block(rows: &[kiosk::store::queue::QueueTicketRow], slot: u8, service: Service) -> Vec<u32> {
    let mut seq: Vec<u32> = rows
        .iter()
        .filter(|r| r.terminal_slot == slot && r.service == service)
        .map(|r| r.sequence)
        .collect();
    seq.sort_unstable();
    seq
}

fn lobby_time(hms: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(&format!("2026-12-01T{hms}+08:00")).expect("time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_lobby_terminals_share_their_queue_through_the_hub() {
    let Some(hub) = TestHub::new().await else { return };
    const FACILITY: &str = "RUTAN-Q";
    seed_small(&hub, FACILITY, 4).await;
    let urls = [
        HubConfig::plain(hub.add_kiosk(FACILITY).await),
        HubConfig::plain(hub.add_kiosk(FACILITY).await),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<_> = (0..2).map(|i| dir.path().join(format!("lobby-{i}.sqlite"))).collect();
    for (path, url) in paths.iter().zip(&urls) {
        let mut store = Store::open(path).expect("store");
        sync_once(&mut store, url, &SyncOptions::default()).await.expect("initial sync");
    }

    // Offline: two screens per terminal issue numbers at once, each terminal in its own block.
    let per_screen = 25;
    let handles: Vec<_> = paths
        .iter()
        .enumerate()
        .flat_map(|(slot, path)| {
            (0..2).map(move |screen| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).expect("open");
                    let terminal = Terminal { id: format!("lobby-{slot}"), slot: slot as u8 };
                    for i in 0..per_screen {
                        let service =
                            if i % 5 == 0 { Service::GoodsDeposit } else { Service::Visit };
                        let now = lobby_time(&format!("09:{:02}:{:02}", i, screen * 10 + slot));
                        allocate_number(&mut store, FACILITY, &terminal, service, None, now)
                            .expect("allocate offline");
                    }
                })
            })
        })
        .collect();
    tokio::task::block_in_place(|| {
        for handle in handles {
            handle.join().expect("screen thread");
        }
    });
    let mut stores: Vec<Store> = paths.iter().map(|p| Store::open(p).expect("open")).collect();
    let terminal_one = Terminal { id: "lobby-0".into(), slot: 0 };
    file_complaint(
        &mut stores[0],
        FACILITY,
        &terminal_one,
        ComplaintCategory::IllegalFee,
        "Diminta uang di pintu.",
        None,
        lobby_time("09:30:00"),
    )
    .expect("anonymous complaint");
    let day = lobby_time("09:00:00").date_naive();
    for store in &stores {
        assert_eq!(store.queue_tickets(FACILITY, day).expect("rows").len(), 2 * per_screen);
    }

    // Back online: terminal 1, terminal 2, terminal 1 again (to learn terminal 2's tickets).
    for i in [0, 1, 0] {
        let report =
            sync_once(&mut stores[i], &urls[i], &SyncOptions::default()).await.expect("sync round");
        assert_eq!((report.push_refused, report.quarantined), (0, 0), "{report:?}");
    }
    let total = 4 * per_screen;
    let admin = hub.admin().await;
    assert_eq!(hub_count(&admin, "SELECT count(*) FROM queue_ticket").await, total as i64);
    for store in &stores {
        let rows = store.queue_tickets(FACILITY, day).expect("rows");
        assert_eq!(rows.len(), total, "every ticket on every terminal");
        let keys: BTreeSet<(Service, u32)> = rows.iter().map(|r| (r.service, r.number)).collect();
        assert_eq!(keys.len(), total, "numbers unique across terminals");
        for slot in 0..2u8 {
            for (service, n) in [(Service::Visit, 40u32), (Service::GoodsDeposit, 10)] {
                assert_eq!(block(&rows, slot, service), (1..=n).collect::<Vec<_>>(), "{slot}");
            }
        }
        let issued: u32 =
            store.queue_status(FACILITY, day).expect("status").iter().map(|q| q.issued).sum();
        assert_eq!(issued as usize, total, "now-serving counts both terminals");
        assert!(rows.iter().all(|r| r.ticket_code.is_some()), "ticket codes travel");
        assert_eq!(store.sync_status().expect("status").unpushed_events, 0);
    }
    // The hub keeps what a terminal needs of a ticket, and the complaint without a person.
    let row = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE ticket_code IS NULL), count(DISTINCT terminal_id)
             FROM queue_ticket",
            &[],
        )
        .await
        .expect("hub tickets");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (0, 2));
    let complaint = admin
        .query_one(
            "SELECT anonymous, person_id, terminal_id, facility_id FROM complaint
             WHERE category = 'illegal_fee'",
            &[],
        )
        .await
        .expect("complaint on the hub");
    let (anonymous, person, terminal, facility): (bool, Option<String>, Option<String>, String) =
        (complaint.get(0), complaint.get(1), complaint.get(2), complaint.get(3));
    assert!(anonymous);
    assert_eq!(person, None);
    assert_eq!((terminal.as_deref(), facility.as_str()), (Some("lobby-0"), FACILITY));

    // An officer calls at terminal 1; terminal 2 sees it after its sync.
    let called = call_next(&mut stores[0], FACILITY, Service::GoodsDeposit, lobby_time("10:00:00"))
        .expect("call")
        .expect("someone waits");
    sync_once(&mut stores[0], &urls[0], &SyncOptions::default()).await.expect("push call");
    let report = sync_once(&mut stores[1], &urls[1], &SyncOptions::default()).await.expect("pull");
    assert_eq!(report.upserted, 1, "{report:?}");
    let seen = stores[1].queue_ticket(&called.id).expect("read").expect("ticket on terminal 2");
    assert_eq!(seen.called_at.as_deref(), Some("2026-12-01T02:00:00Z"));
    let status = |store: &Store| {
        store
            .queue_status(FACILITY, day)
            .expect("status")
            .into_iter()
            .map(|q| (q.service, q.waiting, q.last_called.map(|t| t.id)))
            .collect::<Vec<_>>()
    };
    assert_eq!(status(&stores[0]), status(&stores[1]));

    // Both terminals call the next visit while apart: the same ticket, the earliest call wins.
    let late = call_next(&mut stores[0], FACILITY, Service::Visit, lobby_time("10:10:00"))
        .expect("call")
        .expect("ticket");
    let early = call_next(&mut stores[1], FACILITY, Service::Visit, lobby_time("10:05:00"))
        .expect("call")
        .expect("ticket");
    assert_eq!(late.id, early.id);
    for i in [0, 1, 0] {
        sync_once(&mut stores[i], &urls[i], &SyncOptions::default()).await.expect("sync");
    }
    for store in &stores {
        let ticket = store.queue_ticket(&late.id).expect("read").expect("ticket");
        assert_eq!(ticket.called_at.as_deref(), Some("2026-12-01T02:05:00Z"));
    }
    let on_hub: chrono::DateTime<chrono::Utc> = admin
        .query_one("SELECT called_at FROM queue_ticket WHERE id = $1", &[&late.id])
        .await
        .expect("hub ticket")
        .get(0);
    assert_eq!(on_hub.to_rfc3339(), "2026-12-01T02:05:00+00:00");
    assert_eq!(status(&stores[0]), status(&stores[1]));

    // A ticket of a misconfigured terminal (slot 0 twice) reaches both: quarantined, not merged.
    let taken: String = admin
        .query_one("SELECT id FROM queue_ticket WHERE service = 'A' AND number = 1", &[])
        .await
        .expect("A-001")
        .get(0);
    admin
        .execute(
            "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id, issued_at)
             VALUES ('qt-twin', $1, '2026-12-01', 'A', 1, 'lobby-twin', now())",
            &[&FACILITY],
        )
        .await
        .expect("twin ticket");
    for i in [0, 1] {
        let report =
            sync_once(&mut stores[i], &urls[i], &SyncOptions::default()).await.expect("sync");
        assert_eq!(report.quarantined, 1, "{report:?}");
        let status = stores[i].sync_status().expect("status");
        assert!(
            status
                .recent_quarantine
                .iter()
                .any(|q| q.row_id == "qt-twin"
                    && q.error.contains(&format!("held by ticket {taken}"))),
            "{status:?}"
        );
        assert_eq!(stores[i].queue_tickets(FACILITY, day).expect("rows").len(), total);
        stores[i].integrity_check().expect("intact");
    }
    // Quiet afterwards: nothing goes up or comes down.
    for i in [0, 1] {
        let report =
            sync_once(&mut stores[i], &urls[i], &SyncOptions::default()).await.expect("sync");
        assert_eq!((report.pulled, report.pushed, report.calls_pushed), (0, 0, 0), "{report:?}");
    }
}
