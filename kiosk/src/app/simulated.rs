//! The real ports on a real store with simulated devices: what `kiosk demo` runs and what the
//! store flow tests walk. Identification, release dates, check-in, the queue, the print spooler,
//! the audit log and diagnostics are the production code; only the reader and the printer are
//! simulated, and a person's finger is "placed" as a fresh synthetic impression of the finger
//! enrolled for them (`real_ports::enrol_synthetic_fingers`).

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use drivers::fingerprint::{FingerImage, SimulatedReader, SimulatedReaderHandle};
use drivers::printer::{Fault, SimulatedPrinter, SimulatedPrinterControl};

use super::devices::DriverReader;
use super::ports::{Clock, Diagnostics, Ports, QualityIssue, StoreFacts};
use super::real_ports::{self, SpoolPrinter, StoreIdentifier, StoreRecords, StoreVisits};
use super::store_ports::{StoreAudit, StoreDiagnostics};
use crate::config::TimeZone;
use crate::identify::IdentifySettings;
use crate::sentence::SentenceSettings;
use crate::store::{Store, StoreError};
use crate::visits::queue::Terminal;
use crate::visits::rules::VisitRules;

/// Why the simulated kiosk could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("cannot open the store {path}: {source}")]
    Store { path: PathBuf, source: StoreError },
    #[error("cannot load the fingerprint gallery: {0}")]
    Gallery(String),
}

/// Where the simulated kiosk runs.
pub struct SimulatedSetup<'a> {
    pub store: &'a Path,
    pub facility_id: &'a str,
    pub terminal: Terminal,
    pub zone: TimeZone,
    pub rules: VisitRules,
    /// Printed tickets are written here as PNG images.
    pub tickets_dir: PathBuf,
    /// How long one capture waits for a finger before the app asks again.
    pub reader_wait: Duration,
    pub clock: Box<dyn Clock>,
}

/// Handles to the simulated devices and injected faults, after the ports went to the app.
#[derive(Clone)]
pub struct SimulatedDevices {
    pub reader: SimulatedReaderHandle,
    pub printer: SimulatedPrinterControl,
    pub tickets_dir: PathBuf,
    damaged: Rc<Cell<bool>>,
    out_of_service: Rc<Cell<bool>>,
    /// Next impression seed: every placement is a fresh impression, never one of the
    /// enrolment images (0..3).
    impression: Arc<AtomicU64>,
}

/// A fault the developer panel (or a test) injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    ReaderUnplugged,
    ReaderReplugged,
    PrinterPaperOut,
    PrinterOk,
    StoreDamaged,
    OutOfService,
    ClearAll,
}

impl InjectedFault {
    /// The developer panel's names for the faults; unknown names clear every fault.
    pub fn from_panel(name: &str) -> InjectedFault {
        match name {
            "reader-unplugged" => InjectedFault::ReaderUnplugged,
            "reader-replugged" => InjectedFault::ReaderReplugged,
            "printer-paper-out" => InjectedFault::PrinterPaperOut,
            "printer-ok" => InjectedFault::PrinterOk,
            "store-damaged" => InjectedFault::StoreDamaged,
            "out-of-service" => InjectedFault::OutOfService,
            _ => InjectedFault::ClearAll,
        }
    }
}

/// A finger nobody enrolled: a seed outside the person seeds.
const STRANGER_FINGER: u64 = 0x5354_5241_4e47;

impl SimulatedDevices {
    fn place(&self, finger_seed: u64) {
        let n = self.impression.fetch_add(1, Ordering::Relaxed);
        self.reader.lift_finger();
        crate::synth::place_synthetic_finger(
            &self.reader,
            finger_seed,
            crate::synth::impression_seed(finger_seed, n),
        );
    }

    /// Places a fresh impression of the finger enrolled for this person.
    pub fn place_person_finger(&self, person_id: &str) {
        self.place(real_ports::synthetic_finger_seed(person_id));
    }

    /// Places a finger that nobody enrolled.
    pub fn place_unknown_finger(&self) {
        self.place(crate::synth::finger_seed(STRANGER_FINGER, 0));
    }

    /// Places a frame whose brightness and contrast give this capture hint.
    pub fn place_poor(&self, issue: QualityIssue) {
        if let Some(image) = poor_image(issue) {
            self.reader.lift_finger();
            self.reader.place_finger(image);
        }
    }

