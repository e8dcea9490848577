//! A real window: `kiosk demo` under Xvfb (winit, software renderer), grabbed with ImageMagick's
//! `import`, has the same layout as the headless `kiosk screenshot` of the idle screen. Needs the
//! Debian packages `xvfb` and `imagemagick`; skipped without them, a failure under CI=true.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiosk::fixtures::tool;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_display() -> u32 {
    (100 + std::process::id() % 400..1000)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .unwrap()
}

/// Block means of a grey image on a coarse grid: layout, not pixels (the clock and the
/// animation differ between the two pictures).
fn layout(img: &image::GrayImage, cols: u32, rows: u32) -> Vec<f32> {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let (x0, x1, y0, y1) =
                (c * w / cols, (c + 1) * w / cols, r * h / rows, (r + 1) * h / rows);
            let mut sum = 0u64;
            for y in y0..y1 {
                for x in x0..x1 {
                    sum += u64::from(img.get_pixel(x, y)[0]);
                }
            }
            out.push(sum as f32 / ((x1 - x0) * (y1 - y0)) as f32);
        }
    }
    out
}

#[test]
fn demo_window_under_xvfb_matches_headless_layout() {
    if !tool("Xvfb") || !tool("import") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let display = format!(":{}", free_display());
    let _xvfb = Killed(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    let start = Instant::now();
    while !Path::new(&socket).exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let kiosk = env!("CARGO_BIN_EXE_kiosk");
    let log = std::fs::File::create(tmp.path().join("demo.log")).unwrap();
    let _demo = Killed(
        Command::new(kiosk)
            .arg("demo")
            .env("DISPLAY", &display)
            .env("SLINT_BACKEND", "winit-software")
            // The demo store goes to the user's data directory: keep it in the temp dir.
            .env("HOME", tmp.path())
            .env("XDG_DATA_HOME", tmp.path().join("data"))
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let grab = tmp.path().join("xvfb.png");
    let start = Instant::now();
    let real = loop {
        std::thread::sleep(Duration::from_millis(500));
        let ok = Command::new("import")
            .args(["-display", display.as_str(), "-window", "root"])
            .arg(&grab)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let img = image::open(&grab).unwrap().to_luma8();
            // Xvfb's root is black until the kiosk's light background is drawn.
            let mean = layout(&img, 1, 1)[0];
            if mean > 150.0 {
                break img;
            }
        }
        let log = std::fs::read_to_string(tmp.path().join("demo.log")).unwrap_or_default();
        assert!(start.elapsed() < Duration::from_secs(40), "no kiosk window drawn; log:\n{log}");
    };

    let shots = tmp.path().join("shots");
    let status = Command::new(kiosk)
        .args(["screenshot", "--size", "1280x800", "--out"])
        .arg(&shots)
        .status()
        .unwrap();
    assert!(status.success());
    let headless = image::open(shots.join("idle.png")).unwrap().to_luma8();
    assert_eq!(real.dimensions(), headless.dimensions());

    let (a, b) = (layout(&real, 16, 10), layout(&headless, 16, 10));
    let differing = a.iter().zip(&b).filter(|(x, y)| (**x - **y).abs() > 25.0).count();
    let _ = real.save(tmp.path().join("keep-xvfb.png"));
    assert!(
        differing <= 8,
        "{differing} of 160 blocks differ between the Xvfb window and the headless render"
    );
}
