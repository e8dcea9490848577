//! The controller: every flow of the three roles, the privacy countdown, the lockout, the
//! technician PIN and the fault checks. It reads ports, formats for the chosen language and sets
//! the Slint globals; the UI calls back through the adapters' callbacks.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};

use super::format::{self, Language};
use super::ports::*;
use super::ui;
use super::worker::{Executor, Inbox, Outcome, ThreadExecutor};
use crate::config::{self, PinHash};
use crate::visits::complaints::{self, ComplaintProblem, MAX_BODY_CHARS};

/// Which terminal this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskRole {
    /// Block kiosk: inmates see their own sentence information.
    Block,
    /// Lobby terminal: family members see linked inmates and check in for visits.
    Lobby,
    /// Waiting-room display: the numbers being served.
    Display,
}

/// Facility settings the app needs (from the config file in production).
#[derive(Debug, Clone)]
pub struct Settings {
    pub role: KioskRole,
    pub facility_name: String,
    pub complaint_channel: String,
    /// Seconds without a touch before a personal screen returns to idle.
    pub idle_seconds: u32,
    /// Failed identifications in a row before the lockout.
    pub max_attempts: u32,
    pub lockout_seconds: u32,
    /// Argon2id hash from the config; without one the diagnostics stay locked.
    pub technician_pin: Option<PinHash>,
    pub max_pin_failures: u32,
    /// Whether family members may see the case (perkara) of a linked inmate.
    pub show_case_to_family: bool,
    /// Seconds between checks of reader, printer and store.
    pub health_seconds: u32,
    pub language: Language,
    /// `kiosk demo`: shows the developer panel button (F2 as well).
    pub demo_mode: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            role: KioskRole::Block,
            facility_name: "Rutan Kelas I Contoh".into(),
            complaint_channel: "SMS 1708 · lapor.go.id".into(),
            idle_seconds: 30,
            max_attempts: 3,
            lockout_seconds: 60,
            // The demo configuration's PIN, 123456.
            technician_pin: config::Config::demo("demo.sqlite".into())
                .ok()
                .and_then(|c| c.technician_pin_hash),
            max_pin_failures: 5,
            show_case_to_family: false,
            health_seconds: 3,
            language: Language::Indonesian,
            demo_mode: false,
        }
    }
}

impl Settings {
    /// The app's settings from the kiosk configuration file; the rest keep their defaults.
    pub fn from_config(config: &config::Config) -> Self {
        Self {
            role: match config.role {
                config::Role::Inmate => KioskRole::Block,
                config::Role::Lobby => KioskRole::Lobby,
                config::Role::Display => KioskRole::Display,
            },
            facility_name: config.facility.name.as_str().to_string(),
            idle_seconds: config.privacy_timeout_secs.secs(),
            technician_pin: config.technician_pin_hash.clone(),
            language: match config.language {
                config::Language::Id => Language::Indonesian,
                config::Language::En => Language::English,
            },
            ..Self::default()
        }
    }
}

/// The personal data on screen, kept so a language switch can format it again.
#[derive(Clone)]
enum Current {
    None,
    Inmate {
        view: ReleaseView,
    },
    Family(FamilyPage),
    FamilyInmate {
        page: FamilyPage,
        index: usize,
        view: ReleaseView,
    },
    /// A visitor without a booking registers a visit to `page.linked[index]` on the spot.
    WalkIn {
        page: FamilyPage,
        index: usize,
        choice: WalkInChoice,
    },
    Ticket {
        ticket: IssuedTicket,
        print: ui::TicketPrint,
    },
    Complaint(ComplaintDraft),
}

/// The family screen's data, kept while the visitor moves between its screens.
#[derive(Clone)]
struct FamilyPage {
    visitor: Person,
    linked: Vec<LinkedInmate>,
    /// Walk-in sessions open now; `None` when the facility takes no walk-ins.
    walk_in: Option<WalkInOffer>,
    /// Why the last check-in did not go through, shown until the next touch that acts.
    problem: Option<CheckInProblem>,
}

impl FamilyPage {
    /// Whether `inmate` can be visited without a booking right now.
    fn offers_walk_in(&self, inmate: &LinkedInmate) -> bool {
        inmate.visit == VisitToday::NoBooking
            && self.walk_in.as_ref().is_some_and(|o| !o.sessions.is_empty())
    }
}

#[derive(Clone)]
enum CheckInProblem {
    Refused(Refusal),
    /// The store failed or the request made no sense: the desk takes over.
    Failed,
}

impl CheckInProblem {
    fn text(&self, lang: Language) -> String {
        match (self, lang) {
            (CheckInProblem::Refused(r), Language::Indonesian) => r.message_id(),
            (CheckInProblem::Refused(r), Language::English) => r.message_en(),
            (CheckInProblem::Failed, lang) => pick(
                lang,
                "Pendaftaran belum berhasil. Silakan hubungi petugas.",
                "The check-in did not go through. Please ask an officer.",
            )
            .to_string(),
        }
    }
}

/// Session (index into the offer) and group size chosen on the walk-in screen.
#[derive(Clone, Copy)]
struct WalkInChoice {
    session: usize,
    group_size: u32,
}

/// Seconds a complaint form stays up without a touch: typing takes longer than reading.
const COMPLAINT_SECONDS: u32 = 120;

/// A complaint being written, then its receipt.
#[derive(Clone)]
struct ComplaintDraft {
    /// The identified visitor when opened from the family screen; `None` from idle.
    person: Option<Person>,
    category: Option<ComplaintCategory>,
    text: String,
    anonymous: bool,
    problem: Option<ComplaintProblem>,
    receipt: Option<String>,
}

const NO_CATEGORY: ComplaintProblem = ComplaintProblem {
    id: "Pilih kategori pengaduan terlebih dahulu.",
    en: "Please choose a category first.",
};
const NOT_SAVED: ComplaintProblem = ComplaintProblem {
    id: "Pengaduan belum tersimpan. Coba lagi atau hubungi petugas.",
    en: "The complaint was not saved. Try again or ask an officer.",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    ReaderUnplugged,
    PrinterAttention,
    StoreDamaged,
    OutOfService,
}

struct State {
    settings: Settings,
    language: Language,
    /// Identifies the capture the app waits for; outcomes of older ones are dropped.
    generation: u64,
    capture: Option<CancelToken>,
    failures: u32,
    lockout_left: u32,
    idle_left: u32,
    idle_total: u32,
    pin: String,
    pin_failures: u32,
    /// A PIN is being checked on a worker: further submits wait for the answer.
    pin_checking: bool,
    current: Current,
    fault: Option<Fault>,
    printer: PrinterCondition,
    last_failed_ticket: Option<String>,
    errors: Vec<String>,
}

struct Shared {
    window: ui::MainWindow,
    ports: Ports,
    executor: Box<dyn Executor>,
    inbox: Inbox,
    state: RefCell<State>,
}

thread_local! {
    /// The kiosk of this (UI) thread, for worker wake-ups posted to the event loop.
    static CURRENT: RefCell<Weak<Shared>> = const { RefCell::new(Weak::new()) };
}

