//! The screens' records and visits on the real modules: persons and the register from the
//! SQLite store, release dates from `kiosk::sentence`, check-in and the queue from
//! `kiosk::visits`. Each adapter owns its own store connection (SQLite serialises writers), so
//! the check-in transaction does not need to share a handle with the audit log.

use std::cell::RefCell;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone as _};

use super::ports::{
    ComplaintCategory, DecreeState, FingerCapture, Identifier, IssuedTicket, LinkedInmate,
    NowServing, Person, PersonId, PersonKind, PortError, PrinterCondition, ProgrammeView, Records,
    ReleaseView, RemissionView, Stage, TicketPrinter, VisitToday, Visits, WalkIn, WalkInOffer,
    WalkInSession, Ymd,
};
use crate::sentence::{self, SentenceReport, SentenceSettings, Term, record::input_from_record};
use crate::store::Store;
use crate::store::persons::{
    self as register, BookingStatus, DecreeStatus, Programme, ProgrammeDecision,
};
use crate::visits::queue::{Service, Terminal, number_text};
use crate::visits::rules::VisitRules;
use crate::visits::{self, CheckInRequest, VisitChoice, VisitError};

fn store_error(e: impl std::fmt::Display) -> PortError {
    PortError::Store(e.to_string())
}

fn ymd(t: Option<Term>) -> Ymd {
    t.map(|t| Ymd { years: t.years, months: t.months, days: t.days }).unwrap_or_default()
}

/// Persons and release information from the store and the sentence computation.
pub struct StoreRecords {
    store: Store,
    settings: SentenceSettings,
    rules: VisitRules,
}

impl StoreRecords {
    pub fn new(store: Store, settings: SentenceSettings, rules: VisitRules) -> Self {
        Self { store, settings, rules }
    }

    fn report(
        &self,
        inmate: &register::InmateRecord,
        today: NaiveDate,
    ) -> Result<SentenceReport, PortError> {
        let periods = self.store.detention_periods(&inmate.person.id).map_err(store_error)?;
        let remissions = self.store.remissions(&inmate.person.id).map_err(store_error)?;
        // Projection on: the screen shows coming remissions, labelled as estimates.
        let input = input_from_record(inmate, &periods, &remissions, Some(today), true);
        sentence::compute(&input, &self.settings)
            .map_err(|e| PortError::Refused(format!("sentence of {}: {e}", inmate.person.id)))
    }
}

/// A session's hours as the ticket and the family screen print them ("08:30-11:00"); an
/// unknown code as it is.
fn session_hours(rules: &VisitRules, code: &str) -> String {
    rules
        .sessions
        .iter()
        .find(|s| s.code == code)
        .map(|s| super::format::hours(s.starts, s.ends))
        .unwrap_or_else(|| code.to_string())
}

/// The walk-in sessions of `at` under `rules`: `None` without walk-ins, no sessions on a day
/// without visits or once every session's registration has closed.
pub(crate) fn walk_in_offer(
    rules: &VisitRules,
    holidays: &sentence::holidays::HolidayTable,
    at: NaiveDateTime,
) -> Option<WalkInOffer> {
    if !rules.walk_in_allowed {
        return None;
    }
    let today = visits::rules::rules_for_today(rules, holidays, at.date(), at.time());
    let sessions = today
        .sessions
        .iter()
        .filter(|s| s.open_now)
        .map(|s| WalkInSession {
            code: s.session.code.clone(),
            starts: s.session.starts,
            ends: s.session.ends,
        })
        .collect();
    Some(WalkInOffer { sessions, max_group_size: rules.max_group_size })
}

fn stage(s: Option<sentence::programme::Stage>) -> Stage {
    use sentence::programme::Stage as S;
    match s {
        Some(S::AdmisiOrientasi) => Stage::Admission,
        Some(S::PembinaanAwal) => Stage::Early,
        Some(S::PembinaanLanjutan) => Stage::Advanced,
        Some(S::PembinaanAkhir) | Some(S::Bebas) | None => Stage::Final,
    }
}

/// A programme's line: the computed eligibility date and where its decree stands.
fn programme(
    name: &str,
    date: Option<NaiveDate>,
    kind: Programme,
    decisions: &[ProgrammeDecision],
) -> ProgrammeView {
    let decision = decisions.iter().filter(|d| d.programme == kind).max_by_key(|d| d.proposed_on);
    let decree = match (decision.map(|d| d.decree_status), date) {
        (Some(DecreeStatus::Issued), _) => DecreeState::Issued,
        (Some(DecreeStatus::Proposed | DecreeStatus::Approved), _) => DecreeState::InProcess,
        (Some(DecreeStatus::Rejected), _) | (None, None) => DecreeState::NotEligible,
        (None, Some(_)) => DecreeState::NotYet,
    };
    ProgrammeView { name: name.to_string(), date, decree }
}

