-- Hub migration 6: queue tickets shared by the lobby terminals of a facility (PostgreSQL 15).
-- Until now kiosks only pushed their tickets, so each terminal's now-serving display and "call
-- next" knew its own block of numbers only. From here:
-- - the hub keeps everything a terminal needs of a ticket (code, session, group size) and of a
--   complaint (the anonymous flag, the terminal);
-- - queue tickets go into the change log like master rows, so every kiosk of the facility pulls
--   them (its own come back too; a kiosk merges by id and never renumbers a ticket it has);
-- - hub_call_ticket() records a call made at any terminal; the earliest call wins, so terminals
--   that called the same ticket while offline agree after a sync.
-- Ticket writes now take the change log's advisory lock (0003) and commit in seq order like master
-- writes. A facility issues a few hundred tickets a day, so the serialisation costs nothing.

ALTER TABLE queue_ticket
    ADD COLUMN ticket_code text,
    ADD COLUMN session     text,
    ADD COLUMN group_size  integer CHECK (group_size >= 1);

-- Rows from kiosks before this migration read as named complaints; their person_id is what it was.
ALTER TABLE complaint
    ADD COLUMN anonymous   boolean NOT NULL DEFAULT false,
    ADD COLUMN terminal_id text,
    ADD CONSTRAINT complaint_anonymous_has_no_person CHECK (NOT anonymous OR person_id IS NULL);

CREATE INDEX queue_ticket_facility_day ON queue_ticket(facility_id, service_day);

CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON queue_ticket
    FOR EACH ROW EXECUTE FUNCTION hub_log_change('id');

-- Tickets already on the hub reach the terminals too, as far as a queue still cares (yesterday on,
-- for facilities whose day starts before the hub's): older days are history, not a queue.
SELECT pg_advisory_xact_lock(hashtext('hub.change_log'));
INSERT INTO change_log (seq, facility_id, table_name, row_id, op, data)
SELECT nextval('change_log_seq'), q.facility_id, 'queue_ticket', q.id, 'upsert', to_jsonb(q)
FROM (SELECT * FROM queue_ticket WHERE service_day >= current_date - 1
      ORDER BY received_at, id) q;

-- Records that a ticket was called at `called` and returns the ticket's call time on the hub (the
-- earliest call of all terminals), or NULL when the caller's facility has no such ticket. A call
-- is never taken back: least() ignores the NULL of an uncalled ticket, and a later call changes
-- nothing. SECURITY DEFINER because kiosks may not update events themselves; inside it
-- current_user is the owner, so the caller is the session's login role.
CREATE FUNCTION hub_call_ticket(ticket text, called timestamptz) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller_facility text;
    is_admin boolean := pg_has_role(session_user, 'hub_admin', 'MEMBER');
    result timestamptz;
BEGIN
    SELECT facility_id INTO caller_facility FROM kiosk_account WHERE role_name = session_user;
    IF caller_facility IS NULL AND NOT is_admin THEN
        RAISE EXCEPTION 'role % is neither a kiosk nor a hub admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF called IS NULL THEN
        RAISE EXCEPTION 'a call needs its time' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    UPDATE queue_ticket SET called_at = least(called_at, called)
    WHERE id = ticket
      AND (facility_id = caller_facility OR (caller_facility IS NULL AND is_admin))
      AND called_at IS DISTINCT FROM least(called_at, called);
    SELECT called_at INTO result FROM queue_ticket
    WHERE id = ticket
      AND (facility_id = caller_facility OR (caller_facility IS NULL AND is_admin));
    RETURN result;
END
$$;
REVOKE ALL ON FUNCTION hub_call_ticket(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hub_call_ticket(text, timestamptz) TO hub_kiosk, hub_admin;