/// The running app. Dropping it stops its timers.
pub struct Kiosk {
    shared: Rc<Shared>,
    _timers: Vec<Timer>,
}

impl Kiosk {
    /// Production wiring: long work on threads, results pumped through the Slint event loop.
    pub fn start(window: ui::MainWindow, ports: Ports, settings: Settings) -> Self {
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {
            let posted = slint::invoke_from_event_loop(|| {
                if let Some(shared) = CURRENT.with(|c| c.borrow().upgrade()) {
                    pump(&shared);
                }
            });
            if let Err(err) = posted {
                tracing::warn!("event loop gone, outcome dropped: {err}");
            }
        });
        Self::with_executor(window, ports, settings, Box::new(ThreadExecutor::new(wake)))
    }

    /// Wiring with any executor (tests pass a `ManualExecutor`).
    pub fn with_executor(
        window: ui::MainWindow,
        ports: Ports,
        settings: Settings,
        executor: Box<dyn Executor>,
    ) -> Self {
        let language = settings.language;
        let shared = Rc::new(Shared {
            window,
            ports,
            executor,
            inbox: Inbox::default(),
            state: RefCell::new(State {
                idle_left: settings.idle_seconds,
                idle_total: settings.idle_seconds,
                settings,
                language,
                generation: 0,
                capture: None,
                failures: 0,
                lockout_left: 0,
                pin: String::new(),
                pin_failures: 0,
                pin_checking: false,
                current: Current::None,
                fault: None,
                printer: PrinterCondition::Ok,
                last_failed_ticket: None,
                errors: Vec::new(),
            }),
        });
        CURRENT.with(|c| *c.borrow_mut() = Rc::downgrade(&shared));
        connect(&shared);
        set_language(&shared, language);

        let second = Timer::default();
        let weak = Rc::downgrade(&shared);
        second.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(shared) = weak.upgrade() {
                tick(&shared);
            }
        });
        let health = Timer::default();
        let weak = Rc::downgrade(&shared);
        let every =
            Duration::from_secs(shared.state.borrow().settings.health_seconds.max(1).into());
        health.start(TimerMode::Repeated, every, move || {
            if let Some(shared) = weak.upgrade() {
                check_health(&shared);
            }
        });
        check_health(&shared);
        go_home(&shared);
        Kiosk { shared, _timers: vec![second, health] }
    }

    pub fn window(&self) -> &ui::MainWindow {
        &self.shared.window
    }

    /// Handles the outcomes of finished jobs (the threaded executor does this by itself).
    pub fn pump(&self) {
        pump(&self.shared);
    }

    /// Runs the reader, printer and store checks now instead of at the next health tick.
    pub fn check_health(&self) {
        check_health(&self.shared);
    }

    /// Stops a pending capture (at shutdown, so the worker thread ends).
    pub fn shutdown(&self) {
        cancel_capture(&self.shared);
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        cancel_capture(&self.shared);
    }
}

fn connect(shared: &Rc<Shared>) {
    let w = &shared.window;
    let weak = Rc::downgrade(shared);
    let on = move |f: fn(&Rc<Shared>)| {
        let weak = weak.clone();
        move || {
            if let Some(s) = weak.upgrade() {
                f(&s)
            }
        }
    };

    let app = w.global::<ui::AppState>();
    app.on_touched(on(touched));
    app.on_finish(on(go_home));
    app.on_open_technician(on(open_technician));
    app.on_open_complaint(on(open_complaint));
    let weak = Rc::downgrade(shared);
    app.on_set_language(move |code| {
        if let (Some(s), Some(lang)) = (weak.upgrade(), Language::from_code(&code)) {
            touched(&s);
            set_language(&s, lang);
        }
    });

    let nr = w.global::<ui::NotRecognisedAdapter>();
    nr.on_try_again(on(retry));
    nr.on_other_finger(on(retry));
    nr.on_call_officer(on(|s| {
        s.window.global::<ui::NotRecognisedAdapter>().set_officer_called(true);
    }));

    let family = w.global::<ui::FamilyAdapter>();
    let weak = Rc::downgrade(shared);
    family.on_show_inmate(move |i| {
        if let Some(s) = weak.upgrade() {
            show_family_inmate(&s, i.max(0) as usize);
        }
    });
    let weak = Rc::downgrade(shared);
    family.on_check_in(move |i| {
        if let Some(s) = weak.upgrade() {
            check_in(&s, i.max(0) as usize, None);
        }
    });
    let weak = Rc::downgrade(shared);
    family.on_walk_in(move |i| {
        if let Some(s) = weak.upgrade() {
            open_walk_in(&s, i.max(0) as usize);
        }
    });

    let walk_in = w.global::<ui::WalkInAdapter>();
    let weak = Rc::downgrade(shared);
    walk_in.on_choose_session(move |i| {
        if let (Some(s), Ok(i)) = (weak.upgrade(), usize::try_from(i)) {
            edit_walk_in(&s, |page, choice| {
                if page.walk_in.as_ref().is_some_and(|o| i < o.sessions.len()) {
                    choice.session = i;
                }
            });
        }
    });
    let weak = Rc::downgrade(shared);
    walk_in.on_choose_group_size(move |n| {
        if let (Some(s), Ok(n)) = (weak.upgrade(), u32::try_from(n)) {
            edit_walk_in(&s, |page, choice| {
                if page.walk_in.as_ref().is_some_and(|o| (1..=o.max_group_size).contains(&n)) {
                    choice.group_size = n;
                }
            });
        }
    });
    walk_in.on_confirm(on(confirm_walk_in));
    walk_in.on_back(on(family_back));

    family.on_complain(on(complain_from_family));

    let complaint = w.global::<ui::ComplaintAdapter>();
    let weak = Rc::downgrade(shared);
    complaint.on_choose_category(move |i| {
        let category = usize::try_from(i).ok().and_then(|i| ComplaintCategory::ALL.get(i));
        if let (Some(s), Some(&category)) = (weak.upgrade(), category) {
            edit_complaint(&s, |d| d.category = Some(category));
        }
    });
    let weak = Rc::downgrade(shared);
    complaint.on_typed(move |text| {
        if let Some(s) = weak.upgrade() {
            edit_complaint(&s, |d| {
                if d.text.chars().count() + text.chars().count() <= MAX_BODY_CHARS {
                    d.text.push_str(&text);
                }
            });
        }
    });
    complaint.on_erase(on(|s| {
        edit_complaint(s, |d| {
            d.text.pop();
        })
    }));
    complaint.on_toggle_anonymous(on(|s| {
        // Only a recognised person can sign; from idle it stays anonymous.
        edit_complaint(s, |d| d.anonymous = !d.anonymous || d.person.is_none())
    }));
    complaint.on_submit(on(submit_complaint));

    let inmate = w.global::<ui::InmateAdapter>();
    inmate.on_back(on(family_back));
    inmate.on_check_in(on(|s| {
        let index = match &s.state.borrow().current {
            Current::FamilyInmate { index, .. } => Some(*index),
            _ => None,
        };
        if let Some(i) = index {
            check_in(s, i, None);
        }
    }));

    let tech = w.global::<ui::TechnicianAdapter>();
    let weak = Rc::downgrade(shared);
    tech.on_pin_digit(move |d| {
        if let Some(s) = weak.upgrade() {
            pin_digit(&s, &d);
        }
    });
    tech.on_pin_erase(on(|s| {
        touched(s);
        let n = {
            let mut st = s.state.borrow_mut();
            st.pin.pop();
            st.pin.len()
        };
        s.window.global::<ui::TechnicianAdapter>().set_pin_digits(n as i32);
    }));
    tech.on_pin_submit(on(pin_submit));
    tech.on_test_print(on(|s| {
        touched(s);
        s.window.global::<ui::TechnicianAdapter>().set_test_print_result(SharedString::new());
        let printer = s.ports.printer.clone();
        spawn(s, Box::new(move || Outcome::TestPrinted(printer.test_print())));
    }));
    tech.on_capture_live(on(|s| {
        touched(s);
        let reader = s.ports.reader.clone();
        let token = CancelToken::new();
        spawn(s, Box::new(move || Outcome::LiveImage(reader.capture(&token))));
    }));
}