impl Records for StoreRecords {
    fn person(&self, id: &str) -> Result<Option<Person>, PortError> {
        let Some(p) = self.store.person(id).map_err(store_error)? else {
            return Ok(None);
        };
        let kind = match p.kind {
            register::PersonKind::Inmate => PersonKind::Inmate,
            register::PersonKind::Visitor => PersonKind::Family,
            // Staff have no personal screen at the kiosk.
            register::PersonKind::Staff => return Ok(None),
        };
        Ok(Some(Person { id: p.id, name: p.full_name, kind }))
    }

    fn release_view(&self, inmate: &str, today: NaiveDate) -> Result<ReleaseView, PortError> {
        let record = self
            .store
            .inmate(inmate)
            .map_err(store_error)?
            .ok_or_else(|| PortError::NotFound(format!("inmate {inmate}")))?;
        let report = self.report(&record, today)?;
        let missing = |what: &str| PortError::Refused(format!("{inmate}: no {what} date"));
        let release = report.release.ok_or_else(|| missing("release"))?;
        let expiry = report.expiry.ok_or_else(|| missing("expiry"))?;
        let decisions = self.store.programme_decisions(inmate).map_err(store_error)?;
        let remissions = report
            .remissions
            .iter()
            .map(|r| RemissionView {
                kind: r.kind.code().to_string(),
                date: r.date,
                months: r.months,
                days: r.days,
                decree: r.sk.clone(),
                projected: r.projected,
            })
            .collect();
        let case = match (&record.article, &record.case_summary) {
            (Some(a), Some(s)) => format!("{a} ({s})"),
            (Some(a), None) => a.clone(),
            (None, Some(s)) => s.clone(),
            (None, None) => String::new(),
        };
        Ok(ReleaseView {
            inmate: record.person.id.clone(),
            name: record.person.full_name.clone(),
            register_number: record.registration_number.clone(),
            case,
            sentence: Ymd {
                years: record.sentence.years,
                months: record.sentence.months,
                days: record.sentence.days,
            },
            detained_on: report.detained_on,
            expiry,
            release,
            release_projected: report.release_projected.filter(|d| *d != release),
            one_third: report.one_third.ok_or_else(|| missing("1/3"))?,
            one_half: report.one_half.ok_or_else(|| missing("1/2"))?,
            two_thirds: report.two_thirds.ok_or_else(|| missing("2/3"))?,
            served: ymd(report.served),
            remaining: ymd(report.remaining),
            stage: stage(report.stage),
            days_left: (release - today).num_days().max(0),
            days_total: (release - report.detained_on).num_days(),
            remissions,
            programmes: vec![
                programme("Asimilasi", report.asimilasi, Programme::Asimilasi, &decisions),
                programme("PB", report.pb, Programme::PembebasanBersyarat, &decisions),
                programme("CB", report.cb, Programme::CutiBersyarat, &decisions),
                programme("CMB", report.cmb, Programme::CutiMenjelangBebas, &decisions),
            ],
        })
    }

    fn linked_inmates(
        &self,
        family: &str,
        today: NaiveDate,
    ) -> Result<Vec<LinkedInmate>, PortError> {
        let links = self.store.linked_inmates(family).map_err(store_error)?;
        let bookings = self.store.bookings_for_visitor(family, today).map_err(store_error)?;
        let mut out = Vec::new();
        for link in links {
            let id = &link.inmate.person.id;
            // A tahanan has no release date yet; an unusable record must not hide the inmate
            // from the family (they still check in), so both show without a date.
            let release = match self.report(&link.inmate, today) {
                Ok(r) => r.release,
                Err(e) => {
                    tracing::warn!(inmate = %id, error = %e, "no release date for linked inmate");
                    None
                }
            };
            let booking = bookings
                .iter()
                .find(|b| &b.inmate_id == id && b.status != BookingStatus::Cancelled);
            out.push(LinkedInmate {
                inmate: id.clone(),
                name: link.inmate.person.full_name.clone(),
                relation: relation_text(link.link.relation).to_string(),
                release,
                days_left: release.map_or(0, |r| (r - today).num_days().max(0)),
                visit: match booking.map(|b| b.status) {
                    Some(BookingStatus::CheckedIn) => VisitToday::CheckedIn,
                    Some(_) => VisitToday::Booked,
                    None => VisitToday::NoBooking,
                },
                session: booking.map(|b| session_hours(&self.rules, &b.session)),
            });
        }
        Ok(out)
    }
}

/// The relation as the officers record it, in Bahasa Indonesia (shown in both languages, like
/// the register).
fn relation_text(r: register::Relation) -> &'static str {
    match r {
        register::Relation::Parent => "Orang tua",
        register::Relation::Spouse => "Suami/Istri",
        register::Relation::Child => "Anak",
        register::Relation::Sibling => "Saudara",
        register::Relation::Lawyer => "Penasihat hukum",
        register::Relation::Consular => "Konsuler",
        register::Relation::Other => "Lainnya",
    }
}

/// Check-in and the queue through `kiosk::visits` on the store.
pub struct StoreVisits {
    store: RefCell<Store>,
    facility_id: String,
    terminal: Terminal,
    rules: VisitRules,
    offset: FixedOffset,
}

