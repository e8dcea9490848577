//! `kiosk demo --prepare-only`, `kiosk store check` and `kiosk diag` through the real binary:
//! exit codes and what they print for a fresh, a damaged and a future-version store.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;

/// The binary with its data directory inside `home` (the demo store goes there, never to the
/// real home).
fn kiosk(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run kiosk")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Prepares the demo store in `home` and returns its path (as printed by the command).
fn prepare_demo(home: &Path) -> PathBuf {
    let output = kiosk(home, &["demo", "--prepare-only"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "demo failed: {stdout}{stderr}");
    let path = stdout
        .lines()
        .find_map(|line| line.strip_prefix("demo store: "))
        .expect("demo prints the store path");
    let path = PathBuf::from(path);
    assert!(path.starts_with(home), "demo store {} outside the test home", path.display());
    assert!(path.exists());
    path
}

fn count_line(stdout: &str, table: &str) -> u64 {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{table}: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count for {table} in:\n{stdout}"))
}

#[test]
fn fresh_demo_store_checks_ok_with_version_and_counts() {
    let home = tempfile::tempdir().expect("tempdir");
    let path = prepare_demo(home.path());

    // Default path: the demo store.
    let output = kiosk(home.path(), &["store", "check"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("store: {}", path.display())), "{stdout}");
    assert!(stdout.contains("schema_version: 1"), "{stdout}");
    assert!(stdout.contains("integrity: ok"), "{stdout}");
    assert!(count_line(&stdout, "inmate") >= 200);
    assert!(count_line(&stdout, "person") >= 500);
    assert!(count_line(&stdout, "family_link") >= 300);
    assert!(count_line(&stdout, "booking") >= 1);

    // Explicit path: same answer.
    let output = kiosk(home.path(), &["store", "check", "--store", path.to_str().expect("utf8")]);
    assert!(output.status.success());

    // Preparing again refreshes in place.
    assert_eq!(prepare_demo(home.path()), path);
    assert!(kiosk(home.path(), &["store", "check"]).status.success());

    // diag: store ok, simulated devices reported as not configured, exit 0.
    let output = kiosk(home.path(), &["diag"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("store: ok")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("reader: not configured")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("printer: not configured")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("hub: not configured")), "{stdout}");
}

#[test]
fn missing_store_is_a_clear_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let output = kiosk(home.path(), &["store", "check"]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("does not exist") && stderr.contains("kiosk demo"), "{stderr}");
    // diag fails on the store line too.
    let output = kiosk(home.path(), &["diag"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("store: FAIL")), "{stdout}");
}

/// Page size and the pages of `table`'s b-tree root, read before damaging the file.
fn table_root_page(path: &Path, table: &str) -> (u64, u64) {
    let conn = Connection::open(path).expect("open");
    let page_size: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).expect("page size");
    let root: u64 = conn
        .query_row("SELECT rootpage FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0))
        .expect("root page");
    (page_size, root)
}

fn overwrite(path: &Path, offset: u64, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new().write(true).open(path).expect("open for damage");
    file.seek(SeekFrom::Start(offset)).expect("seek");
    file.write_all(bytes).expect("write");
    file.sync_all().expect("sync");
}

fn assert_damage_reported(home: &Path, path: &Path) {
    // No WAL may hold a clean copy of the damaged pages: the demo store is checkpointed.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    assert!(!wal.exists() || std::fs::metadata(&wal).expect("wal").len() == 0);

    let output = kiosk(home, &["store", "check", "--store", path.to_str().expect("utf8")]);
    let (stdout, stderr) = text(&output);
    assert!(!output.status.success(), "damaged store passed:\n{stdout}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    let lower = stderr.to_lowercase();
    assert!(
        lower.contains("damaged")
            || lower.contains("malformed")
            || lower.contains("not a database"),
        "unclear message: {stderr}"
    );
    let output = kiosk(home, &["diag"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("store: FAIL")), "{stdout}");
}

#[test]
fn bytes_overwritten_in_the_middle_are_detected() {
    let home = tempfile::tempdir().expect("tempdir");
    let path = prepare_demo(home.path());
    let len = std::fs::metadata(&path).expect("meta").len();
    assert!(len > 64 * 1024, "demo store unexpectedly small: {len}");
    // Overwrite 4 KiB in the middle of the file, by hand, with a pattern that is no valid page.
    overwrite(&path, len / 2, &[0xA5; 4096]);
    assert_damage_reported(home.path(), &path);
}

#[test]
fn a_damaged_table_with_data_is_detected() {
    let home = tempfile::tempdir().expect("tempdir");
    let path = prepare_demo(home.path());
    let (page_size, root) = table_root_page(&path, "remission");
    // Scramble the b-tree page header and cell pointers of the remission table's root page.
    let offset = (root - 1) * page_size;
    overwrite(&path, offset + 1, &[0xFF; 64]);
    assert_damage_reported(home.path(), &path);
}

#[test]
fn a_future_schema_version_is_refused() {
    let home = tempfile::tempdir().expect("tempdir");
    let path = prepare_demo(home.path());
    {
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("set version");
    }
    let output = kiosk(home.path(), &["store", "check"]);
    let (stdout, stderr) = text(&output);
    assert!(!output.status.success(), "{stdout}");
    assert!(stderr.contains("schema version 99 is newer"), "{stderr}");
    assert!(stderr.contains("update the kiosk"), "{stderr}");
    // Refused, not downgraded: the file still says 99.
    let conn = Connection::open(&path).expect("open");
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 99);
}

#[test]
fn config_check_reports_key_and_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = home.path().join("kiosk.toml");
    std::fs::write(
        &file,
        "role = \"lobby\"\nterminal_id = \"L1\"\n\n[facility]\nname = \"Rutan\"\ncode = \"R\"\n\
         colour = \"blue\"\n[store]\npath = \"s.sqlite\"\n",
    )
    .expect("write");
    let output = kiosk(home.path(), &["config", "check", file.to_str().expect("utf8")]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains(&format!("{}:7: key `facility.colour`", file.display())), "{stderr}");

    let output = kiosk(home.path(), &["config", "check", "/nonexistent/kiosk.toml"]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot read configuration file /nonexistent/kiosk.toml"), "{stderr}");
}

#[test]
fn hash_pin_output_is_accepted_by_the_config() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["config", "hash-pin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(b"97531246\n").expect("pin");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).expect("utf8");
    assert!(line.starts_with("technician_pin_hash = \"$argon2id$"), "{line}");
    let text = format!(
        "{line}role = \"inmate\"\nterminal_id = \"B1\"\n[facility]\nname = \"Rutan\"\ncode = \"R\"\n\
         [store]\npath = \"s.sqlite\"\n"
    );
    let config = kiosk::config::Config::parse(&text, "t").expect("config");
    assert!(config.verify_technician_pin("97531246"));
    assert!(!config.verify_technician_pin("97531247"));
    let _ = home;
}
