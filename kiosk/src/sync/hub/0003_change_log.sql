-- Hub migration 3: the change log kiosks pull from (PostgreSQL 15).
-- Every insert, update and delete on a master table appends one row (two when a key or facility
-- changes: a delete of the old key, then an upsert of the new row) carrying the whole new row as
-- JSON. A kiosk keeps the last seq it applied (its cursor) and asks for seq > cursor.
--
-- Why the advisory lock: sequence numbers are handed out at write time but become visible at
-- commit time, so without it a transaction holding seq 9 could commit after one holding seq 10, and
-- a kiosk that already moved its cursor to 10 would never see 9. Holding a transaction-level lock
-- while taking numbers makes writers of master data commit in seq order. Master data changes are
-- imports and desk edits, so serialising them costs nothing that matters.

CREATE SEQUENCE change_log_seq;

CREATE TABLE change_log (
    seq          bigint PRIMARY KEY,
    facility_id  text NOT NULL,
    table_name   text NOT NULL,
    row_id       text NOT NULL,
    op           text NOT NULL CHECK (op IN ('upsert', 'delete')),
    data         jsonb,                       -- the new row; NULL for a delete
    changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_facility_seq ON change_log(facility_id, seq);

-- TG_ARGV[0] names the key column. bytea_output is pinned so templates always travel as hex.
CREATE FUNCTION hub_log_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET bytea_output = 'hex' AS $$
DECLARE
    key_column text := TG_ARGV[0];
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('hub.change_log'));
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (
            old_row ->> key_column IS DISTINCT FROM new_row ->> key_column
            OR old_row ->> 'facility_id' IS DISTINCT FROM new_row ->> 'facility_id')) THEN
        INSERT INTO change_log (seq, facility_id, table_name, row_id, op, data)
        VALUES (nextval('change_log_seq'), old_row ->> 'facility_id', TG_TABLE_NAME,
                old_row ->> key_column, 'delete', NULL);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    INSERT INTO change_log (seq, facility_id, table_name, row_id, op, data)
    VALUES (nextval('change_log_seq'), new_row ->> 'facility_id', TG_TABLE_NAME,
            new_row ->> key_column, 'upsert', new_row);
    RETURN NEW;
END
$$;

CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON facility
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON person
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON inmate
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('person_id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON detention_period
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON remission
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON programme_decision
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON family_link
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON fingerprint
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON booking
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');
