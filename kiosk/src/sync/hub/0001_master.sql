-- Hub migration 1: the facility's master data (PostgreSQL 15).
-- The hub is the master; kiosks keep an offline copy (kiosk/src/store/schema_v1.sql) and receive
-- rows through change_log (migration 3). Every table carries facility_id so row-level security
-- (migration 4) can give each kiosk its own facility only. Column names mirror the kiosk's store
-- so a pulled row applies column by column; identifiers are TEXT (UUIDs or hub keys).

-- A detention centre (Rutan / Lapas); facility_id equals id so policies read alike everywhere.
CREATE TABLE facility (
    id          text PRIMARY KEY,
    facility_id text GENERATED ALWAYS AS (id) STORED,
    name        text NOT NULL,
    time_zone   text NOT NULL DEFAULT 'Asia/Makassar'
);

-- Every human a kiosk can identify: inmates, visitors (family), staff.
CREATE TABLE person (
    id          text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facility(id),
    kind        text NOT NULL CHECK (kind IN ('inmate', 'visitor', 'staff')),
    full_name   text NOT NULL,
    nik         text CHECK (nik ~ '^[0-9]{16}$'),
    birth_date  date,
    sex         text CHECK (sex IN ('L', 'P')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_facility ON person(facility_id, kind);
-- Visitors are found again by e-KTP number when a later export names them.
CREATE UNIQUE INDEX person_facility_nik ON person(facility_id, nik) WHERE nik IS NOT NULL;

-- The register entry of an inmate (warga binaan).
CREATE TABLE inmate (
    person_id            text PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
    facility_id          text NOT NULL REFERENCES facility(id),
    registration_number  text NOT NULL,
    alias                text,
    photo                bytea,
    religion             text NOT NULL CHECK (religion IN ('islam', 'kristen', 'katolik', 'hindu', 'buddha', 'konghucu', 'lainnya')),
    case_summary         text,
    article              text,
    crime_category       text NOT NULL DEFAULT 'general',
    status               text NOT NULL CHECK (status IN ('tahanan', 'narapidana')),
    block                text,
    detained_on          date NOT NULL,
    verdict_on           date,
    verdict_final        boolean NOT NULL DEFAULT false,
    verdict_final_on     date,
    sentence_kind        text NOT NULL DEFAULT 'term' CHECK (sentence_kind IN ('term', 'life', 'death')),
    sentence_years       integer NOT NULL DEFAULT 0 CHECK (sentence_years >= 0),
    sentence_months      integer NOT NULL DEFAULT 0 CHECK (sentence_months >= 0),
    sentence_days        integer NOT NULL DEFAULT 0 CHECK (sentence_days >= 0),
    fine_rupiah          bigint NOT NULL DEFAULT 0 CHECK (fine_rupiah >= 0),
    subsider_months      integer NOT NULL DEFAULT 0 CHECK (subsider_months >= 0),
    subsider_days        integer NOT NULL DEFAULT 0 CHECK (subsider_days >= 0),
    fine_paid            boolean NOT NULL DEFAULT false,
    discipline_until     date,
    UNIQUE (facility_id, registration_number)
);

-- Periods before the verdict that count towards the sentence.
CREATE TABLE detention_period (
    id          text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facility(id),
    inmate_id   text NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('custody', 'house_arrest', 'city_arrest')),
    start_on    date NOT NULL,
    end_on      date NOT NULL,
    CHECK (end_on >= start_on)
);
CREATE INDEX detention_period_inmate ON detention_period(inmate_id);

-- Remissions granted by decree (SK).
CREATE TABLE remission (
    id             text PRIMARY KEY,
    facility_id    text NOT NULL REFERENCES facility(id),
    inmate_id      text NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('RU', 'RK', 'RT', 'RD', 'RS', 'RKM')),
    granted_on     date NOT NULL,
    months         integer NOT NULL DEFAULT 0 CHECK (months >= 0),
    days           integer NOT NULL DEFAULT 0 CHECK (days >= 0),
    decree_number  text,
    -- One remission of a kind per day and inmate: a re-imported export updates, never duplicates.
    UNIQUE (inmate_id, kind, granted_on)
);

-- Integration programme decisions (asimilasi, CB, PB, CMB).
CREATE TABLE programme_decision (
    id             text PRIMARY KEY,
    facility_id    text NOT NULL REFERENCES facility(id),
    inmate_id      text NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    programme      text NOT NULL CHECK (programme IN ('asimilasi', 'cb', 'pb', 'cmb')),
    proposed_on    date,
    decree_status  text NOT NULL CHECK (decree_status IN ('proposed', 'approved', 'rejected', 'issued')),
    decree_number  text,
    decided_on     date
);
CREATE INDEX programme_decision_inmate ON programme_decision(inmate_id);

-- Who may visit whom.
CREATE TABLE family_link (
    id          text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facility(id),
    visitor_id  text NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    inmate_id   text NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    relation    text NOT NULL CHECK (relation IN ('parent', 'spouse', 'child', 'sibling', 'lawyer', 'consular', 'other')),
    verified    boolean NOT NULL DEFAULT false,
    UNIQUE (visitor_id, inmate_id)
);
CREATE INDEX family_link_inmate ON family_link(inmate_id);

-- Enrolled fingerprint templates (never images), from the registration desk or promoted from a
-- kiosk's enrolment (migration 2).
CREATE TABLE fingerprint (
    id           text PRIMARY KEY,
    facility_id  text NOT NULL REFERENCES facility(id),
    person_id    text NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    finger       text NOT NULL,
    template     bytea NOT NULL,
    quality      integer NOT NULL CHECK (quality BETWEEN 0 AND 100),
    enrolled_at  timestamptz NOT NULL,
    UNIQUE (person_id, finger)
);

-- Visit bookings from the online channel (web, WhatsApp).
CREATE TABLE booking (
    id               text PRIMARY KEY,
    facility_id      text NOT NULL REFERENCES facility(id),
    code             text NOT NULL UNIQUE,
    visitor_id       text NOT NULL REFERENCES person(id),
    inmate_id        text NOT NULL REFERENCES inmate(person_id),
    visit_date       date NOT NULL,
    session          text NOT NULL,
    group_size       integer NOT NULL DEFAULT 1 CHECK (group_size BETWEEN 1 AND 20),
    permit_reference text,
    source           text NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'whatsapp', 'walk_in')),
    status           text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'checked_in', 'cancelled'))
);
CREATE INDEX booking_facility_day ON booking(facility_id, visit_date);
