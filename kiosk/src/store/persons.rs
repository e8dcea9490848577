//! The core domain in the store: facilities, persons, inmate records (detention periods,
//! remissions, programme decisions), visitors and their family links, bookings.
//!
//! Loads return plain domain values (`None` when the row does not exist); inserts take the same
//! values, so the demo generator and the hub sync write exactly what screens later read.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

use super::codec::{code, date, date_text, opt_date, text_enum};
use super::{Store, StoreError};

/// A detention centre (Rutan / Lapas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    /// Facility code, e.g. `RUTAN-MKS`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA time zone name.
    pub time_zone: String,
}

text_enum! {
    /// What a person is to the facility.
    pub enum PersonKind {
        /// Warga binaan: tahanan or narapidana.
        Inmate = "inmate",
        /// A family member, lawyer or consular officer who visits.
        Visitor = "visitor",
        /// Facility staff (technicians, officers).
        Staff = "staff",
    }
}

text_enum! {
    /// Sex as recorded on the e-KTP.
    pub enum Sex {
        /// Laki-laki.
        Male = "L",
        /// Perempuan.
        Female = "P",
    }
}

/// Anyone the kiosk can identify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Stable id shared with the hub.
    pub id: String,
    /// The facility the person belongs to.
    pub facility_id: String,
    /// Inmate, visitor or staff.
    pub kind: PersonKind,
    /// Full name as registered.
    pub full_name: String,
    /// 16-digit e-KTP number, when known.
    pub nik: Option<String>,
    /// Date of birth, when known.
    pub birth_date: Option<NaiveDate>,
    /// Sex, when known.
    pub sex: Option<Sex>,
}

text_enum! {
    /// Religion as first recorded in the register (it decides the Remisi Khusus holiday).
    pub enum Religion {
        /// Islam (Idul Fitri).
        Islam = "islam",
        /// Protestant Christian (Natal).
        Kristen = "kristen",
        /// Catholic (Natal).
        Katolik = "katolik",
        /// Hindu (Nyepi).
        Hindu = "hindu",
        /// Buddhist (Waisak).
        Buddha = "buddha",
        /// Confucian.
        Konghucu = "konghucu",
        /// Other or not recorded.
        Lainnya = "lainnya",
    }
}

text_enum! {
    /// Legal status of an inmate.
    pub enum InmateStatus {
        /// Pre-trial detainee or verdict not yet final.
        Tahanan = "tahanan",
        /// Convict with a final verdict.
        Narapidana = "narapidana",
    }
}

text_enum! {
    /// The kind of sentence.
    pub enum SentenceKind {
        /// A term in years, months and days.
        Term = "term",
        /// Life imprisonment (no remission).
        Life = "life",
        /// Death sentence (no remission).
        Death = "death",
    }
}

text_enum! {
    /// Crime category: decides the special rules for remission and programmes.
    pub enum CrimeCategory {
        /// General crimes (KUHP).
        General = "general",
        /// Narcotics (UU 35/2009).
        Narcotics = "narcotics",
        /// Corruption (UU 31/1999 jo. 20/2001).
        Corruption = "corruption",
        /// Terrorism (UU 5/2018).
        Terrorism = "terrorism",
        /// Trafficking in persons (UU 21/2007).
        HumanTrafficking = "human_trafficking",
        /// Other special crimes.
        OtherSpecial = "other_special",
    }
}

/// A length of time as a court states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Term {
    /// Years.
    pub years: u32,
    /// Months.
    pub months: u32,
    /// Days.
    pub days: u32,
}

