-- Schema version 1 of the kiosk's local store (SQLite). The hub (PostgreSQL) is the master for
-- facility data; this store is the kiosk's offline copy plus the events it produces.
-- Identifiers are TEXT (UUIDs or hub keys) so rows keep their identity across kiosk and hub.
-- Dates are ISO 8601 TEXT (YYYY-MM-DD), instants are RFC 3339 TEXT in UTC.

-- A detention centre (Rutan / Lapas). Every master row belongs to one.
CREATE TABLE facility (
    id          TEXT PRIMARY KEY,            -- facility code, e.g. 'RUTAN-MKS'
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT 'Asia/Makassar'
);

-- Every human the kiosk can identify: inmates, visitors (family), staff.
CREATE TABLE person (
    id          TEXT PRIMARY KEY,
    facility_id TEXT NOT NULL REFERENCES facility(id),
    kind        TEXT NOT NULL CHECK (kind IN ('inmate', 'visitor', 'staff')),
    full_name   TEXT NOT NULL,
    nik         TEXT,                        -- 16-digit e-KTP number, when known
    birth_date  TEXT,
    sex         TEXT CHECK (sex IN ('L', 'P')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX person_facility ON person(facility_id, kind);

-- The register entry of an inmate (warga binaan): case, verdict and sentence as decided.
CREATE TABLE inmate (
    person_id            TEXT PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
    registration_number  TEXT NOT NULL UNIQUE,   -- nomor registrasi, e.g. 'B.I-123/2023'
    alias                TEXT,
    photo                BLOB,                   -- JPEG/PNG bytes, optional
    religion             TEXT NOT NULL CHECK (religion IN ('islam', 'kristen', 'katolik', 'hindu', 'buddha', 'konghucu', 'lainnya')),
    case_summary         TEXT,                   -- perkara
    article              TEXT,                   -- pasal
    crime_category       TEXT NOT NULL DEFAULT 'general',  -- general, narcotics, corruption, terrorism, ...
    status               TEXT NOT NULL CHECK (status IN ('tahanan', 'narapidana')),
    block                TEXT,                   -- blok / kamar
    detained_on          TEXT NOT NULL,          -- first day of custody: start of the sentence
    verdict_on           TEXT,                   -- date of the verdict
    verdict_final        INTEGER NOT NULL DEFAULT 0 CHECK (verdict_final IN (0, 1)),
    verdict_final_on     TEXT,                   -- date the verdict became final (inkracht)
    sentence_kind        TEXT NOT NULL DEFAULT 'term' CHECK (sentence_kind IN ('term', 'life', 'death')),
    sentence_years       INTEGER NOT NULL DEFAULT 0 CHECK (sentence_years >= 0),
    sentence_months      INTEGER NOT NULL DEFAULT 0 CHECK (sentence_months >= 0),
    sentence_days        INTEGER NOT NULL DEFAULT 0 CHECK (sentence_days >= 0),
    fine_rupiah          INTEGER NOT NULL DEFAULT 0 CHECK (fine_rupiah >= 0),
    subsider_months      INTEGER NOT NULL DEFAULT 0 CHECK (subsider_months >= 0),
    subsider_days        INTEGER NOT NULL DEFAULT 0 CHECK (subsider_days >= 0),
    fine_paid            INTEGER NOT NULL DEFAULT 0 CHECK (fine_paid IN (0, 1)),
    discipline_until     TEXT                    -- register F: no remission before this date
);

-- Periods before the verdict that count towards the sentence (KUHAP 22(4)-(5)).
CREATE TABLE detention_period (
    id          TEXT PRIMARY KEY,
    inmate_id   TEXT NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('custody', 'house_arrest', 'city_arrest')),
    start_on    TEXT NOT NULL,
    end_on      TEXT NOT NULL,
    CHECK (end_on >= start_on)
);
CREATE INDEX detention_period_inmate ON detention_period(inmate_id);

-- Remissions granted by decree (SK). Projections are computed, never stored.
CREATE TABLE remission (
    id             TEXT PRIMARY KEY,
    inmate_id      TEXT NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('RU', 'RK', 'RT', 'RD', 'RS', 'RKM')),  -- umum, khusus, tambahan, dasawarsa, susulan, kemanusiaan
    granted_on     TEXT NOT NULL,
    months         INTEGER NOT NULL DEFAULT 0 CHECK (months >= 0),
    days           INTEGER NOT NULL DEFAULT 0 CHECK (days >= 0),
    decree_number  TEXT
);
CREATE INDEX remission_inmate ON remission(inmate_id, granted_on);

-- Integration programme decisions: asimilasi, cuti bersyarat (CB), pembebasan bersyarat (PB),
-- cuti menjelang bebas (CMB), with the state of their decree.
CREATE TABLE programme_decision (
    id             TEXT PRIMARY KEY,
    inmate_id      TEXT NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    programme      TEXT NOT NULL CHECK (programme IN ('asimilasi', 'cb', 'pb', 'cmb')),
    proposed_on    TEXT,
    decree_status  TEXT NOT NULL CHECK (decree_status IN ('proposed', 'approved', 'rejected', 'issued')),
    decree_number  TEXT,
    decided_on     TEXT
);
CREATE INDEX programme_decision_inmate ON programme_decision(inmate_id);

