//! CSV import of national-database exports into the hub: facilities, inmates, remissions, family
//! links, bookings. Formats in `IMPORT.md`. All or nothing: one transaction, every bad row listed.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDate;
use futures_util::future::join_all;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Transaction};

/// The kinds of file, each known by its exact header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Facilities.
    Facilities,
    /// Inmates (person + register entry).
    Inmates,
    /// Remissions.
    Remissions,
    /// Family links (visitor + link).
    FamilyLinks,
    /// Visit bookings.
    Bookings,
}

impl ImportKind {
    /// The header row that names this kind.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            ImportKind::Facilities => &["facility_id", "name", "time_zone"],
            ImportKind::Inmates => &[
                "facility_id",
                "registration_number",
                "full_name",
                "nik",
                "birth_date",
                "sex",
                "religion",
                "status",
                "block",
                "crime_category",
                "article",
                "case_summary",
                "detained_on",
                "verdict_on",
                "verdict_final_on",
                "sentence_kind",
                "sentence_years",
                "sentence_months",
                "sentence_days",
                "fine_rupiah",
                "subsider_months",
                "subsider_days",
                "fine_paid",
            ],
            ImportKind::Remissions => &[
                "facility_id",
                "registration_number",
                "kind",
                "granted_on",
                "months",
                "days",
                "decree_number",
            ],
            ImportKind::FamilyLinks => &[
                "facility_id",
                "registration_number",
                "visitor_nik",
                "visitor_full_name",
                "visitor_birth_date",
                "visitor_sex",
                "relation",
                "verified",
            ],
            ImportKind::Bookings => &[
                "facility_id",
                "code",
                "registration_number",
                "visitor_nik",
                "visit_date",
                "session",
                "group_size",
                "permit_reference",
                "source",
            ],
        }
    }

    /// Name as used in messages (`inmates`, `family_links`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Facilities => "facilities",
            ImportKind::Inmates => "inmates",
            ImportKind::Remissions => "remissions",
            ImportKind::FamilyLinks => "family_links",
            ImportKind::Bookings => "bookings",
        }
    }

    const ALL: [ImportKind; 5] = [
        ImportKind::Facilities,
        ImportKind::Inmates,
        ImportKind::Remissions,
        ImportKind::FamilyLinks,
        ImportKind::Bookings,
    ];

    fn from_header(header: &csv::StringRecord) -> Option<ImportKind> {
        let found: Vec<&str> = header.iter().map(str::trim).collect();
        ImportKind::ALL.into_iter().find(|kind| kind.header() == found.as_slice())
    }
}

/// A refused row: its line in the file and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file where the record starts.
    pub line: u64,
    /// The reason.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why an import loaded nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read as CSV.
    #[error("cannot read the CSV file: {0}")]
    Read(#[from] csv::Error),
    /// The header names no known kind.
    #[error("unknown header {found:?}; expected one of the headers in IMPORT.md")]
    UnknownHeader {
        /// The header found.
        found: String,
    },
    /// Bad rows; nothing was loaded.
    #[error("{} bad row(s), nothing loaded: {}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Rows(Vec<RowError>),
    /// The hub failed; nothing was loaded.
    #[error("hub error: {}", crate::sync::describe(.0))]
    Hub(#[from] tokio_postgres::Error),
}

/// What an import loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Kind of file.
    pub kind: ImportKind,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows written (inserted or changed) on the hub, counting every table touched.
    pub written: u64,
}

/// Imports one CSV file into the hub in one transaction.
pub async fn import_csv(
    client: &mut Client,
    input: impl Read,
) -> Result<ImportSummary, ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = reader.headers()?.clone();
    let kind = ImportKind::from_header(&header).ok_or_else(|| ImportError::UnknownHeader {
        found: header.iter().collect::<Vec<_>>().join(","),
    })?;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                if record.len() != kind.header().len() {
                    errors.push(RowError {
                        line,
                        message: format!(
                            "{} fields, the header has {}",
                            record.len(),
                            kind.header().len()
                        ),
                    });
                    continue;
                }
                match parse(kind, &record) {
                    Ok(row) => records.push((line, row)),
                    Err(message) => errors.push(RowError { line, message }),
                }
            }
            // A record that is not CSV at all (bad UTF-8, broken quotes): report and go on.
            Err(err) => {
                let line = err.position().map(|p| p.line()).unwrap_or(0);
                if matches!(err.kind(), csv::ErrorKind::Io(_)) {
                    return Err(err.into());
                }
                errors.push(RowError { line, message: err.to_string() });
            }
        }
    }
    let rows = (records.len() + errors.len()) as u64;
    let tx = client.transaction().await?;
    let plan = resolve(&tx, records, &mut errors).await?;
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        tx.rollback().await?;
        return Err(ImportError::Rows(errors));
    }
    let written = write(&tx, plan).await?;
    tx.commit().await?;
    tracing::info!(kind = kind.name(), rows, written, "hub import committed");
    Ok(ImportSummary { kind, rows, written })
}

