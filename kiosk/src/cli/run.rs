//! `kiosk run [--config FILE]`: the production start. Role, reader, printer, store and visit
//! and sentence rules come from the configuration; every port is the real one. With a `[hub]`
//! the store syncs in the background and the fingerprint gallery follows the hub's changes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use drivers::fingerprint::SimulatedReader;
use kiosk::app::background_sync::BackgroundSync;
use kiosk::app::devices::DriverReader;
use kiosk::app::ports::{FingerReader, Ports};
use kiosk::app::real_ports::{
    FacilityClock, SpoolPrinter, StoreIdentifier, StoreRecords, StoreVisits,
};
use kiosk::app::store_ports::{StoreAudit, StoreDiagnostics};
use kiosk::app::ui::MainWindow;
use kiosk::app::{Kiosk, Settings};
use kiosk::config::{Config, ReaderDriver};
use kiosk::identify::IdentifySettings;
use kiosk::store::Store;
use kiosk::sync::{Backoff, HubConfig};
use kiosk::visits::queue::Terminal;
use slint::ComponentHandle;

#[derive(clap::Args)]
pub struct Args {
    /// The kiosk configuration file.
    #[arg(long, default_value = "/etc/kiosk/kiosk.toml")]
    config: PathBuf,
}

/// How long one capture waits before the app asks again (keeps cancel responsive).
const READER_WAIT: Duration = Duration::from_secs(2);
/// The supported readers and the simulated one deliver 500 dpi images.
const READER_DPI: u32 = 500;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)
        .with_context(|| format!("cannot read the configuration {}", args.config.display()))?;
    let path = config.store.path.clone();
    let open =
        || Store::open(&path).with_context(|| format!("cannot open the store {}", path.display()));
    let reader: Arc<dyn FingerReader> = match config.reader.driver {
        ReaderDriver::Simulated => {
            // Bench set-ups without hardware: a reader nobody places a finger on.
            tracing::warn!("simulated fingerprint reader: no finger will be captured");
            let (sim, _handle) = SimulatedReader::new();
            Arc::new(DriverReader::new(Box::new(sim), None, READER_WAIT))
        }
        // Auto and the named models: the first supported reader on USB (the driver tells the
        // models apart), reopened after an unplug.
        _ => Arc::new(DriverReader::usb(READER_WAIT).context("no fingerprint reader found")?),
    };
    let printer = kiosk::tickets::printer_from_config(&config.printer)
        .context("cannot open the ticket printer")?;
    let store = Rc::new(open()?);
    let identifier = Arc::new(
        StoreIdentifier::load(&store, IdentifySettings::default(), READER_DPI)
            .map_err(|e| anyhow::anyhow!("cannot load the fingerprint gallery: {e}"))?,
    );
    let facility = config.facility.code.to_string();
    let zone = config.facility.time_zone;
    let terminal = Terminal::from_config(&config);
    // Offline first: the kiosk starts on its store whether or not the hub answers.
    let (_sync, diagnostics) = match &config.hub {
        Some(hub) => {
            let sync = BackgroundSync::start(
                path.clone(),
                HubConfig::from(hub),
                identifier.clone(),
                Backoff::default(),
            )
            .context("cannot start the hub sync")?;
            (Some(sync), StoreDiagnostics::with_hub(store.clone()))
        }
        None => (None, StoreDiagnostics::new(store.clone(), "no hub")),
    };
    let ports = Ports {
        reader,
        identifier,
        printer: Arc::new(SpoolPrinter::new(
            open()?,
            printer,
            facility.clone(),
            zone,
            config.visits.clone(),
        )),
        records: Box::new(StoreRecords::new(
            open()?,
            config.sentence.clone(),
            config.visits.clone(),
        )),
        visits: Box::new(StoreVisits::new(
            open()?,
            facility,
            terminal.clone(),
            config.visits.clone(),
            zone.offset(),
        )),
        audit: Box::new(StoreAudit::new(store.clone(), terminal.id.clone())),
        diagnostics: Box::new(diagnostics),
        clock: Box::new(FacilityClock(zone.offset())),
    };
    let window = MainWindow::new().context("cannot open the kiosk window")?;
    window.window().set_fullscreen(true);
    let kiosk = Kiosk::start(window.clone_strong(), ports, Settings::from_config(&config));
    tracing::info!(terminal = %terminal.id, "kiosk started");
    window.run().context("event loop")?;
    kiosk.shutdown();
    Ok(ExitCode::SUCCESS)
}