-- Who may visit whom: a visitor (keluarga inti, lawyer, consular staff) linked to an inmate.
CREATE TABLE family_link (
    id          TEXT PRIMARY KEY,
    visitor_id  TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    inmate_id   TEXT NOT NULL REFERENCES inmate(person_id) ON DELETE CASCADE,
    relation    TEXT NOT NULL CHECK (relation IN ('parent', 'spouse', 'child', 'sibling', 'lawyer', 'consular', 'other')),
    verified    INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),  -- KK / certificate checked
    UNIQUE (visitor_id, inmate_id)
);
CREATE INDEX family_link_inmate ON family_link(inmate_id);

-- Enrolled fingerprint templates (never images).
CREATE TABLE fingerprint (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    finger       TEXT NOT NULL,              -- 'right-thumb', 'left-index', ...
    template     BLOB NOT NULL,              -- biometrics::Template bytes (own format)
    quality      INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 100),
    enrolled_at  TEXT NOT NULL,
    UNIQUE (person_id, finger)
);

-- Visit bookings made online / by WhatsApp, or walk-ins created at the lobby.
CREATE TABLE booking (
    id               TEXT PRIMARY KEY,
    facility_id      TEXT NOT NULL REFERENCES facility(id),
    code             TEXT NOT NULL UNIQUE,   -- booking code shown to the family
    visitor_id       TEXT NOT NULL REFERENCES person(id),
    inmate_id        TEXT NOT NULL REFERENCES inmate(person_id),
    visit_date       TEXT NOT NULL,
    session          TEXT NOT NULL,          -- session code from the facility's visit rules
    group_size       INTEGER NOT NULL DEFAULT 1 CHECK (group_size BETWEEN 1 AND 20),
    permit_reference TEXT,                   -- required for tahanan: permit of the detaining authority
    source           TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'whatsapp', 'walk_in')),
    status           TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'checked_in', 'cancelled'))
);
CREATE INDEX booking_day ON booking(visit_date, visitor_id);

-- Visits that happened (check-in at the lobby).
CREATE TABLE visit (
    id             TEXT PRIMARY KEY,
    booking_id     TEXT REFERENCES booking(id),
    visitor_id     TEXT NOT NULL REFERENCES person(id),
    inmate_id      TEXT NOT NULL REFERENCES inmate(person_id),
    visit_date     TEXT NOT NULL,
    session        TEXT NOT NULL,
    group_size     INTEGER NOT NULL CHECK (group_size >= 1),
    checked_in_at  TEXT NOT NULL,
    ticket_id      TEXT REFERENCES queue_ticket(id),
    terminal_id    TEXT NOT NULL
);
CREATE INDEX visit_inmate_day ON visit(inmate_id, visit_date);

-- Queue numbers: per facility, day and service ('A' visit, 'B' goods deposit, 'C' information).
CREATE TABLE queue_ticket (
    id           TEXT PRIMARY KEY,
    facility_id  TEXT NOT NULL REFERENCES facility(id),
    service_day  TEXT NOT NULL,
    service      TEXT NOT NULL CHECK (service IN ('A', 'B', 'C')),
    number       INTEGER NOT NULL CHECK (number >= 1),
    terminal_id  TEXT NOT NULL,
    visitor_id   TEXT REFERENCES person(id),
    inmate_id    TEXT REFERENCES inmate(person_id),
    issued_at    TEXT NOT NULL,
    called_at    TEXT,
    UNIQUE (facility_id, service_day, service, number)
);

-- Complaints (pengaduan) filed at the kiosk; anonymous ones carry no person.
CREATE TABLE complaint (
    id              TEXT PRIMARY KEY,
    facility_id     TEXT NOT NULL REFERENCES facility(id),
    receipt_number  TEXT NOT NULL UNIQUE,
    category        TEXT NOT NULL,
    body            TEXT NOT NULL,
    person_id       TEXT REFERENCES person(id),
    created_at      TEXT NOT NULL
);

-- Tickets to print: written before sending, marked printed only after the printer says ok, so a
-- power cut or a paper-out never loses a ticket.
CREATE TABLE print_job (
    id           TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL,
    kind         TEXT NOT NULL,              -- 'queue_ticket', 'test', ...
    payload      TEXT NOT NULL,              -- JSON description of the ticket (not bytes)
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'printed', 'abandoned')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    printed_at   TEXT
);
CREATE INDEX print_job_pending ON print_job(status, created_at);

-- Who saw or did what, when: every identification attempt, every personal screen shown.
-- No images, no templates.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           TEXT NOT NULL,
    terminal_id  TEXT NOT NULL,
    event        TEXT NOT NULL,              -- 'identify', 'view', 'check_in', 'enrol', 'pin', ...
    person_id    TEXT,
    outcome      TEXT NOT NULL,              -- 'accepted', 'rejected', 'error', ...
    detail       TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Key/value state of the sync with the hub: cursor, last success, last error.
CREATE TABLE sync_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Rows the sync could not apply (pulled from the hub) or the hub refused (pushed), each with its
-- error, so one bad row never stops the rest. Shown on the diagnostics screen; a pulled row leaves
-- quarantine when a later change of the same row applies.
CREATE TABLE sync_quarantine (
    id          INTEGER PRIMARY KEY,
    direction   TEXT NOT NULL CHECK (direction IN ('pull', 'push')),
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    seq         INTEGER,                     -- hub change_log sequence (pulled rows)
    error       TEXT NOT NULL,
    payload     TEXT,                        -- the row as received / sent (JSON), for diagnosis
    at          TEXT NOT NULL
);
CREATE INDEX sync_quarantine_row ON sync_quarantine(direction, table_name, row_id);

-- Rows the hub already has: events this kiosk pushed, and fingerprints pulled from the hub (so only
-- local enrolments are pushed). Events without a row here are still to be pushed.
CREATE TABLE sync_pushed (
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    pushed_at   TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;