fn spawn(shared: &Rc<Shared>, job: super::worker::Job) {
    shared.executor.spawn(job, shared.inbox.clone());
}

fn now(shared: &Shared) -> chrono::NaiveDateTime {
    shared.ports.clock.now()
}

fn audit(shared: &Shared, event: AuditEvent) {
    if let Err(err) = shared.ports.audit.record(event, now(shared)) {
        tracing::error!("audit log: {err}");
        note_error(shared, format!("audit: {err}"));
    }
}

fn note_error(shared: &Shared, message: String) {
    let mut st = shared.state.borrow_mut();
    st.errors.push(format!("{} {message}", now(shared).format("%H:%M:%S")));
    let excess = st.errors.len().saturating_sub(5);
    st.errors.drain(..excess);
}

fn show(shared: &Shared, screen: ui::Screen) {
    shared.window.global::<ui::AppState>().set_screen(screen);
}

fn screen(shared: &Shared) -> ui::Screen {
    shared.window.global::<ui::AppState>().get_screen()
}

fn is_personal(screen: ui::Screen) -> bool {
    matches!(
        screen,
        ui::Screen::Inmate
            | ui::Screen::Family
            | ui::Screen::Ticket
            | ui::Screen::TechnicianPin
            | ui::Screen::Diagnostics
            | ui::Screen::Complaint
            | ui::Screen::WalkIn
    )
}

/// Restarts the privacy countdown (any touch or button on a personal screen).
fn touched(shared: &Rc<Shared>) {
    let total = {
        let mut st = shared.state.borrow_mut();
        st.idle_left = st.idle_total;
        st.idle_total
    };
    shared.window.global::<ui::AppState>().set_idle_seconds_left(total as i32);
}

fn start_countdown(shared: &Shared, seconds: u32) {
    {
        let mut st = shared.state.borrow_mut();
        st.idle_total = seconds;
        st.idle_left = seconds;
    }
    let app = shared.window.global::<ui::AppState>();
    app.set_idle_seconds_total(seconds as i32);
    app.set_idle_seconds_left(seconds as i32);
}

/// Once a second: the privacy countdown, the lockout, the clock.
fn tick(shared: &Rc<Shared>) {
    let current = screen(shared);
    let lang = shared.state.borrow().language;
    shared.window.global::<ui::AppState>().set_clock(format::clock(now(shared), lang).into());

    let locked_left = {
        let mut st = shared.state.borrow_mut();
        if st.lockout_left > 0 {
            st.lockout_left -= 1;
            Some(st.lockout_left)
        } else {
            None
        }
    };
    if let Some(left) = locked_left {
        let nr = shared.window.global::<ui::NotRecognisedAdapter>();
        nr.set_lockout_seconds_left(left as i32);
        if left == 0 {
            shared.state.borrow_mut().failures = 0;
            if current == ui::Screen::NotRecognised {
                go_home(shared);
            }
        }
        return;
    }

    if is_personal(current) || current == ui::Screen::NotRecognised {
        let left = {
            let mut st = shared.state.borrow_mut();
            st.idle_left = st.idle_left.saturating_sub(1);
            st.idle_left
        };
        shared.window.global::<ui::AppState>().set_idle_seconds_left(left as i32);
        if left == 0 {
            go_home(shared);
        }
    }
}

/// Back to the role's start screen, forgetting everything personal.
fn go_home(shared: &Rc<Shared>) {
    clear_personal(shared);
    let (role, fault) = {
        let st = shared.state.borrow();
        (st.settings.role, st.fault)
    };
    if role == KioskRole::Display {
        refresh_display(shared);
        show(shared, ui::Screen::Display);
        return;
    }
    if let Some(fault) = fault {
        show_fault(shared, fault);
        return;
    }
    shared.window.global::<ui::NotRecognisedAdapter>().set_officer_called(false);
    show(shared, ui::Screen::Idle);
    start_capture(shared);
}

fn clear_personal(shared: &Shared) {
    shared.state.borrow_mut().current = Current::None;
    shared.state.borrow_mut().pin.clear();
    let w = &shared.window;
    let inmate = w.global::<ui::InmateAdapter>();
    inmate.set_inmate(ui::InmateData::default());
    inmate.set_remissions(ModelRc::default());
    inmate.set_programmes(ModelRc::default());
    let family = w.global::<ui::FamilyAdapter>();
    family.set_visitor_name(SharedString::new());
    family.set_inmates(ModelRc::default());
    family.set_problem(SharedString::new());
    let walk_in = w.global::<ui::WalkInAdapter>();
    walk_in.set_inmate_name(SharedString::new());
    walk_in.set_relation(SharedString::new());
    walk_in.set_problem(SharedString::new());
    let ticket = w.global::<ui::TicketAdapter>();
    ticket.set_number(SharedString::new());
    ticket.set_inmate_name(SharedString::new());
    let complaint = w.global::<ui::ComplaintAdapter>();
    complaint.set_text(SharedString::new());
    complaint.set_receipt(SharedString::new());
    complaint.set_problem(SharedString::new());
    complaint.set_category(-1);
    let tech = w.global::<ui::TechnicianAdapter>();
    tech.set_pin_digits(0);
    tech.set_pin_wrong(false);
    tech.set_test_print_result(SharedString::new());
}

fn start_capture(shared: &Rc<Shared>) {
    let (generation, token) = {
        let mut st = shared.state.borrow_mut();
        if st.capture.as_ref().is_some_and(|t| !t.is_cancelled()) {
            return;
        }
        st.generation += 1;
        let token = CancelToken::new();
        st.capture = Some(token.clone());
        (st.generation, token)
    };
    let reader = shared.ports.reader.clone();
    spawn(
        shared,
        Box::new(move || Outcome::Captured { generation, result: reader.capture(&token) }),
    );
}

fn cancel_capture(shared: &Shared) {
    let mut st = shared.state.borrow_mut();
    if let Some(token) = st.capture.take() {
        token.cancel();
    }
    st.generation += 1;
}

fn pump(shared: &Rc<Shared>) {
    while let Some(outcome) = shared.inbox.pop() {
        handle(shared, outcome);
    }
}

