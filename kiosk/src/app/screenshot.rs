//! `kiosk screenshot`: walks every screen of the three roles on the demo ports and saves each
//! as `<screen>.png`, rendered by Slint's software renderer on the headless testing backend.

use std::path::{Path, PathBuf};

use slint::ComponentHandle;

use super::demo;
use super::format::Language;
use super::harness::Harness;
use super::kiosk::{KioskRole, Settings};
use super::ports::{PrinterCondition, QualityIssue};
use super::ui;

#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("Slint platform: {0}")]
    Platform(#[from] slint::PlatformError),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: image::ImageError },
    #[error("cannot create {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("screen {0} did not appear (flow broken)")]
    Flow(&'static str),
}

/// Installs the headless testing backend with the software renderer. Once per process.
pub fn init_headless() -> Result<(), slint::PlatformError> {
    let backend = i_slint_backend_testing::TestingBackend::new(
        i_slint_backend_testing::TestingBackendOptions {
            mock_time: true,
            threading: false,
            renderer_name: Some("software".into()),
        },
    );
    slint::platform::set_platform(Box::new(backend))
        .map_err(|e| slint::PlatformError::Other(format!("{e}")))
}

/// Renders the window as it is now into `dir/<name>.png`.
pub fn save(window: &ui::MainWindow, dir: &Path, name: &str) -> Result<PathBuf, ScreenshotError> {
    // Let pending layout and property updates settle, as a frame would.
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(16));
    let snapshot = window.window().take_snapshot()?;
    let path = dir.join(format!("{name}.png"));
    let img = image::RgbaImage::from_raw(
        snapshot.width(),
        snapshot.height(),
        snapshot.as_bytes().to_vec(),
    )
    .ok_or(ScreenshotError::Flow("snapshot buffer size"))?;
    img.save(&path).map_err(|source| ScreenshotError::Write { path: path.clone(), source })?;
    Ok(path)
}

fn settings(role: KioskRole, language: Language) -> Settings {
    Settings { role, language, ..Settings::default() }
}

fn expect(h: &Harness, screen: ui::Screen, name: &'static str) -> Result<(), ScreenshotError> {
    if h.screen() == screen { Ok(()) } else { Err(ScreenshotError::Flow(name)) }
}

fn sized(h: &Harness, size: (u32, u32)) -> Result<(), ScreenshotError> {
    h.window().window().set_size(slint::PhysicalSize::new(size.0, size.1));
    h.window().show()?;
    Ok(())
}