/// A parsed row.
#[derive(Debug)]
enum Row {
    Facility {
        id: String,
        name: String,
        time_zone: String,
    },
    Inmate(Box<InmateRow>),
    Remission {
        facility: String,
        registration: String,
        kind: String,
        granted_on: NaiveDate,
        months: i32,
        days: i32,
        decree: Option<String>,
    },
    FamilyLink {
        facility: String,
        registration: String,
        nik: String,
        full_name: String,
        birth_date: Option<NaiveDate>,
        sex: Option<String>,
        relation: String,
        verified: bool,
    },
    Booking {
        facility: String,
        code: String,
        registration: String,
        nik: String,
        visit_date: NaiveDate,
        session: String,
        group_size: i32,
        permit: Option<String>,
        source: String,
    },
}

#[derive(Debug)]
struct InmateRow {
    facility: String,
    registration: String,
    full_name: String,
    nik: Option<String>,
    birth_date: Option<NaiveDate>,
    sex: Option<String>,
    religion: String,
    status: String,
    block: Option<String>,
    crime_category: String,
    article: Option<String>,
    case_summary: Option<String>,
    detained_on: NaiveDate,
    verdict_on: Option<NaiveDate>,
    verdict_final_on: Option<NaiveDate>,
    sentence_kind: String,
    sentence: [i32; 3],
    fine_rupiah: i64,
    subsider: [i32; 2],
    fine_paid: bool,
}

/// Typed access to the cells of one record; problems collect into `errors`.
struct Cells<'a> {
    record: &'a csv::StringRecord,
    header: &'static [&'static str],
    errors: Vec<String>,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> &str {
        let index = self.header.iter().position(|c| *c == column).unwrap_or(usize::MAX);
        self.record.get(index).map(str::trim).unwrap_or("")
    }

    fn opt(&mut self, column: &str) -> Option<String> {
        let value = self.raw(column);
        (!value.is_empty()).then(|| value.to_string())
    }

    fn req(&mut self, column: &str) -> String {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            self.errors.push(format!("{column} is empty"));
        }
        value
    }

    fn one_of(&mut self, column: &str, allowed: &[&str], default: Option<&str>) -> String {
        let value = self.raw(column).to_string();
        match (value.is_empty(), default) {
            (true, Some(d)) => d.to_string(),
            _ if allowed.contains(&value.as_str()) => value,
            _ => {
                self.errors
                    .push(format!("{column} {value:?} is not one of {}", allowed.join(", ")));
                value
            }
        }
    }

    fn opt_one_of(&mut self, column: &str, allowed: &[&str]) -> Option<String> {
        let value = self.opt(column)?;
        if !allowed.contains(&value.as_str()) {
            self.errors.push(format!("{column} {value:?} is not one of {}", allowed.join(", ")));
        }
        Some(value)
    }

    fn opt_date(&mut self, column: &str) -> Option<NaiveDate> {
        let value = self.opt(column)?;
        match NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.errors.push(format!("{column} {value:?} is not a date (YYYY-MM-DD)"));
                None
            }
        }
    }

    fn date(&mut self, column: &str) -> NaiveDate {
        if self.raw(column).is_empty() {
            self.errors.push(format!("{column} is empty"));
        }
        self.opt_date(column).unwrap_or_default()
    }

    fn count(&mut self, column: &str) -> i64 {
        let value = self.raw(column).to_string();
        if value.is_empty() {
            return 0;
        }
        match value.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                self.errors.push(format!("{column} {value:?} is not a whole number >= 0"));
                0
            }
        }
    }

    fn small_count(&mut self, column: &str) -> i32 {
        let n = self.count(column);
        i32::try_from(n).unwrap_or_else(|_| {
            self.errors.push(format!("{column} {n} is too large"));
            0
        })
    }

    fn flag(&mut self, column: &str) -> bool {
        match self.raw(column).to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "tidak" => false,
            "1" | "true" | "ya" => true,
            other => {
                self.errors.push(format!("{column} {other:?} is not a boolean (1/0, ya/tidak)"));
                false
            }
        }
    }

    fn nik(&mut self, column: &str, required: bool) -> Option<String> {
        let value = self.opt(column);
        match &value {
            None if required => self.errors.push(format!("{column} is empty")),
            Some(v) if v.len() != 16 || !v.bytes().all(|b| b.is_ascii_digit()) => {
                self.errors.push(format!("{column} {v:?} is not a 16-digit NIK"))
            }
            _ => {}
        }
        value
    }
}