fn handle(shared: &Rc<Shared>, outcome: Outcome) {
    match outcome {
        Outcome::Captured { generation, result } => {
            if generation != shared.state.borrow().generation {
                return;
            }
            shared.state.borrow_mut().capture = None;
            captured(shared, generation, result);
        }
        Outcome::Identified { generation, result } => {
            if generation != shared.state.borrow().generation {
                return;
            }
            identified(shared, result);
        }
        Outcome::TicketPrinted { number, result } => {
            let print = match &result {
                Ok(()) => ui::TicketPrint::Printed,
                Err(condition) => {
                    let mut st = shared.state.borrow_mut();
                    st.printer = *condition;
                    st.last_failed_ticket = Some(number.clone());
                    ui::TicketPrint::Failed
                }
            };
            let failed = result.is_err();
            if let Err(condition) = result {
                note_error(shared, format!("ticket {number} not printed: {condition:?}"));
            }
            let on_screen = match &mut shared.state.borrow_mut().current {
                Current::Ticket { ticket, print: p } if ticket.number == number => {
                    *p = print;
                    true
                }
                _ => false,
            };
            if on_screen {
                shared.window.global::<ui::TicketAdapter>().set_print(print);
            }
            if failed {
                // The fault screen (with the ticket number) follows once this person is done.
                apply_faults(shared);
            }
        }
        Outcome::TestPrinted(result) => {
            let tech = shared.window.global::<ui::TechnicianAdapter>();
            match result {
                Ok(()) => tech.set_test_print_result("ok".into()),
                Err(condition) => {
                    note_error(shared, format!("test print failed: {condition:?}"));
                    shared.state.borrow_mut().printer = condition;
                    tech.set_test_print_result("failed".into());
                    tech.set_printer(printer_state(condition));
                    refresh_errors(shared);
                }
            }
        }
        Outcome::PrinterChecked(condition) => {
            shared.state.borrow_mut().printer = condition;
            shared.window.global::<ui::TechnicianAdapter>().set_printer(printer_state(condition));
            apply_faults(shared);
        }
        Outcome::PinChecked(ok) => pin_checked(shared, ok),
        Outcome::LiveImage(result) => {
            let tech = shared.window.global::<ui::TechnicianAdapter>();
            match result {
                Ok(capture) => {
                    tech.set_live_image(to_image(&capture));
                    tech.set_live_quality(capture.quality.into());
                }
                Err(err) => {
                    note_error(shared, format!("live capture: {err}"));
                    refresh_errors(shared);
                }
            }
        }
    }
}

fn captured(shared: &Rc<Shared>, generation: u64, result: Result<FingerCapture, ReaderFault>) {
    let on_capture_screen = matches!(screen(shared), ui::Screen::Idle | ui::Screen::Scanning);
    match result {
        Err(ReaderFault::NoFinger) => {
            if on_capture_screen {
                start_capture(shared);
            }
        }
        Err(ReaderFault::Cancelled) => {}
        Err(ReaderFault::Unplugged) => {
            shared.state.borrow_mut().fault = Some(Fault::ReaderUnplugged);
            note_error(shared, "reader unplugged".into());
            if on_capture_screen {
                show_fault(shared, Fault::ReaderUnplugged);
            }
        }
        Err(ReaderFault::Device(message)) => {
            tracing::warn!("reader: {message}");
            note_error(shared, format!("reader: {message}"));
            if on_capture_screen {
                start_capture(shared);
            }
        }
        Ok(capture) if !on_capture_screen => drop(capture),
        Ok(capture) => {
            let scan = shared.window.global::<ui::ScanAdapter>();
            if let Some(issue) = capture.issue {
                // Not a failed identification: ask for a better press and capture again.
                scan.set_hint(match issue {
                    QualityIssue::PressHarder => ui::QualityHint::PressHarder,
                    QualityIssue::MoveToCentre => ui::QualityHint::MoveToCentre,
                    QualityIssue::TooWet => ui::QualityHint::TooWet,
                    QualityIssue::TooDry => ui::QualityHint::TooDry,
                });
                scan.set_progress(0.2);
                show(shared, ui::Screen::Scanning);
                start_capture(shared);
                return;
            }
            scan.set_hint(ui::QualityHint::None);
            scan.set_progress(0.6);
            show(shared, ui::Screen::Scanning);
            let identifier = shared.ports.identifier.clone();
            spawn(
                shared,
                Box::new(move || Outcome::Identified {
                    generation,
                    result: identifier.identify(&capture),
                }),
            );
        }
    }
}

fn identified(shared: &Rc<Shared>, result: Result<Option<PersonId>, PortError>) {
    shared.window.global::<ui::ScanAdapter>().set_progress(1.0);
    let role = shared.state.borrow().settings.role;
    let person = match result {
        Ok(Some(id)) => match shared.ports.records.person(&id) {
            Ok(p) => p,
            Err(err) => return store_failed(shared, err),
        },
        Ok(None) => None,
        Err(err) => return store_failed(shared, err),
    };
    // Each terminal serves one kind of person; anyone else is "not recognised" here.
    let person = person.filter(|p| match role {
        KioskRole::Block => p.kind == PersonKind::Inmate,
        KioskRole::Lobby => p.kind == PersonKind::Family,
        KioskRole::Display => false,
    });
    let Some(person) = person else {
        return not_recognised(shared);
    };
    shared.state.borrow_mut().failures = 0;
    let today = now(shared).date();
    match person.kind {
        PersonKind::Inmate => match shared.ports.records.release_view(&person.id, today) {
            Ok(view) => {
                let (viewer, inmate) = (person.id.clone(), person.id.clone());
                audit(shared, AuditEvent::InmateViewed { viewer, inmate });
                shared.state.borrow_mut().current = Current::Inmate { view };
                render_current(shared);
                start_personal(shared, ui::Screen::Inmate);
            }
            Err(err) => store_failed(shared, err),
        },
        PersonKind::Family => match family_page(shared, person) {
            Ok(page) => {
                audit(shared, AuditEvent::FamilyViewed { visitor: page.visitor.id.clone() });
                shared.state.borrow_mut().current = Current::Family(page);
                render_current(shared);
                start_personal(shared, ui::Screen::Family);
            }
            Err(err) => store_failed(shared, err),
        },
    }
}

/// The visitor's linked inmates and today's walk-in offer, read fresh from the ports.
fn family_page(shared: &Shared, visitor: Person) -> Result<FamilyPage, PortError> {
    let at = now(shared);
    let linked = shared.ports.records.linked_inmates(&visitor.id, at.date())?;
    // Without the offer the family screen still works: bookings check in as before.
    let walk_in = shared.ports.visits.walk_in_offer(at).unwrap_or_else(|err| {
        tracing::warn!("walk-in offer: {err}");
        None
    });
    Ok(FamilyPage { visitor, linked, walk_in, problem: None })
}

/// The family page behind the screen on show, if any.
fn current_page(current: &Current) -> Option<&FamilyPage> {
    match current {
        Current::Family(page)
        | Current::FamilyInmate { page, .. }
        | Current::WalkIn { page, .. } => Some(page),
        _ => None,
    }
}