/// Every screen, in `language`, at `size` (width, height) in pixels. Returns the files written.
/// Needs `init_headless()` first.
pub fn render_all(
    dir: &Path,
    language: Language,
    size: (u32, u32),
) -> Result<Vec<PathBuf>, ScreenshotError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| ScreenshotError::CreateDir { path: dir.to_path_buf(), source })?;
    let mut written = Vec::new();

    // Block kiosk: inmates.
    let h = Harness::new(settings(KioskRole::Block, language))?;
    sized(&h, size)?;
    written.push(save(h.window(), dir, "idle")?);

    h.demo.reader.place_poor(QualityIssue::PressHarder);
    h.step();
    expect(&h, ui::Screen::Scanning, "scanning")?;
    written.push(save(h.window(), dir, "scanning")?);

    h.scan(demo::BUDI);
    expect(&h, ui::Screen::Inmate, "inmate")?;
    written.push(save(h.window(), dir, "inmate")?);
    h.window().global::<ui::AppState>().invoke_finish();

    h.scan(demo::STRANGER);
    expect(&h, ui::Screen::NotRecognised, "not-recognised")?;
    written.push(save(h.window(), dir, "not-recognised")?);
    for _ in 0..2 {
        h.window().global::<ui::NotRecognisedAdapter>().invoke_try_again();
        h.scan(demo::STRANGER);
    }
    expect(&h, ui::Screen::NotRecognised, "lockout")?;
    h.advance(5);
    written.push(save(h.window(), dir, "lockout")?);
    h.advance(60);
    expect(&h, ui::Screen::Idle, "idle after lockout")?;

    h.window().global::<ui::AppState>().invoke_open_technician();
    let tech = h.window().global::<ui::TechnicianAdapter>();
    for d in ["1", "2", "3"] {
        tech.invoke_pin_digit(d.into());
    }
    expect(&h, ui::Screen::TechnicianPin, "technician-pin")?;
    written.push(save(h.window(), dir, "technician-pin")?);
    for _ in 0..3 {
        tech.invoke_pin_erase();
    }
    for d in ["1", "2", "3", "4", "5", "6"] {
        tech.invoke_pin_digit(d.into());
    }
    tech.invoke_pin_submit();
    tech.invoke_capture_live();
    h.demo.reader.place(demo::AGUS);
    h.step();
    expect(&h, ui::Screen::Diagnostics, "diagnostics")?;
    written.push(save(h.window(), dir, "diagnostics")?);
    h.window().global::<ui::AppState>().invoke_finish();

    let faults: [(&str, fn(&demo::DemoHandles, bool)); 3] = [
        ("fault-reader-unplugged", |d, on| d.reader.set_connected(!on)),
        ("fault-store-damaged", |d, on| d.facts.set_damaged(on)),
        ("fault-out-of-service", |d, on| d.facts.set_out_of_service(on)),
    ];
    for (name, set) in faults {
        set(&h.demo, true);
        h.kiosk.check_health();
        expect(&h, ui::Screen::Fault, name)?;
        written.push(save(h.window(), dir, name)?);
        set(&h.demo, false);
        h.kiosk.check_health();
    }
    drop(h);

    // Lobby terminal: families.
    let h = Harness::new(settings(KioskRole::Lobby, language))?;
    sized(&h, size)?;
    h.step();
    written.push(save(h.window(), dir, "idle-lobby")?);
    h.window().global::<ui::AppState>().invoke_open_complaint();
    expect(&h, ui::Screen::Complaint, "complaint")?;
    let complaint = h.window().global::<ui::ComplaintAdapter>();
    complaint.invoke_choose_category(2);
    complaint.invoke_typed("Petugas parkir meminta uang untuk nomor antrean".into());
    written.push(save(h.window(), dir, "complaint")?);
    complaint.invoke_submit();
    written.push(save(h.window(), dir, "complaint-receipt")?);
    h.window().global::<ui::AppState>().invoke_finish();
    h.scan(demo::SITI);
    expect(&h, ui::Screen::Family, "family")?;
    written.push(save(h.window(), dir, "family")?);
    // Siti has no booking for Agus: she registers a visit on the spot.
    h.window().global::<ui::FamilyAdapter>().invoke_walk_in(1);
    expect(&h, ui::Screen::WalkIn, "walk-in")?;
    h.window().global::<ui::WalkInAdapter>().invoke_choose_group_size(2);
    written.push(save(h.window(), dir, "walk-in")?);
    h.window().global::<ui::WalkInAdapter>().invoke_back();
    expect(&h, ui::Screen::Family, "family after walk-in")?;
    h.window().global::<ui::FamilyAdapter>().invoke_show_inmate(0);
    expect(&h, ui::Screen::Inmate, "family-inmate")?;
    written.push(save(h.window(), dir, "family-inmate")?);
    h.window().global::<ui::InmateAdapter>().invoke_check_in();
    h.step();
    expect(&h, ui::Screen::Ticket, "ticket")?;
    written.push(save(h.window(), dir, "ticket")?);
    h.window().global::<ui::AppState>().invoke_finish();

    h.scan(demo::RINA);
    h.window().global::<ui::FamilyAdapter>().invoke_check_in(0);
    h.demo.printer.set_condition(PrinterCondition::PaperOut);
    h.step();
    expect(&h, ui::Screen::Ticket, "ticket-not-printed")?;
    written.push(save(h.window(), dir, "ticket-not-printed")?);
    h.window().global::<ui::AppState>().invoke_finish();
    expect(&h, ui::Screen::Fault, "fault-printer")?;
    written.push(save(h.window(), dir, "fault-printer")?);
    drop(h);

    // Waiting-room display.
    let h = Harness::new(settings(KioskRole::Display, language))?;
    sized(&h, size)?;
    expect(&h, ui::Screen::Display, "display")?;
    written.push(save(h.window(), dir, "display")?);
    Ok(written)
}
