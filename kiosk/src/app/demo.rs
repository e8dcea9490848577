//! In-memory demo ports: a few inmates and family members, a simulated reader whose "placed
//! finger" a developer panel or a test chooses, a simulated printer, an audit log and store facts
//! that can be switched into fault states. `kiosk demo`, `kiosk screenshot` and the UI tests run
//! on these until the store-backed ports replace them.
//!
//! The demo matcher recognises a finger by comparing the captured pixels with the enrolled
//! synthetic images; it stands in for `kiosk::biometrics` and is not a biometric algorithm.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};

use super::ports::*;
use crate::visits::rules::VisitRules;

const IMAGE_SIZE: u32 = 160;

/// The demo's fixed "today", so screenshots and tests do not change with the calendar.
pub fn demo_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28).and_then(|d| d.and_hms_opt(9, 12, 0)).unwrap_or_default()
}

pub const BUDI: &str = "demo-inmate-budi";
pub const AGUS: &str = "demo-inmate-agus";
pub const SITI: &str = "demo-family-siti";
pub const RINA: &str = "demo-family-rina";
/// A finger nobody enrolled.
pub const STRANGER: &str = "demo-stranger";

struct DemoInmate {
    id: &'static str,
    name: &'static str,
    register: &'static str,
    case: &'static str,
    detained: (i32, u32, u32),
    sentence: Ymd,
    /// Granted remissions: kind, date, months, days, decree.
    granted: Vec<(&'static str, (i32, u32, u32), u32, u32, &'static str)>,
    projected: Vec<(&'static str, (i32, u32, u32), u32, u32)>,
    programmes: Vec<(&'static str, Option<(i32, u32, u32)>, DecreeState)>,
}

fn ymd(t: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2).unwrap_or_default()
}

fn inmates() -> Vec<DemoInmate> {
    vec![
        DemoInmate {
            id: BUDI,
            name: "Budi Santoso",
            register: "B.I-0123/2024",
            case: "Pasal 362 KUHP (pencurian)",
            detained: (2024, 9, 2),
            sentence: Ymd { years: 3, months: 0, days: 0 },
            granted: vec![
                ("RK", (2025, 3, 31), 0, 15, "W.10.PAS-512/2025"),
                ("RU", (2025, 8, 17), 1, 0, "W.10.PAS-1780/2025"),
                ("RK", (2026, 3, 21), 1, 0, "W.10.PAS-498/2026"),
                ("RU", (2026, 8, 17), 3, 0, "W.10.PAS-1801/2026"),
            ],
            projected: vec![("RK", (2027, 3, 10), 1, 0)],
            programmes: vec![
                ("Asimilasi", Some((2026, 3, 3)), DecreeState::Issued),
                ("PB", Some((2026, 9, 2)), DecreeState::InProcess),
                ("CMB", Some((2026, 9, 2)), DecreeState::NotYet),
                ("CB", None, DecreeState::NotEligible),
            ],
        },
        DemoInmate {
            id: AGUS,
            name: "Agus Wijaya",
            register: "B.II-0456/2026",
            case: "Pasal 378 KUHP (penipuan)",
            detained: (2026, 9, 20),
            sentence: Ymd { years: 1, months: 2, days: 0 },
            granted: vec![],
            projected: vec![("RU", (2027, 8, 17), 1, 0)],
            programmes: vec![
                ("Asimilasi", Some((2027, 4, 5)), DecreeState::NotYet),
                ("CB", Some((2027, 6, 30)), DecreeState::NotYet),
                ("PB", None, DecreeState::NotEligible),
            ],
        },
    ]
}

fn add(d: NaiveDate, p: Ymd) -> NaiveDate {
    d.checked_add_months(Months::new(p.years * 12 + p.months))
        .and_then(|d| d.checked_add_days(chrono::Days::new(p.days.into())))
        .unwrap_or(d)
}

fn sub(d: NaiveDate, months: u32, days: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(chrono::Days::new(days.into())))
        .unwrap_or(d)
}

