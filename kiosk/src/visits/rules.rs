//! Visit rules as facility settings, and the check of one visit against them. Pure: the store
//! gathers the facts ([`VisitFacts`]), [`evaluate`] decides, every refusal is a [`Refusal`] value
//! with plain words in Bahasa Indonesia and English.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::sentence::{HolidayTable, Religion, RemissionDay};

/// Who a visitor is to the inmate (as in the store's `family_link.relation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Orang tua.
    Parent,
    /// Suami / istri.
    Spouse,
    /// Anak.
    Child,
    /// Saudara kandung.
    Sibling,
    /// Penasihat hukum with a power of attorney.
    Lawyer,
    /// Consular staff.
    Consular,
    /// Anyone else.
    Other,
}

impl Relation {
    /// Parses the store's code.
    pub fn from_code(code: &str) -> Option<Relation> {
        Some(match code {
            "parent" => Relation::Parent,
            "spouse" => Relation::Spouse,
            "child" => Relation::Child,
            "sibling" => Relation::Sibling,
            "lawyer" => Relation::Lawyer,
            "consular" => Relation::Consular,
            "other" => Relation::Other,
            _ => return None,
        })
    }

    /// Family (needs documents: KK, birth or marriage certificate), unlike lawyers and consuls.
    pub fn is_family(self) -> bool {
        matches!(self, Relation::Parent | Relation::Spouse | Relation::Child | Relation::Sibling)
    }

    fn words(self) -> (&'static str, &'static str) {
        match self {
            Relation::Parent => ("orang tua", "parent"),
            Relation::Spouse => ("suami/istri", "spouse"),
            Relation::Child => ("anak", "child"),
            Relation::Sibling => ("saudara kandung", "sibling"),
            Relation::Lawyer => ("penasihat hukum", "lawyer"),
            Relation::Consular => ("petugas konsuler", "consular officer"),
            Relation::Other => ("bukan keluarga inti", "not close family"),
        }
    }
}

/// Pre-trial detainee or sentenced inmate (the store's `inmate.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InmateStatus {
    /// Tahanan (pre-trial): needs a permit of the detaining authority.
    Tahanan,
    /// Narapidana (final verdict).
    Narapidana,
}

impl InmateStatus {
    /// Parses the store's code.
    pub fn from_code(code: &str) -> Option<InmateStatus> {
        match code {
            "tahanan" => Some(InmateStatus::Tahanan),
            "narapidana" => Some(InmateStatus::Narapidana),
            _ => None,
        }
    }
}

/// How often an inmate may be visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitFrequency {
    /// Once per calendar week, Monday to Sunday (SE Dirjenpas PAS-12/2022).
    #[default]
    OncePerWeek,
    /// Once per day.
    OncePerDay,
}

/// A visiting session of the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitSession {
    /// Code on bookings, e.g. `S1`.
    pub code: String,
    /// First minute of the session.
    pub starts: NaiveTime,
    /// End of the session.
    pub ends: NaiveTime,
}

/// The facility's visit rules. Embedded in the kiosk configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VisitRules {
    /// Relations that may visit.
    pub allowed_relations: Vec<Relation>,
    /// Family visitors need a verified link (KK, birth or marriage certificate).
    pub require_verified_family: bool,
    /// Visitors need a 16-digit NIK (e-KTP) on record.
    pub require_nik: bool,
    /// Largest group (some facilities 4).
    pub max_group_size: u32,
    /// Visits per inmate.
    pub frequency: VisitFrequency,
    /// Weekdays tahanan receive visits.
    pub tahanan_days: Vec<Weekday>,
    /// Weekdays narapidana receive visits.
    pub narapidana_days: Vec<Weekday>,
    /// Sessions of a visiting day.
    pub sessions: Vec<VisitSession>,
    /// Check-in closes this many minutes before a session ends.
    pub registration_cutoff_minutes: u32,
    /// Visits per day for the whole facility (none: unlimited).
    pub daily_quota: Option<u32>,
    /// Weekdays without visits.
    pub closed_weekdays: Vec<Weekday>,
    /// Closed on national holidays and the religious holidays of the holiday table.
    pub closed_on_public_holidays: bool,
    /// Further closed days (collective leave, facility events).
    pub closed_dates: Vec<NaiveDate>,
    /// Length of a visit, minutes (15-30).
    pub visit_minutes: u32,
    /// Families may check in without a booking.
    pub walk_in_allowed: bool,
    /// Tahanan visits need the permit reference of the detaining authority.
    pub tahanan_permit_required: bool,
}

