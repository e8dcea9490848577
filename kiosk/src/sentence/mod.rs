//! Sentence arithmetic: expiry, remissions, release, 1/3-1/2-2/3, integration programmes
//! (asimilasi, PB, CB, CMB), programme stage and projected remissions. Pure logic on chrono: no
//! I/O, no clock (the caller passes `today`).
//!
//! The rules come from docs/DOMAIN.md: KUHAP 22(4)-(5) for detention credits, KUHP 30-31 for the
//! subsider of an unpaid fine, Keppres 174/1999 for remission amounts (the tables are data in
//! [`remission`]), the Permenkumham on programmes. Wherever the sources are silent or disagree the
//! choice is a named field of [`SentenceSettings`] with a default, and every report carries the
//! settings it was computed with.
//!
//! Entry points: [`SentenceInput::from_json`] (errors name the offending field) and [`compute`].
//!
//! Conventions fixed here (not settings) and why:
//! - Expiry = start + sentence on the same calendar date (DOMAIN.md: no minus one day); months of
//!   a sentence are calendar months, years and months are added before days.
//! - Remissions are applied one by one in the order granted (equal days: in the order listed);
//!   when one reaches the remission day the inmate is free that day, and a remission granted on
//!   or after the release it would shorten is refused as inconsistent input.
//! - Time served for remission eligibility counts from `detained_on`, the current custody ("from
//!   the last detention if interrupted"), never from credits.
//! - Fractions of lengths use 30-day months for remainders and round days up (a fraction is
//!   reached only when fully served); Remisi Dasawarsa rounds its days down.
//! - The subsider of an unpaid fine follows the main sentence: remission stops where it starts.
//! - Remisi tambahan and kemanusiaan are never projected (they need a decision). A projected
//!   remisi susulan counts as the occasion it stands for; a granted RS does not say which
//!   occasion it stands for, so it counts for none. Granted RU / RK count as occasions.

pub mod calendar;
pub mod format;
pub mod holidays;
pub mod programme;
pub mod record;
pub mod remission;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use calendar::{MonthEnd, Span, Term};
pub use holidays::{HolidayStatus, HolidayTable, HolidayTableError, HolidayYear, RemissionDay};
pub use programme::Stage;
pub use remission::{REMISI_KHUSUS, REMISI_UMUM, Scale};

use calendar::{add_days, add_term, between};

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// Religion as first recorded in the register; decides the day of Remisi Khusus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Religion {
    /// Idul Fitri.
    Islam,
    /// Natal.
    Kristen,
    /// Natal.
    Katolik,
    /// Nyepi.
    Hindu,
    /// Waisak.
    Buddha,
    /// No holiday in the table: RK is not projected (granted ones still count).
    Konghucu,
    /// No holiday in the table.
    Lainnya,
}

impl Religion {
    /// The holiday of this religion's Remisi Khusus in the holiday table, if any.
    pub fn holiday(self) -> Option<holidays::Holiday> {
        use holidays::Holiday;
        match self {
            Religion::Islam => Some(Holiday::IdulFitri),
            Religion::Kristen | Religion::Katolik => Some(Holiday::Natal),
            Religion::Hindu => Some(Holiday::Nyepi),
            Religion::Buddha => Some(Holiday::Waisak),
            Religion::Konghucu | Religion::Lainnya => None,
        }
    }
}

/// Crime category of the case; some are "special crimes" with stricter programme rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrimeCategory {
    /// Everything not listed below.
    #[default]
    General,
    /// Narcotics (special from [`SentenceSettings::narcotics_special_from_years`]).
    Narcotics,
    /// Corruption (tipikor).
    Corruption,
    /// Terrorism.
    Terrorism,
    /// Crimes against state security.
    StateSecurity,
    /// Gross human rights violations.
    HumanRights,
    /// Transnational organised crime.
    TransnationalOrganized,
    /// Trafficking in persons.
    HumanTrafficking,
    /// Any other special crime.
    OtherSpecial,
}

/// Kind of sentence: a term in years / months / days, or life, or death.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceKind {
    /// A term (`sentence` gives its length).
    #[default]
    Term,
    /// Seumur hidup.
    Life,
    /// Pidana mati.
    Death,
}

/// Kind of pre-trial detention that counts towards the sentence (KUHAP 22(4)-(5)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    /// An earlier period in custody (interrupted detention): counts in full.
    Custody,
    /// Tahanan rumah: counts 1/3.
    HouseArrest,
    /// Tahanan kota: counts 1/5.
    CityArrest,
}

