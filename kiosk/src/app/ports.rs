//! What the app needs from the rest of the kiosk, as small traits ("ports"). The screen logic
//! depends only on these, so it runs on in-memory fakes in tests and in `kiosk demo`, and on the
//! real reader, matcher, store, visits and printer in production. Values cross the ports as data
//! (dates, numbers, enums), never as display text: the app formats for the chosen language.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub use crate::visits::complaints::ComplaintCategory;
pub use crate::visits::rules::Refusal;

/// A person's id in the store (`persons.id`).
pub type PersonId = String;

/// Who a recognised finger belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub kind: PersonKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind {
    /// Warga binaan: sees own sentence information.
    Inmate,
    /// Keluarga inti: sees linked inmates' release information, checks in for visits.
    Family,
}

/// Why a capture should be repeated; shown as a hint while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualityIssue {
    PressHarder,
    MoveToCentre,
    TooWet,
    TooDry,
}

/// One frame from the reader, 8-bit grey, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerCapture {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
    /// 0..=100, higher is better.
    pub quality: u8,
    /// Set when the image is not good enough to identify.
    pub issue: Option<QualityIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderFault {
    #[error("fingerprint reader is not connected")]
    Unplugged,
    #[error("capture cancelled")]
    Cancelled,
    /// No finger within the reader's wait time: capture again.
    #[error("no finger placed")]
    NoFinger,
    #[error("reader error: {0}")]
    Device(String),
}

/// Stops a blocking capture (screen left idle, shutdown); the drivers' token, so it reaches
/// the device wait directly.
pub use drivers::fingerprint::CancelToken;

/// The fingerprint reader. `capture` blocks until a finger is placed, the token is cancelled or
/// the device fails, so it only ever runs on a worker thread.
pub trait FingerReader: Send + Sync {
    fn capture(&self, cancel: &CancelToken) -> Result<FingerCapture, ReaderFault>;
    fn is_connected(&self) -> bool;
    /// Model and resolution, for the diagnostics screen.
    fn description(&self) -> String;
}

/// Errors from the store-backed ports. The text is for logs and the diagnostics screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("store: {0}")]
    Store(String),
    #[error("{0}")]
    Refused(String),
    /// A visit rule said no; the app shows the reason in the screen's language.
    #[error("visit refused: {}", .0.code())]
    VisitRefused(Refusal),
}

/// 1:N identification of a capture against the enrolled fingers. Runs on a worker thread.
pub trait Identifier: Send + Sync {
    fn identify(&self, capture: &FingerCapture) -> Result<Option<PersonId>, PortError>;
}

/// Years, months, days, as the court and the release letter write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ymd {
    pub years: u32,
    pub months: u32,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemissionView {
    /// RU, RK, RD, Tambahan...: the official abbreviation.
    pub kind: String,
    pub date: NaiveDate,
    pub months: u32,
    pub days: u32,
    pub decree: Option<String>,
    /// A projection from the rules, not a granted decree: always labelled as an estimate.
    pub projected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecreeState {
    Issued,
    InProcess,
    NotYet,
    NotEligible,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeView {
    /// Asimilasi, CB, PB, CMB.
    pub name: String,
    pub date: Option<NaiveDate>,
    pub decree: DecreeState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Admission,
    Early,
    Advanced,
    Final,
}

/// Everything the inmate screen shows, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseView {
    pub inmate: PersonId,
    pub name: String,
    pub register_number: String,
    pub case: String,
    pub sentence: Ymd,
    pub detained_on: NaiveDate,
    pub expiry: NaiveDate,
    pub release: NaiveDate,
    pub release_projected: Option<NaiveDate>,
    pub one_third: NaiveDate,
    pub one_half: NaiveDate,
    pub two_thirds: NaiveDate,
    pub served: Ymd,
    pub remaining: Ymd,
    pub stage: Stage,
    pub days_left: i64,
    pub days_total: i64,
    pub remissions: Vec<RemissionView>,
    pub programmes: Vec<ProgrammeView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitToday {
    Booked,
    NoBooking,
    CheckedIn,
    NotToday,
}

/// One inmate as a family member sees it on the lobby terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedInmate {
    pub inmate: PersonId,
    pub name: String,
    /// "Anak", "Istri"...: as recorded by the officers.
    pub relation: String,
    /// None for a tahanan (no final verdict yet): no release date to show.
    pub release: Option<NaiveDate>,
    pub days_left: i64,
    pub visit: VisitToday,
    pub session: Option<String>,
}

/// Store queries the screens need.
pub trait Records {
    fn person(&self, id: &str) -> Result<Option<Person>, PortError>;
    fn release_view(&self, inmate: &str, today: NaiveDate) -> Result<ReleaseView, PortError>;
    fn linked_inmates(
        &self,
        family: &str,
        today: NaiveDate,
    ) -> Result<Vec<LinkedInmate>, PortError>;
}

/// A queue ticket as issued at check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTicket {
    /// "A-007": service letter and number of the day.
    pub number: String,
    pub inmate_name: String,
    pub session: String,
    pub issued_at: NaiveDateTime,
    pub waiting_ahead: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NowServing {
    pub number: String,
    pub counter: String,
}

/// A session a visitor without a booking may still register for today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkInSession {
    pub code: String,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

/// What the facility offers a visitor without a booking today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkInOffer {
    /// Sessions still open for registration now, in order.
    pub sessions: Vec<WalkInSession>,
    pub max_group_size: u32,
}