impl Default for VisitRules {
    fn default() -> Self {
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        VisitRules {
            allowed_relations: vec![
                Relation::Parent,
                Relation::Spouse,
                Relation::Child,
                Relation::Lawyer,
                Relation::Consular,
            ],
            require_verified_family: true,
            require_nik: true,
            max_group_size: 5,
            frequency: VisitFrequency::OncePerWeek,
            tahanan_days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            narapidana_days: vec![Weekday::Tue, Weekday::Thu, Weekday::Sat],
            sessions: vec![
                VisitSession { code: "S1".into(), starts: time(8, 30), ends: time(11, 0) },
                VisitSession { code: "S2".into(), starts: time(12, 45), ends: time(14, 0) },
            ],
            registration_cutoff_minutes: 30,
            daily_quota: Some(200),
            closed_weekdays: vec![Weekday::Sun],
            closed_on_public_holidays: true,
            closed_dates: vec![],
            visit_minutes: 30,
            walk_in_allowed: true,
            tahanan_permit_required: true,
        }
    }
}

/// Why a day is closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedBecause {
    /// A closed weekday (Sunday).
    Weekday(Weekday),
    /// A national or religious public holiday.
    PublicHoliday,
    /// A day the facility closed.
    FacilityClosed,
}

/// Why a visit cannot go ahead. Each has a plain-words message ([`Refusal::message_id`],
/// [`Refusal::message_en`]) and a stable code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum Refusal {
    /// No visits on this day.
    ClosedDay {
        /// Why.
        because: ClosedBecause,
    },
    /// Not a visiting day for this inmate's status.
    NotVisitingDayForStatus {
        /// Inmate's status.
        status: InmateStatus,
        /// Days that are.
        days: Vec<Weekday>,
    },
    /// The session code is not one of the facility's.
    UnknownSession {
        /// Code given.
        session: String,
    },
    /// Check-in for the session has closed.
    RegistrationClosed {
        /// Session.
        session: String,
        /// Time check-in closed.
        closed_at: NaiveTime,
    },
    /// The visitor is not linked to this inmate.
    NotLinked,
    /// This relation may not visit.
    RelationNotAllowed {
        /// Relation.
        relation: Relation,
    },
    /// The family link is not verified with documents.
    FamilyNotVerified,
    /// No 16-digit NIK on record.
    NikMissing,
    /// Group too large.
    GroupTooLarge {
        /// Size asked.
        size: u32,
        /// Largest allowed.
        max: u32,
    },
    /// Group of zero.
    GroupEmpty,
    /// The inmate already had the visit of this week / day.
    AlreadyVisited {
        /// Day of that visit.
        on: NaiveDate,
        /// The rule.
        frequency: VisitFrequency,
    },
    /// The facility's visits for today are all taken.
    QuotaReached {
        /// Quota.
        quota: u32,
    },
    /// A tahanan visit needs the permit reference.
    PermitMissing,
    /// The booking is for another day.
    BookingNotToday {
        /// The booking's day.
        booked_for: NaiveDate,
    },
    /// The booking was cancelled.
    BookingCancelled,
    /// The booking was already used.
    AlreadyCheckedIn,
    /// No walk-ins at this facility.
    WalkInNotAllowed,
}