impl StoreVisits {
    pub fn new(
        store: Store,
        facility_id: impl Into<String>,
        terminal: Terminal,
        rules: VisitRules,
        offset: FixedOffset,
    ) -> Self {
        Self {
            store: RefCell::new(store),
            facility_id: facility_id.into(),
            terminal,
            rules,
            offset,
        }
    }

    fn local(&self, at: NaiveDateTime) -> Result<chrono::DateTime<FixedOffset>, PortError> {
        self.offset
            .from_local_datetime(&at)
            .single()
            .ok_or_else(|| PortError::Refused(format!("impossible local time {at}")))
    }
}

impl Visits for StoreVisits {
    fn check_in(
        &self,
        visitor: &str,
        inmate: &str,
        walk_in: Option<&WalkIn>,
        at: NaiveDateTime,
    ) -> Result<IssuedTicket, PortError> {
        let now = self.local(at)?;
        let holidays = sentence::holidays::HolidayTable::builtin().map_err(store_error)?;
        let mut store = self.store.borrow_mut();
        let choice = match walk_in {
            Some(w) => VisitChoice::WalkIn {
                inmate_id: inmate.to_string(),
                session: w.session.clone(),
                group_size: w.group_size,
                // The kiosk cannot check a detaining authority's permit: a tahanan walk-in is
                // refused with PermitMissing and the visitor is sent to the desk.
                permit_reference: None,
            },
            None => {
                // An open booking first; one already used (or cancelled) still goes to the
                // rules, which refuse it with its reason.
                let booking = store
                    .bookings_for_visitor(visitor, at.date())
                    .map_err(store_error)?
                    .into_iter()
                    .filter(|b| b.inmate_id == inmate)
                    .min_by_key(|b| b.status != BookingStatus::Booked)
                    .ok_or_else(|| PortError::Refused("no booking today".into()))?;
                VisitChoice::Booking { booking_id: booking.id }
            }
        };
        let request = CheckInRequest {
            facility_id: self.facility_id.clone(),
            terminal: self.terminal.clone(),
            visitor_id: visitor.to_string(),
            choice,
            now,
        };
        let done =
            visits::check_in(&mut store, &self.rules, holidays, &request).map_err(|e| match e {
                VisitError::Refused(r) => PortError::VisitRefused(r),
                other => store_error(other),
            })?;
        let waiting_ahead = store
            .queue_status(&self.facility_id, at.date())
            .map_err(store_error)?
            .iter()
            .find(|q| q.service == done.ticket.service)
            .map(|q| q.waiting.saturating_sub(1))
            .unwrap_or(0);
        Ok(IssuedTicket {
            number: done.ticket.number_text.clone(),
            inmate_name: done.ticket.inmate_name.clone().unwrap_or_default(),
            // "S1 08:30-11:00": set for every visit ticket.
            session: done.ticket.session.clone().unwrap_or_default(),
            issued_at: done.ticket.issued_at.with_timezone(&self.offset).naive_local(),
            waiting_ahead,
        })
    }

    fn walk_in_offer(&self, at: NaiveDateTime) -> Result<Option<WalkInOffer>, PortError> {
        let holidays = sentence::holidays::HolidayTable::builtin().map_err(store_error)?;
        Ok(walk_in_offer(&self.rules, holidays, at))
    }

    fn now_serving(&self) -> Result<(Vec<NowServing>, u32), PortError> {
        let today = chrono::Utc::now().with_timezone(&self.offset).date_naive();
        let queues =
            self.store.borrow().queue_status(&self.facility_id, today).map_err(store_error)?;
        let waiting = queues.iter().map(|q| q.waiting).sum();
        let serving = queues
            .iter()
            .filter_map(|q| q.last_called.as_ref().map(|t| (q.service, t)))
            .map(|(service, t): (Service, _)| NowServing {
                number: number_text(service, t.number),
                counter: service.name_id().to_string(),
            })
            .collect();
        Ok((serving, waiting))
    }

    fn file_complaint(
        &self,
        category: ComplaintCategory,
        body: &str,
        person: Option<&str>,
        at: NaiveDateTime,
    ) -> Result<String, PortError> {
        let now = self.local(at)?;
        let mut store = self.store.borrow_mut();
        visits::complaints::file_complaint(
            &mut store,
            &self.facility_id,
            &self.terminal,
            category,
            body,
            person,
            now,
        )
        .map(|receipt| receipt.receipt_number)
        .map_err(|e| match e {
            VisitError::InvalidComplaint { en, .. } => PortError::Refused(en.to_string()),
            other => store_error(other),
        })
    }
}

/// The ticket printer through the store's print spooler: every ticket is first a `print_job`
/// row, so one the printer could not take (paper out, offline) stays queued and comes out with
/// the next ticket or test print once the printer is back.
pub struct SpoolPrinter {
    inner: std::sync::Mutex<SpoolInner>,
    facility_id: String,
    facility_name: String,
    zone: crate::config::TimeZone,
    rules: VisitRules,
    spooler: crate::tickets::spool::Spooler,
}

