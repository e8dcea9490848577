//! The `kiosk hub init`, `kiosk hub import` and `kiosk sync --once` commands against a real
//! PostgreSQL (the cluster harness of the `tests` crate, compiled in here).

#[path = "../../tests/src/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::process::{Command, Output};

fn kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk")).args(args).output().expect("run kiosk")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_init_import_and_sync_from_the_command_line() {
    let Some(cluster) = pg::PgCluster::shared() else { return };
    let db = cluster.create_database("cli").await;
    let admin_url = cluster.url("postgres", &db);
    let dir = tempfile::tempdir().expect("tempdir");

    let out = kiosk(&["hub", "init", "--url", &admin_url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("applied: 1,2,3,4"), "{}", stdout(&out));
    let out = kiosk(&["hub", "init", "--url", &admin_url]);
    assert!(stdout(&out).contains("applied: none\nschema_versions: 1,2,3,4"), "{}", stdout(&out));

    let facilities = dir.path().join("facilities.csv");
    std::fs::write(
        &facilities,
        "facility_id,name,time_zone\nRUTAN-MKS,Rutan Makassar,Asia/Makassar\n",
    )
    .expect("write");
    let out = kiosk(&["hub", "import", "--url", &admin_url, facilities.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("kind: facilities\nrows: 1"), "{}", stdout(&out));

    let header = "facility_id,registration_number,full_name,nik,birth_date,sex,religion,status,block,crime_category,article,case_summary,detained_on,verdict_on,verdict_final_on,sentence_kind,sentence_years,sentence_months,sentence_days,fine_rupiah,subsider_months,subsider_days,fine_paid";
    let good = "RUTAN-MKS,B.I-1/2025,Andi,,,L,islam,narapidana,A,,,,2025-01-10,2025-05-01,2025-05-20,term,2,0,0,0,0,0,\n\
                RUTAN-MKS,B.I-2/2025,Budi,,,L,kristen,tahanan,B,,,,2025-02-11,,,,,,,,,,\n";
    let bad = "RUTAN-MKS,B.I-3/2025,Citra,,,X,islam,tahanan,B,,,,2025-02-11,,,,,,,,,,\n";
    let inmates = dir.path().join("inmates.csv");
    std::fs::write(&inmates, format!("{header}\n{good}{bad}")).expect("write");
    let out = kiosk(&["hub", "import", "--url", &admin_url, inmates.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("line 4: sex \"X\""), "{}", stdout(&out));
    assert!(stderr(&out).contains("nothing was loaded"), "{}", stderr(&out));
    std::fs::write(&inmates, format!("{header}\n{good}")).expect("write");
    let out = kiosk(&["hub", "import", "--url", &admin_url, inmates.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("kind: inmates\nrows: 2"), "{}", stdout(&out));

    let admin = cluster.connect("postgres", &db).await;
    admin
        .batch_execute(
            "CREATE ROLE kiosk_cli_mks LOGIN; SELECT hub_register_kiosk('kiosk_cli_mks', 'RUTAN-MKS');",
        )
        .await
        .expect("kiosk role");
    let kiosk_url = cluster.url("kiosk_cli_mks", &db);
    let store = dir.path().join("kiosk.sqlite");
    let store_arg = store.to_str().expect("path");
    let out = kiosk(&["sync", "--once", "--store", store_arg, "--url", &kiosk_url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("pulled: 5\n"), "{}", stdout(&out));
    let out = kiosk(&["store", "check", "--store", store_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("inmate: 2\n"), "{}", stdout(&out));

    // The same through a configuration file naming the store (relative) and the hub.
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "role = \"lobby\"\nterminal_id = \"LOBBY-1\"\n\n[facility]\nname = \"Rutan Makassar\"\n\
             code = \"RUTAN-MKS\"\ntime_zone = \"Asia/Makassar\"\n\n[store]\npath = \"second.sqlite\"\n\n\
             [hub]\nurl = \"{kiosk_url}\"\ntls = false\n"
        ),
    )
    .expect("write config");
    let out = kiosk(&["sync", "--once", "--config", config.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("pulled: 5\n"), "{}", stdout(&out));
    assert!(dir.path().join("second.sqlite").exists());

    // The hub down: a clear error and a non-zero exit; the store stays as it was.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let down = format!("postgresql://kiosk_cli_mks@127.0.0.1:{port}/{db}?connect_timeout=3");
    let out = kiosk(&["sync", "--once", "--store", store_arg, "--url", &down]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot connect to the hub"), "{}", stderr(&out));
    let out = kiosk(&["store", "check", "--store", store_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("inmate: 2\n"), "{}", stdout(&out));
}
