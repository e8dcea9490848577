//! `kiosk sentence [FILE.json]`: JSON in (file or stdin), JSON out, errors name the field.

use std::io::Write;
use std::process::{Command, Stdio};

const PUBLIC_CASE: &str = r#"{
  "detained_on": "2017-05-09",
  "detention_credits": [],
  "sentence": {"years": 2, "months": 0, "days": 0},
  "verdict_final_on": "2017-05-09",
  "religion": "kristen",
  "crime_category": "general",
  "fine_unpaid_subsider": {"months": 0, "days": 0},
  "remissions": [
    {"kind": "RK", "granted_on": "2017-12-25", "months": 0, "days": 15, "sk": "SK-1"},
    {"kind": "RU", "granted_on": "2018-08-17", "months": 2, "days": 0, "sk": "SK-2"},
    {"kind": "RK", "granted_on": "2018-12-25", "months": 1, "days": 0, "sk": "SK-3"}
  ],
  "project": true,
  "today": "2018-01-01"
}"#;

fn kiosk_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiosk");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn public_case_from_a_file_and_from_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("public.json");
    std::fs::write(&file, PUBLIC_CASE).expect("write");
    let from_file = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["sentence", file.to_str().expect("utf-8 path")])
        .output()
        .expect("run");
    let from_stdin = kiosk_with_stdin(&["sentence"], PUBLIC_CASE);
    for output in [&from_file, &from_stdin] {
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(report["expiry"], "2019-05-09");
        assert_eq!(report["release"], "2019-01-24");
        assert_eq!(report["release_projected"], "2019-01-24");
        assert_eq!(
            report["served_at_release"],
            serde_json::json!({"years": 1, "months": 8, "days": 15})
        );
        assert_eq!(report["remissions"].as_array().map(Vec::len), Some(3));
        assert_eq!(report["settings"]["month_convention"], "calendar");
    }
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

#[test]
fn settings_file_changes_the_convention_and_is_echoed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, r#"{"fraction_basis": "fraction_minus_remission"}"#).expect("write");
    let output = kiosk_with_stdin(
        &["sentence", "--settings", settings.to_str().expect("utf-8 path")],
        PUBLIC_CASE,
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["settings"]["fraction_basis"], "fraction_minus_remission");
    assert_eq!(report["two_thirds"], "2018-05-25");
}

#[test]
fn bad_input_fails_with_the_field_named() {
    let bad = PUBLIC_CASE.replace("\"2017-12-25\"", "\"2017-02-30\"");
    let output = kiosk_with_stdin(&["sentence"], &bad);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("remissions[0].granted_on"), "{stderr}");
    assert!(output.stdout.is_empty());
}
