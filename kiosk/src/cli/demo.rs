//! `kiosk demo [--fullscreen] [--role block|lobby|display]`: the real app on the demo data with
//! the simulated reader and printer, and a developer panel (F2 or the top-left corner) to place a
//! finger and inject faults.

use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use kiosk::app::demo::{self, DemoHandles};
use kiosk::app::format::Language;
use kiosk::app::ports::{PrinterCondition, QualityIssue};
use kiosk::app::ui::{DevAdapter, DevPerson, MainWindow};
use kiosk::app::{Kiosk, KioskRole, Settings};
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
    let window = MainWindow::new().context("cannot open the kiosk window")?;
    if args.fullscreen {
        window.window().set_fullscreen(true);
    }
    let (ports, handles) = demo::demo_ports(READER_WAIT, None);
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