/// A detention period outside the current custody that shortens the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetentionCredit {
    /// Kind of detention.
    pub kind: CreditKind,
    /// Its length in days (the credit is a fraction of it for house and city arrest).
    pub days: u32,
}

/// Kinds of remission (as in the store's `remission.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RemissionKind {
    /// Remisi Umum, 17 August.
    #[serde(rename = "RU")]
    Umum,
    /// Remisi Khusus, religious holiday.
    #[serde(rename = "RK")]
    Khusus,
    /// Remisi Tambahan.
    #[serde(rename = "RT")]
    Tambahan,
    /// Remisi Dasawarsa, 17 August every ten years of independence.
    #[serde(rename = "RD")]
    Dasawarsa,
    /// Remisi susulan (granted later, verdict was not final on the day).
    #[serde(rename = "RS")]
    Susulan,
    /// Remisi kemanusiaan.
    #[serde(rename = "RKM")]
    Kemanusiaan,
}

impl RemissionKind {
    /// The register's short code.
    pub fn code(self) -> &'static str {
        match self {
            RemissionKind::Umum => "RU",
            RemissionKind::Khusus => "RK",
            RemissionKind::Tambahan => "RT",
            RemissionKind::Dasawarsa => "RD",
            RemissionKind::Susulan => "RS",
            RemissionKind::Kemanusiaan => "RKM",
        }
    }
}

/// A remission granted by decree (SK).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantedRemission {
    /// Kind.
    pub kind: RemissionKind,
    /// The day it takes effect.
    pub granted_on: NaiveDate,
    /// Months.
    #[serde(default)]
    pub months: u32,
    /// Days.
    #[serde(default)]
    pub days: u32,
    /// Decree number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sk: Option<String>,
}

impl GrantedRemission {
    /// The amount as months and days.
    pub fn span(&self) -> Span {
        Span::new(i64::from(self.months), i64::from(self.days))
    }
}

/// One inmate's record, as `kiosk sentence` reads it (docs/DOMAIN.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceInput {
    /// First day of the current custody (tanggal penahanan).
    pub detained_on: NaiveDate,
    /// Other detention that counts: earlier custody, house arrest, city arrest.
    #[serde(default)]
    pub detention_credits: Vec<DetentionCredit>,
    /// Term, life or death (default term).
    #[serde(default)]
    pub sentence_kind: SentenceKind,
    /// Length of the sentence.
    pub sentence: Term,
    /// Day the verdict became final; absent while it is not.
    #[serde(default)]
    pub verdict_final_on: Option<NaiveDate>,
    /// Religion first recorded in the register.
    pub religion: Religion,
    /// Crime category.
    #[serde(default)]
    pub crime_category: CrimeCategory,
    /// Replacement confinement of an unpaid fine (absent or zero when paid or none).
    #[serde(default)]
    pub fine_unpaid_subsider: Option<Term>,
    /// Remissions granted, in any order (they are applied in the order granted).
    #[serde(default)]
    pub remissions: Vec<GrantedRemission>,
    /// Days with an entry in register F (discipline).
    #[serde(default)]
    pub discipline_records: Vec<NaiveDate>,
    /// Register F as the store keeps it: no remission, and no PB, before this day.
    #[serde(default)]
    pub discipline_until: Option<NaiveDate>,
    /// Corruption: fine and restitution paid; terrorism: deradicalisation and pledge. Absent means
    /// not known, so such remissions and PB are not projected.
    #[serde(default)]
    pub special_requirements_met: Option<bool>,
    /// Include projected remissions and `release_projected`.
    #[serde(default)]
    pub project: bool,
    /// The day `served`, `remaining` and `stage` are computed for.
    #[serde(default)]
    pub today: Option<NaiveDate>,
}

impl SentenceInput {
    /// Parses the JSON record; errors name the field (`remissions[1].granted_on: ...`).
    pub fn from_json(text: &str) -> Result<SentenceInput, SentenceError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let input: SentenceInput = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            let path = err.path().to_string();
            let message = err.into_inner().to_string();
            let field = match (missing_field(&message), path.as_str()) {
                (Some(name), ".") => name,
                (Some(name), parent) => format!("{parent}.{name}"),
                (None, ".") => "(document)".into(),
                (None, _) => path,
            };
            SentenceError::Invalid { field, reason: strip_position(&message) }
        })?;
        de.end().map_err(|err| SentenceError::Invalid {
            field: "(document)".into(),
            reason: err.to_string(),
        })?;
        Ok(input)
    }
}