const SEXES: &[&str] = &["L", "P"];
const RELIGIONS: &[&str] =
    &["islam", "kristen", "katolik", "hindu", "buddha", "konghucu", "lainnya"];

fn parse(kind: ImportKind, record: &csv::StringRecord) -> Result<Row, String> {
    let mut c = Cells { record, header: kind.header(), errors: Vec::new() };
    let row = match kind {
        ImportKind::Facilities => Row::Facility {
            id: c.req("facility_id"),
            name: c.req("name"),
            time_zone: {
                let tz = c.req("time_zone");
                if !tz.is_empty() && !tz.contains('/') {
                    c.errors
                        .push(format!("time_zone {tz:?} is not an IANA name like Asia/Makassar"));
                }
                tz
            },
        },
        ImportKind::Inmates => {
            let verdict_on = c.opt_date("verdict_on");
            let detained_on = c.date("detained_on");
            let row = InmateRow {
                facility: c.req("facility_id"),
                registration: c.req("registration_number"),
                full_name: c.req("full_name"),
                nik: c.nik("nik", false),
                birth_date: c.opt_date("birth_date"),
                sex: c.opt_one_of("sex", SEXES),
                religion: c.one_of("religion", RELIGIONS, None),
                status: c.one_of("status", &["tahanan", "narapidana"], None),
                block: c.opt("block"),
                crime_category: c.opt("crime_category").unwrap_or_else(|| "general".into()),
                article: c.opt("article"),
                case_summary: c.opt("case_summary"),
                detained_on,
                verdict_on,
                verdict_final_on: c.opt_date("verdict_final_on"),
                sentence_kind: c.one_of("sentence_kind", &["term", "life", "death"], Some("term")),
                sentence: [
                    c.small_count("sentence_years"),
                    c.small_count("sentence_months"),
                    c.small_count("sentence_days"),
                ],
                fine_rupiah: c.count("fine_rupiah"),
                subsider: [c.small_count("subsider_months"), c.small_count("subsider_days")],
                fine_paid: c.flag("fine_paid"),
            };
            if let Some(verdict) = row.verdict_on.filter(|v| *v < row.detained_on) {
                c.errors.push(format!(
                    "verdict_on {verdict} is before detained_on {}",
                    row.detained_on
                ));
            }
            Row::Inmate(Box::new(row))
        }
        ImportKind::Remissions => Row::Remission {
            facility: c.req("facility_id"),
            registration: c.req("registration_number"),
            kind: c.one_of("kind", &["RU", "RK", "RT", "RD", "RS", "RKM"], None),
            granted_on: c.date("granted_on"),
            months: c.small_count("months"),
            days: c.small_count("days"),
            decree: c.opt("decree_number"),
        },
        ImportKind::FamilyLinks => Row::FamilyLink {
            facility: c.req("facility_id"),
            registration: c.req("registration_number"),
            nik: c.nik("visitor_nik", true).unwrap_or_default(),
            full_name: c.req("visitor_full_name"),
            birth_date: c.opt_date("visitor_birth_date"),
            sex: c.opt_one_of("visitor_sex", SEXES),
            relation: c.one_of(
                "relation",
                &["parent", "spouse", "child", "sibling", "lawyer", "consular", "other"],
                None,
            ),
            verified: c.flag("verified"),
        },
        ImportKind::Bookings => {
            let group_size = c.small_count("group_size");
            if !(1..=20).contains(&group_size) {
                c.errors.push(format!("group_size {group_size} is not between 1 and 20"));
            }
            Row::Booking {
                facility: c.req("facility_id"),
                code: c.req("code"),
                registration: c.req("registration_number"),
                nik: c.nik("visitor_nik", true).unwrap_or_default(),
                visit_date: c.date("visit_date"),
                session: c.req("session"),
                group_size,
                permit: c.opt("permit_reference"),
                source: c.one_of("source", &["online", "whatsapp", "walk_in"], Some("online")),
            }
        }
    };
    if c.errors.is_empty() { Ok(row) } else { Err(c.errors.join("; ")) }
}

