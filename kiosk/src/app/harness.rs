//! A kiosk on the demo ports with hand-driven workers: `kiosk screenshot` and the flow tests use
//! it to walk screens deterministically (jobs run when `step` says, time moves when
//! `advance` says). Needs a Slint platform already set (the testing backend).

use std::time::Duration;

use slint::ComponentHandle;

use super::demo::{self, DemoHandles};
use super::kiosk::{Kiosk, Settings};
use super::ui;
use super::worker::ManualExecutor;

pub struct Harness {
    pub kiosk: Kiosk,
    pub executor: ManualExecutor,
    pub demo: DemoHandles,
}

impl Harness {
    /// A kiosk with the demo ports and the demo's fixed clock.
    pub fn new(settings: Settings) -> Result<Self, slint::PlatformError> {
        let window = ui::MainWindow::new()?;
        let (ports, demo) = demo::demo_ports(Duration::ZERO, Some(demo::demo_now()));
        let executor = ManualExecutor::new();
        let kiosk = Kiosk::with_executor(window, ports, settings, Box::new(executor.clone()));
        Ok(Self { kiosk, executor, demo })
    }

    pub fn window(&self) -> &ui::MainWindow {
        self.kiosk.window()
    }

    /// Runs the jobs queued so far and handles their outcomes on this thread.
    pub fn step(&self) {
        self.executor.run_pending();
        self.kiosk.pump();
    }

    /// Places a finger on the simulated reader and lets capture and identification run.
    pub fn scan(&self, person: &str) {
        self.demo.reader.place(person);
        self.step();
        self.step();
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