fn start_personal(shared: &Rc<Shared>, screen: ui::Screen) {
    let seconds = shared.state.borrow().settings.idle_seconds;
    start_countdown(shared, seconds);
    show(shared, screen);
}

fn store_failed(shared: &Rc<Shared>, err: PortError) {
    tracing::error!("store: {err}");
    note_error(shared, format!("{err}"));
    match err {
        PortError::Store(_) => {
            shared.state.borrow_mut().fault = Some(Fault::StoreDamaged);
            show_fault(shared, Fault::StoreDamaged);
        }
        _ => not_recognised(shared),
    }
}

fn not_recognised(shared: &Rc<Shared>) {
    let (attempt, max, lockout) = {
        let mut st = shared.state.borrow_mut();
        st.failures += 1;
        (st.failures, st.settings.max_attempts, st.settings.lockout_seconds)
    };
    audit(shared, AuditEvent::NotRecognised { attempt });
    let nr = shared.window.global::<ui::NotRecognisedAdapter>();
    nr.set_attempts(attempt as i32);
    nr.set_max_attempts(max as i32);
    nr.set_officer_called(false);
    if attempt >= max {
        audit(shared, AuditEvent::Lockout);
        shared.state.borrow_mut().lockout_left = lockout;
        nr.set_locked(true);
        nr.set_lockout_seconds_total(lockout as i32);
        nr.set_lockout_seconds_left(lockout as i32);
    } else {
        nr.set_locked(false);
    }
    let seconds = shared.state.borrow().settings.idle_seconds;
    start_countdown(shared, seconds);
    show(shared, ui::Screen::NotRecognised);
}

fn retry(shared: &Rc<Shared>) {
    if shared.state.borrow().lockout_left > 0 {
        return;
    }
    shared.window.global::<ui::NotRecognisedAdapter>().set_locked(false);
    go_home(shared);
}

fn show_family_inmate(shared: &Rc<Shared>, index: usize) {
    touched(shared);
    let Some(mut page) = current_page(&shared.state.borrow().current).cloned() else { return };
    let Some(inmate) = page.linked.get(index) else { return };
    let inmate_id = inmate.inmate.clone();
    page.problem = None;
    match shared.ports.records.release_view(&inmate_id, now(shared).date()) {
        Ok(view) => {
            audit(
                shared,
                AuditEvent::InmateViewed { viewer: page.visitor.id.clone(), inmate: inmate_id },
            );
            shared.state.borrow_mut().current = Current::FamilyInmate { page, index, view };
            render_current(shared);
            show(shared, ui::Screen::Inmate);
        }
        Err(err) => store_failed(shared, err),
    }
}

fn family_back(shared: &Rc<Shared>) {
    touched(shared);
    let next = match &shared.state.borrow().current {
        Current::FamilyInmate { page, .. } | Current::WalkIn { page, .. } => {
            Some(Current::Family(FamilyPage { problem: None, ..page.clone() }))
        }
        _ => None,
    };
    if let Some(next) = next {
        shared.state.borrow_mut().current = next;
        render_current(shared);
        show(shared, ui::Screen::Family);
    }
}

/// "Daftar kunjungan": the walk-in screen for `page.linked[index]`, the first open session
/// and one visitor already chosen, so confirming at once is two touches.
fn open_walk_in(shared: &Rc<Shared>, index: usize) {
    touched(shared);
    let Some(page) = current_page(&shared.state.borrow().current).cloned() else { return };
    let Some(inmate) = page.linked.get(index) else { return };
    if !page.offers_walk_in(inmate) {
        return;
    }
    let page = FamilyPage { problem: None, ..page };
    shared.state.borrow_mut().current =
        Current::WalkIn { page, index, choice: WalkInChoice { session: 0, group_size: 1 } };
    render_current(shared);
    show(shared, ui::Screen::WalkIn);
}

fn edit_walk_in(shared: &Rc<Shared>, change: impl FnOnce(&FamilyPage, &mut WalkInChoice)) {
    touched(shared);
    if let Current::WalkIn { page, choice, .. } = &mut shared.state.borrow_mut().current {
        page.problem = None;
        change(page, choice);
    }
    render_current(shared);
}

fn confirm_walk_in(shared: &Rc<Shared>) {
    let chosen = match &shared.state.borrow().current {
        Current::WalkIn { page, index, choice } => {
            page.walk_in.as_ref().and_then(|o| o.sessions.get(choice.session)).map(|s| {
                (*index, WalkIn { session: s.code.clone(), group_size: choice.group_size })
            })
        }
        _ => None,
    };
    if let Some((index, walk_in)) = chosen {
        check_in(shared, index, Some(walk_in));
    }
}

/// Checks `page.linked[index]` in: today's booking ("Lapor kunjungan") when `walk_in` is
/// `None`, else the walk-in chosen on screen.
fn check_in(shared: &Rc<Shared>, index: usize, walk_in: Option<WalkIn>) {
    touched(shared);
    let Some(page) = current_page(&shared.state.borrow().current).cloned() else { return };
    let Some(inmate) = page.linked.get(index).map(|i| i.inmate.clone()) else { return };
    let visitor = page.visitor.id.clone();
    match shared.ports.visits.check_in(&visitor, &inmate, walk_in.as_ref(), now(shared)) {
        Ok(ticket) => {
            audit(
                shared,
                AuditEvent::VisitCheckedIn { visitor, inmate, ticket: ticket.number.clone() },
            );
            shared.state.borrow_mut().current =
                Current::Ticket { ticket: ticket.clone(), print: ui::TicketPrint::Printing };
            render_current(shared);
            start_personal(shared, ui::Screen::Ticket);
            let printer = shared.ports.printer.clone();
            spawn(
                shared,
                Box::new(move || Outcome::TicketPrinted {
                    number: ticket.number.clone(),
                    result: printer.print_ticket(&ticket),
                }),
            );
        }
        Err(err) => {
            tracing::warn!("check-in refused: {err}");
            note_error(shared, format!("check-in: {err}"));
            let problem = match err {
                PortError::VisitRefused(refusal) => CheckInProblem::Refused(refusal),
                _ => CheckInProblem::Failed,
            };
            // The reason stays on the screen the visitor acted on; a refused booking also
            // refreshes the list, whose visit state may be stale.
            if walk_in.is_some() {
                if let Current::WalkIn { page, .. } = &mut shared.state.borrow_mut().current {
                    page.problem = Some(problem);
                }
            } else {
                let fresh = family_page(shared, page.visitor.clone()).unwrap_or(page);
                shared.state.borrow_mut().current =
                    Current::Family(FamilyPage { problem: Some(problem), ..fresh });
                show(shared, ui::Screen::Family);
            }
            render_current(shared);
        }
    }
}

/// The complaint form from idle: nobody is identified, so it is anonymous.
fn open_complaint(shared: &Rc<Shared>) {
    if screen(shared) != ui::Screen::Idle {
        return;
    }
    cancel_capture(shared);
    clear_personal(shared);
    begin_complaint(shared, None);
}

