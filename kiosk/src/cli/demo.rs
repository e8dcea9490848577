//! `kiosk demo [--fullscreen] [--prepare-only] [--role block|lobby|display]`: prepares the demo
//! store, then runs the real app with the simulated reader and printer and a developer panel
//! (F2 or the top-left corner) to place a finger and inject faults. The audit log goes to the
//! demo store; the screens' records come from the in-memory demo ports until the store-backed
//! sentence and visit ports are wired.

use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use kiosk::app::demo::{self, DemoHandles};
use kiosk::app::format::Language;
use kiosk::app::ports::{PrinterCondition, QualityIssue};
use kiosk::app::store_ports::StoreAudit;
use kiosk::app::ui::{DevAdapter, DevPerson, MainWindow};
use kiosk::app::{Kiosk, KioskRole, Settings};
use kiosk::config::TimeZone;
use kiosk::demo::{self as demo_store, DemoOptions, DemoSummary};
use kiosk::store::Store;
use slint::{ComponentHandle, ModelRc, VecModel};

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Block,
    Lobby,
    Display,
}

#[derive(clap::Args)]
pub struct Args {
    /// Fill the screen (the board); windowed otherwise.
    #[arg(long)]
    fullscreen: bool,
    /// Only create or refresh the demo store, then exit.
    #[arg(long)]
    prepare_only: bool,
    /// Which terminal to show.
    #[arg(long, value_enum, default_value = "block")]
    role: RoleArg,
    /// Start in English instead of Bahasa Indonesia.
    #[arg(long)]
    english: bool,
}

/// How long one simulated capture waits before the app asks again (keeps cancel responsive).
const READER_WAIT: Duration = Duration::from_secs(2);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let summary = prepare()?;
    if args.prepare_only {
        return Ok(ExitCode::SUCCESS);
    }
    let store = Rc::new(
        Store::open(&summary.path)
            .with_context(|| format!("cannot open the demo store {}", summary.path.display()))?,
    );
    let window = MainWindow::new().context("cannot open the kiosk window")?;
    if args.fullscreen {
        window.window().set_fullscreen(true);
    }
    let (mut ports, handles) = demo::demo_ports(READER_WAIT, None);
    ports.audit = Box::new(StoreAudit::new(store, "DEMO-1"));
    let settings = Settings {
        role: match args.role {
            RoleArg::Block => KioskRole::Block,
            RoleArg::Lobby => KioskRole::Lobby,
            RoleArg::Display => KioskRole::Display,
        },
        language: if args.english { Language::English } else { Language::Indonesian },
        demo_mode: true,
        ..Settings::default()
    };
    let kiosk = Rc::new(Kiosk::start(window.clone_strong(), ports, settings));
    wire_dev_panel(&window, &kiosk, handles);
    eprintln!(
        "kiosk demo: press F2 or the top-left corner for the developer panel; technician PIN 123456"
    );
    window.run().context("event loop")?;
    kiosk.shutdown();
    Ok(ExitCode::SUCCESS)
}

fn wire_dev_panel(window: &MainWindow, kiosk: &Rc<Kiosk>, handles: DemoHandles) {
    let people = demo::panel_people();
    let rows: Vec<DevPerson> = people
        .iter()
        .map(|(_, name, kind)| DevPerson { name: name.as_str().into(), kind: (*kind).into() })
        .collect();
    let dev = window.global::<DevAdapter>();
    dev.set_people(ModelRc::new(VecModel::from(rows)));

    let reader = handles.reader.clone();
    dev.on_place_finger(move |i| {
        if let Some((id, _, _)) = usize::try_from(i).ok().and_then(|i| people.get(i)) {
            reader.place(id);
        }
    });
    let reader = handles.reader.clone();
    dev.on_place_unknown(move || reader.place(demo::STRANGER));
    let reader = handles.reader.clone();
    dev.on_place_poor(move |kind| {
        reader.place_poor(match kind.as_str() {
            "too-wet" => QualityIssue::TooWet,
            "too-dry" => QualityIssue::TooDry,
            "move-to-centre" => QualityIssue::MoveToCentre,
            _ => QualityIssue::PressHarder,
        })
    });
    let weak = Rc::downgrade(kiosk);
    dev.on_fault(move |name| {
        match name.as_str() {
            "reader-unplugged" => handles.reader.set_connected(false),
            "reader-replugged" => handles.reader.set_connected(true),
            "printer-paper-out" => handles.printer.set_condition(PrinterCondition::PaperOut),
            "printer-ok" => handles.printer.set_condition(PrinterCondition::Ok),
            "store-damaged" => handles.facts.set_damaged(true),
            "out-of-service" => handles.facts.set_out_of_service(true),
            _ => {
                handles.reader.set_connected(true);
                handles.printer.set_condition(PrinterCondition::Ok);
                handles.facts.set_damaged(false);
                handles.facts.set_out_of_service(false);
            }
        }
        if let Some(k) = weak.upgrade() {
            k.check_health();
        }
    });
}

/// Creates or refreshes the demo store in the user's data directory and prints what it holds.
pub fn prepare() -> anyhow::Result<DemoSummary> {
    let path = demo_store::default_store_path()?;
    // "Today" is the facility's local date: bookings are for the day the lobby sees.
    let today = TimeZone::Makassar.local_date(chrono::Utc::now());
    let summary = demo_store::prepare(&path, &DemoOptions::standard(today))
        .with_context(|| format!("cannot prepare the demo store at {}", path.display()))?;
    println!("demo store: {}", summary.path.display());
    println!("facility: {} ({})", demo_store::FACILITY_NAME, demo_store::FACILITY_ID);
    println!("inmates: {} ({} tahanan)", summary.inmates, summary.tahanan);
    println!("visitors: {} ({} family links)", summary.visitors, summary.family_links);
    println!("remissions: {}", summary.remissions);
    println!("programme decisions: {}", summary.programme_decisions);
    println!("bookings for {}: {}", summary.today, summary.bookings);
    Ok(summary)
}