/// One row ready to write: the hub ids it refers to are resolved.
struct Planned {
    line: u64,
    row: Row,
    person_id: String,
    inmate_id: String,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Checks references against the hub (inside the import's transaction) and earlier rows of the
/// file; resolves the ids to write. Bad rows go to `errors`.
async fn resolve(
    tx: &Transaction<'_>,
    records: Vec<(u64, Row)>,
    errors: &mut Vec<RowError>,
) -> Result<Vec<Planned>, tokio_postgres::Error> {
    let facilities: HashSet<String> = tx
        .query("SELECT id FROM facility", &[])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut inmates: HashMap<(String, String), String> = HashMap::new();
    for r in tx.query("SELECT facility_id, registration_number, person_id FROM inmate", &[]).await?
    {
        inmates.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
    }
    // (facility, NIK) -> (person id, kind, full name)
    let mut people: HashMap<(String, String), (String, String, String)> = HashMap::new();
    for r in tx
        .query(
            "SELECT facility_id, nik, id, kind, full_name FROM person WHERE nik IS NOT NULL",
            &[],
        )
        .await?
    {
        people
            .insert((r.try_get(0)?, r.try_get(1)?), (r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
    }
    let mut booking_codes: HashMap<String, String> = HashMap::new();
    for r in tx.query("SELECT code, facility_id FROM booking", &[]).await? {
        booking_codes.insert(r.try_get(0)?, r.try_get(1)?);
    }

    let mut seen: HashSet<String> = HashSet::new();
    let mut visitor_names: HashMap<(String, String), String> = HashMap::new();
    let mut plan = Vec::with_capacity(records.len());
    for (line, row) in records {
        let mut fail = |message: String| errors.push(RowError { line, message });
        let facility = match &row {
            Row::Facility { .. } => None,
            Row::Inmate(r) => Some(&r.facility),
            Row::Remission { facility, .. }
            | Row::FamilyLink { facility, .. }
            | Row::Booking { facility, .. } => Some(facility),
        };
        if let Some(f) = facility.filter(|f| !facilities.contains(*f)) {
            fail(format!("unknown facility {f:?}"));
            continue;
        }
        let inmate_of = |facility: &String, registration: &String| {
            inmates.get(&(facility.clone(), registration.clone())).cloned()
        };
        let (person_id, inmate_id) = match &row {
            Row::Facility { id, .. } => {
                if !seen.insert(format!("facility {id}")) {
                    fail(format!("facility {id:?} appears twice"));
                    continue;
                }
                (String::new(), String::new())
            }
            Row::Inmate(r) => {
                if !seen.insert(format!("inmate {} {}", r.facility, r.registration)) {
                    fail(format!("registration number {:?} appears twice", r.registration));
                    continue;
                }
                let id = inmate_of(&r.facility, &r.registration).unwrap_or_else(new_id);
                if let Some(nik) = &r.nik {
                    if !seen.insert(format!("nik {} {nik}", r.facility)) {
                        fail(format!("NIK {nik} appears twice"));
                        continue;
                    }
                    if let Some((other, _, name)) = people.get(&(r.facility.clone(), nik.clone()))
                        && *other != id
                    {
                        fail(format!("NIK {nik} already belongs to another person ({name})"));
                        continue;
                    }
                }
                inmates.insert((r.facility.clone(), r.registration.clone()), id.clone());
                (id.clone(), id)
            }
            Row::Remission { facility, registration, kind, granted_on, .. } => {
                let Some(inmate) = inmate_of(facility, registration) else {
                    fail(format!("unknown registration number {registration:?} in {facility}"));
                    continue;
                };
                if !seen.insert(format!("remission {inmate} {kind} {granted_on}")) {
                    fail(format!(
                        "remission {kind} of {granted_on} appears twice for {registration}"
                    ));
                    continue;
                }
                (String::new(), inmate)
            }
            Row::FamilyLink { facility, registration, nik, full_name, .. } => {
                let Some(inmate) = inmate_of(facility, registration) else {
                    fail(format!("unknown registration number {registration:?} in {facility}"));
                    continue;
                };
                let key = (facility.clone(), nik.clone());
                let visitor = match people.get(&key) {
                    Some((_, kind, _)) if kind != "visitor" => {
                        fail(format!("NIK {nik} belongs to a person of kind {kind}"));
                        continue;
                    }
                    Some((id, _, _)) => id.clone(),
                    None => {
                        let id = new_id();
                        people
                            .insert(key.clone(), (id.clone(), "visitor".into(), full_name.clone()));
                        id
                    }
                };
                if let Some(name) = visitor_names.get(&key).filter(|n| *n != full_name) {
                    fail(format!("NIK {nik} is named {full_name:?} here but {name:?} earlier"));
                    continue;
                }
                visitor_names.insert(key, full_name.clone());
                if !seen.insert(format!("link {visitor} {inmate}")) {
                    fail(format!("visitor {nik} is linked to {registration} twice"));
                    continue;
                }
                (visitor, inmate)
            }
            Row::Booking { facility, code, registration, nik, .. } => {
                let Some(inmate) = inmate_of(facility, registration) else {
                    fail(format!("unknown registration number {registration:?} in {facility}"));
                    continue;
                };
                let Some((visitor, _, _)) = people.get(&(facility.clone(), nik.clone())) else {
                    fail(format!("unknown visitor NIK {nik} in {facility}"));
                    continue;
                };
                if !seen.insert(format!("booking {code}")) {
                    fail(format!("booking code {code:?} appears twice"));
                    continue;
                }
                if let Some(other) = booking_codes.get(code).filter(|f| *f != facility) {
                    fail(format!("booking code {code:?} already belongs to facility {other}"));
                    continue;
                }
                (visitor.clone(), inmate)
            }
        };
        plan.push(Planned { line, row, person_id, inmate_id });
    }
    Ok(plan)
}

const UPSERT_FACILITY: &str = "INSERT INTO facility (id, name, time_zone) VALUES ($1, $2, $3)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone
    WHERE (facility.name, facility.time_zone) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.time_zone)";

const UPSERT_PERSON: &str =
    "INSERT INTO person (id, facility_id, kind, full_name, nik, birth_date, sex)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name, nik = EXCLUDED.nik,
        birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex, updated_at = now()
    WHERE (person.full_name, person.nik, person.birth_date, person.sex)
        IS DISTINCT FROM (EXCLUDED.full_name, EXCLUDED.nik, EXCLUDED.birth_date, EXCLUDED.sex)";

const UPSERT_INMATE: &str = "INSERT INTO inmate (person_id, facility_id, registration_number,
        religion, status, block, crime_category, article, case_summary, detained_on, verdict_on,
        verdict_final, verdict_final_on, sentence_kind, sentence_years, sentence_months,
        sentence_days, fine_rupiah, subsider_months, subsider_days, fine_paid)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21)
    ON CONFLICT (person_id) DO UPDATE SET (religion, status, block, crime_category, article,
        case_summary, detained_on, verdict_on, verdict_final, verdict_final_on, sentence_kind,
        sentence_years, sentence_months, sentence_days, fine_rupiah, subsider_months,
        subsider_days, fine_paid) = (EXCLUDED.religion, EXCLUDED.status, EXCLUDED.block,
        EXCLUDED.crime_category, EXCLUDED.article, EXCLUDED.case_summary, EXCLUDED.detained_on,
        EXCLUDED.verdict_on, EXCLUDED.verdict_final, EXCLUDED.verdict_final_on,
        EXCLUDED.sentence_kind, EXCLUDED.sentence_years, EXCLUDED.sentence_months,
        EXCLUDED.sentence_days, EXCLUDED.fine_rupiah, EXCLUDED.subsider_months,
        EXCLUDED.subsider_days, EXCLUDED.fine_paid)
    WHERE (inmate.religion, inmate.status, inmate.block, inmate.crime_category, inmate.article,
        inmate.case_summary, inmate.detained_on, inmate.verdict_on, inmate.verdict_final,
        inmate.verdict_final_on, inmate.sentence_kind, inmate.sentence_years,
        inmate.sentence_months, inmate.sentence_days, inmate.fine_rupiah, inmate.subsider_months,
        inmate.subsider_days, inmate.fine_paid) IS DISTINCT FROM (EXCLUDED.religion,
        EXCLUDED.status, EXCLUDED.block, EXCLUDED.crime_category, EXCLUDED.article,
        EXCLUDED.case_summary, EXCLUDED.detained_on, EXCLUDED.verdict_on, EXCLUDED.verdict_final,
        EXCLUDED.verdict_final_on, EXCLUDED.sentence_kind, EXCLUDED.sentence_years,
        EXCLUDED.sentence_months, EXCLUDED.sentence_days, EXCLUDED.fine_rupiah,
        EXCLUDED.subsider_months, EXCLUDED.subsider_days, EXCLUDED.fine_paid)";

const UPSERT_REMISSION: &str =
    "INSERT INTO remission (id, facility_id, inmate_id, kind, granted_on,
        months, days, decree_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (inmate_id, kind, granted_on) DO UPDATE SET months = EXCLUDED.months,
        days = EXCLUDED.days, decree_number = EXCLUDED.decree_number
    WHERE (remission.months, remission.days, remission.decree_number)
        IS DISTINCT FROM (EXCLUDED.months, EXCLUDED.days, EXCLUDED.decree_number)";

const UPSERT_LINK: &str =
    "INSERT INTO family_link (id, facility_id, visitor_id, inmate_id, relation,
        verified) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (visitor_id, inmate_id) DO UPDATE SET relation = EXCLUDED.relation,
        verified = EXCLUDED.verified
    WHERE (family_link.relation, family_link.verified)
        IS DISTINCT FROM (EXCLUDED.relation, EXCLUDED.verified)";