/// Whole years, months and days from `a` to `b` (zero when b <= a).
fn between(a: NaiveDate, b: NaiveDate) -> Ymd {
    if b <= a {
        return Ymd::default();
    }
    let mut months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    if add(a, Ymd { years: 0, months: months as u32, days: 0 }) > b {
        months -= 1;
    }
    let anchor = add(a, Ymd { years: 0, months: months as u32, days: 0 });
    let days = (b - anchor).num_days();
    Ymd { years: (months / 12) as u32, months: (months % 12) as u32, days: days as u32 }
}

/// Release arithmetic for the demo records only; production uses `kiosk::sentence`.
fn release_view(i: &DemoInmate, today: NaiveDate) -> ReleaseView {
    let detained = ymd(i.detained);
    let expiry = add(detained, i.sentence);
    let mut release = expiry;
    for (_, date, m, d, _) in &i.granted {
        release = sub(release, *m, *d).max(ymd(*date));
    }
    let mut projected_release = release;
    for (_, date, m, d) in &i.projected {
        projected_release = sub(projected_release, *m, *d).max(ymd(*date));
    }
    let total = (expiry - detained).num_days();
    let at = |num: i64, den: i64| detained + chrono::Duration::days(total * num / den);
    let (one_third, one_half, two_thirds) = (at(1, 3), at(1, 2), at(2, 3));
    let stage = if (today - detained).num_days() < 14 {
        Stage::Admission
    } else if today < one_third {
        Stage::Early
    } else if today < two_thirds {
        Stage::Advanced
    } else {
        Stage::Final
    };
    let mut remissions: Vec<RemissionView> = i
        .granted
        .iter()
        .map(|(kind, date, months, days, sk)| RemissionView {
            kind: kind.to_string(),
            date: ymd(*date),
            months: *months,
            days: *days,
            decree: Some(sk.to_string()),
            projected: false,
        })
        .collect();
    remissions.extend(i.projected.iter().map(|(kind, date, months, days)| RemissionView {
        kind: kind.to_string(),
        date: ymd(*date),
        months: *months,
        days: *days,
        decree: None,
        projected: true,
    }));
    ReleaseView {
        inmate: i.id.to_string(),
        name: i.name.to_string(),
        register_number: i.register.to_string(),
        case: i.case.to_string(),
        sentence: i.sentence,
        detained_on: detained,
        expiry,
        release,
        release_projected: (projected_release != release).then_some(projected_release),
        one_third,
        one_half,
        two_thirds,
        served: between(detained, today),
        remaining: between(today, release),
        stage,
        days_left: (release - today).num_days().max(0),
        days_total: (release - detained).num_days(),
        remissions,
        programmes: i
            .programmes
            .iter()
            .map(|(name, date, decree)| ProgrammeView {
                name: name.to_string(),
                date: date.map(ymd),
                decree: *decree,
            })
            .collect(),
    }
}

/// A synthetic ridge pattern per person: different people give different pixels.
pub fn finger_image(person: &str) -> FingerCapture {
    // A stable seed from the id (FNV-1a), so each person keeps one pattern.
    let seed = person
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let freq = 0.18 + (seed % 17) as f32 * 0.013;
    let angle = (seed / 17 % 11) as f32 * 0.29;
    let (s, c) = angle.sin_cos();
    let mut pixels = Vec::with_capacity((IMAGE_SIZE * IMAGE_SIZE) as usize);
    let mid = IMAGE_SIZE as f32 / 2.0;
    for y in 0..IMAGE_SIZE {
        for x in 0..IMAGE_SIZE {
            let (dx, dy) = (x as f32 - mid, y as f32 - mid);
            let inside = (dx * dx) / (mid * mid * 0.7) + (dy * dy) / (mid * mid) < 1.0;
            let r = ((dx * c + dy * s) * freq + (dx * dx + dy * dy).sqrt() * 0.05).sin();
            pixels.push(if inside { (128.0 + 110.0 * r) as u8 } else { 235 });
        }
    }
    FingerCapture { width: IMAGE_SIZE, height: IMAGE_SIZE, pixels, quality: 82, issue: None }
}

