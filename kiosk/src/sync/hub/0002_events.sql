-- Hub migration 2: kiosk accounts and the events kiosks push (PostgreSQL 15).
-- Events are append-only records of what happened at a kiosk. They carry no foreign keys to the
-- master tables on purpose: an event stays valid history even when master rows change or go, and
-- a kiosk's push never fails because the hub removed a person meanwhile. Keys are the kiosk's
-- UUIDs, so a push repeated after a lost acknowledgement inserts nothing (ON CONFLICT DO NOTHING).

-- Which facility a kiosk's login role belongs to (see migration 4 for roles and policies).
CREATE TABLE kiosk_account (
    role_name   name PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facility(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The facility of the connected kiosk role, NULL for anyone else (admins, importers).
CREATE FUNCTION hub_current_facility() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT facility_id FROM kiosk_account WHERE role_name = current_user
$$;

-- Visits that happened (check-in at the lobby).
CREATE TABLE visit (
    id             text PRIMARY KEY,
    facility_id    text NOT NULL DEFAULT hub_current_facility() REFERENCES facility(id),
    booking_id     text,
    visitor_id     text NOT NULL,
    inmate_id      text NOT NULL,
    visit_date     date NOT NULL,
    session        text NOT NULL,
    group_size     integer NOT NULL CHECK (group_size >= 1),
    checked_in_at  timestamptz NOT NULL,
    ticket_id      text,
    terminal_id    text NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
);

-- Queue tickets issued by kiosks. No uniqueness on the number: two terminals may number alike.
CREATE TABLE queue_ticket (
    id           text PRIMARY KEY,
    facility_id  text NOT NULL DEFAULT hub_current_facility() REFERENCES facility(id),
    service_day  date NOT NULL,
    service      text NOT NULL CHECK (service IN ('A', 'B', 'C')),
    number       integer NOT NULL CHECK (number >= 1),
    terminal_id  text NOT NULL,
    visitor_id   text,
    inmate_id    text,
    issued_at    timestamptz NOT NULL,
    called_at    timestamptz,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Complaints (pengaduan) filed at a kiosk.
CREATE TABLE complaint (
    id              text PRIMARY KEY,
    facility_id     text NOT NULL DEFAULT hub_current_facility() REFERENCES facility(id),
    receipt_number  text NOT NULL,
    category        text NOT NULL,
    body            text NOT NULL,
    person_id       text,
    created_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);

-- Audit records of kiosks (identification attempts, screens shown). No images, no templates.
CREATE TABLE audit_log (
    id           text PRIMARY KEY,
    facility_id  text NOT NULL DEFAULT hub_current_facility() REFERENCES facility(id),
    at           timestamptz NOT NULL,
    terminal_id  text NOT NULL,
    event        text NOT NULL,
    person_id    text,
    outcome      text NOT NULL,
    detail       text,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_facility_at ON audit_log(facility_id, at);

-- Fingerprints enrolled at a kiosk, as the kiosk's fingerprint rows.
CREATE TABLE enrolment (
    id           text PRIMARY KEY,
    facility_id  text NOT NULL DEFAULT hub_current_facility() REFERENCES facility(id),
    person_id    text NOT NULL,
    finger       text NOT NULL,
    template     bytea NOT NULL,
    quality      integer NOT NULL CHECK (quality BETWEEN 0 AND 100),
    enrolled_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- An enrolment of a person the hub knows becomes master data, so every kiosk of the facility
-- learns the finger; a newer enrolment of the same finger replaces an older one. SECURITY DEFINER:
-- kiosk roles may insert events but never write master tables themselves.
CREATE FUNCTION hub_promote_enrolment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM person WHERE id = NEW.person_id AND facility_id = NEW.facility_id) THEN
        INSERT INTO fingerprint (id, facility_id, person_id, finger, template, quality, enrolled_at)
        VALUES (NEW.id, NEW.facility_id, NEW.person_id, NEW.finger, NEW.template, NEW.quality,
                NEW.enrolled_at)
        ON CONFLICT (person_id, finger) DO UPDATE
            SET id = EXCLUDED.id, template = EXCLUDED.template, quality = EXCLUDED.quality,
                enrolled_at = EXCLUDED.enrolled_at
            WHERE fingerprint.enrolled_at <= EXCLUDED.enrolled_at;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER promote_enrolment AFTER INSERT ON enrolment
    FOR EACH ROW EXECUTE FUNCTION hub_promote_enrolment();

-- A check-in at any kiosk closes the booking for every kiosk of the facility.
CREATE FUNCTION hub_close_booking() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NEW.booking_id IS NOT NULL THEN
        UPDATE booking SET status = 'checked_in'
        WHERE id = NEW.booking_id AND facility_id = NEW.facility_id AND status = 'booked';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER close_booking AFTER INSERT ON visit
    FOR EACH ROW EXECUTE FUNCTION hub_close_booking();