const UPSERT_BOOKING: &str = "INSERT INTO booking (id, facility_id, code, visitor_id, inmate_id,
        visit_date, session, group_size, permit_reference, source)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (code) DO UPDATE SET visitor_id = EXCLUDED.visitor_id,
        inmate_id = EXCLUDED.inmate_id, visit_date = EXCLUDED.visit_date,
        session = EXCLUDED.session, group_size = EXCLUDED.group_size,
        permit_reference = EXCLUDED.permit_reference, source = EXCLUDED.source
    WHERE booking.facility_id = EXCLUDED.facility_id
      AND (booking.visitor_id, booking.inmate_id, booking.visit_date, booking.session,
           booking.group_size, booking.permit_reference, booking.source)
        IS DISTINCT FROM (EXCLUDED.visitor_id, EXCLUDED.inmate_id, EXCLUDED.visit_date,
           EXCLUDED.session, EXCLUDED.group_size, EXCLUDED.permit_reference, EXCLUDED.source)";

/// Rows in flight at once on the connection (pipelined statements).
const PIPELINE: usize = 256;

/// Writes the planned rows; on a refusal by the hub, names the row(s) and loads nothing.
async fn write(tx: &Transaction<'_>, plan: Vec<Planned>) -> Result<u64, ImportError> {
    let statements = [
        UPSERT_FACILITY,
        UPSERT_PERSON,
        UPSERT_INMATE,
        UPSERT_REMISSION,
        UPSERT_LINK,
        UPSERT_BOOKING,
    ];
    let mut prepared = Vec::with_capacity(statements.len());
    for sql in statements {
        prepared.push(tx.prepare(sql).await?);
    }
    let [facility_s, person_s, inmate_s, remission_s, link_s, booking_s] = &prepared[..] else {
        unreachable!("six statements prepared")
    };
    let mut written = 0u64;
    for chunk in plan.chunks(PIPELINE) {
        let results = join_all(chunk.iter().map(|p| async move {
            let mut n = 0u64;
            match &p.row {
                Row::Facility { id, name, time_zone } => {
                    n += tx.execute(facility_s, &[id, name, time_zone]).await?;
                }
                Row::Inmate(r) => {
                    let person: [&(dyn ToSql + Sync); 7] = [
                        &p.person_id,
                        &r.facility,
                        &"inmate",
                        &r.full_name,
                        &r.nik,
                        &r.birth_date,
                        &r.sex,
                    ];
                    n += tx.execute(person_s, &person).await?;
                    let verdict_final = r.verdict_final_on.is_some();
                    n += tx
                        .execute(
                            inmate_s,
                            &[
                                &p.inmate_id,
                                &r.facility,
                                &r.registration,
                                &r.religion,
                                &r.status,
                                &r.block,
                                &r.crime_category,
                                &r.article,
                                &r.case_summary,
                                &r.detained_on,
                                &r.verdict_on,
                                &verdict_final,
                                &r.verdict_final_on,
                                &r.sentence_kind,
                                &r.sentence[0],
                                &r.sentence[1],
                                &r.sentence[2],
                                &r.fine_rupiah,
                                &r.subsider[0],
                                &r.subsider[1],
                                &r.fine_paid,
                            ],
                        )
                        .await?;
                }
                Row::Remission { facility, kind, granted_on, months, days, decree, .. } => {
                    n += tx
                        .execute(
                            remission_s,
                            &[
                                &new_id(),
                                facility,
                                &p.inmate_id,
                                kind,
                                granted_on,
                                months,
                                days,
                                decree,
                            ],
                        )
                        .await?;
                }
                Row::FamilyLink {
                    facility,
                    nik,
                    full_name,
                    birth_date,
                    sex,
                    relation,
                    verified,
                    ..
                } => {
                    let person: [&(dyn ToSql + Sync); 7] =
                        [&p.person_id, facility, &"visitor", full_name, nik, birth_date, sex];
                    n += tx.execute(person_s, &person).await?;
                    n += tx
                        .execute(
                            link_s,
                            &[&new_id(), facility, &p.person_id, &p.inmate_id, relation, verified],
                        )
                        .await?;
                }
                Row::Booking {
                    facility,
                    code,
                    visit_date,
                    session,
                    group_size,
                    permit,
                    source,
                    ..
                } => {
                    n += tx
                        .execute(
                            booking_s,
                            &[
                                &new_id(),
                                facility,
                                code,
                                &p.person_id,
                                &p.inmate_id,
                                visit_date,
                                session,
                                group_size,
                                permit,
                                source,
                            ],
                        )
                        .await?;
                }
            }
            Ok::<u64, tokio_postgres::Error>(n)
        }))
        .await;
        let mut refused = Vec::new();
        for (p, result) in chunk.iter().zip(results) {
            match result {
                Ok(n) => written += n,
                // Rows after the first refusal fail only because the transaction is aborted.
                Err(e) if e.code() == Some(&SqlState::IN_FAILED_SQL_TRANSACTION) => {}
                Err(e) if e.as_db_error().is_some() => refused.push(RowError {
                    line: p.line,
                    message: e.as_db_error().map(|d| d.message().to_string()).unwrap_or_default(),
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if !refused.is_empty() {
            return Err(ImportError::Rows(refused));
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(fields.to_vec())
    }

    #[test]
    fn headers_name_the_kind() {
        for kind in ImportKind::ALL {
            assert_eq!(ImportKind::from_header(&record(kind.header())), Some(kind));
        }
        assert_eq!(ImportKind::from_header(&record(&["facility_id", "name"])), None);
    }

    #[test]
    fn row_errors_name_every_bad_cell() {
        let row = record(&["RUTAN-A", "B.I-1/2024", "30", "2024-02-30", "x", "", ""]);
        let err = parse(ImportKind::Remissions, &row).expect_err("bad row");
        assert!(err.contains("kind \"30\""), "{err}");
        assert!(err.contains("granted_on"), "{err}");
        assert!(err.contains("months \"x\""), "{err}");
        let ok = record(&["RUTAN-A", "B.I-1/2024", "RU", "2024-08-17", "3", "", "SK-1"]);
        assert!(parse(ImportKind::Remissions, &ok).is_ok());
    }

    #[test]
    fn nik_and_group_size_are_checked() {
        let row = record(&["RUTAN-A", "K1", "B.I-1", "12345", "2026-01-05", "pagi", "25", "", ""]);
        let err = parse(ImportKind::Bookings, &row).expect_err("bad row");
        assert!(err.contains("16-digit"), "{err}");
        assert!(err.contains("group_size"), "{err}");
    }
}