#[derive(Debug, Clone)]
enum Placement {
    Finger(String),
    Poor(QualityIssue),
}

#[derive(Debug)]
struct ReaderState {
    connected: bool,
    placed: Option<Placement>,
}

/// The simulated reader. `capture` waits up to `wait` for a placed finger.
pub struct DemoReader {
    state: Arc<Mutex<ReaderState>>,
    wait: Duration,
}

/// Controls the simulated reader from the developer panel or a test.
#[derive(Clone)]
pub struct DemoReaderHandle(Arc<Mutex<ReaderState>>);

impl DemoReaderHandle {
    fn with<R>(&self, f: impl FnOnce(&mut ReaderState) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
    pub fn place(&self, person: &str) {
        self.with(|s| s.placed = Some(Placement::Finger(person.to_string())));
    }
    pub fn place_poor(&self, issue: QualityIssue) {
        self.with(|s| s.placed = Some(Placement::Poor(issue)));
    }
    pub fn set_connected(&self, connected: bool) {
        self.with(|s| s.connected = connected);
    }
}

impl FingerReader for DemoReader {
    fn capture(&self, cancel: &CancelToken) -> Result<FingerCapture, ReaderFault> {
        let started = Instant::now();
        loop {
            if cancel.is_cancelled() {
                return Err(ReaderFault::Cancelled);
            }
            {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if !state.connected {
                    return Err(ReaderFault::Unplugged);
                }
                match state.placed.take() {
                    Some(Placement::Finger(id)) => return Ok(finger_image(&id)),
                    Some(Placement::Poor(issue)) => {
                        let mut capture = finger_image(STRANGER);
                        capture.quality = 21;
                        capture.issue = Some(issue);
                        return Ok(capture);
                    }
                    None => {}
                }
            }
            if started.elapsed() >= self.wait {
                return Err(ReaderFault::NoFinger);
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn is_connected(&self) -> bool {
        self.state.lock().map(|s| s.connected).unwrap_or(false)
    }

    fn description(&self) -> String {
        format!("Simulated reader ({IMAGE_SIZE}x{IMAGE_SIZE}, 500 dpi)")
    }
}

/// Recognises the enrolled synthetic images.
pub struct DemoIdentifier {
    enrolled: Vec<(PersonId, Vec<u8>)>,
}

impl Identifier for DemoIdentifier {
    fn identify(&self, capture: &FingerCapture) -> Result<Option<PersonId>, PortError> {
        Ok(self.enrolled.iter().find(|(_, px)| *px == capture.pixels).map(|(id, _)| id.clone()))
    }
}

/// The simulated printer: records tickets, fails while its condition is not ready.
#[derive(Clone, Default)]
pub struct DemoPrinter {
    condition: Arc<Mutex<Option<PrinterCondition>>>,
    printed: Arc<Mutex<Vec<String>>>,
}

impl DemoPrinter {
    pub fn set_condition(&self, c: PrinterCondition) {
        *self.condition.lock().unwrap_or_else(|e| e.into_inner()) = Some(c);
    }
    pub fn printed(&self) -> Vec<String> {
        self.printed.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl TicketPrinter for DemoPrinter {
    fn print_ticket(&self, ticket: &IssuedTicket) -> Result<(), PrinterCondition> {
        match self.condition() {
            PrinterCondition::Ok | PrinterCondition::PaperNearEnd => {
                self.printed.lock().unwrap_or_else(|e| e.into_inner()).push(ticket.number.clone());
                Ok(())
            }
            other => Err(other),
        }
    }
    fn test_print(&self) -> Result<(), PrinterCondition> {
        match self.condition() {
            PrinterCondition::Ok | PrinterCondition::PaperNearEnd => {
                self.printed.lock().unwrap_or_else(|e| e.into_inner()).push("TES PRINTER".into());
                Ok(())
            }
            other => Err(other),
        }
    }
    fn condition(&self) -> PrinterCondition {
        self.condition
            .lock()
            .map(|c| c.unwrap_or(PrinterCondition::Ok))
            .unwrap_or(PrinterCondition::Unknown)
    }
}

struct Links {
    family: &'static str,
    inmate: &'static str,
    relation: &'static str,
    session_today: Option<&'static str>,
}

fn links() -> Vec<Links> {
    vec![
        Links { family: SITI, inmate: BUDI, relation: "Ibu", session_today: Some("08:30-11:00") },
        Links { family: SITI, inmate: AGUS, relation: "Bibi", session_today: None },
        Links { family: RINA, inmate: AGUS, relation: "Istri", session_today: Some("12:45-14:00") },
    ]
}

fn people() -> Vec<Person> {
    vec![
        Person { id: BUDI.into(), name: "Budi Santoso".into(), kind: PersonKind::Inmate },
        Person { id: AGUS.into(), name: "Agus Wijaya".into(), kind: PersonKind::Inmate },
        Person { id: SITI.into(), name: "Siti Aminah".into(), kind: PersonKind::Family },
        Person { id: RINA.into(), name: "Rina Kartika".into(), kind: PersonKind::Family },
    ]
}

#[derive(Default)]
struct VisitBook {
    checked_in: Vec<(PersonId, PersonId, String)>,
    next_number: u32,
    /// Complaints filed: category, text, person (None = anonymous).
    complaints: Vec<(ComplaintCategory, String, Option<PersonId>)>,
}

struct DemoRecords {
    book: Rc<RefCell<VisitBook>>,
}

impl Records for DemoRecords {
    fn person(&self, id: &str) -> Result<Option<Person>, PortError> {
        Ok(people().into_iter().find(|p| p.id == id))
    }

    fn release_view(&self, inmate: &str, today: NaiveDate) -> Result<ReleaseView, PortError> {
        inmates()
            .iter()
            .find(|i| i.id == inmate)
            .map(|i| release_view(i, today))
            .ok_or_else(|| PortError::NotFound(format!("inmate {inmate}")))
    }

    fn linked_inmates(
        &self,
        family: &str,
        today: NaiveDate,
    ) -> Result<Vec<LinkedInmate>, PortError> {
        let book = self.book.borrow();
        let mut out = Vec::new();
        for link in links().into_iter().filter(|l| l.family == family) {
            let view = self.release_view(link.inmate, today)?;
            let checked_in =
                book.checked_in.iter().any(|(v, i, _)| v == family && i == link.inmate);
            out.push(LinkedInmate {
                inmate: link.inmate.to_string(),
                name: view.name,
                relation: link.relation.to_string(),
                release: Some(view.release),
                days_left: view.days_left,
                visit: match (checked_in, link.session_today) {
                    (true, _) => VisitToday::CheckedIn,
                    (false, Some(_)) => VisitToday::Booked,
                    (false, None) => VisitToday::NoBooking,
                },
                session: link.session_today.map(str::to_string),
            });
        }
        Ok(out)
    }
}

struct DemoVisits {
    book: Rc<RefCell<VisitBook>>,
}

impl Visits for DemoVisits {
    fn check_in(
        &self,
        visitor: &str,
        inmate: &str,
        walk_in: Option<&WalkIn>,
        at: NaiveDateTime,
    ) -> Result<IssuedTicket, PortError> {
        let link = links()
            .into_iter()
            .find(|l| l.family == visitor && l.inmate == inmate)
            .ok_or(PortError::VisitRefused(Refusal::NotLinked))?;
        let session = match walk_in {
            Some(w) => {
                let offer = self
                    .walk_in_offer(at)?
                    .ok_or(PortError::VisitRefused(Refusal::WalkInNotAllowed))?;
                let session =
                    offer.sessions.iter().find(|s| s.code == w.session).ok_or_else(|| {
                        PortError::VisitRefused(Refusal::UnknownSession {
                            session: w.session.clone(),
                        })
                    })?;
                if w.group_size > offer.max_group_size {
                    return Err(PortError::VisitRefused(Refusal::GroupTooLarge {
                        size: w.group_size,
                        max: offer.max_group_size,
                    }));
                }
                super::format::hours(session.starts, session.ends)
            }
            None => link
                .session_today
                .ok_or_else(|| PortError::Refused("no booking today".into()))?
                .to_string(),
        };
        let mut book = self.book.borrow_mut();
        if book.checked_in.iter().any(|(v, i, _)| v == visitor && i == inmate) {
            return Err(PortError::VisitRefused(Refusal::AlreadyCheckedIn));
        }
        // The demo day already served six visits.
        book.next_number = book.next_number.max(6) + 1;
        let number = format!("A-{:03}", book.next_number);
        book.checked_in.push((visitor.to_string(), inmate.to_string(), number.clone()));
        let name =
            inmates().iter().find(|i| i.id == inmate).map(|i| i.name).unwrap_or("?").to_string();
        Ok(IssuedTicket { number, inmate_name: name, session, issued_at: at, waiting_ahead: 2 })
    }

    fn walk_in_offer(&self, at: NaiveDateTime) -> Result<Option<WalkInOffer>, PortError> {
        let holidays = crate::sentence::holidays::HolidayTable::builtin()
            .map_err(|e| PortError::Store(e.to_string()))?;
        Ok(super::real_ports::walk_in_offer(&VisitRules::default(), holidays, at))
    }

    fn now_serving(&self) -> Result<(Vec<NowServing>, u32), PortError> {
        Ok((
            vec![
                NowServing { number: "A-005".into(), counter: "1".into() },
                NowServing { number: "A-006".into(), counter: "2".into() },
                NowServing { number: "B-002".into(), counter: "3".into() },
            ],
            self.book.borrow().checked_in.len() as u32 + 2,
        ))
    }

    fn file_complaint(
        &self,
        category: ComplaintCategory,
        body: &str,
        person: Option<&str>,
        at: NaiveDateTime,
    ) -> Result<String, PortError> {
        let body = crate::visits::complaints::check_body(body)
            .map_err(|p| PortError::Refused(p.en.to_string()))?;
        let mut book = self.book.borrow_mut();
        book.complaints.push((category, body.to_string(), person.map(str::to_string)));
        Ok(format!("PGD-{}-{:04}", at.format("%Y%m%d"), book.complaints.len()))
    }
}

/// Audit entries kept in memory (shared with the test or demo that reads them).
#[derive(Clone, Default)]
pub struct DemoAudit(Rc<RefCell<Vec<AuditEvent>>>);

impl DemoAudit {
    pub fn events(&self) -> Vec<AuditEvent> {
        self.0.borrow().clone()
    }
}

impl AuditLog for DemoAudit {
    fn record(&self, event: AuditEvent, _at: NaiveDateTime) -> Result<(), PortError> {
        self.0.borrow_mut().push(event);
        Ok(())
    }
}

/// Store facts the developer panel can break.
#[derive(Clone)]
pub struct DemoFacts(Rc<RefCell<StoreFacts>>);

impl DemoFacts {
    pub fn set_damaged(&self, damaged: bool) {
        let mut f = self.0.borrow_mut();
        f.integrity_ok = !damaged;
        f.integrity_detail = if damaged { "page checksum mismatch".into() } else { "ok".into() };
    }
    pub fn set_out_of_service(&self, v: bool) {
        self.0.borrow_mut().out_of_service = v;
    }
}

impl Diagnostics for DemoFacts {
    fn store_facts(&self) -> StoreFacts {
        self.0.borrow().clone()
    }
}

pub struct FixedClock(pub NaiveDateTime);

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        self.0
    }
}

/// Handles to steer the demo world after the ports went to the app.
#[derive(Clone)]
pub struct DemoHandles {
    pub reader: DemoReaderHandle,
    pub printer: DemoPrinter,
    pub audit: DemoAudit,
    pub facts: DemoFacts,
}

/// Names and kinds for the developer panel, in the order `place-finger(i)` uses.
pub fn panel_people() -> Vec<(PersonId, String, &'static str)> {
    people()
        .into_iter()
        .map(|p| {
            let kind = match p.kind {
                PersonKind::Inmate => "inmate",
                PersonKind::Family => "family",
            };
            (p.id, p.name, kind)
        })
        .collect()
}

/// Builds the demo ports. `reader_wait` is how long one capture waits for a finger before
/// reporting `NoFinger` (zero in tests, a few seconds in the demo). `clock` None uses the
/// system clock.
pub fn demo_ports(reader_wait: Duration, clock: Option<NaiveDateTime>) -> (Ports, DemoHandles) {
    let reader_state = Arc::new(Mutex::new(ReaderState { connected: true, placed: None }));
    let reader = Arc::new(DemoReader { state: reader_state.clone(), wait: reader_wait });
    let identifier = Arc::new(DemoIdentifier {
        enrolled: people()
            .into_iter()
            .map(|p| (finger_image(&p.id).pixels, p.id))
            .map(|(px, id)| (id, px))
            .collect(),
    });
    let printer = DemoPrinter::default();
    let audit = DemoAudit::default();
    let facts = DemoFacts(Rc::new(RefCell::new(StoreFacts {
        counts: vec![
            ("persons".into(), people().len() as i64),
            ("fingers".into(), people().len() as i64),
            ("remissions".into(), 5),
            ("visits".into(), 3),
        ],
        integrity_ok: true,
        integrity_detail: "ok".into(),
        sync_state: "demo: no hub".into(),
        last_errors: vec![],
        out_of_service: false,
    })));
    let book = Rc::new(RefCell::new(VisitBook::default()));
    let clock: Box<dyn Clock> = match clock {
        Some(t) => Box::new(FixedClock(t)),
        None => Box::new(SystemClock),
    };
    let ports = Ports {
        reader,
        identifier,
        printer: Arc::new(printer.clone()),
        records: Box::new(DemoRecords { book: book.clone() }),
        visits: Box::new(DemoVisits { book }),
        audit: Box::new(audit.clone()),
        diagnostics: Box::new(facts.clone()),
        clock,
    };
    (ports, DemoHandles { reader: DemoReaderHandle(reader_state), printer, audit, facts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_release_matches_hand_arithmetic() {
        let today = demo_now().date();
        let i = inmates().into_iter().find(|i| i.id == BUDI).unwrap();
        let v = release_view(&i, today);
        // 2024-09-02 + 3 y = 2027-09-02; -15 d, -1 m, -1 m, -3 m one by one = 2027-03-18.
        assert_eq!(v.expiry, ymd((2027, 9, 2)));
        assert_eq!(v.release, ymd((2027, 3, 18)));
        // The projected RK (1 month) is at least what is left on its day: release that day.
        assert_eq!(v.release_projected, Some(ymd((2027, 3, 10))));
        assert_eq!(v.days_left, 110);
        assert_eq!(v.stage, Stage::Final);
        assert_eq!(v.remaining, Ymd { years: 0, months: 3, days: 18 });
    }

    #[test]
    fn identifier_tells_people_apart() {
        let (ports, _) = demo_ports(Duration::ZERO, Some(demo_now()));
        assert_eq!(ports.identifier.identify(&finger_image(SITI)).unwrap().as_deref(), Some(SITI));
        assert_eq!(ports.identifier.identify(&finger_image(STRANGER)).unwrap(), None);
    }

    #[test]
    fn reader_reports_no_finger_then_the_placed_one() {
        let (ports, handles) = demo_ports(Duration::ZERO, Some(demo_now()));
        let token = CancelToken::new();
        assert_eq!(ports.reader.capture(&token), Err(ReaderFault::NoFinger));
        handles.reader.place(BUDI);
        assert_eq!(ports.reader.capture(&token).unwrap().pixels, finger_image(BUDI).pixels);
        handles.reader.set_connected(false);
        assert_eq!(ports.reader.capture(&token), Err(ReaderFault::Unplugged));
    }
}