/// The register entry of an inmate, with the person it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InmateRecord {
    /// The person (kind `Inmate`).
    pub person: Person,
    /// Nomor registrasi, e.g. `B.I-123/2023`.
    pub registration_number: String,
    /// Alias, when registered.
    pub alias: Option<String>,
    /// Religion first recorded.
    pub religion: Religion,
    /// Perkara: short description of the case.
    pub case_summary: Option<String>,
    /// Pasal: the articles.
    pub article: Option<String>,
    /// Crime category.
    pub crime_category: CrimeCategory,
    /// Tahanan or narapidana.
    pub status: InmateStatus,
    /// Blok / kamar.
    pub block: Option<String>,
    /// First day of custody: the start of the sentence.
    pub detained_on: NaiveDate,
    /// Date of the verdict.
    pub verdict_on: Option<NaiveDate>,
    /// Date the verdict became final (inkracht); `None` while not final.
    pub verdict_final_on: Option<NaiveDate>,
    /// Term, life or death.
    pub sentence_kind: SentenceKind,
    /// The term (zero for life and death).
    pub sentence: Term,
    /// Fine in rupiah (0: none).
    pub fine_rupiah: u64,
    /// Replacement confinement if the fine is not paid (years always 0).
    pub subsider: Term,
    /// Whether the fine has been paid.
    pub fine_paid: bool,
    /// Register F: no remission before this date.
    pub discipline_until: Option<NaiveDate>,
}

text_enum! {
    /// Kinds of detention before the verdict (KUHAP 22).
    pub enum DetentionKind {
        /// Rutan custody: counts in full.
        Custody = "custody",
        /// House arrest: counts one third.
        HouseArrest = "house_arrest",
        /// City arrest: counts one fifth.
        CityArrest = "city_arrest",
    }
}

/// One detention period of an inmate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetentionPeriod {
    /// Row id.
    pub id: String,
    /// The inmate (person id).
    pub inmate_id: String,
    /// Custody, house or city arrest.
    pub kind: DetentionKind,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
}

text_enum! {
    /// Remission kinds (Keppres 174/1999).
    pub enum RemissionKind {
        /// Remisi Umum, 17 August.
        Umum = "RU",
        /// Remisi Khusus, on the religion's holiday.
        Khusus = "RK",
        /// Remisi Tambahan.
        Tambahan = "RT",
        /// Remisi Dasawarsa, every 10 years of independence.
        Dasawarsa = "RD",
        /// Remisi susulan, granted later.
        Susulan = "RS",
        /// Remisi kemanusiaan.
        Kemanusiaan = "RKM",
    }
}

/// A remission granted by decree (SK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remission {
    /// Row id.
    pub id: String,
    /// The inmate (person id).
    pub inmate_id: String,
    /// Kind.
    pub kind: RemissionKind,
    /// The day it takes effect.
    pub granted_on: NaiveDate,
    /// Months granted.
    pub months: u32,
    /// Days granted.
    pub days: u32,
    /// Decree number.
    pub decree_number: Option<String>,
}

text_enum! {
    /// Integration programmes.
    pub enum Programme {
        /// Asimilasi.
        Asimilasi = "asimilasi",
        /// Cuti bersyarat.
        CutiBersyarat = "cb",
        /// Pembebasan bersyarat (parole).
        PembebasanBersyarat = "pb",
        /// Cuti menjelang bebas.
        CutiMenjelangBebas = "cmb",
    }
}

text_enum! {
    /// Where the decree of a programme decision stands.
    pub enum DecreeStatus {
        /// Proposed (usulan) by the facility.
        Proposed = "proposed",
        /// Approved, decree not yet issued.
        Approved = "approved",
        /// Rejected.
        Rejected = "rejected",
        /// Decree (SK) issued.
        Issued = "issued",
    }
}

/// A programme decision for an inmate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeDecision {
    /// Row id.
    pub id: String,
    /// The inmate (person id).
    pub inmate_id: String,
    /// Which programme.
    pub programme: Programme,
    /// Proposed start date.
    pub proposed_on: Option<NaiveDate>,
    /// Decree status.
    pub decree_status: DecreeStatus,
    /// Decree number once issued.
    pub decree_number: Option<String>,
    /// Date of the decision.
    pub decided_on: Option<NaiveDate>,
}

