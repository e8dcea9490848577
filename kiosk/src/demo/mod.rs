//! The demo store: a Rutan in Makassar with a few hundred inmates, their cases, sentences and
//! remission histories, programme decisions, family visitors and today's visit bookings.
//!
//! Generation is deterministic: the same seed and the same `today` give the same store, row for
//! row. `today` matters because the population is "currently detained" relative to it and the
//! bookings are for that day. Fingerprints are added by the synthetic-print generator; persons
//! without templates are valid.

pub mod cases;
pub mod names;
pub mod remissions;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::store::persons::{
    Booking, BookingSource, BookingStatus, CrimeCategory, DecreeStatus, DetentionKind,
    DetentionPeriod, Facility, FamilyLink, InmateRecord, InmateStatus, Person, PersonKind,
    Programme, ProgrammeDecision, Relation, Religion, Remission, SentenceKind, Sex, Term,
};
use crate::store::{Store, StoreError};
use cases::{CASES, CaseKind, LIFE_CASE};
use names::{BALINESE_FEMALE, BALINESE_MALE, LAWYERS, NameStyle, REGIONS, Region};

/// The demo facility's code.
pub const FACILITY_ID: &str = "RUTAN-MKS";
/// The demo facility's name.
pub const FACILITY_NAME: &str = "Rutan Kelas I Makassar";
/// The seed `kiosk demo` uses.
pub const DEFAULT_SEED: u64 = 0x004b_494f_534b;
/// Visit session codes the demo books (morning and afternoon).
pub const SESSIONS: &[&str] = &["S1", "S2"];

/// What can go wrong preparing the demo store.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// No home / data directory could be determined.
    #[error("cannot find the user's data directory (is HOME set?)")]
    NoDataDir,
    /// A file operation failed.
    #[error("{action} {path}: {reason}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The reason.
        reason: std::io::Error,
    },
    /// The store refused a row or could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A generation step could not complete (date out of range, empty list): a bug in the
    /// generator's data, reported rather than panicking.
    #[error("demo generation failed at {0}")]
    Generation(&'static str),
}

/// How big a demo to make, and for which day.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Random seed.
    pub seed: u64,
    /// The day the demo is "now" (facility-local).
    pub today: NaiveDate,
    /// Number of inmates (at least 10).
    pub inmates: usize,
    /// Number of family visitors (lawyers come on top).
    pub visitors: usize,
    /// Bookings for `today`.
    pub bookings: usize,
}

impl DemoOptions {
    /// The standard demo for `today`: 240 inmates, 300 family visitors, 40 bookings.
    pub fn standard(today: NaiveDate) -> DemoOptions {
        DemoOptions { seed: DEFAULT_SEED, today, inmates: 240, visitors: 300, bookings: 40 }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// The store file.
    pub path: PathBuf,
    /// Inmates (tahanan and narapidana).
    pub inmates: usize,
    /// Of which tahanan.
    pub tahanan: usize,
    /// Family visitors plus lawyers.
    pub visitors: usize,
    /// Family links.
    pub family_links: usize,
    /// Remissions granted.
    pub remissions: usize,
    /// Programme decisions.
    pub programme_decisions: usize,
    /// Bookings for `today`.
    pub bookings: usize,
    /// The day of the bookings.
    pub today: NaiveDate,
}

/// `<data dir>/demo.sqlite`, e.g. `~/.local/share/kiosk/demo.sqlite` (honours `XDG_DATA_HOME`).
pub fn default_store_path() -> Result<PathBuf, DemoError> {
    let dirs =
        directories::ProjectDirs::from("id", "kiosk", "kiosk").ok_or(DemoError::NoDataDir)?;
    Ok(dirs.data_dir().join("demo.sqlite"))
}

/// Creates or replaces the demo store at `path`. The store is built beside it and moved into
/// place when complete, so a reader never sees half a demo.
pub fn prepare(path: &Path, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    let io = |action, path: &Path| {
        let path = path.to_path_buf();
        move |reason| DemoError::Io { action, path, reason }
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io("cannot create folder", dir))?;
    }
    let building = sibling(path, ".building");
    remove_store_files(&building)?;
    let mut summary = {
        let mut store = Store::open(&building)?;
        let summary = generate(&mut store, options)?;
        // Fold the WAL into the main file so the rename moves the whole store.
        store.checkpoint()?;
        summary
    };
    // Stale -wal/-shm files of a previous demo must never be replayed onto the new file.
    remove_store_files(path)?;
    std::fs::rename(&building, path).map_err(io("cannot move the demo store to", path))?;
    remove_store_files(&building)?;
    summary.path = path.to_path_buf();
    Ok(summary)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_store_files(path: &Path) -> Result<(), DemoError> {
    for file in [path.to_path_buf(), sibling(path, "-wal"), sibling(path, "-shm")] {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(reason) => {
                return Err(DemoError::Io { action: "cannot remove", path: file, reason });
            }
        }
    }
    Ok(())
}

