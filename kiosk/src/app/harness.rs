//! A kiosk with hand-driven workers: `kiosk screenshot` and the flow tests use it to walk screens
//! deterministically (jobs run when `step` says, time moves when `advance` says). Needs a Slint
//! platform already set (the testing backend).
//!
//! Two worlds behind the same app: the in-memory demo ports (`Harness::new`, fixed people for
//! pictures) and the real ports on a demo store with the simulated reader and printer
//! (`Harness::on_store`, what the store flow tests walk).

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDateTime;
use slint::ComponentHandle;

use super::demo::{self, DemoHandles, FixedClock};
use super::kiosk::{Kiosk, Settings};
use super::simulated::{SimulatedDevices, SimulatedSetup, WiringError, simulated_ports};
use super::ui;
use super::worker::ManualExecutor;
use crate::visits::queue::Terminal;

pub struct Harness<D = DemoHandles> {
    pub kiosk: Kiosk,
    pub executor: ManualExecutor,
    pub demo: D,
}

impl Harness<DemoHandles> {
    /// A kiosk with the in-memory demo ports and the demo's fixed clock.
    pub fn new(settings: Settings) -> Result<Self, slint::PlatformError> {
        let window = ui::MainWindow::new()?;
        let (ports, demo) = demo::demo_ports(Duration::ZERO, Some(demo::demo_now()));
        let executor = ManualExecutor::new();
        let kiosk = Kiosk::with_executor(window, ports, settings, Box::new(executor.clone()));
        Ok(Self { kiosk, executor, demo })
    }

    /// Places a finger on the in-memory reader and lets capture and identification run.
    pub fn scan(&self, person: &str) {
        self.demo.reader.place(person);
        self.step();
        self.step();
    }
}

/// Why a store harness could not start.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Platform(#[from] slint::PlatformError),
    #[error(transparent)]
    Wiring(#[from] WiringError),
}

impl Harness<SimulatedDevices> {
    /// A kiosk with the production ports on the demo store at `store` (facility
    /// `demo::FACILITY_ID`, Makassar time), the simulated reader and printer (tickets written
    /// to `tickets_dir`) and a clock fixed at `now`.
    pub fn on_store(
        store: &Path,
        tickets_dir: &Path,
        now: NaiveDateTime,
        settings: Settings,
    ) -> Result<Self, HarnessError> {
        let window = ui::MainWindow::new()?;
        let (ports, devices) = simulated_ports(SimulatedSetup {
            store,
            facility_id: crate::demo::FACILITY_ID,
            terminal: Terminal { id: "LOBBY-TEST".into(), slot: 1 },
            zone: crate::config::TimeZone::Makassar,
            rules: crate::visits::rules::VisitRules::default(),
            tickets_dir: tickets_dir.to_path_buf(),
            // A capture with no finger returns at once: `step` never waits.
            reader_wait: Duration::from_millis(5),
            clock: Box::new(FixedClock(now)),
        })?;
        let executor = ManualExecutor::new();
        let kiosk = Kiosk::with_executor(window, ports, settings, Box::new(executor.clone()));
        Ok(Self { kiosk, executor, demo: devices })
    }

    /// A person puts the finger enrolled for them on the reader and lifts it after the capture;
    /// capture and identification run.
    pub fn scan(&self, person: &str) {
        self.touch_reader(|d| d.place_person_finger(person));
    }

    /// Somebody nobody enrolled puts a finger on the reader.
    pub fn scan_unknown(&self) {
        self.touch_reader(SimulatedDevices::place_unknown_finger);
    }

    fn touch_reader(&self, place: impl FnOnce(&SimulatedDevices)) {
        // A capture still waiting sees the sensor empty first (the reader wants a lift between
        // two fingers), as between two real people.
        self.demo.lift_finger();
        self.step();
        place(&self.demo);
        self.step();
        self.demo.lift_finger();
        self.step();
    }
}

impl<D> Harness<D> {
    pub fn window(&self) -> &ui::MainWindow {
        self.kiosk.window()
    }

    /// Runs the jobs queued so far and handles their outcomes on this thread.
    pub fn step(&self) {
        self.executor.run_pending();
        self.kiosk.pump();
    }

    /// Moves Slint's mock clock forward one second at a time, so 1 s timers fire every second.
    pub fn advance(&self, seconds: u64) {
        for _ in 0..seconds {
            i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
        }
    }

    pub fn screen(&self) -> ui::Screen {
        self.window().global::<ui::AppState>().get_screen()
    }
}