fn day_id(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

fn day_en(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn days_list(days: &[Weekday], name: fn(Weekday) -> &'static str) -> String {
    days.iter().map(|d| name(*d)).collect::<Vec<_>>().join(", ")
}

impl Refusal {
    /// Stable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::ClosedDay { .. } => "closed_day",
            Refusal::NotVisitingDayForStatus { .. } => "not_visiting_day_for_status",
            Refusal::UnknownSession { .. } => "unknown_session",
            Refusal::RegistrationClosed { .. } => "registration_closed",
            Refusal::NotLinked => "not_linked",
            Refusal::RelationNotAllowed { .. } => "relation_not_allowed",
            Refusal::FamilyNotVerified => "family_not_verified",
            Refusal::NikMissing => "nik_missing",
            Refusal::GroupTooLarge { .. } => "group_too_large",
            Refusal::GroupEmpty => "group_empty",
            Refusal::AlreadyVisited { .. } => "already_visited",
            Refusal::QuotaReached { .. } => "quota_reached",
            Refusal::PermitMissing => "permit_missing",
            Refusal::BookingNotToday { .. } => "booking_not_today",
            Refusal::BookingCancelled => "booking_cancelled",
            Refusal::AlreadyCheckedIn => "already_checked_in",
            Refusal::WalkInNotAllowed => "walk_in_not_allowed",
        }
    }

    /// The reason in Bahasa Indonesia, in plain words.
    pub fn message_id(&self) -> String {
        match self {
            Refusal::ClosedDay { because: ClosedBecause::Weekday(day) } => {
                format!("Hari {} tidak ada layanan kunjungan.", day_id(*day))
            }
            Refusal::ClosedDay { because: ClosedBecause::PublicHoliday } => {
                "Hari ini hari libur nasional: tidak ada layanan kunjungan.".into()
            }
            Refusal::ClosedDay { because: ClosedBecause::FacilityClosed } => {
                "Hari ini layanan kunjungan ditutup.".into()
            }
            Refusal::NotVisitingDayForStatus { status, days } => format!(
                "Hari ini bukan jadwal kunjungan untuk {}. Jadwalnya: {}.",
                match status {
                    InmateStatus::Tahanan => "tahanan",
                    InmateStatus::Narapidana => "narapidana",
                },
                days_list(days, day_id)
            ),
            Refusal::UnknownSession { session } => {
                format!("Sesi kunjungan \"{session}\" tidak ada. Silakan tanya petugas.")
            }
            Refusal::RegistrationClosed { session, closed_at } => format!(
                "Pendaftaran sesi {session} sudah ditutup pukul {}.",
                closed_at.format("%H:%M")
            ),
            Refusal::NotLinked => {
                "Anda belum terdaftar sebagai pengunjung warga binaan ini. Silakan ke petugas.".into()
            }
            Refusal::RelationNotAllowed { relation } => format!(
                "Kunjungan hanya untuk keluarga inti, penasihat hukum dan petugas konsuler ({}).",
                relation.words().0
            ),
            Refusal::FamilyNotVerified => {
                "Hubungan keluarga belum diverifikasi. Bawa KK, akta lahir atau akta nikah ke petugas."
                    .into()
            }
            Refusal::NikMissing => "NIK e-KTP belum tercatat. Silakan tunjukkan e-KTP ke petugas.".into(),
            Refusal::GroupTooLarge { size, max } => {
                format!("Rombongan {size} orang terlalu banyak: paling banyak {max} orang.")
            }
            Refusal::GroupEmpty => "Jumlah pengunjung paling sedikit 1 orang.".into(),
            Refusal::AlreadyVisited { on, frequency } => format!(
                "Warga binaan ini sudah dikunjungi {} (tanggal {}).",
                match frequency {
                    VisitFrequency::OncePerWeek => "minggu ini",
                    VisitFrequency::OncePerDay => "hari ini",
                },
                crate::sentence::format::date(*on, crate::sentence::format::Language::Indonesian)
            ),
            Refusal::QuotaReached { quota } => {
                format!("Kuota kunjungan hari ini ({quota}) sudah penuh.")
            }
            Refusal::PermitMissing => {
                "Kunjungan tahanan memerlukan izin dari instansi yang menahan.".into()
            }
            Refusal::BookingNotToday { booked_for } => format!(
                "Pendaftaran Anda untuk tanggal {}, bukan hari ini.",
                crate::sentence::format::date(*booked_for, crate::sentence::format::Language::Indonesian)
            ),
            Refusal::BookingCancelled => "Pendaftaran ini sudah dibatalkan.".into(),
            Refusal::AlreadyCheckedIn => "Pendaftaran ini sudah dipakai untuk masuk.".into(),
            Refusal::WalkInNotAllowed => {
                "Kunjungan harus didaftarkan lebih dahulu (online atau WhatsApp).".into()
            }
        }
    }

    /// The reason in English, in plain words.
    pub fn message_en(&self) -> String {
        match self {
            Refusal::ClosedDay { because: ClosedBecause::Weekday(day) } => {
                format!("No visits on {}.", day_en(*day))
            }
            Refusal::ClosedDay { because: ClosedBecause::PublicHoliday } => {
                "Today is a public holiday: no visits.".into()
            }
            Refusal::ClosedDay { because: ClosedBecause::FacilityClosed } => {
                "Visits are closed today.".into()
            }
            Refusal::NotVisitingDayForStatus { status, days } => format!(
                "Today is not a visiting day for {}. Visiting days: {}.",
                match status {
                    InmateStatus::Tahanan => "pre-trial detainees",
                    InmateStatus::Narapidana => "sentenced inmates",
                },
                days_list(days, day_en)
            ),
            Refusal::UnknownSession { session } => {
                format!("There is no visiting session \"{session}\". Please ask an officer.")
            }
            Refusal::RegistrationClosed { session, closed_at } => format!(
                "Check-in for session {session} closed at {}.",
                closed_at.format("%H:%M")
            ),
            Refusal::NotLinked => {
                "You are not registered as a visitor of this inmate. Please see an officer.".into()
            }
            Refusal::RelationNotAllowed { relation } => format!(
                "Visits are for close family, lawyers and consular staff only ({}).",
                relation.words().1
            ),
            Refusal::FamilyNotVerified => {
                "Your family link is not verified yet. Bring your family card, birth or marriage certificate to an officer."
                    .into()
            }
            Refusal::NikMissing => "No e-KTP number on record. Please show your e-KTP to an officer.".into(),
            Refusal::GroupTooLarge { size, max } => {
                format!("A group of {size} is too large: at most {max} people.")
            }
            Refusal::GroupEmpty => "At least 1 visitor.".into(),
            Refusal::AlreadyVisited { on, frequency } => format!(
                "This inmate already had a visit {} (on {}).",
                match frequency {
                    VisitFrequency::OncePerWeek => "this week",
                    VisitFrequency::OncePerDay => "today",
                },
                crate::sentence::format::date(*on, crate::sentence::format::Language::English)
            ),
            Refusal::QuotaReached { quota } => format!("Today's {quota} visits are all taken."),
            Refusal::PermitMissing => {
                "A visit to a pre-trial detainee needs a permit from the detaining authority.".into()
            }
            Refusal::BookingNotToday { booked_for } => format!(
                "Your booking is for {}, not today.",
                crate::sentence::format::date(*booked_for, crate::sentence::format::Language::English)
            ),
            Refusal::BookingCancelled => "This booking was cancelled.".into(),
            Refusal::AlreadyCheckedIn => "This booking has already been used to check in.".into(),
            Refusal::WalkInNotAllowed => {
                "Visits must be booked in advance (online or WhatsApp).".into()
            }
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_en())
    }
}

