//! `kiosk demo [--fullscreen] [--prepare-only] [--role block|lobby|display]`: prepares the demo
//! store, then runs the real app with the simulated reader and printer and a developer panel
//! (F2 or the top-left corner) to place a finger and inject faults. Everything behind the screens
//! is real and runs on the demo store: 1:N identification against synthetic enrolled fingers,
//! release dates from the sentence computation, check-in and the queue, the print spooler on
//! a simulated printer (tickets written as images), the audit log and diagnostics.

use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use kiosk::app::format::Language;
use kiosk::app::ports::QualityIssue;
use kiosk::app::real_ports::{self, FacilityClock};
use kiosk::app::simulated::{InjectedFault, SimulatedDevices, SimulatedSetup, simulated_ports};
use kiosk::app::ui::{DevAdapter, DevPerson, MainWindow};
use kiosk::app::{Kiosk, KioskRole, Settings};
use kiosk::config::TimeZone;
use kiosk::demo::{self as demo_store, DemoOptions, DemoSummary};
use kiosk::identify::IdentifySettings;
use kiosk::store::Store;
use kiosk::store::persons::PersonKind;
use kiosk::visits::queue::Terminal;
use kiosk::visits::rules::VisitRules;
use slint::{ComponentHandle, ModelRc, VecModel};

/// The demo's terminal and time zone.
const TERMINAL: &str = "DEMO-1";
const ZONE: TimeZone = TimeZone::Makassar;
/// Demo persons who get an enrolled synthetic finger, per kind (keeps preparing quick).
const ENROLLED_PER_KIND: usize = 12;

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
    let (summary, panel) = prepare()?;
    if args.prepare_only {
        return Ok(ExitCode::SUCCESS);
    }
    let window = MainWindow::new().context("cannot open the kiosk window")?;
    if args.fullscreen {
        window.window().set_fullscreen(true);
    }
    let (ports, devices) = simulated_ports(SimulatedSetup {
        store: &summary.path,
        facility_id: demo_store::FACILITY_ID,
        terminal: Terminal { id: TERMINAL.into(), slot: 0 },
        zone: ZONE,
        rules: VisitRules::default(),
        tickets_dir: summary.path.with_extension("tickets"),
        reader_wait: READER_WAIT,
        clock: Box::new(FacilityClock(ZONE.offset())),
    })?;
    let settings = Settings {
        role: match args.role {
            RoleArg::Block => KioskRole::Block,
            RoleArg::Lobby => KioskRole::Lobby,
            RoleArg::Display => KioskRole::Display,
        },
        facility_name: demo_store::FACILITY_NAME.into(),
        language: if args.english { Language::English } else { Language::Indonesian },
        demo_mode: true,
        ..Settings::default()
    };
    let kiosk = Rc::new(Kiosk::start(window.clone_strong(), ports, settings));
    wire_dev_panel(&window, &kiosk, panel, devices);
    eprintln!(
        "kiosk demo: press F2 or the top-left corner for the developer panel; technician PIN 123456"
    );
    window.run().context("event loop")?;
    kiosk.shutdown();
    Ok(ExitCode::SUCCESS)
}

/// One person of the developer panel: id, name, "inmate" or "family".
type PanelPerson = (String, String, &'static str);

fn wire_dev_panel(
    window: &MainWindow,
    kiosk: &Rc<Kiosk>,
    people: Vec<PanelPerson>,
    devices: SimulatedDevices,
) {
    let rows: Vec<DevPerson> = people
        .iter()
        .map(|(_, name, kind)| DevPerson { name: name.as_str().into(), kind: (*kind).into() })
        .collect();
    let dev = window.global::<DevAdapter>();
    dev.set_people(ModelRc::new(VecModel::from(rows)));

    let d = devices.clone();
    dev.on_place_finger(move |i| {
        if let Some((id, _, _)) = usize::try_from(i).ok().and_then(|i| people.get(i)) {
            d.place_person_finger(id);
        }
    });
    let d = devices.clone();
    dev.on_place_unknown(move || d.place_unknown_finger());
    let d = devices.clone();
    dev.on_place_poor(move |kind| {
        let issue = match kind.as_str() {
            "too-wet" => QualityIssue::TooWet,
            "too-dry" => QualityIssue::TooDry,
            "move-to-centre" => QualityIssue::MoveToCentre,
            _ => QualityIssue::PressHarder,
        };
        d.place_poor(issue);
    });
    let weak = Rc::downgrade(kiosk);
    dev.on_fault(move |name| {
        devices.inject(InjectedFault::from_panel(name.as_str()));
        if let Some(k) = weak.upgrade() {
            k.check_health();
        }
    });
}

/// Gives the first inmates and the visitors booked today (then others) a synthetic enrolled
/// finger; returns them for the developer panel.
fn enrol_demo_persons(path: &Path, today: chrono::NaiveDate) -> anyhow::Result<Vec<PanelPerson>> {
    let store = Store::open(path).context("cannot open the demo store")?;
    let settings = IdentifySettings::default();
    // Visitors booked today first, so the lobby has someone to check in.
    let mut visitors: Vec<String> = Vec::new();
    for b in store.bookings_on(demo_store::FACILITY_ID, today)? {
        if !visitors.contains(&b.visitor_id) {
            visitors.push(b.visitor_id);
        }
    }
    let inmates: Vec<String> =
        store.inmates(demo_store::FACILITY_ID)?.into_iter().map(|i| i.person.id).collect();
    for inmate in inmates.iter().take(ENROLLED_PER_KIND * 3) {
        for (_, visitor) in store.linked_visitors(inmate)? {
            if !visitors.contains(&visitor.id) {
                visitors.push(visitor.id);
            }
        }
    }
    // Some synthetic fingers are refused as too alike an enrolled one: take the next person.
    let mut enrolled = Vec::new();
    for candidates in [inmates, visitors] {
        let mut done = 0;
        for id in candidates.iter().take(ENROLLED_PER_KIND * 3) {
            if done == ENROLLED_PER_KIND {
                break;
            }
            let ok = real_ports::enrol_synthetic_fingers(
                &store,
                TERMINAL,
                std::slice::from_ref(id),
                &settings,
            );
            done += ok.len();
            enrolled.extend(ok);
        }
    }
    let mut panel = Vec::new();
    for id in enrolled {
        if let Some(p) = store.person(&id)? {
            let kind = if p.kind == PersonKind::Inmate { "inmate" } else { "family" };
            panel.push((p.id, p.full_name, kind));
        }
    }
    Ok(panel)
}

/// Creates or refreshes the demo store in the user's data directory and prints what it holds.
pub fn prepare() -> anyhow::Result<(DemoSummary, Vec<PanelPerson>)> {
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
    let panel = enrol_demo_persons(&summary.path, today)?;
    println!("enrolled synthetic fingers: {}", panel.len());
    Ok((summary, panel))
}
