//! The `kiosk template` and `kiosk bench fvc` commands as outside tools call them.

use std::path::Path;
use std::process::Command;

use kiosk::fixtures::fixture;

fn kiosk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("kiosk runs");
    assert!(out.status.success(), "{:?}: {}", cmd, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn extract_and_compare_templates() {
    let Some(set) = fixture("fingerprints/fvc2002/DB1_B") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b, iso) = (dir.path().join("a.kt"), dir.path().join("b.kt"), dir.path().join("a.iso"));
    let debug = dir.path().join("debug");
    run(kiosk()
        .args(["template", "extract"])
        .arg(set.join("101_1.tif"))
        .args(["--dpi", "500", "--out"])
        .arg(&a)
        .arg("--debug-dir")
        .arg(&debug));
    for key in
        ["segmentation-mask", "binarized-image", "ridge-skeleton", "valley-skeleton", "minutiae"]
    {
        assert!(debug.join(format!("{key}.png")).is_file(), "{key}.png missing");
    }
    run(kiosk()
        .args(["template", "extract"])
        .arg(set.join("101_2.tif"))
        .args(["--dpi", "500", "--out"])
        .arg(&b));
    run(kiosk()
        .args(["template", "extract"])
        .arg(set.join("101_1.tif"))
        .args(["--dpi", "500", "--iso", "--out"])
        .arg(&iso));
    assert!(std::fs::read(&iso).expect("iso written").starts_with(b"FMR\0"));
    let score: f64 = run(kiosk().args(["template", "compare"]).arg(&a).arg(&b))
        .trim()
        .parse()
        .expect("a number");
    assert!(score >= kiosk::biometrics::MATCH_THRESHOLD, "genuine pair scored {score}");
    // ISO and own format of the same print compare the same way.
    let via_iso: f64 = run(kiosk().args(["template", "compare"]).arg(&iso).arg(&b))
        .trim()
        .parse()
        .expect("a number");
    assert_eq!(score, via_iso);
    // A broken template is an error, not a panic.
    std::fs::write(dir.path().join("bad.kt"), b"KFMT\x01").expect("write");
    let out = kiosk()
        .args(["template", "compare"])
        .arg(dir.path().join("bad.kt"))
        .arg(&b)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

fn copy(from: &Path, to: &Path, names: &[&str]) {
    for name in names {
        std::fs::copy(from.join(format!("{name}.tif")), to.join(format!("{name}.tif")))
            .expect("copy");
    }
}

#[test]
fn bench_fvc_reports_the_contract_keys() {
    let Some(set) = fixture("fingerprints/fvc2002/DB3_B") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&set, dir.path(), &["101_1", "101_2", "102_1", "102_2"]);
    let scores = dir.path().join("scores.csv");
    let out = run(kiosk()
        .args(["bench", "fvc"])
        .arg(dir.path())
        .args(["--dpi", "500", "--json", "--scores"])
        .arg(&scores));
    let value: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    for key in [
        "images",
        "genuine",
        "impostor",
        "eer",
        "fmr100",
        "fmr1000",
        "fnmr_at_zero_fmr",
        "extract_ms_mean",
        "comparisons_per_sec",
    ] {
        assert!(value.get(key).is_some(), "key {key} missing in {out}");
    }
    assert_eq!(value["images"], 4);
    assert_eq!(value["genuine"], 2);
    assert_eq!(value["impostor"], 4);
    let csv = std::fs::read_to_string(&scores).expect("scores written");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "a,b,score");
    assert_eq!(lines.len(), 7);
    assert!(lines[1].starts_with("101_1,101_2,"));
}