text_enum! {
    /// How a visitor is related to an inmate.
    pub enum Relation {
        /// Father or mother.
        Parent = "parent",
        /// Husband or wife.
        Spouse = "spouse",
        /// Son or daughter.
        Child = "child",
        /// Brother or sister.
        Sibling = "sibling",
        /// Lawyer with a power of attorney.
        Lawyer = "lawyer",
        /// Consular officer.
        Consular = "consular",
        /// Anyone else allowed by the facility.
        Other = "other",
    }
}

/// A visitor allowed to visit an inmate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyLink {
    /// Row id.
    pub id: String,
    /// The visitor (person id).
    pub visitor_id: String,
    /// The inmate (person id).
    pub inmate_id: String,
    /// Relation.
    pub relation: Relation,
    /// Whether the relation was proven with documents (KK, certificates).
    pub verified: bool,
}

/// An inmate a visitor is linked to, with the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedInmate {
    /// The link.
    pub link: FamilyLink,
    /// The inmate.
    pub inmate: InmateRecord,
}

text_enum! {
    /// How a booking was made.
    pub enum BookingSource {
        /// Online form.
        Online = "online",
        /// WhatsApp.
        Whatsapp = "whatsapp",
        /// At the lobby without a booking.
        WalkIn = "walk_in",
    }
}

text_enum! {
    /// Where a booking stands.
    pub enum BookingStatus {
        /// Booked, not yet at the lobby.
        Booked = "booked",
        /// Checked in at the lobby.
        CheckedIn = "checked_in",
        /// Cancelled.
        Cancelled = "cancelled",
    }
}

/// A visit booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// Row id.
    pub id: String,
    /// Facility.
    pub facility_id: String,
    /// Booking code shown to the family.
    pub code: String,
    /// The visitor who booked.
    pub visitor_id: String,
    /// The inmate to visit.
    pub inmate_id: String,
    /// Day of the visit.
    pub visit_date: NaiveDate,
    /// Session code from the facility's visit rules.
    pub session: String,
    /// Number of visitors in the group.
    pub group_size: u32,
    /// Permit of the detaining authority (tahanan).
    pub permit_reference: Option<String>,
    /// How it was made.
    pub source: BookingSource,
    /// Status.
    pub status: BookingStatus,
}

const PERSON_COLUMNS: &str = "p.id, p.facility_id, p.kind, p.full_name, p.nik, p.birth_date, p.sex";
const INMATE_COLUMNS: &str = "i.registration_number, i.alias, i.religion, i.case_summary, \
    i.article, i.crime_category, i.status, i.block, i.detained_on, i.verdict_on, i.verdict_final, \
    i.verdict_final_on, i.sentence_kind, i.sentence_years, i.sentence_months, i.sentence_days, \
    i.fine_rupiah, i.subsider_months, i.subsider_days, i.fine_paid, i.discipline_until";

fn person_from(row: &Row<'_>) -> rusqlite::Result<Person> {
    let sex: Option<String> = row.get("sex")?;
    Ok(Person {
        id: row.get("id")?,
        facility_id: row.get("facility_id")?,
        kind: code(row, "kind", PersonKind::from_code, "a person kind")?,
        full_name: row.get("full_name")?,
        nik: row.get("nik")?,
        birth_date: opt_date(row, "birth_date")?,
        sex: sex
            .map(|s| Sex::from_code(&s).ok_or_else(|| super::codec::bad_text("sex", &s, "L or P")))
            .transpose()?,
    })
}