/// Fixed-date national holidays (no visits): New Year, Labour Day, Pancasila, Independence,
/// Christmas. Movable religious holidays come from the holiday table.
const FIXED_HOLIDAYS: [(u32, u32); 5] = [(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)];

/// Why `day` is closed for visits, if it is.
pub fn closed_because(
    rules: &VisitRules,
    holidays: &HolidayTable,
    day: NaiveDate,
) -> Option<ClosedBecause> {
    if rules.closed_weekdays.contains(&day.weekday()) {
        return Some(ClosedBecause::Weekday(day.weekday()));
    }
    if rules.closed_dates.contains(&day) {
        return Some(ClosedBecause::FacilityClosed);
    }
    if rules.closed_on_public_holidays {
        if FIXED_HOLIDAYS.contains(&(day.month(), day.day())) {
            return Some(ClosedBecause::PublicHoliday);
        }
        let religious = [Religion::Islam, Religion::Kristen, Religion::Hindu, Religion::Buddha];
        if religious.iter().any(|r| holidays.remission_day(*r, day.year()) == RemissionDay::On(day))
        {
            return Some(ClosedBecause::PublicHoliday);
        }
    }
    None
}

/// A session on a given day and whether check-in is still open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionToday {
    /// The session.
    pub session: VisitSession,
    /// Time check-in closes.
    pub registration_closes: NaiveTime,
    /// Check-in is open now.
    pub open_now: bool,
}

/// What the lobby shows for a day: closed (and why), or who visits and the sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TodayRules {
    /// The day.
    pub day: NaiveDate,
    /// Why there are no visits, if so.
    pub closed: Option<Refusal>,
    /// Statuses visited today.
    pub statuses: Vec<InmateStatus>,
    /// Sessions with their check-in state.
    pub sessions: Vec<SessionToday>,
    /// Visit length, minutes.
    pub visit_minutes: u32,
    /// Walk-ins accepted.
    pub walk_in_allowed: bool,
}

fn registration_closes(rules: &VisitRules, session: &VisitSession) -> NaiveTime {
    let cutoff = chrono::Duration::minutes(i64::from(rules.registration_cutoff_minutes));
    let closes = session.ends - cutoff;
    // A cut-off longer than the session (or past midnight) leaves no time to check in.
    if closes > session.ends { NaiveTime::MIN } else { closes }
}

/// The rules as they apply on `day` at `now` (local time of the facility).
pub fn rules_for_today(
    rules: &VisitRules,
    holidays: &HolidayTable,
    day: NaiveDate,
    now: NaiveTime,
) -> TodayRules {
    let closed = closed_because(rules, holidays, day).map(|because| Refusal::ClosedDay { because });
    let mut statuses = Vec::new();
    if closed.is_none() {
        if rules.tahanan_days.contains(&day.weekday()) {
            statuses.push(InmateStatus::Tahanan);
        }
        if rules.narapidana_days.contains(&day.weekday()) {
            statuses.push(InmateStatus::Narapidana);
        }
    }
    let sessions = rules
        .sessions
        .iter()
        .map(|session| {
            let closes = registration_closes(rules, session);
            SessionToday {
                session: session.clone(),
                registration_closes: closes,
                open_now: closed.is_none() && !statuses.is_empty() && now < closes,
            }
        })
        .collect();
    TodayRules {
        day,
        closed,
        statuses,
        sessions,
        visit_minutes: rules.visit_minutes,
        walk_in_allowed: rules.walk_in_allowed,
    }
}

