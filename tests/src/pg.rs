//! A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, `pg_ctl` on a free
//! port on 127.0.0.1, stopped when the last test using it drops its handle (also when a test
//! panics: the handle's `Drop` runs while unwinding).
//!
//! `initdb` refuses to run as root (CI runs as root), so as root every server command runs as the
//! `postgres` user through `runuser`, in a folder owned by that user. The server binaries are
//! looked up in `$KIOSK_PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin`. When they are
//! missing a test skips with a printed reason, and fails under `CI=true`.
//!
//! This file is also compiled into the `kiosk` crate's integration tests (`#[path]`), so it uses
//! only crates both have.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio_postgres::{Client, NoTls};

/// A running cluster. Superuser `postgres`, trust authentication on 127.0.0.1 only.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

static SHARED: Mutex<Weak<PgCluster>> = Mutex::new(Weak::new());
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KIOSK_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

impl PgCluster {
    /// The cluster shared by the tests of this process, started if none runs. `None` (after a
    /// printed reason) when PostgreSQL is not installed outside CI; panics under CI.
    pub fn shared() -> Option<Arc<PgCluster>> {
        let mut slot = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cluster) = slot.upgrade() {
            return Some(cluster);
        }
        let cluster = Arc::new(PgCluster::start()?);
        *slot = Arc::downgrade(&cluster);
        Some(cluster)
    }

    fn start() -> Option<PgCluster> {
        PgCluster::start_with(None)
    }

    /// A cluster of its own (not shared) that also accepts TLS with this PEM certificate chain and
    /// key. `None` when PostgreSQL is missing outside CI.
    pub fn start_tls(cert_pem: &[u8], key_pem: &[u8]) -> Option<PgCluster> {
        PgCluster::start_with(Some((cert_pem, key_pem)))
    }

    fn start_with(tls: Option<(&[u8], &[u8])>) -> Option<PgCluster> {
        let Some(bin) = find_bin() else {
            if kiosk::fixtures::under_ci() {
                panic!(
                    "PostgreSQL server binaries missing under CI (install the postgresql package)"
                );
            }
            eprintln!("skipping: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)");
            return None;
        };
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new().prefix("kiosk-pg-").tempdir().expect("temp dir");
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("run chown");
            assert!(status.success(), "chown of the cluster folder to postgres failed");
        }
        let cluster = PgCluster { dir, bin, port: free_port(), as_postgres };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("utf-8 path"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let mut tls_options = String::new();
        if let Some((cert, key)) = tls {
            let cert_path = cluster.dir.path().join("server.crt");
            let key_path = cluster.dir.path().join("server.key");
            std::fs::write(&cert_path, cert).expect("write certificate");
            std::fs::write(&key_path, key).expect("write key");
            // The server refuses a key that others can read.
            let mode = Command::new("chmod").arg("600").arg(&key_path).status().expect("chmod");
            assert!(mode.success());
            if as_postgres {
                let status = Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(&cert_path)
                    .arg(&key_path)
                    .status()
                    .expect("chown");
                assert!(status.success());
            }
            tls_options = format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert_path.display(),
                key_path.display()
            );
        }
        // Durability is pointless for a throwaway cluster; speed is not.
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=50",
            cluster.port,
            cluster.dir.path().display()
        );
        options.push_str(&tls_options);
        let log = cluster.dir.path().join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().expect("utf-8 path"),
                "-l",
                log.to_str().expect("utf-8 path"),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        eprintln!("test PostgreSQL cluster on 127.0.0.1:{}", cluster.port);
        Some(cluster)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self
            .command(tool)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
        if !output.status.success() {
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            panic!(
                "{tool} failed: {}\n{}\n{log}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for `user` on database `db` (trust authentication: no password).
    pub fn url(&self, user: &str, db: &str) -> String {
        format!("postgresql://{user}@127.0.0.1:{}/{db}", self.port)
    }

    /// A superuser client on `db`.
    pub async fn connect(&self, user: &str, db: &str) -> Client {
        let (client, connection) = tokio_postgres::connect(&self.url(user, db), NoTls)
            .await
            .unwrap_or_else(|e| panic!("connect as {user} to {db}: {e}"));
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    }

    /// A new empty database with a unique name.
    pub async fn create_database(&self, prefix: &str) -> String {
        let name =
            format!("{prefix}_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
        let admin = self.connect("postgres", "postgres").await;
        admin.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create database");
        name
    }

    /// Path of the folder the cluster lives in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let result = self
            .command("pg_ctl")
            .args(["-D", data.to_str().unwrap_or_default(), "-m", "immediate", "-w", "stop"])
            .output();
        match result {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!("pg_ctl stop failed: {}", String::from_utf8_lossy(&out.stderr)),
            Err(e) => eprintln!("cannot run pg_ctl stop: {e}"),
        }
    }
}

/// A hub database on the shared cluster with the hub schema applied, plus helpers for its roles.
pub struct TestHub {
    /// The cluster (kept alive as long as the hub).
    pub cluster: Arc<PgCluster>,
    /// Database name.
    pub db: String,
}

static NEXT_ROLE: AtomicU32 = AtomicU32::new(1);

impl TestHub {
    /// A fresh hub database, migrated by `kiosk::sync::hub::init` as superuser. `None` when
    /// PostgreSQL is missing outside CI.
    pub async fn new() -> Option<TestHub> {
        let cluster = PgCluster::shared()?;
        let db = cluster.create_database("hub").await;
        let hub = TestHub { cluster, db };
        let mut admin = hub.admin().await;
        kiosk::sync::hub::init(&mut admin).await.expect("hub init");
        Some(hub)
    }

    /// The superuser URL of this hub.
    pub fn admin_url(&self) -> String {
        self.cluster.url("postgres", &self.db)
    }

    /// A superuser client on this hub.
    pub async fn admin(&self) -> Client {
        self.cluster.connect("postgres", &self.db).await
    }

    /// Creates a kiosk login role mapped to `facility` (which must exist) and returns its URL.
    pub async fn add_kiosk(&self, facility: &str) -> String {
        let role =
            format!("kiosk_t{}_{}", std::process::id(), NEXT_ROLE.fetch_add(1, Ordering::SeqCst));
        let admin = self.admin().await;
        admin.batch_execute(&format!("CREATE ROLE {role} LOGIN")).await.expect("create role");
        admin
            .execute("SELECT hub_register_kiosk($1, $2)", &[&role, &facility])
            .await
            .expect("register kiosk");
        self.cluster.url(&role, &self.db)
    }
}