fn inmate_from(row: &Row<'_>) -> rusqlite::Result<InmateRecord> {
    let verdict_final: bool = row.get("verdict_final")?;
    let fine: i64 = row.get("fine_rupiah")?;
    Ok(InmateRecord {
        person: person_from(row)?,
        registration_number: row.get("registration_number")?,
        alias: row.get("alias")?,
        religion: code(row, "religion", Religion::from_code, "a religion")?,
        case_summary: row.get("case_summary")?,
        article: row.get("article")?,
        crime_category: code(row, "crime_category", CrimeCategory::from_code, "a crime category")?,
        status: code(row, "status", InmateStatus::from_code, "an inmate status")?,
        block: row.get("block")?,
        detained_on: date(row, "detained_on")?,
        verdict_on: opt_date(row, "verdict_on")?,
        verdict_final_on: if verdict_final { opt_date(row, "verdict_final_on")? } else { None },
        sentence_kind: code(row, "sentence_kind", SentenceKind::from_code, "a sentence kind")?,
        sentence: Term {
            years: row.get("sentence_years")?,
            months: row.get("sentence_months")?,
            days: row.get("sentence_days")?,
        },
        fine_rupiah: u64::try_from(fine).unwrap_or(0),
        subsider: Term {
            years: 0,
            months: row.get("subsider_months")?,
            days: row.get("subsider_days")?,
        },
        fine_paid: row.get("fine_paid")?,
        discipline_until: opt_date(row, "discipline_until")?,
    })
}

fn link_from(row: &Row<'_>) -> rusqlite::Result<FamilyLink> {
    Ok(FamilyLink {
        id: row.get("link_id")?,
        visitor_id: row.get("visitor_id")?,
        inmate_id: row.get("inmate_id")?,
        relation: code(row, "relation", Relation::from_code, "a relation")?,
        verified: row.get("verified")?,
    })
}

fn booking_from(row: &Row<'_>) -> rusqlite::Result<Booking> {
    Ok(Booking {
        id: row.get("id")?,
        facility_id: row.get("facility_id")?,
        code: row.get("code")?,
        visitor_id: row.get("visitor_id")?,
        inmate_id: row.get("inmate_id")?,
        visit_date: date(row, "visit_date")?,
        session: row.get("session")?,
        group_size: row.get("group_size")?,
        permit_reference: row.get("permit_reference")?,
        source: code(row, "source", BookingSource::from_code, "a booking source")?,
        status: code(row, "status", BookingStatus::from_code, "a booking status")?,
    })
}