struct SpoolInner {
    store: Store,
    printer: Box<dyn drivers::printer::Printer>,
}

fn condition_of(problem: crate::tickets::spool::PrinterProblem) -> PrinterCondition {
    use crate::tickets::spool::PrinterProblem as P;
    match problem {
        P::PaperOut => PrinterCondition::PaperOut,
        P::CoverOpen => PrinterCondition::CoverOpen,
        P::CutterError => PrinterCondition::CutterError,
        P::Offline => PrinterCondition::Offline,
        P::Other => PrinterCondition::Unknown,
    }
}

impl SpoolPrinter {
    pub fn new(
        store: Store,
        printer: Box<dyn drivers::printer::Printer>,
        facility_id: impl Into<String>,
        zone: crate::config::TimeZone,
        rules: VisitRules,
    ) -> Self {
        let facility_id = facility_id.into();
        let facility_name = store
            .facility(&facility_id)
            .ok()
            .flatten()
            .map(|f| f.name)
            .unwrap_or_else(|| facility_id.clone());
        Self {
            inner: std::sync::Mutex::new(SpoolInner { store, printer }),
            facility_id,
            facility_name,
            zone,
            rules,
            spooler: crate::tickets::spool::Spooler::new(None),
        }
    }

    /// The print layout of an issued ticket, from its queue row and the register.
    fn job(&self, store: &Store, ticket: &IssuedTicket) -> Option<crate::tickets::TicketJob> {
        let day = ticket.issued_at.date();
        let rows = store.queue_tickets(&self.facility_id, day).ok()?;
        let row = rows.into_iter().find(|r| number_text(r.service, r.number) == ticket.number)?;
        let name = |id: &Option<String>| {
            id.as_deref()
                .and_then(|id| store.person(id).ok().flatten())
                .map(|p| p.full_name)
                .unwrap_or_default()
        };
        let session =
            row.session.as_deref().and_then(|c| self.rules.sessions.iter().find(|s| s.code == c));
        Some(crate::tickets::TicketJob::Queue(crate::tickets::QueueTicketPrint {
            facility_name: self.facility_name.clone(),
            service: row.service.letter().to_string(),
            number: row.number,
            ticket_code: row.ticket_code.clone().unwrap_or_else(|| row.id.clone()),
            visitor_name: name(&row.visitor_id),
            inmate_name: if ticket.inmate_name.is_empty() {
                name(&row.inmate_id)
            } else {
                ticket.inmate_name.clone()
            },
            visit_date: row.service_day,
            session_start: session.map(|s| s.starts).unwrap_or_default(),
            session_end: session.map(|s| s.ends).unwrap_or_default(),
            zone: crate::tickets::zone_abbreviation(self.zone).to_string(),
            group_size: row.group_size.and_then(|g| u8::try_from(g).ok()).unwrap_or(1),
            issued_at: ticket.issued_at,
            complaint_contact: None,
        }))
    }

    fn print_job(
        &self,
        job: impl FnOnce(&Store) -> Option<crate::tickets::TicketJob>,
    ) -> Result<(), PrinterCondition> {
        use crate::tickets::spool::PrintOutcome;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let SpoolInner { store, printer } = &mut *inner;
        let Some(job) = job(store) else {
            tracing::error!("ticket to print not found in the queue");
            return Err(PrinterCondition::Unknown);
        };
        match self.spooler.print(store, printer.as_mut(), &job) {
            Ok((_, PrintOutcome::Printed)) => Ok(()),
            Ok((_, PrintOutcome::Queued(problem))) => Err(condition_of(problem)),
            Ok((_, PrintOutcome::Abandoned)) => Err(PrinterCondition::Unknown),
            Err(e) => {
                tracing::error!(error = %e, "print spooler");
                Err(PrinterCondition::Unknown)
            }
        }
    }

    /// Jobs still waiting for the printer.
    pub fn queued(&self) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.spooler.status(&inner.store).map(|s| s.queued).unwrap_or(0)
    }
}

impl TicketPrinter for SpoolPrinter {
    fn print_ticket(&self, ticket: &IssuedTicket) -> Result<(), PrinterCondition> {
        self.print_job(|store| self.job(store, ticket))
    }

    fn test_print(&self) -> Result<(), PrinterCondition> {
        let printed_at = chrono::Utc::now().with_timezone(&self.zone.offset()).naive_local();
        self.print_job(|_| {
            Some(crate::tickets::TicketJob::Test(crate::tickets::TestTicket {
                facility_name: self.facility_name.clone(),
                printed_at,
                zone: crate::tickets::zone_abbreviation(self.zone).to_string(),
            }))
        })
    }