/// serde reports a missing field at the parent path with the name only in the message.
fn missing_field(message: &str) -> Option<String> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string)
}

fn strip_position(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    // chrono's wording for 2017-02-30.
    if message == "input is out of range" {
        return "not a valid calendar date".into();
    }
    message.to_string()
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// How long "1 month" of a remission is when it is subtracted from the release date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthConvention {
    /// A calendar month (2019-02-24 - 1 month = 2019-01-24).
    #[default]
    Calendar,
    /// 30 days.
    ThirtyDays,
}

/// Which order the months and days of one remission are subtracted in (1 month 15 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanOrder {
    /// Months, then days.
    #[default]
    MonthsFirst,
    /// Days, then months.
    DaysFirst,
}

/// What the 1/3, 1/2, 2/3 fractions are taken of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FractionBasis {
    /// 2/3 x (sentence - remissions), counted from the start.
    #[default]
    SentenceMinusRemission,
    /// 2/3 x sentence, counted from the start, then minus the remissions.
    FractionMinusRemission,
}

/// How earlier detention periods and house / city arrest credits shorten the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptedDetention {
    /// Start stays the current custody; the credited days come off the expiry date.
    #[default]
    SubtractFromExpiry,
    /// The start moves back by the credited days; expiry and fractions count from there.
    ShiftStart,
}

/// Rounding of the 1/3 and 1/5 credits for house and city arrest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditRounding {
    /// Whole days only (never promises a day too early).
    #[default]
    Down,
    /// A started day counts.
    Up,
}

/// How time served is measured for remission eligibility ("more than 6 months") and the first
/// occasion's amount ("12 months").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceCount {
    /// 1 month = 30 days (DOMAIN.md: "1 month = 30 days for this count").
    #[default]
    ThirtyDayMonths,
    /// Calendar months.
    CalendarMonths,
}

/// Which remission occasions are projected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectFrom {
    /// Every occasion after the last granted remission (from detention when none is granted):
    /// registers lag, so an occasion not yet in the list is still shown as an estimate.
    #[default]
    LastGranted,
    /// Only occasions on or after `today` (and after the last granted one).
    Today,
}

/// Every open convention of the sentence arithmetic, with defaults. Embedded in the kiosk's
/// configuration; the report echoes the values it used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SentenceSettings {
    /// Length of a remission month.
    pub month_convention: MonthConvention,
    /// Adding months onto a day the target month lacks.
    pub month_end: MonthEnd,
    /// Months or days first within one remission.
    pub remission_span_order: SpanOrder,
    /// What 1/3, 1/2, 2/3 are fractions of.
    pub fraction_basis: FractionBasis,
    /// How earlier detention and credits shorten the sentence.
    pub interrupted_detention: InterruptedDetention,
    /// Rounding of house / city arrest credits.
    pub credit_rounding: CreditRounding,
    /// How time served is measured for remissions.
    pub service_count: ServiceCount,
    /// Remission needs more than this many months served.
    pub remission_min_served_months: u32,
    /// First occasion: at least this many months served gives the larger amount.
    pub remission_full_first_months: u32,
    /// No register F entry in this many months before a remission.
    pub discipline_lookback_months: u32,
    /// Years of independence with Remisi Dasawarsa.
    pub dasawarsa_years: Vec<i32>,
    /// Cap of Remisi Dasawarsa (1/12 of the sentence), months.
    pub dasawarsa_max_months: u32,
    /// Which occasions are projected.
    pub project_from: ProjectFrom,
    /// An occasion missed only because the verdict was not final yet is projected as a remisi
    /// susulan on the day the verdict became final (known `verdict_final_on` only).
    pub project_susulan: bool,
    /// Crime categories that are "special crimes" (narcotics only from the years below).
    pub special_categories: Vec<CrimeCategory>,
    /// Narcotics cases are special from this sentence length, years.
    pub narcotics_special_from_years: u32,
    /// 2/3 must be at least this many months for PB, CMB and special-crime asimilasi.
    pub programme_min_two_thirds_months: u32,
    /// Months of good conduct (no register F) before PB.
    pub pb_good_conduct_months: u32,
    /// CB only for sentences up to this many months.
    pub cb_max_sentence_months: u32,
    /// Longest CB, months (some sources say 4).
    pub cb_max_months: u32,
    /// Longest CMB, months.
    pub cmb_max_months: u32,
    /// Days of admission and orientation at the start.
    pub orientation_days: u32,
}

