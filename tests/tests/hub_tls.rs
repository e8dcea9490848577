//! Sync over TLS (rustls) with a hub whose certificate comes from a test CA made by `openssl`.

use std::path::Path;
use std::process::Command;

use kiosk::store::Store;
use kiosk::sync::{HubConfig, HubTls, SyncError, SyncOptions, sync_once};
use tests::pg::PgCluster;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A CA named `name` (name.crt, name.key) in `dir`.
fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_tls_checks_the_hub_certificate() {
    if !kiosk::fixtures::tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    make_ca(d, "test-ca");
    make_ca(d, "other-ca");
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        d.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write ext");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "test-ca.crt",
            "-CAkey",
            "test-ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    let cert = std::fs::read(d.join("server.crt")).expect("cert");
    let key = std::fs::read(d.join("server.key")).expect("key");
    let Some(cluster) = PgCluster::start_tls(&cert, &key) else { return };
    let db = cluster.create_database("tls").await;
    let mut admin = cluster.connect("postgres", &db).await;
    kiosk::sync::hub::init(&mut admin).await.expect("init");
    admin
        .batch_execute(
            "INSERT INTO facility (id, name) VALUES ('RUTAN-T', 'Rutan T');
             CREATE ROLE kiosk_tls_t LOGIN; SELECT hub_register_kiosk('kiosk_tls_t', 'RUTAN-T');",
        )
        .await
        .expect("seed");
    let url = cluster.url("kiosk_tls_t", &db);

    let trusted = HubConfig {
        url: url.clone(),
        tls: HubTls::Rustls { ca_file: Some(d.join("test-ca.crt")) },
    };
    let client = kiosk::sync::connect(&trusted).await.expect("TLS connect");
    let ssl: bool = client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .await
        .expect("pg_stat_ssl")
        .get(0);
    assert!(ssl, "the connection is not encrypted");
    let mut store = Store::open_in_memory().expect("store");
    let report = sync_once(&mut store, &trusted, &SyncOptions::default()).await.expect("sync");
    assert_eq!(report.pulled, 1);

    // A certificate from a CA the kiosk does not trust is refused.
    let untrusted =
        HubConfig { url, tls: HubTls::Rustls { ca_file: Some(d.join("other-ca.crt")) } };
    let err = sync_once(&mut store, &untrusted, &SyncOptions::default()).await.expect_err("bad CA");
    assert!(matches!(err, SyncError::Connect(_)), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
}