/// The complaint form from the family screen: the visitor may put their name on it.
fn complain_from_family(shared: &Rc<Shared>) {
    let Some(visitor) = current_page(&shared.state.borrow().current).map(|p| p.visitor.clone())
    else {
        return;
    };
    begin_complaint(shared, Some(visitor));
}

fn begin_complaint(shared: &Rc<Shared>, person: Option<Person>) {
    shared.state.borrow_mut().current = Current::Complaint(ComplaintDraft {
        person,
        category: None,
        text: String::new(),
        // Anonymous unless the person chooses otherwise: fear of retaliation keeps people quiet.
        anonymous: true,
        problem: None,
        receipt: None,
    });
    render_current(shared);
    start_countdown(shared, COMPLAINT_SECONDS);
    show(shared, ui::Screen::Complaint);
}

/// Applies a change to the draft on screen (none once it is filed) and shows it.
fn edit_complaint(shared: &Rc<Shared>, change: impl FnOnce(&mut ComplaintDraft)) {
    touched(shared);
    if let Current::Complaint(draft) = &mut shared.state.borrow_mut().current {
        if draft.receipt.is_none() {
            draft.problem = None;
            change(draft);
        }
    }
    render_current(shared);
}

fn submit_complaint(shared: &Rc<Shared>) {
    touched(shared);
    let (category, text, person) = match &shared.state.borrow().current {
        Current::Complaint(d) if d.receipt.is_none() => (
            d.category,
            d.text.clone(),
            d.person.as_ref().filter(|_| !d.anonymous).map(|p| p.id.clone()),
        ),
        _ => return,
    };
    let checked = match category {
        None => Err(NO_CATEGORY),
        Some(category) => complaints::check_body(&text).map(|body| (category, body)),
    };
    let outcome = checked.and_then(|(category, body)| {
        shared.ports.visits.file_complaint(category, body, person.as_deref(), now(shared)).map_err(
            |err| {
                tracing::error!("complaint not filed: {err}");
                note_error(shared, format!("complaint: {err}"));
                NOT_SAVED
            },
        )
    });
    let filed = outcome.is_ok();
    if let Current::Complaint(d) = &mut shared.state.borrow_mut().current {
        match outcome {
            Ok(receipt) => {
                d.receipt = Some(receipt);
                // The text is stored; nothing of it stays in the kiosk's memory or on screen.
                d.text.clear();
            }
            Err(problem) => d.problem = Some(problem),
        }
    }
    render_current(shared);
    if filed {
        let seconds = shared.state.borrow().settings.idle_seconds;
        start_countdown(shared, seconds);
    }
}

fn open_technician(shared: &Rc<Shared>) {
    if !matches!(screen(shared), ui::Screen::Idle | ui::Screen::Fault | ui::Screen::Display) {
        return;
    }
    cancel_capture(shared);
    clear_personal(shared);
    let locked = {
        let st = shared.state.borrow();
        st.pin_failures >= st.settings.max_pin_failures
    };
    shared.window.global::<ui::TechnicianAdapter>().set_pin_locked(locked);
    start_countdown(shared, 120);
    show(shared, ui::Screen::TechnicianPin);
}

fn pin_digit(shared: &Rc<Shared>, digit: &str) {
    touched(shared);
    let n = {
        let mut st = shared.state.borrow_mut();
        if st.pin.len() < 12 && digit.len() == 1 && digit.chars().all(|c| c.is_ascii_digit()) {
            st.pin.push_str(digit);
        }
        st.pin.len()
    };
    let tech = shared.window.global::<ui::TechnicianAdapter>();
    tech.set_pin_digits(n as i32);
    tech.set_pin_wrong(false);
}

fn pin_submit(shared: &Rc<Shared>) {
    touched(shared);
    let job = {
        let mut st = shared.state.borrow_mut();
        if st.pin_checking {
            return;
        }
        if st.pin_failures >= st.settings.max_pin_failures {
            None
        } else {
            st.pin_checking = true;
            Some((std::mem::take(&mut st.pin), st.settings.technician_pin.clone()))
        }
    };
    let tech = shared.window.global::<ui::TechnicianAdapter>();
    tech.set_pin_digits(0);
    match job {
        // Argon2 takes tens of milliseconds by design: on a worker, so the pad never freezes.
        Some((pin, hash)) => spawn(
            shared,
            Box::new(move || Outcome::PinChecked(hash.as_ref().is_some_and(|h| h.verify(&pin)))),
        ),
        None => {
            tech.set_pin_wrong(true);
            tech.set_pin_locked(true);
        }
    }
}

fn pin_checked(shared: &Rc<Shared>, ok: bool) {
    let locked = {
        let mut st = shared.state.borrow_mut();
        st.pin_checking = false;
        if ok {
            st.pin_failures = 0;
        } else {
            st.pin_failures += 1;
        }
        st.pin_failures >= st.settings.max_pin_failures
    };
    if ok {
        audit(shared, AuditEvent::TechnicianLogin);
    } else {
        audit(shared, AuditEvent::TechnicianPinRejected);
    }
    // The pad may have timed out to idle meanwhile: the answer counts, nothing opens.
    if screen(shared) != ui::Screen::TechnicianPin {
        return;
    }
    let tech = shared.window.global::<ui::TechnicianAdapter>();
    if ok {
        refresh_diagnostics(shared);
        show(shared, ui::Screen::Diagnostics);
    } else {
        tech.set_pin_wrong(true);
        tech.set_pin_locked(locked);
    }
}

fn refresh_errors(shared: &Shared) {
    let errors: Vec<SharedString> =
        shared.state.borrow().errors.iter().rev().map(|e| e.as_str().into()).collect();
    shared
        .window
        .global::<ui::TechnicianAdapter>()
        .set_last_errors(ModelRc::new(VecModel::from(errors)));
}

fn refresh_diagnostics(shared: &Rc<Shared>) {
    let tech = shared.window.global::<ui::TechnicianAdapter>();
    let reader = &shared.ports.reader;
    tech.set_reader_name(reader.description().into());
    tech.set_reader_connected(reader.is_connected());
    let facts = shared.ports.diagnostics.store_facts();
    let counts: Vec<ui::Fact> = facts
        .counts
        .iter()
        .map(|(label, n)| ui::Fact { label: label.as_str().into(), value: n.to_string().into() })
        .collect();
    tech.set_store_counts(ModelRc::new(VecModel::from(counts)));
    tech.set_store_ok(facts.integrity_ok);
    tech.set_store_detail(facts.integrity_detail.as_str().into());
    tech.set_sync_state(facts.sync_state.as_str().into());
    for e in facts.last_errors {
        note_error(shared, e);
    }
    refresh_errors(shared);
    let versions = vec![
        ui::Fact { label: "kiosk".into(), value: env!("CARGO_PKG_VERSION").into() },
        ui::Fact { label: "slint".into(), value: "1.18.1".into() },
    ];
    tech.set_versions(ModelRc::new(VecModel::from(versions)));
    tech.set_printer(printer_state(shared.state.borrow().printer));
    let printer = shared.ports.printer.clone();
    spawn(shared, Box::new(move || Outcome::PrinterChecked(printer.condition())));
}