impl Store {
    /// Adds or replaces a facility.
    pub fn upsert_facility(&self, facility: &Facility) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO facility (id, name, time_zone) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone",
            params![facility.id, facility.name, facility.time_zone],
        )?;
        Ok(())
    }

    /// A facility by code.
    pub fn facility(&self, id: &str) -> Result<Option<Facility>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT id, name, time_zone FROM facility WHERE id = ?1", [id], |row| {
                Ok(Facility { id: row.get(0)?, name: row.get(1)?, time_zone: row.get(2)? })
            })
            .optional()?)
    }

    /// Adds a person.
    pub fn insert_person(&self, person: &Person) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO person (id, facility_id, kind, full_name, nik, birth_date, sex)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                person.id,
                person.facility_id,
                person.kind.code(),
                person.full_name,
                person.nik,
                person.birth_date.map(date_text),
                person.sex.map(Sex::code),
            ],
        )?;
        Ok(())
    }

    /// A person by id.
    pub fn person(&self, id: &str) -> Result<Option<Person>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {PERSON_COLUMNS} FROM person p WHERE p.id = ?1"),
                [id],
                person_from,
            )
            .optional()?)
    }

    /// A person by e-KTP number (NIK).
    pub fn person_by_nik(&self, nik: &str) -> Result<Option<Person>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {PERSON_COLUMNS} FROM person p WHERE p.nik = ?1 LIMIT 1"),
                [nik],
                person_from,
            )
            .optional()?)
    }

    /// Adds an inmate: the person row and the register entry, all or nothing (a savepoint, so it
    /// also works inside a caller's transaction).
    pub fn insert_inmate(&mut self, inmate: &InmateRecord) -> Result<(), StoreError> {
        let tx = self.conn_mut().savepoint()?;
        let p = &inmate.person;
        tx.execute(
            "INSERT INTO person (id, facility_id, kind, full_name, nik, birth_date, sex)
             VALUES (?1, ?2, 'inmate', ?3, ?4, ?5, ?6)",
            params![
                p.id,
                p.facility_id,
                p.full_name,
                p.nik,
                p.birth_date.map(date_text),
                p.sex.map(Sex::code)
            ],
        )?;
        tx.execute(
            "INSERT INTO inmate (person_id, registration_number, alias, religion, case_summary,
                 article, crime_category, status, block, detained_on, verdict_on, verdict_final,
                 verdict_final_on, sentence_kind, sentence_years, sentence_months, sentence_days,
                 fine_rupiah, subsider_months, subsider_days, fine_paid, discipline_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22)",
            params![
                p.id,
                inmate.registration_number,
                inmate.alias,
                inmate.religion.code(),
                inmate.case_summary,
                inmate.article,
                inmate.crime_category.code(),
                inmate.status.code(),
                inmate.block,
                date_text(inmate.detained_on),
                inmate.verdict_on.map(date_text),
                inmate.verdict_final_on.is_some(),
                inmate.verdict_final_on.map(date_text),
                inmate.sentence_kind.code(),
                inmate.sentence.years,
                inmate.sentence.months,
                inmate.sentence.days,
                i64::try_from(inmate.fine_rupiah).unwrap_or(i64::MAX),
                inmate.subsider.months,
                inmate.subsider.days,
                inmate.fine_paid,
                inmate.discipline_until.map(date_text),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// An inmate by person id.
    pub fn inmate(&self, person_id: &str) -> Result<Option<InmateRecord>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {PERSON_COLUMNS}, {INMATE_COLUMNS} FROM inmate i
                     JOIN person p ON p.id = i.person_id WHERE i.person_id = ?1"
                ),
                [person_id],
                inmate_from,
            )
            .optional()?)
    }

    /// An inmate by registration number.
    pub fn inmate_by_registration(&self, number: &str) -> Result<Option<InmateRecord>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {PERSON_COLUMNS}, {INMATE_COLUMNS} FROM inmate i
                     JOIN person p ON p.id = i.person_id WHERE i.registration_number = ?1"
                ),
                [number],
                inmate_from,
            )
            .optional()?)
    }

    /// Every inmate of a facility, by registration number.
    pub fn inmates(&self, facility_id: &str) -> Result<Vec<InmateRecord>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {PERSON_COLUMNS}, {INMATE_COLUMNS} FROM inmate i
             JOIN person p ON p.id = i.person_id WHERE p.facility_id = ?1
             ORDER BY i.registration_number"
        ))?;
        let rows = stmt.query_map([facility_id], inmate_from)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Adds a detention period.
    pub fn insert_detention_period(&self, period: &DetentionPeriod) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO detention_period (id, inmate_id, kind, start_on, end_on)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                period.id,
                period.inmate_id,
                period.kind.code(),
                date_text(period.start_on),
                date_text(period.end_on)
            ],
        )?;
        Ok(())
    }

    /// The detention periods of an inmate, oldest first.
    pub fn detention_periods(&self, inmate_id: &str) -> Result<Vec<DetentionPeriod>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, inmate_id, kind, start_on, end_on FROM detention_period
             WHERE inmate_id = ?1 ORDER BY start_on, id",
        )?;
        let rows = stmt
            .query_map([inmate_id], |row| {
                Ok(DetentionPeriod {
                    id: row.get("id")?,
                    inmate_id: row.get("inmate_id")?,
                    kind: code(row, "kind", DetentionKind::from_code, "a detention kind")?,
                    start_on: date(row, "start_on")?,
                    end_on: date(row, "end_on")?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Adds a granted remission.
    pub fn insert_remission(&self, remission: &Remission) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO remission (id, inmate_id, kind, granted_on, months, days, decree_number)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                remission.id,
                remission.inmate_id,
                remission.kind.code(),
                date_text(remission.granted_on),
                remission.months,
                remission.days,
                remission.decree_number
            ],
        )?;
        Ok(())
    }

    /// The remissions granted to an inmate in the order granted (the order they apply in).
    pub fn remissions(&self, inmate_id: &str) -> Result<Vec<Remission>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, inmate_id, kind, granted_on, months, days, decree_number FROM remission
             WHERE inmate_id = ?1 ORDER BY granted_on, id",
        )?;
        let rows = stmt
            .query_map([inmate_id], |row| {
                Ok(Remission {
                    id: row.get("id")?,
                    inmate_id: row.get("inmate_id")?,
                    kind: code(row, "kind", RemissionKind::from_code, "a remission kind")?,
                    granted_on: date(row, "granted_on")?,
                    months: row.get("months")?,
                    days: row.get("days")?,
                    decree_number: row.get("decree_number")?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Adds a programme decision.
    pub fn insert_programme_decision(
        &self,
        decision: &ProgrammeDecision,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO programme_decision (id, inmate_id, programme, proposed_on, decree_status,
                 decree_number, decided_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                decision.id,
                decision.inmate_id,
                decision.programme.code(),
                decision.proposed_on.map(date_text),
                decision.decree_status.code(),
                decision.decree_number,
                decision.decided_on.map(date_text)
            ],
        )?;
        Ok(())
    }

    /// The programme decisions of an inmate, oldest proposal first.
    pub fn programme_decisions(
        &self,
        inmate_id: &str,
    ) -> Result<Vec<ProgrammeDecision>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, inmate_id, programme, proposed_on, decree_status, decree_number, decided_on
             FROM programme_decision WHERE inmate_id = ?1 ORDER BY proposed_on, id",
        )?;
        let rows = stmt
            .query_map([inmate_id], |row| {
                Ok(ProgrammeDecision {
                    id: row.get("id")?,
                    inmate_id: row.get("inmate_id")?,
                    programme: code(row, "programme", Programme::from_code, "a programme")?,
                    proposed_on: opt_date(row, "proposed_on")?,
                    decree_status: code(
                        row,
                        "decree_status",
                        DecreeStatus::from_code,
                        "a decree status",
                    )?,
                    decree_number: row.get("decree_number")?,
                    decided_on: opt_date(row, "decided_on")?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Adds a family link.
    pub fn insert_family_link(&self, link: &FamilyLink) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO family_link (id, visitor_id, inmate_id, relation, verified)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![link.id, link.visitor_id, link.inmate_id, link.relation.code(), link.verified],
        )?;
        Ok(())
    }

    /// The inmates a visitor may visit, with the link, by inmate name.
    pub fn linked_inmates(&self, visitor_id: &str) -> Result<Vec<LinkedInmate>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT f.id AS link_id, f.visitor_id, f.inmate_id, f.relation, f.verified,
                 {PERSON_COLUMNS}, {INMATE_COLUMNS}
             FROM family_link f JOIN inmate i ON i.person_id = f.inmate_id
             JOIN person p ON p.id = i.person_id
             WHERE f.visitor_id = ?1 ORDER BY p.full_name, p.id"
        ))?;
        let rows = stmt
            .query_map([visitor_id], |row| {
                Ok(LinkedInmate { link: link_from(row)?, inmate: inmate_from(row)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The visitors linked to an inmate, with the link, by visitor name.
    pub fn linked_visitors(
        &self,
        inmate_id: &str,
    ) -> Result<Vec<(FamilyLink, Person)>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT f.id AS link_id, f.visitor_id, f.inmate_id, f.relation, f.verified,
                 {PERSON_COLUMNS}
             FROM family_link f JOIN person p ON p.id = f.visitor_id
             WHERE f.inmate_id = ?1 ORDER BY p.full_name, p.id"
        ))?;
        let rows = stmt
            .query_map([inmate_id], |row| Ok((link_from(row)?, person_from(row)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Adds a booking.
    pub fn insert_booking(&self, booking: &Booking) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO booking (id, facility_id, code, visitor_id, inmate_id, visit_date, session,
                 group_size, permit_reference, source, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                booking.id,
                booking.facility_id,
                booking.code,
                booking.visitor_id,
                booking.inmate_id,
                date_text(booking.visit_date),
                booking.session,
                booking.group_size,
                booking.permit_reference,
                booking.source.code(),
                booking.status.code()
            ],
        )?;
        Ok(())
    }

    /// The bookings of a day at a facility, by code.
    pub fn bookings_on(
        &self,
        facility_id: &str,
        day: NaiveDate,
    ) -> Result<Vec<Booking>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, facility_id, code, visitor_id, inmate_id, visit_date, session, group_size,
                 permit_reference, source, status
             FROM booking WHERE facility_id = ?1 AND visit_date = ?2 ORDER BY code",
        )?;
        let rows = stmt
            .query_map(params![facility_id, date_text(day)], booking_from)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A booking by its code.
    pub fn booking_by_code(&self, code: &str) -> Result<Option<Booking>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, facility_id, code, visitor_id, inmate_id, visit_date, session,
                     group_size, permit_reference, source, status
                 FROM booking WHERE code = ?1",
                [code],
                booking_from,
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn facility() -> Facility {
        Facility { id: "F".into(), name: "Rutan F".into(), time_zone: "Asia/Makassar".into() }
    }

    fn inmate(id: &str, reg: &str) -> InmateRecord {
        InmateRecord {
            person: Person {
                id: id.into(),
                facility_id: "F".into(),
                kind: PersonKind::Inmate,
                full_name: "Andi Baso".into(),
                nik: Some("7371010101900001".into()),
                birth_date: Some(d(1990, 1, 1)),
                sex: Some(Sex::Male),
            },
            registration_number: reg.into(),
            alias: None,
            religion: Religion::Kristen,
            case_summary: Some("Pencurian".into()),
            article: Some("Pasal 362 KUHP".into()),
            crime_category: CrimeCategory::General,
            status: InmateStatus::Narapidana,
            block: Some("A-1".into()),
            detained_on: d(2017, 5, 9),
            verdict_on: Some(d(2017, 5, 9)),
            verdict_final_on: Some(d(2017, 5, 9)),
            sentence_kind: SentenceKind::Term,
            sentence: Term { years: 2, months: 0, days: 0 },
            fine_rupiah: 0,
            subsider: Term::default(),
            fine_paid: false,
            discipline_until: None,
        }
    }

    fn visitor(id: &str) -> Person {
        Person {
            id: id.into(),
            facility_id: "F".into(),
            kind: PersonKind::Visitor,
            full_name: "Siti Baso".into(),
            nik: Some("7371014101920002".into()),
            birth_date: None,
            sex: Some(Sex::Female),
        }
    }

    #[test]
    fn round_trips_the_core_domain() {
        let mut store = Store::open_in_memory().expect("open");
        store.upsert_facility(&facility()).expect("facility");
        assert_eq!(store.facility("F").expect("load"), Some(facility()));
        let record = inmate("I1", "B.I-1/2017");
        store.insert_inmate(&record).expect("inmate");
        assert_eq!(store.inmate("I1").expect("load"), Some(record.clone()));
        assert_eq!(store.inmate_by_registration("B.I-1/2017").expect("load"), Some(record.clone()));
        assert_eq!(store.inmates("F").expect("list").len(), 1);
        assert_eq!(store.inmate("nope").expect("load"), None);

        let rk = Remission {
            id: "R2".into(),
            inmate_id: "I1".into(),
            kind: RemissionKind::Khusus,
            granted_on: d(2017, 12, 25),
            months: 0,
            days: 15,
            decree_number: Some("W23.PK.01.01.02-1234".into()),
        };
        let ru = Remission {
            id: "R1".into(),
            kind: RemissionKind::Umum,
            granted_on: d(2018, 8, 17),
            months: 2,
            days: 0,
            ..rk.clone()
        };
        store.insert_remission(&ru).expect("ru");
        store.insert_remission(&rk).expect("rk");
        assert_eq!(store.remissions("I1").expect("list"), vec![rk, ru]);

        let period = DetentionPeriod {
            id: "D1".into(),
            inmate_id: "I1".into(),
            kind: DetentionKind::HouseArrest,
            start_on: d(2017, 4, 1),
            end_on: d(2017, 5, 8),
        };
        store.insert_detention_period(&period).expect("period");
        assert_eq!(store.detention_periods("I1").expect("list"), vec![period]);

        let decision = ProgrammeDecision {
            id: "P1".into(),
            inmate_id: "I1".into(),
            programme: Programme::PembebasanBersyarat,
            proposed_on: Some(d(2018, 9, 1)),
            decree_status: DecreeStatus::Issued,
            decree_number: Some("PAS-123.PK.05.09 TAHUN 2018".into()),
            decided_on: Some(d(2018, 9, 20)),
        };
        store.insert_programme_decision(&decision).expect("decision");
        assert_eq!(store.programme_decisions("I1").expect("list"), vec![decision]);

        store.insert_person(&visitor("V1")).expect("visitor");
        assert_eq!(store.person("V1").expect("load"), Some(visitor("V1")));
        assert_eq!(store.person_by_nik("7371014101920002").expect("load"), Some(visitor("V1")));
        let link = FamilyLink {
            id: "L1".into(),
            visitor_id: "V1".into(),
            inmate_id: "I1".into(),
            relation: Relation::Spouse,
            verified: true,
        };
        store.insert_family_link(&link).expect("link");
        let linked = store.linked_inmates("V1").expect("linked");
        assert_eq!(linked, vec![LinkedInmate { link: link.clone(), inmate: record }]);
        assert_eq!(store.linked_visitors("I1").expect("visitors"), vec![(link, visitor("V1"))]);

        let booking = Booking {
            id: "B1".into(),
            facility_id: "F".into(),
            code: "KJG-0001".into(),
            visitor_id: "V1".into(),
            inmate_id: "I1".into(),
            visit_date: d(2026, 11, 28),
            session: "S1".into(),
            group_size: 2,
            permit_reference: None,
            source: BookingSource::Whatsapp,
            status: BookingStatus::Booked,
        };
        store.insert_booking(&booking).expect("booking");
        assert_eq!(store.bookings_on("F", d(2026, 11, 28)).expect("list"), vec![booking.clone()]);
        assert_eq!(store.booking_by_code("KJG-0001").expect("load"), Some(booking));
        assert!(store.bookings_on("F", d(2026, 11, 29)).expect("list").is_empty());
    }

    #[test]
    fn rejects_dangling_references_and_duplicates() {
        let mut store = Store::open_in_memory().expect("open");
        store.upsert_facility(&facility()).expect("facility");
        // A link to an inmate that does not exist breaks a foreign key.
        store.insert_person(&visitor("V1")).expect("visitor");
        let link = FamilyLink {
            id: "L1".into(),
            visitor_id: "V1".into(),
            inmate_id: "ghost".into(),
            relation: Relation::Parent,
            verified: false,
        };
        assert!(store.insert_family_link(&link).is_err());
        store.insert_inmate(&inmate("I1", "X/1")).expect("inmate");
        assert!(store.insert_inmate(&inmate("I2", "X/1")).is_err(), "duplicate registration");
        // The failed transaction left no half-written person behind.
        assert_eq!(store.person("I2").expect("load"), None);
    }

    #[test]
    fn unknown_codes_in_the_file_are_errors_not_panics() {
        let mut store = Store::open_in_memory().expect("open");
        store.upsert_facility(&facility()).expect("facility");
        store.insert_inmate(&inmate("I1", "X/1")).expect("inmate");
        store
            .conn()
            .execute("UPDATE inmate SET detained_on = '2017-13-45' WHERE person_id = 'I1'", [])
            .expect("corrupt");
        let err = store.inmate("I1").expect_err("bad date");
        assert!(err.to_string().contains("detained_on"), "{err}");
    }
}