impl Default for SentenceSettings {
    fn default() -> Self {
        SentenceSettings {
            month_convention: MonthConvention::Calendar,
            month_end: MonthEnd::Clamp,
            remission_span_order: SpanOrder::MonthsFirst,
            fraction_basis: FractionBasis::SentenceMinusRemission,
            interrupted_detention: InterruptedDetention::SubtractFromExpiry,
            credit_rounding: CreditRounding::Down,
            service_count: ServiceCount::ThirtyDayMonths,
            remission_min_served_months: 6,
            remission_full_first_months: 12,
            discipline_lookback_months: 6,
            dasawarsa_years: vec![2015, 2025, 2035],
            dasawarsa_max_months: 3,
            project_from: ProjectFrom::LastGranted,
            project_susulan: true,
            special_categories: vec![
                CrimeCategory::Narcotics,
                CrimeCategory::Corruption,
                CrimeCategory::Terrorism,
                CrimeCategory::StateSecurity,
                CrimeCategory::HumanRights,
                CrimeCategory::TransnationalOrganized,
                CrimeCategory::HumanTrafficking,
                CrimeCategory::OtherSpecial,
            ],
            narcotics_special_from_years: 5,
            programme_min_two_thirds_months: 9,
            pb_good_conduct_months: 9,
            cb_max_sentence_months: 18,
            cb_max_months: 6,
            cmb_max_months: 6,
            orientation_days: 14,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// One remission in the report: granted, or projected (an estimate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemissionItem {
    /// Kind.
    pub kind: RemissionKind,
    /// Day it takes effect.
    pub date: NaiveDate,
    /// Months.
    pub months: u32,
    /// Days.
    pub days: u32,
    /// True for an estimate from the rules, false for a granted decree.
    pub projected: bool,
    /// Decree number of a granted remission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sk: Option<String>,
}

/// Why something is not available, in both languages, with a stable code for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable machine code.
    pub code: String,
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

impl Reason {
    fn new(code: &str, id: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason { code: code.into(), id: id.into(), en: en.into() }
    }
}

/// Reasons for each date in the report that is null.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reasons {
    /// Why there is no expiry / release (life or death sentence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Reason>,
    /// Why no asimilasi date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asimilasi: Option<Reason>,
    /// Why no PB date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pb: Option<Reason>,
    /// Why no CB date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cb: Option<Reason>,
    /// Why no CMB date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmb: Option<Reason>,
}

/// A remission occasion that was looked at in the projection and gives nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedOccasion {
    /// Kind of the occasion.
    pub kind: RemissionKind,
    /// Its day.
    pub date: NaiveDate,
    /// Why nothing is projected.
    pub reason: Reason,
}

/// Everything the kiosk shows about one sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentenceReport {
    /// First day of the current custody.
    pub detained_on: NaiveDate,
    /// Day the sentence counts from (earlier than `detained_on` with `shift_start` credits).
    pub start: NaiveDate,
    /// Days credited for earlier custody and house / city arrest.
    pub credited_days: u32,
    /// Expiry of the main sentence (start + sentence - credits).
    pub main_sentence_expiry: Option<NaiveDate>,
    /// Expiry without remissions, subsider included (ekspirasi awal).
    pub expiry: Option<NaiveDate>,
    /// Release after the granted remissions, subsider included (ekspirasi akhir).
    pub release: Option<NaiveDate>,
    /// 1/3 of the sentence.
    pub one_third: Option<NaiveDate>,
    /// 1/2 of the sentence.
    pub one_half: Option<NaiveDate>,
    /// 2/3 of the sentence.
    pub two_thirds: Option<NaiveDate>,
    /// Earliest asimilasi, null when not eligible (see `reasons`).
    pub asimilasi: Option<NaiveDate>,
    /// Earliest pembebasan bersyarat.
    pub pb: Option<NaiveDate>,
    /// Earliest cuti bersyarat.
    pub cb: Option<NaiveDate>,
    /// Earliest cuti menjelang bebas.
    pub cmb: Option<NaiveDate>,
    /// Why a date above is null.
    pub reasons: Reasons,
    /// Time served as of `today` (null without `today`).
    pub served: Option<Term>,
    /// Time left until `release` as of `today`.
    pub remaining: Option<Term>,
    /// Time served on the release day.
    pub served_at_release: Option<Term>,
    /// Time served on the projected release day (estimate), with `project`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_at_release_projected: Option<Term>,
    /// Programme stage as of `today`.
    pub stage: Option<Stage>,
    /// Granted remissions in the order granted, then (with `project`) projected ones.
    pub remissions: Vec<RemissionItem>,
    /// Occasions the projection looked at that give nothing, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_occasions: Vec<SkippedOccasion>,
    /// Release if the projected remissions are granted too (estimate), with `project`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_projected: Option<NaiveDate>,
    /// Remarks on data quality (projected holiday rows, ambiguous dates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The settings used.
    pub settings: SentenceSettings,
}