    fn condition(&self) -> PrinterCondition {
        use drivers::printer::Fault;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.printer.status() {
            Ok(status) => {
                let faults = status.faults();
                // The blocking fault first: near-end still prints.
                [
                    Fault::Offline,
                    Fault::CoverOpen,
                    Fault::PaperOut,
                    Fault::CutterError,
                    Fault::PaperNearEnd,
                ]
                .into_iter()
                .find(|f| faults.contains(f))
                .map_or(PrinterCondition::Ok, |f| match f {
                    Fault::Offline => PrinterCondition::Offline,
                    Fault::CoverOpen => PrinterCondition::CoverOpen,
                    Fault::PaperOut => PrinterCondition::PaperOut,
                    Fault::CutterError => PrinterCondition::CutterError,
                    Fault::PaperNearEnd => PrinterCondition::PaperNearEnd,
                })
            }
            Err(_) => PrinterCondition::Offline,
        }
    }
}

/// 1:N identification with the kiosk's own biometrics against the store's enrolled fingers.
/// The gallery is loaded once (and again after a sync through `refresh`), so a scan does no SQL.
pub struct StoreIdentifier {
    identifier: std::sync::Mutex<crate::identify::Identifier<IndexedTemplate>>,
    dpi: u32,
}

use crate::identify::kiosk_matcher::{self, IndexedTemplate};

impl StoreIdentifier {
    /// The gallery from the store. `dpi` is the reader's resolution (the supported readers and
    /// the simulated one deliver 500 dpi).
    pub fn load(
        store: &Store,
        settings: crate::identify::IdentifySettings,
        dpi: u32,
    ) -> Result<Self, PortError> {
        let (gallery, skipped) = kiosk_matcher::load_gallery(store).map_err(store_error)?;
        if skipped > 0 {
            tracing::warn!(skipped, "unreadable templates left out of the gallery");
        }
        tracing::info!(
            templates = gallery.len(),
            persons = gallery.person_count(),
            "gallery loaded"
        );
        Ok(Self {
            identifier: std::sync::Mutex::new(crate::identify::Identifier::new(gallery, settings)),
            dpi,
        })
    }

    /// Reloads the gallery (after a sync or an enrolment).
    pub fn refresh(&self, store: &Store) -> Result<(), PortError> {
        let mut identifier = self.identifier.lock().unwrap_or_else(|e| e.into_inner());
        kiosk_matcher::refresh(&mut identifier, store).map(|_| ()).map_err(store_error)
    }

    /// Enrolled templates.
    pub fn gallery_size(&self) -> usize {
        self.identifier.lock().map(|i| i.gallery().len()).unwrap_or(0)
    }
}

impl Identifier for StoreIdentifier {
    fn identify(&self, capture: &FingerCapture) -> Result<Option<PersonId>, PortError> {
        use crate::biometrics::{self, GreyImage};
        use crate::identify::Decision;
        let image = GreyImage::new(capture.width, capture.height, capture.pixels.clone())
            .map_err(|e| PortError::Refused(format!("capture: {e}")))?;
        // No usable fingerprint in the image is a "not recognised", not a fault.
        let probe = match biometrics::extract(&image, self.dpi) {
            Ok(t) => t,
            Err(e) => {
                tracing::info!(error = %e, "no template from the capture");
                return Ok(None);
            }
        };
        let mut identifier = self.identifier.lock().unwrap_or_else(|e| e.into_inner());
        let shortlist = identifier.settings().shortlist;
        let decision = identifier
            .identify_with(chrono::Utc::now(), |g| kiosk_matcher::search(g, &probe, shortlist));
        Ok(match decision {
            Decision::Accepted(best) => Some(best.person_id),
            Decision::NotRecognised { .. } | Decision::LockedOut { .. } => None,
        })
    }
}

/// The wall clock in the facility's time zone (the kiosk's system clock may run in UTC).
pub struct FacilityClock(pub FixedOffset);

impl super::ports::Clock for FacilityClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Utc::now().with_timezone(&self.0).naive_local()
    }
}

/// The synthetic finger enrolled for a demo person: its seed, so the developer panel can place
/// fresh impressions of it (`synth::place_synthetic_finger`). Deterministic from the person id.
pub fn synthetic_finger_seed(person_id: &str) -> u64 {
    crate::synth::finger_seed(crate::synth::person_seed(person_id), 0)
}

