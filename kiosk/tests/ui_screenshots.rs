//! `kiosk screenshot` writes every screen, in both languages and both orientations.

use std::path::Path;
use std::process::Command;

const SCREENS: [&str; 20] = [
    "idle",
    "scanning",
    "inmate",
    "not-recognised",
    "lockout",
    "technician-pin",
    "diagnostics",
    "fault-reader-unplugged",
    "fault-store-damaged",
    "fault-out-of-service",
    "idle-lobby",
    "complaint",
    "complaint-receipt",
    "family",
    "walk-in",
    "family-inmate",
    "ticket",
    "ticket-not-printed",
    "fault-printer",
    "display",
];

fn shoot(out: &Path, lang: &str, size: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["screenshot", "--out"])
        .arg(out)
        .args(["--lang", lang, "--size", size])
        .status()
        .unwrap();
    assert!(status.success(), "kiosk screenshot --lang {lang} --size {size} failed");
}

#[test]
fn every_screen_in_both_languages_and_orientations() {
    let tmp = tempfile::tempdir().unwrap();
    let names = SCREENS;
    for (lang, size, w, h) in [
        ("id", "1280x800", 1280, 800),
        ("en", "1280x800", 1280, 800),
        ("id", "800x1280", 800, 1280),
        ("en", "800x1280", 800, 1280),
    ] {
        let dir = tmp.path().join(format!("{lang}-{size}"));
        shoot(&dir, lang, size);
        for name in &names {
            let path = dir.join(format!("{name}.png"));
            let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!((img.width(), img.height()), (w, h), "{}", path.display());
            let grey = img.to_luma8();
            let first = grey.get_pixel(0, 0)[0];
            assert!(
                grey.pixels().any(|p| p[0].abs_diff(first) > 60),
                "{} is blank",
                path.display()
            );
        }
        let written = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(written, names.len(), "one file per screen in {}", dir.display());
    }
    // The language really changes what is drawn.
    let id = image::open(tmp.path().join("id-1280x800/idle.png")).unwrap().to_luma8();
    let en = image::open(tmp.path().join("en-1280x800/idle.png")).unwrap().to_luma8();
    assert_ne!(id.as_raw(), en.as_raw());
}