    pub fn lift_finger(&self) {
        self.reader.lift_finger();
    }

    pub fn inject(&self, fault: InjectedFault) {
        match fault {
            InjectedFault::ReaderUnplugged => self.reader.unplug(),
            InjectedFault::ReaderReplugged => self.reader.plug_in(),
            InjectedFault::PrinterPaperOut => self.printer.set_faults([Fault::PaperOut]),
            InjectedFault::PrinterOk => self.printer.recover(),
            InjectedFault::StoreDamaged => self.damaged.set(true),
            InjectedFault::OutOfService => self.out_of_service.set(true),
            InjectedFault::ClearAll => {
                self.reader.plug_in();
                self.printer.recover();
                self.damaged.set(false);
                self.out_of_service.set(false);
            }
        }
    }

    /// The ticket images printed so far, in name (= print) order.
    pub fn printed_tickets(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.tickets_dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
    }
}

/// A frame whose brightness and contrast give the capture hint asked for.
fn poor_image(issue: QualityIssue) -> Option<FingerImage> {
    let (w, h) = (crate::synth::IMAGE_WIDTH as u32, crate::synth::IMAGE_HEIGHT as u32);
    let pixels: Vec<u8> = (0..w * h)
        .map(|i| match issue {
            QualityIssue::TooWet => 30,
            QualityIssue::PressHarder => 240,
            // Low contrast: the reader adapter reports it as too dry.
            QualityIssue::TooDry | QualityIssue::MoveToCentre => 120 + (i % 2) as u8 * 8,
        })
        .collect();
    FingerImage::new(w, h, crate::synth::DPI, pixels)
}

/// The store's diagnostics with the injected faults on top.
struct SimulatedDiagnostics {
    inner: StoreDiagnostics,
    damaged: Rc<Cell<bool>>,
    out_of_service: Rc<Cell<bool>>,
}

impl Diagnostics for SimulatedDiagnostics {
    fn store_facts(&self) -> StoreFacts {
        let mut facts = self.inner.store_facts();
        if self.damaged.get() {
            facts.integrity_ok = false;
            facts.integrity_detail = "demo: damage injected".into();
        }
        facts.out_of_service |= self.out_of_service.get();
        facts
    }
}

/// The production ports on the store at `setup.store`, with a simulated reader and printer.
pub fn simulated_ports(
    setup: SimulatedSetup<'_>,
) -> Result<(Ports, SimulatedDevices), WiringError> {
    let open = || {
        Store::open(setup.store)
            .map_err(|source| WiringError::Store { path: setup.store.to_path_buf(), source })
    };
    let (sim_reader, reader) = SimulatedReader::new();
    let sim_printer = SimulatedPrinter::new(&setup.tickets_dir);
    let printer = sim_printer.control();
    let store = Rc::new(open()?);
    let identifier = StoreIdentifier::load(&store, IdentifySettings::default(), crate::synth::DPI)
        .map_err(|e| WiringError::Gallery(e.to_string()))?;
    let damaged = Rc::new(Cell::new(false));
    let out_of_service = Rc::new(Cell::new(false));
    let ports = Ports {
        reader: Arc::new(DriverReader::new(Box::new(sim_reader), None, setup.reader_wait)),
        identifier: Arc::new(identifier),
        printer: Arc::new(SpoolPrinter::new(
            open()?,
            Box::new(sim_printer),
            setup.facility_id,
            setup.zone,
            setup.rules.clone(),
        )),
        records: Box::new(StoreRecords::new(
            open()?,
            SentenceSettings::default(),
            setup.rules.clone(),
        )),
        visits: Box::new(StoreVisits::new(
            open()?,
            setup.facility_id,
            setup.terminal.clone(),
            setup.rules,
            setup.zone.offset(),
        )),
        audit: Box::new(StoreAudit::new(store.clone(), setup.terminal.id.clone())),
        diagnostics: Box::new(SimulatedDiagnostics {
            inner: StoreDiagnostics::new(store, "demo: no hub"),
            damaged: damaged.clone(),
            out_of_service: out_of_service.clone(),
        }),
        clock: setup.clock,
    };
    let devices = SimulatedDevices {
        reader,
        printer,
        tickets_dir: setup.tickets_dir,
        damaged,
        out_of_service,
        impression: Arc::new(AtomicU64::new(100)),
    };
    Ok((ports, devices))
}