/// Enrols one synthetic finger (`synth::DEMO_FINGERS[0]`, three impressions) for each person
/// through the real enrolment checks. Returns the persons enrolled; a refused one (e.g. two
/// synthetic fingers alike) is logged and left out.
pub fn enrol_synthetic_fingers(
    store: &Store,
    terminal_id: &str,
    persons: &[String],
    settings: &crate::identify::IdentifySettings,
) -> Vec<String> {
    use crate::synth;
    let mut enrolled = Vec::new();
    for person in persons {
        let seed = synthetic_finger_seed(person);
        let master = synth::master_print(seed);
        let images: Result<Vec<_>, _> = (0..3)
            .map(|i| {
                // Enrolment is supervised (the officer places the finger), so the three
                // captures vary less than walk-up identification attempts do.
                let image = synth::impression(
                    &master,
                    synth::impression_seed(seed, i),
                    &synth::ImpressionSettings::easy(),
                );
                kiosk_matcher::grey_from_synth(&image)
            })
            .collect();
        let result = images.map_err(|e| e.to_string()).and_then(|images| {
            kiosk_matcher::enrol_images(
                store,
                terminal_id,
                person,
                synth::DEMO_FINGERS[0],
                &images,
                synth::DPI,
                settings,
            )
            .map_err(|e| e.to_string())
        });
        match result {
            Ok(_) => enrolled.push(person.clone()),
            Err(e) => tracing::warn!(person = %person, error = %e, "synthetic finger not enrolled"),
        }
    }
    enrolled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self as demo_store, DemoOptions};
    use crate::visits::rules::Refusal;
    use chrono::NaiveTime;

    const TODAY: (i32, u32, u32) = (2026, 11, 26);

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
    }

    /// A small demo store in a temp dir; returns the dir (kept alive) and the store path.
    fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        let options = DemoOptions {
            inmates: 12,
            visitors: 12,
            bookings: 12,
            ..DemoOptions::standard(today())
        };
        demo_store::prepare(&path, &options).unwrap();
        (dir, path)
    }

    fn records(path: &std::path::Path) -> StoreRecords {
        StoreRecords::new(
            Store::open(path).unwrap(),
            SentenceSettings::default(),
            VisitRules::default(),
        )
    }

    #[test]
    fn release_view_follows_the_sentence_computation() {
        let (_dir, path) = demo();
        let store = Store::open(&path).unwrap();
        let recs = records(&path);
        let mut checked = 0;
        for inmate in store.inmates(demo_store::FACILITY_ID).unwrap() {
            let id = &inmate.person.id;
            let periods = store.detention_periods(id).unwrap();
            let rem = store.remissions(id).unwrap();
            let input = input_from_record(&inmate, &periods, &rem, Some(today()), true);
            let Ok(report) = sentence::compute(&input, &SentenceSettings::default()) else {
                assert!(recs.release_view(id, today()).is_err());
                continue;
            };
            let Some(release) = report.release else { continue };
            let view = recs.release_view(id, today()).unwrap();
            assert_eq!(view.release, release);
            assert_eq!(view.name, inmate.person.full_name);
            assert_eq!(view.days_left, (release - today()).num_days().max(0));
            // Every granted remission of the register shows, with its decree, not projected.
            let granted: Vec<_> = view.remissions.iter().filter(|r| !r.projected).collect();
            assert_eq!(granted.len(), rem.len(), "{id}");
            for r in &rem {
                assert!(
                    granted.iter().any(|g| g.date == r.granted_on && g.decree == r.decree_number)
                );
            }
            // Projected ones come only after today.
            assert!(view.remissions.iter().filter(|r| r.projected).all(|r| r.date > today()));
            assert_eq!(view.programmes.len(), 4);
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} inmates with a release date");
        assert!(matches!(recs.release_view("nobody", today()), Err(PortError::NotFound(_))));
    }

    #[test]
    fn persons_and_linked_inmates_come_from_the_store() {
        let (_dir, path) = demo();
        let store = Store::open(&path).unwrap();
        let recs = records(&path);
        let inmate = &store.inmates(demo_store::FACILITY_ID).unwrap()[0];
        let p = recs.person(&inmate.person.id).unwrap().unwrap();
        assert_eq!(p.kind, PersonKind::Inmate);
        assert_eq!(recs.person("nobody").unwrap(), None);
        let booking = &store.bookings_on(demo_store::FACILITY_ID, today()).unwrap()[0];
        let visitor = recs.person(&booking.visitor_id).unwrap().unwrap();
        assert_eq!(visitor.kind, PersonKind::Family);
        let linked = recs.linked_inmates(&booking.visitor_id, today()).unwrap();
        let booked = linked.iter().find(|l| l.inmate == booking.inmate_id).unwrap();
        assert_eq!(booked.visit, VisitToday::Booked);
        assert!(booked.session.is_some());
        // A tahanan (no verdict) still shows to the family, without a release date.
        let tahanan = store.inmate(&booking.inmate_id).unwrap().unwrap();
        if tahanan.status == register::InmateStatus::Tahanan {
            assert_eq!(booked.release, None);
        }
    }

    #[test]
    fn check_in_issues_a_ticket_and_the_queue_counts_it() {
        let (_dir, path) = demo();
        let store = Store::open(&path).unwrap();
        let bookings = store.bookings_on(demo_store::FACILITY_ID, today()).unwrap();
        let offset = crate::config::TimeZone::Makassar.offset();
        let visits = StoreVisits::new(
            Store::open(&path).unwrap(),
            demo_store::FACILITY_ID,
            Terminal { id: "LOBBY-1".into(), slot: 0 },
            VisitRules::default(),
            offset,
        );
        let recs = records(&path);
        let mut issued = Vec::new();
        for booking in bookings.iter().filter(|b| b.status == BookingStatus::Booked) {
            let starts = VisitRules::default()
                .sessions
                .iter()
                .find(|s| s.code == booking.session)
                .map(|s| s.starts)
                .unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).unwrap());
            let at = today().and_time(starts) - chrono::Duration::minutes(20);
            // Some demo bookings break a rule on this day (tahanan visiting days): those are
            // refused with a code, never a store error.
            match visits.check_in(&booking.visitor_id, &booking.inmate_id, None, at) {
                Ok(ticket) => {
                    assert!(!ticket.number.is_empty());
                    assert_eq!(ticket.issued_at, at);
                    let linked = recs.linked_inmates(&booking.visitor_id, today()).unwrap();
                    let row = linked.iter().find(|l| l.inmate == booking.inmate_id).unwrap();
                    assert_eq!(row.visit, VisitToday::CheckedIn);
                    // The same booking a second time is refused, not a second ticket.
                    assert_eq!(
                        visits.check_in(&booking.visitor_id, &booking.inmate_id, None, at),
                        Err(PortError::VisitRefused(Refusal::AlreadyCheckedIn))
                    );
                    issued.push(ticket.number);
                }
                Err(PortError::VisitRefused(refusal)) => {
                    eprintln!("{}: refused {}", booking.id, refusal.code())
                }
                Err(e) => panic!("{}: {e}", booking.id),
            }
        }
        assert!(!issued.is_empty(), "no demo booking could check in");
        let mut unique = issued.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), issued.len(), "ticket numbers repeat: {issued:?}");
        assert!(matches!(
            visits.check_in(
                &bookings[0].visitor_id,
                "nobody",
                None,
                today().and_hms_opt(8, 0, 0).unwrap()
            ),
            Err(PortError::Refused(_))
        ));
    }

    /// Every (visitor, inmate) link of the demo store without a booking today.
    fn unbooked_links(store: &Store) -> Vec<(String, String)> {
        let booked = store.bookings_on(demo_store::FACILITY_ID, today()).unwrap();
        let mut out = Vec::new();
        for inmate in store.inmates(demo_store::FACILITY_ID).unwrap() {
            for (link, _) in store.linked_visitors(&inmate.person.id).unwrap() {
                if !booked.iter().any(|b| b.visitor_id == link.visitor_id) {
                    out.push((link.visitor_id, link.inmate_id));
                }
            }
        }
        out
    }

    #[test]
    fn a_walk_in_registers_a_visit_and_gets_a_number() {
        let (_dir, path) = demo();
        let store = Store::open(&path).unwrap();
        let offset = crate::config::TimeZone::Makassar.offset();
        let visits = |rules: VisitRules| {
            StoreVisits::new(
                Store::open(&path).unwrap(),
                demo_store::FACILITY_ID,
                Terminal { id: "LOBBY-1".into(), slot: 1 },
                rules,
                offset,
            )
        };
        let lobby = visits(VisitRules::default());
        let at = today().and_hms_opt(9, 0, 0).unwrap();

        // The offer: both sessions at 09:00, only the afternoon one at 12:00, none after 13:30
        // (the afternoon's registration closes 30 minutes before its 14:00 end).
        let codes = |at: NaiveDateTime| -> Vec<String> {
            let offer = lobby.walk_in_offer(at).unwrap().expect("walk-ins allowed");
            assert_eq!(offer.max_group_size, 5);
            offer.sessions.into_iter().map(|s| s.code).collect()
        };
        assert_eq!(codes(at), ["S1", "S2"]);
        assert_eq!(codes(today().and_hms_opt(12, 0, 0).unwrap()), ["S2"]);
        assert!(codes(today().and_hms_opt(13, 30, 0).unwrap()).is_empty());
        let closed = visits(VisitRules { walk_in_allowed: false, ..VisitRules::default() });
        assert_eq!(closed.walk_in_offer(at).unwrap(), None);

        // Each unbooked link either checks in or is refused for a rule, never a store error.
        let walk_in = WalkIn { session: "S1".into(), group_size: 3 };
        let mut issued = Vec::new();
        let mut refusals = Vec::new();
        for (visitor, inmate) in unbooked_links(&store) {
            let too_many = WalkIn { group_size: 6, ..walk_in.clone() };
            match lobby.check_in(&visitor, &inmate, Some(&too_many), at) {
                Err(PortError::VisitRefused(Refusal::GroupTooLarge { size: 6, max: 5 })) => {}
                // Refused earlier in the rules (relation, NIK, day): the same as with 3.
                Err(PortError::VisitRefused(_)) => {}
                other => panic!("6 visitors: {other:?}"),
            }
            match lobby.check_in(&visitor, &inmate, Some(&walk_in), at) {
                Ok(ticket) => {
                    assert!(ticket.number.starts_with("A-"), "{}", ticket.number);
                    assert_eq!(ticket.session, "S1 08:30-11:00");
                    let b = store.bookings_for_visitor(&visitor, today()).unwrap();
                    let b = b.iter().find(|b| b.inmate_id == inmate).expect("walk-in booking");
                    assert_eq!(b.source, register::BookingSource::WalkIn);
                    assert_eq!((b.status, b.group_size), (BookingStatus::CheckedIn, 3));
                    // The inmate's visit of the week is used: a second walk-in is refused.
                    assert!(matches!(
                        lobby.check_in(&visitor, &inmate, Some(&walk_in), at),
                        Err(PortError::VisitRefused(Refusal::AlreadyVisited { .. }))
                    ));
                    issued.push(ticket.number);
                }
                Err(PortError::VisitRefused(r)) => refusals.push(r.code()),
                Err(e) => panic!("{visitor} -> {inmate}: {e}"),
            }
        }
        assert!(!issued.is_empty(), "no walk-in passed the rules; refusals {refusals:?}");
        // With walk-ins off, the same request is refused with its own reason.
        let (visitor, inmate) = unbooked_links(&store).pop().unwrap();
        assert_eq!(
            closed.check_in(&visitor, &inmate, Some(&walk_in), at),
            Err(PortError::VisitRefused(Refusal::WalkInNotAllowed))
        );
    }

    #[test]
    fn a_failed_print_stays_queued_and_comes_out_later() {
        use drivers::printer::{Fault, SimulatedPrinter};
        let (dir, path) = demo();
        let mut store = Store::open(&path).unwrap();
        let booking = store.bookings_on(demo_store::FACILITY_ID, today()).unwrap()[0].clone();
        let offset = crate::config::TimeZone::Makassar.offset();
        let at = today().and_hms_opt(8, 0, 0).unwrap();
        let issued = crate::visits::allocate_number(
            &mut store,
            demo_store::FACILITY_ID,
            &Terminal { id: "LOBBY-1".into(), slot: 0 },
            Service::GoodsDeposit,
            Some((&booking.visitor_id, "Pengunjung")),
            offset.from_local_datetime(&at).single().unwrap(),
        )
        .unwrap();
        let out = dir.path().join("tickets");
        let sim = SimulatedPrinter::new(&out);
        let control = sim.control();
        let printer = SpoolPrinter::new(
            Store::open(&path).unwrap(),
            Box::new(sim),
            demo_store::FACILITY_ID,
            crate::config::TimeZone::Makassar,
            VisitRules::default(),
        );
        let ticket = IssuedTicket {
            number: issued.number_text.clone(),
            inmate_name: String::new(),
            session: String::new(),
            issued_at: at,
            waiting_ahead: 0,
        };
        let printed = || std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);

        control.set_faults([Fault::PaperOut]);
        assert_eq!(printer.condition(), PrinterCondition::PaperOut);
        assert_eq!(printer.print_ticket(&ticket), Err(PrinterCondition::PaperOut));
        assert_eq!(printer.queued(), 1);
        assert_eq!(printed(), 0);

        // Paper back: the queued ticket comes out with the test print.
        control.recover();
        assert_eq!(printer.condition(), PrinterCondition::Ok);
        assert_eq!(printer.test_print(), Ok(()));
        assert_eq!(printer.queued(), 0);
        assert_eq!(printed(), 2);

        // A number the queue never issued is not printed.
        let bogus = IssuedTicket { number: "C-999".into(), ..ticket };
        assert_eq!(printer.print_ticket(&bogus), Err(PrinterCondition::Unknown));
        assert_eq!(printed(), 2);
    }

    #[test]
    fn identifier_recognises_a_fresh_impression_of_an_enrolled_finger() {
        use crate::synth;
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO facility (id, name) VALUES ('F', 'Rutan Test');
                 INSERT INTO person (id, facility_id, kind, full_name) VALUES
                     ('P1', 'F', 'inmate', 'Satu'), ('P2', 'F', 'visitor', 'Dua');",
            )
            .unwrap();
        let settings = crate::identify::IdentifySettings::default();
        let persons = vec!["P1".to_string(), "P2".to_string()];
        assert_eq!(enrol_synthetic_fingers(&store, "T", &persons, &settings), persons);
        let id = StoreIdentifier::load(&store, settings, synth::DPI).unwrap();
        assert_eq!(id.gallery_size(), 2);
        let capture = |seed: u64, impression: u64| {
            let img = synth::finger_impression(seed, synth::impression_seed(seed, impression));
            FingerCapture {
                width: img.width as u32,
                height: img.height as u32,
                pixels: img.pixels,
                quality: 80,
                issue: None,
            }
        };
        let p2 = synthetic_finger_seed("P2");
        // An impression never used for enrolment.
        assert_eq!(id.identify(&capture(p2, 7)).unwrap().as_deref(), Some("P2"));
        // A finger nobody enrolled.
        let stranger = synth::finger_seed(12345, 3);
        assert_eq!(id.identify(&capture(stranger, 1)).unwrap(), None);
        // A blank frame is "not recognised"; a frame whose size lies is a clear error.
        let blank = FingerCapture { pixels: vec![235; 288 * 384], ..capture(p2, 8) };
        assert_eq!(id.identify(&blank).unwrap(), None);
        let broken = FingerCapture { pixels: vec![0; 10], ..capture(p2, 8) };
        assert!(id.identify(&broken).is_err());
    }
}