/// Writes the demo population into an empty store, in one transaction.
pub fn generate(store: &mut Store, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    store.in_transaction(|store| {
        Generator { rng: &mut rng, options, niks: BTreeSet::new() }.run(store)
    })
}

/// A demo inmate with what the visitor generator needs to know about them.
struct Generated {
    record: InmateRecord,
    region: &'static Region,
    family_name: Option<&'static str>,
}

struct Generator<'a> {
    rng: &'a mut ChaCha8Rng,
    options: &'a DemoOptions,
    niks: BTreeSet<String>,
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, DemoError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DemoError::Generation("a date"))
}

impl Generator<'_> {
    fn run(&mut self, store: &mut Store) -> Result<DemoSummary, DemoError> {
        let today = self.options.today;
        store.upsert_facility(&Facility {
            id: FACILITY_ID.into(),
            name: FACILITY_NAME.into(),
            time_zone: "Asia/Makassar".into(),
        })?;
        let mut summary = DemoSummary {
            path: PathBuf::new(),
            inmates: 0,
            tahanan: 0,
            visitors: 0,
            family_links: 0,
            remissions: 0,
            programme_decisions: 0,
            bookings: 0,
            today,
        };
        let mut inmates = Vec::with_capacity(self.options.inmates);
        for index in 0..self.options.inmates.max(10) {
            let generated = self.inmate(index)?;
            store.insert_inmate(&generated.record)?;
            summary.inmates += 1;
            if generated.record.status == InmateStatus::Tahanan {
                summary.tahanan += 1;
            }
            for period in self.detention_periods(&generated.record)? {
                store.insert_detention_period(&period)?;
            }
            for remission in self.remissions(&generated.record)? {
                store.insert_remission(&remission)?;
                summary.remissions += 1;
            }
            for decision in self.programme_decisions(&generated.record, store)? {
                store.insert_programme_decision(&decision)?;
                summary.programme_decisions += 1;
            }
            inmates.push(generated);
        }

        // Family visitors: most inmates get one to three; some get none (nobody visits them).
        let mut links: Vec<(String, String)> = Vec::new();
        for index in 0..self.options.visitors {
            let inmate = &inmates[self.rng.gen_range(0..inmates.len())];
            let relation = *[
                Relation::Spouse,
                Relation::Spouse,
                Relation::Parent,
                Relation::Parent,
                Relation::Child,
                Relation::Sibling,
                Relation::Sibling,
            ]
            .choose(self.rng)
            .unwrap_or(&Relation::Sibling);
            let visitor = self.visitor(index, inmate, relation)?;
            store.insert_person(&visitor)?;
            let link = FamilyLink {
                id: format!("LNK-{:04}", index + 1),
                visitor_id: visitor.id.clone(),
                inmate_id: inmate.record.person.id.clone(),
                relation,
                verified: self.rng.gen_bool(0.9),
            };
            store.insert_family_link(&link)?;
            links.push((link.visitor_id, link.inmate_id));
            summary.visitors += 1;
            summary.family_links += 1;
        }
        // Lawyers, each with two to five clients.
        for (index, name) in LAWYERS.iter().enumerate() {
            let sex = if name.starts_with("Hj.") || name.starts_with("Dewi") {
                Sex::Female
            } else {
                Sex::Male
            };
            let birth = self.birth_date(30, 60)?;
            let lawyer = Person {
                id: format!("ADV-{:02}", index + 1),
                facility_id: FACILITY_ID.into(),
                kind: PersonKind::Visitor,
                full_name: (*name).into(),
                nik: Some(self.nik("7371", birth, sex)),
                birth_date: Some(birth),
                sex: Some(sex),
            };
            store.insert_person(&lawyer)?;
            summary.visitors += 1;
            let clients = self.rng.gen_range(2..=5);
            let mut chosen = BTreeSet::new();
            while chosen.len() < clients {
                chosen.insert(self.rng.gen_range(0..inmates.len()));
            }
            for (n, client) in chosen.into_iter().enumerate() {
                store.insert_family_link(&FamilyLink {
                    id: format!("LNK-{}-{}", lawyer.id, n + 1),
                    visitor_id: lawyer.id.clone(),
                    inmate_id: inmates[client].record.person.id.clone(),
                    relation: Relation::Lawyer,
                    verified: true,
                })?;
                summary.family_links += 1;
            }
        }

        // Today's bookings: distinct visitors, each for an inmate they are linked to.
        links.shuffle(self.rng);
        let mut codes = BTreeSet::new();
        let mut seen_visitors = BTreeSet::new();
        for (visitor_id, inmate_id) in links {
            if summary.bookings >= self.options.bookings {
                break;
            }
            if !seen_visitors.insert(visitor_id.clone()) {
                continue;
            }
            let inmate = inmates
                .iter()
                .find(|g| g.record.person.id == inmate_id)
                .ok_or(DemoError::Generation("a booking"))?;
            let code = loop {
                let code = self.booking_code();
                if codes.insert(code.clone()) {
                    break code;
                }
            };
            let permit_reference = (inmate.record.status == InmateStatus::Tahanan).then(|| {
                format!(
                    "B-{}/P.4.10/Eku.2/{:02}/{}",
                    self.rng.gen_range(100..2000),
                    today.month(),
                    today.year()
                )
            });
            store.insert_booking(&Booking {
                id: format!("BKG-{}-{:03}", today.format("%Y%m%d"), summary.bookings + 1),
                facility_id: FACILITY_ID.into(),
                code,
                visitor_id,
                inmate_id,
                visit_date: today,
                session: SESSIONS[self.rng.gen_range(0..SESSIONS.len())].into(),
                group_size: *[1, 1, 2, 2, 2, 3, 4].choose(self.rng).unwrap_or(&1),
                permit_reference,
                source: if self.rng.gen_bool(0.6) {
                    BookingSource::Whatsapp
                } else {
                    BookingSource::Online
                },
                status: BookingStatus::Booked,
            })?;
            summary.bookings += 1;
        }
        Ok(summary)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Result<T, DemoError> {
        items.choose(self.rng).copied().ok_or(DemoError::Generation("an empty list"))
    }

    fn weighted<'t, T>(&mut self, items: &'t [T], weight: impl Fn(&T) -> u32) -> &'t T {
        let total: u32 = items.iter().map(&weight).sum();
        let mut roll = self.rng.gen_range(0..total.max(1));
        for item in items {
            let w = weight(item);
            if roll < w {
                return item;
            }
            roll -= w;
        }
        &items[0]
    }

    fn birth_date(&mut self, min_age: i32, max_age: i32) -> Result<NaiveDate, DemoError> {
        let year = self.options.today.year() - self.rng.gen_range(min_age..=max_age);
        date(year, self.rng.gen_range(1..=12), self.rng.gen_range(1..=28))
    }

    /// A unique 16-digit NIK: region code (4), district (2), birth date DDMMYY with 40 added to
    /// the day for women, serial (4).
    fn nik(&mut self, prefix: &str, birth: NaiveDate, sex: Sex) -> String {
        let day = birth.day() + if sex == Sex::Female { 40 } else { 0 };
        loop {
            let nik = format!(
                "{prefix}{:02}{day:02}{:02}{:02}{:04}",
                self.rng.gen_range(1..=15),
                birth.month(),
                birth.year() % 100,
                self.rng.gen_range(1..=2999)
            );
            if self.niks.insert(nik.clone()) {
                return nik;
            }
        }
    }

    fn given(&mut self, region: &Region, sex: Sex) -> Result<String, DemoError> {
        let given = self.pick(if sex == Sex::Male { region.male } else { region.female })?;
        Ok(match region.style {
            NameStyle::Balinese => {
                let prefix =
                    self.pick(if sex == Sex::Male { BALINESE_MALE } else { BALINESE_FEMALE })?;
                format!("{prefix} {given}")
            }
            // In Sulawesi a father's name often follows the given name ("Rahmat Syamsuddin").
            NameStyle::Given if !given.contains("Dg.") && self.rng.gen_bool(0.6) => {
                let fathers: Vec<&str> = region
                    .male
                    .iter()
                    .filter(|name| !name.contains("Dg.") && !name.contains(' '))
                    .copied()
                    .collect();
                match fathers.choose(self.rng) {
                    Some(father) if !given.ends_with(father) => format!("{given} {father}"),
                    _ => given.to_string(),
                }
            }
            _ => given.to_string(),
        })
    }

    fn inmate(&mut self, index: usize) -> Result<Generated, DemoError> {
        let today = self.options.today;
        let region = self.weighted(REGIONS, |r| r.weight);
        let religion = self.weighted(region.religions, |r| r.1).0;
        let sex = if self.rng.gen_bool(0.92) { Sex::Male } else { Sex::Female };
        let family_name =
            if region.style == NameStyle::Family { Some(self.pick(region.family)?) } else { None };
        let given = self.given(region, sex)?;
        let full_name = match family_name {
            Some(family) => format!("{given} {family}"),
            None => given,
        };
        let birth = self.birth_date(19, 62)?;
        let prefix = self.pick(region.nik_prefixes)?;
        let nik = self.nik(prefix, birth, sex);

        // The last few are life sentences; about 15% are tahanan awaiting a final verdict.
        let life = index % 120 == 119;
        let tahanan = !life && self.rng.gen_bool(0.15);
        let case: &CaseKind = if life { &LIFE_CASE } else { self.weighted(CASES, |c| c.weight) };
        let months_total = if life { 0 } else { self.rng.gen_range(case.months.0..=case.months.1) };
        let sentence = if life {
            Term::default()
        } else {
            // Courts state most sentences in whole months; a few carry days.
            let days = if self.rng.gen_bool(0.1) { self.rng.gen_range(1..=20) } else { 0 };
            Term { years: months_total / 12, months: months_total % 12, days }
        };
        let fine_rupiah = if case.fine_millions.1 == 0 {
            0
        } else {
            self.rng.gen_range(case.fine_millions.0..=case.fine_millions.1) / 10 * 10 * 1_000_000
        };
        let subsider = if fine_rupiah > 0 {
            Term { years: 0, months: self.rng.gen_range(1..=6), days: 0 }
        } else {
            Term::default()
        };
        let discipline_until = if !tahanan && self.rng.gen_bool(0.05) {
            Some(today - Days::new(self.rng.gen_range(0..150)) + Days::new(30))
        } else {
            None
        };

        let (detained_on, verdict_on, verdict_final_on) = if tahanan {
            // Awaiting trial or appeal: detained 10 days to 8 months ago.
            let detained = today - Days::new(self.rng.gen_range(10..240));
            let verdict = (self.rng.gen_bool(0.3)).then(|| {
                detained + Days::new(self.rng.gen_range(0..=(today - detained).num_days() as u64))
            });
            (detained, verdict, None)
        } else {
            self.narapidana_dates(sentence, religion, discipline_until, life)?
        };

        let number = index + 1;
        let registration_number = if tahanan {
            format!("A.III-{number:03}/{}", detained_on.year())
        } else if life {
            format!("B.Is-{number:03}/{}", detained_on.year())
        } else {
            let class = match months_total {
                0..3 => "B.IIb",
                3..12 => "B.IIa",
                _ => "B.I",
            };
            format!("{class}-{number:03}/{}", detained_on.year())
        };
        let block = if tahanan {
            format!("A-{:02}", self.rng.gen_range(1..=12))
        } else if sex == Sex::Female {
            format!("W-{:02}", self.rng.gen_range(1..=4))
        } else {
            format!("{}-{:02}", self.pick(&["B", "C", "D", "E"])?, self.rng.gen_range(1..=16))
        };
        let record = InmateRecord {
            person: Person {
                id: format!("INM-{number:04}"),
                facility_id: FACILITY_ID.into(),
                kind: PersonKind::Inmate,
                full_name,
                nik: Some(nik),
                birth_date: Some(birth),
                sex: Some(sex),
            },
            registration_number,
            alias: None,
            religion,
            case_summary: Some(case.summary.into()),
            article: Some(case.article.into()),
            crime_category: case.category,
            status: if tahanan { InmateStatus::Tahanan } else { InmateStatus::Narapidana },
            block: Some(block),
            detained_on,
            verdict_on,
            verdict_final_on,
            sentence_kind: if life { SentenceKind::Life } else { SentenceKind::Term },
            sentence: if tahanan { Term::default() } else { sentence },
            fine_rupiah: if tahanan { 0 } else { fine_rupiah },
            subsider: if tahanan { Term::default() } else { subsider },
            fine_paid: fine_rupiah > 0 && self.rng.gen_bool(0.3),
            discipline_until,
        };
        Ok(Generated { record, region, family_name })
    }

    /// Detention, verdict and final-verdict dates of a convict still inside on `today`, after
    /// the remissions granted so far.
    fn narapidana_dates(
        &mut self,
        sentence: Term,
        religion: Religion,
        discipline_until: Option<NaiveDate>,
        life: bool,
    ) -> Result<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>), DemoError> {
        let today = self.options.today;
        let earliest = date(remissions::FIRST_YEAR, 1, 1)?;
        let expiry_span = remissions::add_term(today, sentence)
            .ok_or(DemoError::Generation("an expiry"))?
            .signed_duration_since(today)
            .num_days()
            .max(60);
        for attempt in 0..20 {
            // Somewhere between 2 months and (nearly) the whole sentence ago; later tries lean recent.
            let max_back = if life { 3000 } else { (expiry_span * 9 / 10).max(61) };
            let max_back = (max_back >> (attempt / 5)).max(61) as u64;
            let detained = (today - Days::new(self.rng.gen_range(60..=max_back))).max(earliest);
            let verdict = detained + Days::new(self.rng.gen_range(40..=120));
            let verdict = verdict.min(today - Days::new(7));
            let final_on = verdict + Days::new(self.rng.gen_range(7..=60));
            let final_on = final_on.min(today - Days::new(1));
            if life {
                return Ok((detained, Some(verdict), Some(final_on)));
            }
            let subject = remissions::Subject {
                detained_on: detained,
                sentence,
                verdict_final_on: final_on,
                religion,
                discipline_until,
            };
            let (_, release) = remissions::history(&subject, today)
                .ok_or(DemoError::Generation("a remission history"))?;
            if release > today + Days::new(14) {
                return Ok((detained, Some(verdict), Some(final_on)));
            }
        }
        // Fallback: detained recently enough that no remission applies yet.
        let detained = today - Days::new(60);
        Ok((detained, Some(today - Days::new(20)), Some(today - Days::new(10))))
    }

    fn detention_periods(
        &mut self,
        record: &InmateRecord,
    ) -> Result<Vec<DetentionPeriod>, DemoError> {
        let id = &record.person.id;
        let mut periods = Vec::new();
        // Some spent time in house or city arrest before custody (credited 1/3 or 1/5).
        if self.rng.gen_bool(0.08) {
            let days = self.rng.gen_range(10..=60);
            let end = record.detained_on - Days::new(1);
            periods.push(DetentionPeriod {
                id: format!("DET-{id}-0"),
                inmate_id: id.clone(),
                kind: if self.rng.gen_bool(0.7) {
                    DetentionKind::HouseArrest
                } else {
                    DetentionKind::CityArrest
                },
                start_on: end - Days::new(days),
                end_on: end,
            });
        }
        let custody_end = record.verdict_final_on.unwrap_or(self.options.today);
        periods.push(DetentionPeriod {
            id: format!("DET-{id}-1"),
            inmate_id: id.clone(),
            kind: DetentionKind::Custody,
            start_on: record.detained_on,
            end_on: custody_end.max(record.detained_on),
        });
        Ok(periods)
    }

    fn remissions(&mut self, record: &InmateRecord) -> Result<Vec<Remission>, DemoError> {
        let (Some(final_on), SentenceKind::Term) = (record.verdict_final_on, record.sentence_kind)
        else {
            return Ok(Vec::new());
        };
        let subject = remissions::Subject {
            detained_on: record.detained_on,
            sentence: record.sentence,
            verdict_final_on: final_on,
            religion: record.religion,
            discipline_until: record.discipline_until,
        };
        let (grants, _) = remissions::history(&subject, self.options.today)
            .ok_or(DemoError::Generation("a remission history"))?;
        Ok(grants
            .into_iter()
            .enumerate()
            .map(|(n, grant)| Remission {
                id: format!("REM-{}-{:02}", record.person.id, n + 1),
                inmate_id: record.person.id.clone(),
                kind: grant.kind,
                granted_on: grant.date,
                months: grant.amount.months,
                days: grant.amount.days,
                decree_number: Some(grant.decree),
            })
            .collect())
    }

    /// Asimilasi / PB / CB decisions for convicts who have passed (or nearly passed) 1/2 or 2/3.
    /// Fractions here are a rough estimate for choosing who gets a decision; the sentence module
    /// computes the real dates.
    fn programme_decisions(
        &mut self,
        record: &InmateRecord,
        store: &Store,
    ) -> Result<Vec<ProgrammeDecision>, DemoError> {
        if record.status != InmateStatus::Narapidana || record.sentence_kind != SentenceKind::Term {
            return Ok(Vec::new());
        }
        let today = self.options.today;
        let expiry = remissions::add_term(record.detained_on, record.sentence)
            .ok_or(DemoError::Generation("an expiry"))?;
        let granted_days: i64 = store
            .remissions(&record.person.id)?
            .iter()
            .map(|r| i64::from(r.months) * 30 + i64::from(r.days))
            .sum();
        let span = (expiry - record.detained_on).num_days();
        let at = |num: i64, den: i64| {
            record.detained_on + chrono::Duration::days(span * num / den - granted_days)
        };
        let special = record.crime_category != CrimeCategory::General;
        let short = record.sentence.years * 12 + record.sentence.months < 18;
        let mut decisions = Vec::new();
        let mut push = |rng: &mut ChaCha8Rng, programme: Programme, proposed: NaiveDate| {
            let decree_status = *[
                DecreeStatus::Proposed,
                DecreeStatus::Approved,
                DecreeStatus::Issued,
                DecreeStatus::Issued,
            ]
            .choose(rng)
            .unwrap_or(&DecreeStatus::Proposed);
            let decided = (decree_status != DecreeStatus::Proposed)
                .then(|| (proposed + Days::new(rng.gen_range(5..40))).min(today));
            let decree_number = (decree_status == DecreeStatus::Issued).then(|| {
                format!("PAS-{}.PK.05.09 TAHUN {}", rng.gen_range(100..9999), proposed.year())
            });
            decisions.push(ProgrammeDecision {
                id: format!("PRG-{}-{}", record.person.id, programme.code()),
                inmate_id: record.person.id.clone(),
                programme,
                proposed_on: Some(proposed),
                decree_status,
                decree_number,
                decided_on: decided,
            });
        };
        let half = if special { at(2, 3) } else { at(1, 2) };
        let two_thirds = at(2, 3);
        let soon = today + Days::new(45);
        if !special && half <= soon && self.rng.gen_bool(0.6) {
            push(self.rng, Programme::Asimilasi, half.min(today));
        }
        if two_thirds <= soon && self.rng.gen_bool(0.7) {
            let programme =
                if short { Programme::CutiBersyarat } else { Programme::PembebasanBersyarat };
            push(self.rng, programme, (two_thirds - Months::new(1)).min(today));
        }
        Ok(decisions)
    }

    fn visitor(
        &mut self,
        index: usize,
        inmate: &Generated,
        relation: Relation,
    ) -> Result<Person, DemoError> {
        let inmate_sex = inmate.record.person.sex.unwrap_or(Sex::Male);
        let sex = match relation {
            Relation::Spouse if inmate_sex == Sex::Male => Sex::Female,
            Relation::Spouse => Sex::Male,
            _ if self.rng.gen_bool(0.6) => Sex::Female,
            _ => Sex::Male,
        };
        let inmate_birth_year = inmate.record.person.birth_date.map_or(1985, |b| b.year());
        let age_now = self.options.today.year() - inmate_birth_year;
        let (min_age, max_age) = match relation {
            Relation::Parent => (age_now + 18, age_now + 35),
            Relation::Child => (17, (age_now - 18).max(17)),
            Relation::Spouse => ((age_now - 8).max(18), age_now + 5),
            _ => ((age_now - 10).max(17), age_now + 10),
        };
        let birth = self.birth_date(min_age.min(95), max_age.clamp(min_age.min(95), 95))?;
        let given = self.given(inmate.region, sex)?;
        // Parents, children and siblings share a family name where the region has them; a spouse
        // keeps their own (a Batak wife keeps her marga).
        let family = match (inmate.family_name, relation) {
            (Some(family), Relation::Parent | Relation::Child | Relation::Sibling) => Some(family),
            (Some(_), _) => Some(self.pick(inmate.region.family)?),
            (None, _) => None,
        };
        let full_name = match family {
            Some(family) => format!("{given} {family}"),
            None => given,
        };
        let prefix = self.pick(&["7371", "7371", "7306", "7309"])?;
        let nik = self.nik(prefix, birth, sex);
        Ok(Person {
            id: format!("VIS-{:04}", index + 1),
            facility_id: FACILITY_ID.into(),
            kind: PersonKind::Visitor,
            full_name,
            nik: Some(nik),
            birth_date: Some(birth),
            sex: Some(sex),
        })
    }

    /// A booking code like `KJG-7QH2MX` (no 0/O/1/I to misread).
    fn booking_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let tail: String =
            (0..6).map(|_| ALPHABET[self.rng.gen_range(0..ALPHABET.len())] as char).collect();
        format!("KJG-{tail}")
    }
}

#[cfg(test)]
mod tests;