fn printer_state(c: PrinterCondition) -> ui::PrinterState {
    match c {
        PrinterCondition::Ok => ui::PrinterState::Ok,
        PrinterCondition::PaperOut => ui::PrinterState::PaperOut,
        PrinterCondition::PaperNearEnd => ui::PrinterState::PaperNearEnd,
        PrinterCondition::CoverOpen => ui::PrinterState::CoverOpen,
        PrinterCondition::Offline => ui::PrinterState::Offline,
        PrinterCondition::CutterError => ui::PrinterState::CutterError,
        PrinterCondition::Unknown => ui::PrinterState::Unknown,
    }
}

/// Checks store, service state, reader and (lobby) printer; shows or clears a fault screen.
fn check_health(shared: &Rc<Shared>) {
    let role = shared.state.borrow().settings.role;
    if role == KioskRole::Lobby {
        let printer = shared.ports.printer.clone();
        spawn(shared, Box::new(move || Outcome::PrinterChecked(printer.condition())));
    }
    if role == KioskRole::Display && screen(shared) == ui::Screen::Display {
        refresh_display(shared);
    }
    apply_faults(shared);
}

fn apply_faults(shared: &Rc<Shared>) {
    let facts = shared.ports.diagnostics.store_facts();
    let (role, printer) = {
        let st = shared.state.borrow();
        (st.settings.role, st.printer)
    };
    let fault = if !facts.integrity_ok {
        Some(Fault::StoreDamaged)
    } else if facts.out_of_service {
        Some(Fault::OutOfService)
    } else if role != KioskRole::Display && !shared.ports.reader.is_connected() {
        Some(Fault::ReaderUnplugged)
    } else if role == KioskRole::Lobby
        && !matches!(printer, PrinterCondition::Ok | PrinterCondition::PaperNearEnd)
    {
        Some(Fault::PrinterAttention)
    } else {
        None
    };
    let previous = std::mem::replace(&mut shared.state.borrow_mut().fault, fault);
    let current = screen(shared);
    // Never interrupt a person in the middle of a screen; faults show between people.
    match (fault, current) {
        (Some(f), ui::Screen::Idle) => {
            cancel_capture(shared);
            show_fault(shared, f);
        }
        (Some(f), ui::Screen::Fault) if previous != Some(f) => show_fault(shared, f),
        (None, ui::Screen::Fault) => {
            if previous == Some(Fault::PrinterAttention) {
                shared.state.borrow_mut().last_failed_ticket = None;
            }
            go_home(shared);
        }
        _ => {}
    }
}

fn show_fault(shared: &Rc<Shared>, fault: Fault) {
    cancel_capture(shared);
    let adapter = shared.window.global::<ui::FaultAdapter>();
    adapter.set_kind(match fault {
        Fault::ReaderUnplugged => ui::FaultKind::ReaderUnplugged,
        Fault::PrinterAttention => ui::FaultKind::PrinterAttention,
        Fault::StoreDamaged => ui::FaultKind::StoreDamaged,
        Fault::OutOfService => ui::FaultKind::OutOfService,
    });
    let reference = match fault {
        Fault::PrinterAttention => shared.state.borrow().last_failed_ticket.clone(),
        _ => None,
    };
    adapter.set_reference(reference.unwrap_or_default().into());
    show(shared, ui::Screen::Fault);
}

fn refresh_display(shared: &Shared) {
    match shared.ports.visits.now_serving() {
        Ok((rows, waiting)) => {
            let rows: Vec<ui::ServingRow> = rows
                .into_iter()
                .map(|r| ui::ServingRow { number: r.number.into(), counter: r.counter.into() })
                .collect();
            let display = shared.window.global::<ui::DisplayAdapter>();
            display.set_now_serving(ModelRc::new(VecModel::from(rows)));
            display.set_waiting(waiting as i32);
        }
        Err(err) => note_error(shared, format!("queue: {err}")),
    }
}

fn set_language(shared: &Rc<Shared>, lang: Language) {
    // The .slint sources are Indonesian: "" selects them, "en" the bundled English catalogue.
    let bundle = match lang {
        Language::Indonesian => "",
        Language::English => "en",
    };
    if let Err(err) = slint::select_bundled_translation(bundle) {
        tracing::warn!("translation {}: {err:?}", lang.code());
    }
    shared.state.borrow_mut().language = lang;
    let app = shared.window.global::<ui::AppState>();
    app.set_language(lang.code().into());
    {
        let st = shared.state.borrow();
        app.set_role(match st.settings.role {
            KioskRole::Block => ui::Role::Block,
            KioskRole::Lobby => ui::Role::Lobby,
            KioskRole::Display => ui::Role::Display,
        });
        app.set_facility_name(st.settings.facility_name.as_str().into());
        app.set_demo_mode(st.settings.demo_mode);
        shared
            .window
            .global::<ui::IdleAdapter>()
            .set_complaint_channel(st.settings.complaint_channel.as_str().into());
    }
    set_complaint_categories(&shared.window, lang);
    app.set_clock(format::clock(now(shared), lang).into());
    render_current(shared);
}

/// Formats the personal data on screen for the current language and sets the adapters.
fn render_current(shared: &Shared) {
    let st = shared.state.borrow();
    let lang = st.language;
    let w = &shared.window;
    match &st.current {
        Current::None => {}
        Current::Inmate { view } => {
            set_inmate(w, view, lang, false, true, false);
        }
        Current::FamilyInmate { page, index, view } => {
            let booked = page.linked.get(*index).is_some_and(|l| l.visit == VisitToday::Booked);
            set_inmate(w, view, lang, true, st.settings.show_case_to_family, booked);
        }
        Current::WalkIn { page, index, choice } => set_walk_in(w, page, *index, choice, lang),
        Current::Family(page) => {
            let family = w.global::<ui::FamilyAdapter>();
            family.set_visitor_name(page.visitor.name.as_str().into());
            family.set_problem(problem_text(page, lang).into());
            let rows: Vec<ui::LinkedInmate> = page
                .linked
                .iter()
                .map(|l| ui::LinkedInmate {
                    name: l.name.as_str().into(),
                    relation: l.relation.as_str().into(),
                    release: match (l.release, lang) {
                        (Some(d), _) => format::date(d, lang).into(),
                        (None, Language::Indonesian) => "Belum ada putusan".into(),
                        (None, Language::English) => "No verdict yet".into(),
                    },
                    days_left: l.days_left.clamp(0, i32::MAX as i64) as i32,
                    visit: match l.visit {
                        VisitToday::Booked => ui::VisitState::Booked,
                        VisitToday::NoBooking => ui::VisitState::NoBooking,
                        VisitToday::CheckedIn => ui::VisitState::CheckedIn,
                        VisitToday::NotToday => ui::VisitState::NotToday,
                    },
                    visit_time: l.session.clone().unwrap_or_default().into(),
                    walk_in: page.offers_walk_in(l),
                })
                .collect();
            family.set_inmates(ModelRc::new(VecModel::from(rows)));
        }
        Current::Ticket { ticket, print } => {
            let t = w.global::<ui::TicketAdapter>();
            t.set_number(ticket.number.as_str().into());
            t.set_inmate_name(ticket.inmate_name.as_str().into());
            t.set_session(ticket.session.as_str().into());
            t.set_issued_at(format::date_time(ticket.issued_at, lang).into());
            t.set_waiting_ahead(ticket.waiting_ahead as i32);
            t.set_print(*print);
        }
        Current::Complaint(d) => set_complaint(w, d, lang),
    }
}

