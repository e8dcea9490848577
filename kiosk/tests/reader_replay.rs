//! The reader drivers against recordings of real devices: `umockdev-run` replays each recorded
//! USB session to the `kiosk` binary, which must produce the recording's image pixel for pixel.
//! Without umockdev or the fixtures these tests skip (outside CI) or fail (under `CI=true`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kiosk::fixtures::{fixture, tool};

const KIOSK: &str = env!("CARGO_BIN_EXE_kiosk");

/// A recording folder (`device`, `capture.pcapng` or `capture.ioctl`, `capture.png`).
struct Recording {
    dir: PathBuf,
}

impl Recording {
    fn get(name: &str) -> Option<Recording> {
        if !tool("umockdev-run") {
            return None;
        }
        let dir = fixture(&format!("usb/{name}"))?;
        Some(Recording { dir })
    }

    /// `umockdev-run` arguments that load the device and its recorded traffic.
    fn umockdev_args(&self) -> Vec<String> {
        let device = std::fs::read_to_string(self.dir.join("device")).expect("device file");
        let sysfs = device
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("P: "))
            .expect("first line of `device` is `P: <sysfs path>`");
        let mut args = vec!["-d".to_owned(), self.dir.join("device").display().to_string()];
        let pcap = self.dir.join("capture.pcapng");
        if pcap.exists() {
            args.push("-p".into());
            args.push(format!("/sys{sysfs}={}", pcap.display()));
        } else {
            let devname = device
                .lines()
                .find_map(|l| l.strip_prefix("E: DEVNAME="))
                .expect("DEVNAME in `device`");
            args.push("-i".into());
            args.push(format!("{devname}={}", self.dir.join("capture.ioctl").display()));
        }
        args
    }

    fn run(&self, kiosk_args: &[&str]) -> Output {
        let mut cmd = Command::new("umockdev-run");
        cmd.args(self.umockdev_args()).arg("--").arg(KIOSK).args(kiosk_args);
        run_bounded(cmd)
    }
}

/// Runs a command, killing it after 60 s so a stuck replay fails instead of hanging the suite.
fn run_bounded(mut cmd: Command) -> Output {
    cmd.env("KIOSK_DEVICE_EMULATION", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn umockdev-run");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("replay did not finish within 60 s: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Our PNG must be 8-bit grey and equal to the recording's (stored as RGB with r = g = b).
fn assert_same_image(ours: &Path, expected: &Path) {
    let ours = image::open(ours).expect("our PNG decodes");
    assert_eq!(ours.color(), image::ColorType::L8, "capture must be 8-bit grey");
    let ours = ours.into_luma8();
    let expected = image::open(expected).expect("expected PNG decodes").into_rgb8();
    assert_eq!(ours.dimensions(), expected.dimensions());
    let mut differing = 0;
    for (o, e) in ours.pixels().zip(expected.pixels()) {
        let [r, g, b] = e.0;
        assert!(r == g && g == b, "expected image is not grey");
        if o.0[0] != r {
            differing += 1;
        }
    }
    assert_eq!(differing, 0, "{differing} pixels differ from the recording");
}

fn replay_capture(name: &str) {
    let Some(rec) = Recording::get(name) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out_png = tmp.path().join("capture.png");
    let out =
        rec.run(&["reader", "capture", "--out", out_png.to_str().unwrap(), "--timeout", "20"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("mismatch"), "{}", describe(&out));
    assert_same_image(&out_png, &rec.dir.join("capture.png"));
}

#[test]
fn uru4500_capture_matches_recording() {
    replay_capture("uru4000-4500");
}

#[test]
fn ms_v2_capture_matches_recording() {
    replay_capture("uru4000-msv2");
}

#[test]
fn nb1010_capture_matches_recording() {
    replay_capture("nb1010");
}

#[test]
fn list_names_each_recorded_device() {
    for (name, id, model) in [
        ("uru4000-4500", "05ba:000a", "U.are.U"),
        ("uru4000-msv2", "045e:00ca", "Microsoft Fingerprint Reader v2"),
        ("nb1010", "298d:1010", "NB-1010-U"),
    ] {
        let Some(rec) = Recording::get(name) else { return };
        let out = rec.run(&["reader", "list"]);
        assert!(out.status.success(), "{name}: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().count(), 1, "{name}: {stdout}");
        assert!(stdout.contains(id) && stdout.contains(model), "{name}: {stdout}");
    }
}

#[test]
fn no_device_means_message_and_failure() {
    if !tool("umockdev-run") {
        return;
    }
    // An empty umockdev testbed: the host's own USB devices are hidden.
    for args in [&["reader", "list"][..], &["reader", "capture", "--out", "/nonexistent/x.png"]] {
        let mut cmd = Command::new("umockdev-run");
        cmd.arg("--").arg(KIOSK).args(args);
        let out = run_bounded(cmd);
        assert!(!out.status.success(), "{args:?}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no supported fingerprint reader found"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", describe(&out));
    }
}