/// Everything the rules look at for one check-in, gathered from the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitFacts {
    /// Today (facility time).
    pub day: NaiveDate,
    /// Now (facility time).
    pub now: NaiveTime,
    /// The inmate's status.
    pub inmate_status: InmateStatus,
    /// The visitor's link to the inmate: relation and whether documents were checked.
    pub link: Option<(Relation, bool)>,
    /// The visitor's NIK on record.
    pub visitor_nik: Option<String>,
    /// Session asked for.
    pub session: String,
    /// Group size asked for.
    pub group_size: u32,
    /// Permit reference on the booking (or given for a walk-in).
    pub permit_reference: Option<String>,
    /// Days this inmate was visited in the current week (or today), most recent first.
    pub inmate_visits_in_period: Vec<NaiveDate>,
    /// Visits already recorded today for the whole facility.
    pub facility_visits_today: u32,
    /// Walk-in (no booking).
    pub walk_in: bool,
}

/// The first day of the period the frequency rule counts visits in.
pub fn period_start(frequency: VisitFrequency, day: NaiveDate) -> NaiveDate {
    match frequency {
        VisitFrequency::OncePerDay => day,
        VisitFrequency::OncePerWeek => {
            day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
        }
    }
}

/// Checks one visit against the rules; the session it is for on success.
pub fn evaluate<'r>(
    rules: &'r VisitRules,
    holidays: &HolidayTable,
    facts: &VisitFacts,
) -> Result<&'r VisitSession, Refusal> {
    if facts.walk_in && !rules.walk_in_allowed {
        return Err(Refusal::WalkInNotAllowed);
    }
    if let Some(because) = closed_because(rules, holidays, facts.day) {
        return Err(Refusal::ClosedDay { because });
    }
    let days = match facts.inmate_status {
        InmateStatus::Tahanan => &rules.tahanan_days,
        InmateStatus::Narapidana => &rules.narapidana_days,
    };
    if !days.contains(&facts.day.weekday()) {
        return Err(Refusal::NotVisitingDayForStatus {
            status: facts.inmate_status,
            days: days.clone(),
        });
    }
    let Some(session) = rules.sessions.iter().find(|s| s.code == facts.session) else {
        return Err(Refusal::UnknownSession { session: facts.session.clone() });
    };
    let closes = registration_closes(rules, session);
    if facts.now >= closes {
        return Err(Refusal::RegistrationClosed {
            session: session.code.clone(),
            closed_at: closes,
        });
    }
    let Some((relation, verified)) = facts.link else {
        return Err(Refusal::NotLinked);
    };
    if !rules.allowed_relations.contains(&relation) {
        return Err(Refusal::RelationNotAllowed { relation });
    }
    if relation.is_family() && rules.require_verified_family && !verified {
        return Err(Refusal::FamilyNotVerified);
    }
    if rules.require_nik {
        let nik_ok = facts
            .visitor_nik
            .as_deref()
            .is_some_and(|nik| nik.len() == 16 && nik.bytes().all(|b| b.is_ascii_digit()));
        if !nik_ok {
            return Err(Refusal::NikMissing);
        }
    }
    if facts.group_size == 0 {
        return Err(Refusal::GroupEmpty);
    }
    if facts.group_size > rules.max_group_size {
        return Err(Refusal::GroupTooLarge { size: facts.group_size, max: rules.max_group_size });
    }
    if facts.inmate_status == InmateStatus::Tahanan
        && rules.tahanan_permit_required
        && facts.permit_reference.as_deref().is_none_or(|p| p.trim().is_empty())
    {
        return Err(Refusal::PermitMissing);
    }
    let from = period_start(rules.frequency, facts.day);
    if let Some(on) = facts.inmate_visits_in_period.iter().find(|d| **d >= from && **d <= facts.day)
    {
        return Err(Refusal::AlreadyVisited { on: *on, frequency: rules.frequency });
    }
    if let Some(quota) = rules.daily_quota {
        if facts.facility_visits_today >= quota {
            return Err(Refusal::QuotaReached { quota });
        }
    }
    Ok(session)
}