/// A walk-in's choices on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkIn {
    pub session: String,
    pub group_size: u32,
}

/// Visit check-in and the queue.
pub trait Visits {
    /// Checks `visitor` in to visit `inmate`: today's booking when `walk_in` is `None`, else a
    /// visit registered on the spot. Rule refusals come back as [`PortError::VisitRefused`].
    fn check_in(
        &self,
        visitor: &str,
        inmate: &str,
        walk_in: Option<&WalkIn>,
        at: NaiveDateTime,
    ) -> Result<IssuedTicket, PortError>;
    /// Walk-in sessions open at `at`; `None` when the facility takes no walk-ins.
    fn walk_in_offer(&self, at: NaiveDateTime) -> Result<Option<WalkInOffer>, PortError>;
    fn now_serving(&self) -> Result<(Vec<NowServing>, u32), PortError>;
    /// Stores a complaint (`person` `None`: anonymous) and returns its receipt number.
    fn file_complaint(
        &self,
        category: ComplaintCategory,
        body: &str,
        person: Option<&str>,
        at: NaiveDateTime,
    ) -> Result<String, PortError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterCondition {
    Ok,
    PaperOut,
    PaperNearEnd,
    CoverOpen,
    Offline,
    CutterError,
    Unknown,
}

/// The ticket printer. Calls do serial I/O and run on a worker thread.
pub trait TicketPrinter: Send + Sync {
    fn print_ticket(&self, ticket: &IssuedTicket) -> Result<(), PrinterCondition>;
    fn test_print(&self) -> Result<(), PrinterCondition>;
    fn condition(&self) -> PrinterCondition;
}

/// What the audit log records: who saw which personal screen, and technician access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditEvent {
    InmateViewed { viewer: PersonId, inmate: PersonId },
    FamilyViewed { visitor: PersonId },
    VisitCheckedIn { visitor: PersonId, inmate: PersonId, ticket: String },
    NotRecognised { attempt: u32 },
    Lockout,
    TechnicianLogin,
    TechnicianPinRejected,
}

pub trait AuditLog {
    fn record(&self, event: AuditEvent, at: NaiveDateTime) -> Result<(), PortError>;
}

/// Facts for the diagnostics screen and the fault checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreFacts {
    pub counts: Vec<(String, i64)>,
    pub integrity_ok: bool,
    pub integrity_detail: String,
    pub sync_state: String,
    pub last_errors: Vec<String>,
    /// Set by the facility to take the kiosk out of service.
    pub out_of_service: bool,
}

pub trait Diagnostics {
    fn store_facts(&self) -> StoreFacts;
}

/// The wall clock; a port so tests and screenshots are reproducible.
pub trait Clock {
    fn now(&self) -> NaiveDateTime;
}

/// The system clock in local time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

/// Everything the app is wired to.
pub struct Ports {
    pub reader: Arc<dyn FingerReader>,
    pub identifier: Arc<dyn Identifier>,
    pub printer: Arc<dyn TicketPrinter>,
    pub records: Box<dyn Records>,
    pub visits: Box<dyn Visits>,
    pub audit: Box<dyn AuditLog>,
    pub diagnostics: Box<dyn Diagnostics>,
    pub clock: Box<dyn Clock>,
}