impl SentenceReport {
    /// The programme stage on a given day (null for life / death sentences).
    pub fn stage_on(&self, day: NaiveDate) -> Option<Stage> {
        programme::stage_on(
            day,
            self.detained_on,
            self.settings.orientation_days,
            self.one_third?,
            self.two_thirds?,
            self.release?,
        )
    }
}

/// A record that cannot be computed; `field` names the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SentenceError {
    /// A field is missing, malformed or inconsistent.
    #[error("{field}: {reason}")]
    Invalid {
        /// The input field, e.g. `remissions[2].granted_on`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The holiday table is unusable.
    #[error(transparent)]
    HolidayTable(#[from] HolidayTableError),
}

impl SentenceError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> SentenceError {
        SentenceError::Invalid { field: field.into(), reason: reason.into() }
    }

    /// The input field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            SentenceError::Invalid { field, .. } => Some(field),
            SentenceError::HolidayTable(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Computation
// ---------------------------------------------------------------------------------------------

/// Earliest and latest years accepted: keeps every date computation inside chrono's range.
const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1945..=2200;
/// Longest term accepted, months (KUHP allows at most 20 years; cumulative records stay below).
const MAX_SENTENCE_MONTHS: i64 = 100 * 12;

/// Computes the report with the built-in holiday table.
pub fn compute(
    input: &SentenceInput,
    settings: &SentenceSettings,
) -> Result<SentenceReport, SentenceError> {
    compute_with_holidays(input, settings, HolidayTable::builtin()?)
}

/// Computes the report with a given holiday table (hub data).
pub fn compute_with_holidays(
    input: &SentenceInput,
    settings: &SentenceSettings,
    holidays: &HolidayTable,
) -> Result<SentenceReport, SentenceError> {
    validate(input, settings)?;
    let month_end = settings.month_end;
    let out_of_range = |field: &str| SentenceError::invalid(field, "date out of range");

    let credited_days = credited_days(input, settings);
    let start = match settings.interrupted_detention {
        InterruptedDetention::SubtractFromExpiry => input.detained_on,
        InterruptedDetention::ShiftStart => add_days(input.detained_on, -i64::from(credited_days))
            .ok_or_else(|| out_of_range("detention_credits"))?,
    };

    // Granted remissions in the order granted (stable for equal days: the order given).
    let mut granted: Vec<(usize, &GrantedRemission)> =
        input.remissions.iter().enumerate().collect();
    granted.sort_by_key(|(index, r)| (r.granted_on, *index));

    let mut report = SentenceReport {
        detained_on: input.detained_on,
        start,
        credited_days,
        main_sentence_expiry: None,
        expiry: None,
        release: None,
        one_third: None,
        one_half: None,
        two_thirds: None,
        asimilasi: None,
        pb: None,
        cb: None,
        cmb: None,
        reasons: Reasons::default(),
        served: None,
        remaining: None,
        served_at_release: None,
        served_at_release_projected: None,
        stage: None,
        remissions: granted.iter().map(|(_, r)| granted_item(r)).collect(),
        skipped_occasions: Vec::new(),
        release_projected: None,
        notes: Vec::new(),
        settings: settings.clone(),
    };

    if input.sentence_kind != SentenceKind::Term {
        let reason = programme::reason_life_or_death();
        report.reasons = Reasons {
            expiry: Some(reason.clone()),
            asimilasi: Some(reason.clone()),
            pb: Some(reason.clone()),
            cb: Some(reason.clone()),
            cmb: Some(reason),
        };
        report.served = input.today.map(|today| between(input.detained_on, today, month_end));
        return Ok(report);
    }

    // Expiry of the main sentence.
    let main_expiry = match settings.interrupted_detention {
        InterruptedDetention::SubtractFromExpiry => add_term(start, input.sentence, month_end)
            .and_then(|d| add_days(d, -i64::from(credited_days))),
        InterruptedDetention::ShiftStart => add_term(start, input.sentence, month_end),
    }
    .ok_or_else(|| out_of_range("sentence"))?;

    // Release of the main sentence after the granted remissions, one by one.
    let mut main_release = main_expiry;
    for (index, remission) in &granted {
        if remission.granted_on >= main_release {
            return Err(SentenceError::invalid(
                format!("remissions[{index}].granted_on"),
                format!(
                    "{} is not before the release date {main_release} left by the earlier remissions",
                    remission.granted_on
                ),
            ));
        }
        main_release =
            remission::apply(main_release, remission.granted_on, remission.span(), settings)
                .ok_or_else(|| out_of_range(&format!("remissions[{index}]")))?;
        if main_release == remission.granted_on {
            report.notes.push(remission::covers_rest_note(
                remission.kind,
                remission.granted_on,
                false,
            ));
        }
    }

    let subsider = input.fine_unpaid_subsider.unwrap_or_default();
    let with_subsider = |date: NaiveDate, field: &str| {
        add_term(date, subsider, month_end).ok_or_else(|| out_of_range(field))
    };
    report.main_sentence_expiry = Some(main_expiry);
    report.expiry = Some(with_subsider(main_expiry, "fine_unpaid_subsider")?);
    let release = with_subsider(main_release, "fine_unpaid_subsider")?;
    report.release = Some(release);

    // Fractions and programmes.
    let length = input.sentence.span().minus(match settings.interrupted_detention {
        InterruptedDetention::SubtractFromExpiry => Span::new(0, i64::from(credited_days)),
        InterruptedDetention::ShiftStart => Span::default(),
    });
    let granted_total = granted.iter().fold(Span::default(), |total, (_, r)| total.plus(r.span()));
    let fractions = programme::fractions(start, length, granted_total, settings)
        .ok_or_else(|| out_of_range("sentence"))?;
    report.one_third = Some(fractions.one_third);
    report.one_half = Some(fractions.one_half);
    report.two_thirds = Some(fractions.two_thirds);
    let last_granted = granted.last().map(|(_, r)| *r);
    let programmes =
        programme::programmes(input, settings, &fractions, length, main_release, last_granted);
    (report.asimilasi, report.reasons.asimilasi) = split(programmes.asimilasi);
    (report.pb, report.reasons.pb) = split(programmes.pb);
    (report.cb, report.reasons.cb) = split(programmes.cb);
    (report.cmb, report.reasons.cmb) = split(programmes.cmb);

    // Projection.
    if input.project {
        let projection = remission::project(
            input,
            settings,
            holidays,
            &granted.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
            main_release,
            fractions.one_third,
        )?;
        report.remissions.extend(projection.items);
        report.skipped_occasions = projection.skipped;
        report.notes.extend(projection.notes);
        let projected = with_subsider(projection.release, "fine_unpaid_subsider")?;
        report.release_projected = Some(projected);
        report.served_at_release_projected = Some(between(start, projected, month_end));
    }

    report.served_at_release = Some(between(start, release, month_end));
    if let Some(today) = input.today {
        let until = today.min(release);
        report.served = Some(between(start, until, month_end));
        report.remaining = Some(between(today, release, month_end));
        report.stage = report.stage_on(today);
    }
    if !subsider.is_zero() {
        report.notes.push(format!(
            "release includes the subsider of the unpaid fine ({}); paying the fine removes it",
            format::term(subsider, format::Language::English)
        ));
    }
    Ok(report)
}

fn split(result: Result<NaiveDate, Reason>) -> (Option<NaiveDate>, Option<Reason>) {
    match result {
        Ok(date) => (Some(date), None),
        Err(reason) => (None, Some(reason)),
    }
}

fn granted_item(r: &GrantedRemission) -> RemissionItem {
    RemissionItem {
        kind: r.kind,
        date: r.granted_on,
        months: r.months,
        days: r.days,
        projected: false,
        sk: r.sk.clone(),
    }
}

/// Days credited: earlier custody in full, house arrest 1/3, city arrest 1/5 (KUHAP 22(5)).
fn credited_days(input: &SentenceInput, settings: &SentenceSettings) -> u32 {
    input
        .detention_credits
        .iter()
        .map(|credit| {
            let divisor = match credit.kind {
                CreditKind::Custody => 1,
                CreditKind::HouseArrest => 3,
                CreditKind::CityArrest => 5,
            };
            match settings.credit_rounding {
                CreditRounding::Down => credit.days / divisor,
                CreditRounding::Up => credit.days.div_ceil(divisor),
            }
        })
        .sum()
}

fn check_year(field: &str, date: NaiveDate) -> Result<(), SentenceError> {
    use chrono::Datelike;
    if YEAR_RANGE.contains(&date.year()) {
        Ok(())
    } else {
        Err(SentenceError::invalid(
            field,
            format!("{date} is outside {}..={}", YEAR_RANGE.start(), YEAR_RANGE.end()),
        ))
    }
}

/// Everything serde cannot check: ranges, order of dates, sizes.
fn validate(input: &SentenceInput, settings: &SentenceSettings) -> Result<(), SentenceError> {
    check_year("detained_on", input.detained_on)?;
    let months = input.sentence.total_months();
    if months > MAX_SENTENCE_MONTHS || input.sentence.days > 36_500 {
        return Err(SentenceError::invalid("sentence", "longer than 100 years"));
    }
    if input.sentence_kind == SentenceKind::Term && input.sentence.is_zero() {
        return Err(SentenceError::invalid("sentence", "a term sentence cannot be zero"));
    }
    for (i, credit) in input.detention_credits.iter().enumerate() {
        if credit.days > 36_500 {
            return Err(SentenceError::invalid(
                format!("detention_credits[{i}].days"),
                "more than 100 years",
            ));
        }
    }
    if let Some(v) = input.verdict_final_on {
        check_year("verdict_final_on", v)?;
        if v < input.detained_on {
            return Err(SentenceError::invalid(
                "verdict_final_on",
                format!("{v} is before detained_on {}", input.detained_on),
            ));
        }
    }
    if let Some(subsider) = input.fine_unpaid_subsider {
        // KUHP 30: at most 6 months, 8 with aggravation.
        if subsider.years > 0 || subsider.total_months() * 30 + i64::from(subsider.days) > 8 * 30 {
            return Err(SentenceError::invalid(
                "fine_unpaid_subsider",
                "longer than the 8 months the law allows",
            ));
        }
    }
    for (i, r) in input.remissions.iter().enumerate() {
        let field = |name: &str| format!("remissions[{i}].{name}");
        check_year(&field("granted_on"), r.granted_on)?;
        if r.granted_on < input.detained_on {
            return Err(SentenceError::invalid(
                field("granted_on"),
                format!("{} is before detained_on {}", r.granted_on, input.detained_on),
            ));
        }
        if r.months == 0 && r.days == 0 {
            return Err(SentenceError::invalid(field("months"), "a remission cannot be zero"));
        }
        if r.months > 12 {
            return Err(SentenceError::invalid(field("months"), "more than 12 months"));
        }
        if r.days > 366 {
            return Err(SentenceError::invalid(field("days"), "more than 366 days"));
        }
        if input.sentence_kind != SentenceKind::Term {
            return Err(SentenceError::invalid(
                field("kind"),
                "no remission applies to a life or death sentence",
            ));
        }
    }
    if let Some(until) = input.discipline_until {
        check_year("discipline_until", until)?;
    }
    for (i, day) in input.discipline_records.iter().enumerate() {
        check_year(&format!("discipline_records[{i}]"), *day)?;
    }
    if let Some(today) = input.today {
        check_year("today", today)?;
        if today < input.detained_on {
            return Err(SentenceError::invalid(
                "today",
                format!("{today} is before detained_on {}", input.detained_on),
            ));
        }
    }
    for (i, year) in settings.dasawarsa_years.iter().enumerate() {
        if !YEAR_RANGE.contains(year) {
            return Err(SentenceError::invalid(
                format!("settings.dasawarsa_years[{i}]"),
                "year out of range",
            ));
        }
    }
    if settings.cb_max_months > 24 || settings.cmb_max_months > 24 {
        return Err(SentenceError::invalid("settings", "CB / CMB longer than 24 months"));
    }
    Ok(())
}