fn problem_text(page: &FamilyPage, lang: Language) -> String {
    page.problem.as_ref().map(|p| p.text(lang)).unwrap_or_default()
}

fn set_walk_in(
    w: &ui::MainWindow,
    page: &FamilyPage,
    index: usize,
    choice: &WalkInChoice,
    lang: Language,
) {
    let a = w.global::<ui::WalkInAdapter>();
    let inmate = page.linked.get(index);
    a.set_inmate_name(inmate.map(|i| i.name.as_str()).unwrap_or_default().into());
    a.set_relation(inmate.map(|i| i.relation.as_str()).unwrap_or_default().into());
    let (sessions, max) = match &page.walk_in {
        Some(offer) => (offer.sessions.as_slice(), offer.max_group_size),
        None => (&[][..], 0),
    };
    let chips: Vec<ui::SessionChoice> = sessions
        .iter()
        .map(|s| ui::SessionChoice {
            code: s.code.as_str().into(),
            hours: format::hours(s.starts, s.ends).into(),
        })
        .collect();
    a.set_sessions(ModelRc::new(VecModel::from(chips)));
    a.set_session(choice.session as i32);
    a.set_group_size(choice.group_size as i32);
    a.set_max_group_size(max.min(i32::MAX as u32) as i32);
    a.set_problem(problem_text(page, lang).into());
}

fn pick(lang: Language, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Indonesian => id,
        Language::English => en,
    }
}

/// The category chips in `lang`; set once per language, not on every key press.
fn set_complaint_categories(w: &ui::MainWindow, lang: Language) {
    let chips: Vec<ui::CategoryChip> = ComplaintCategory::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| ui::CategoryChip {
            label: pick(lang, c.label_id(), c.label_en()).into(),
            index: i as i32,
        })
        .collect();
    // Two per row: the longest label ("Sarana dan prasarana") fits beside any other.
    let rows: Vec<ModelRc<ui::CategoryChip>> =
        chips.chunks(2).map(|row| ModelRc::new(VecModel::from(row.to_vec()))).collect();
    w.global::<ui::ComplaintAdapter>().set_category_rows(ModelRc::new(VecModel::from(rows)));
}

fn set_complaint(w: &ui::MainWindow, d: &ComplaintDraft, lang: Language) {
    let a = w.global::<ui::ComplaintAdapter>();
    let chosen = d.category.and_then(|c| ComplaintCategory::ALL.iter().position(|&x| x == c));
    a.set_category(chosen.map_or(-1, |i| i as i32));
    a.set_text(d.text.as_str().into());
    a.set_max_chars(MAX_BODY_CHARS as i32);
    a.set_can_identify(d.person.is_some());
    a.set_anonymous(d.anonymous);
    a.set_problem(d.problem.as_ref().map(|p| pick(lang, p.id, p.en)).unwrap_or_default().into());
    a.set_receipt(d.receipt.clone().unwrap_or_default().into());
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect()
}

fn set_inmate(
    w: &ui::MainWindow,
    v: &ReleaseView,
    lang: Language,
    limited: bool,
    show_case: bool,
    can_check_in: bool,
) {
    let a = w.global::<ui::InmateAdapter>();
    a.set_limited(limited);
    a.set_show_case(show_case);
    a.set_can_check_in(can_check_in);
    a.set_inmate(ui::InmateData {
        name: v.name.as_str().into(),
        initials: initials(&v.name).into(),
        register_number: v.register_number.as_str().into(),
        case: v.case.as_str().into(),
        sentence: format::duration(v.sentence, lang).into(),
        detained_on: format::date(v.detained_on, lang).into(),
        expiry: format::date(v.expiry, lang).into(),
        release: format::date(v.release, lang).into(),
        release_projected: v
            .release_projected
            .map(|d| format::date(d, lang))
            .unwrap_or_default()
            .into(),
        one_third: format::date(v.one_third, lang).into(),
        one_half: format::date(v.one_half, lang).into(),
        two_thirds: format::date(v.two_thirds, lang).into(),
        served: format::duration(v.served, lang).into(),
        remaining: format::duration(v.remaining, lang).into(),
        stage: match v.stage {
            Stage::Admission => ui::ProgrammeStage::Admission,
            Stage::Early => ui::ProgrammeStage::Early,
            Stage::Advanced => ui::ProgrammeStage::Advanced,
            Stage::Final => ui::ProgrammeStage::Final,
        },
        days_left: v.days_left.clamp(0, i32::MAX as i64) as i32,
        days_total: v.days_total.clamp(1, i32::MAX as i64) as i32,
    });
    let remissions: Vec<ui::RemissionRow> = v
        .remissions
        .iter()
        .map(|r| ui::RemissionRow {
            kind: r.kind.as_str().into(),
            date: format::date(r.date, lang).into(),
            amount: format::amount(r.months, r.days, lang).into(),
            decree: r.decree.clone().unwrap_or_default().into(),
            projected: r.projected,
        })
        .collect();
    a.set_remissions(ModelRc::new(VecModel::from(remissions)));
    let programmes: Vec<ui::ProgrammeRow> = v
        .programmes
        .iter()
        .map(|p| ui::ProgrammeRow {
            name: p.name.as_str().into(),
            date: format::optional_date(p.date, lang).into(),
            status: match p.decree {
                DecreeState::Issued => ui::DecreeStatus::Issued,
                DecreeState::InProcess => ui::DecreeStatus::InProcess,
                DecreeState::NotYet => ui::DecreeStatus::NotYet,
                DecreeState::NotEligible => ui::DecreeStatus::NotEligible,
            },
        })
        .collect();
    a.set_programmes(ModelRc::new(VecModel::from(programmes)));
}

fn to_image(capture: &FingerCapture) -> slint::Image {
    let mut buffer =
        slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(capture.width, capture.height);
    for (dst, &v) in buffer.make_mut_slice().iter_mut().zip(capture.pixels.iter()) {
        *dst = slint::Rgb8Pixel { r: v, g: v, b: v };
    }
    slint::Image::from_rgb8(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_follow_the_config_file() {
        let config = config::Config::demo("demo.sqlite".into()).unwrap();
        let s = Settings::from_config(&config);
        assert_eq!(s.role, KioskRole::Lobby);
        assert_eq!(s.facility_name, "Rutan Kelas I Makassar");
        assert_eq!(s.idle_seconds, 30);
        assert_eq!(s.language, Language::Indonesian);
        assert!(s.technician_pin.as_ref().is_some_and(|h| h.verify("123456")));
        assert!(!s.technician_pin.as_ref().is_some_and(|h| h.verify("654321")));
    }

    #[test]
    fn initials_take_the_first_two_names() {
        assert_eq!(initials("Budi Santoso"), "BS");
        assert_eq!(initials("Agus"), "A");
        assert_eq!(initials(""), "");
    }
}
