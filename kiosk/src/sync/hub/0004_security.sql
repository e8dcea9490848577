-- Hub migration 4: roles and row-level security (PostgreSQL 15).
--
-- Roles (cluster-wide, created once; this migration only creates them when missing):
--   hub_admin   NOLOGIN group: reads and writes everything (importers, the registration desk,
--               operators). Grant it to a login role: GRANT hub_admin TO alice;
--   hub_kiosk   NOLOGIN group: what every kiosk may do. It reads master tables and the change log
--               of its own facility only, and inserts events of its own facility only.
--   kiosk_<facility>_<n>  one LOGIN role per kiosk, made a member of hub_kiosk and mapped to its
--               facility through kiosk_account by hub_register_kiosk():
--                 CREATE ROLE kiosk_rutan_mks_1 LOGIN PASSWORD '...';
--                 SELECT hub_register_kiosk('kiosk_rutan_mks_1', 'RUTAN-MKS');
-- The schema owner (whoever ran `kiosk hub init`) bypasses policies as table owner.

-- Roles are shared by every database of the cluster: another hub database may have made them
-- already, even concurrently (hence the exception handlers).
DO $$
BEGIN
    BEGIN
        CREATE ROLE hub_admin NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE hub_kiosk NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

GRANT USAGE ON SCHEMA public TO hub_admin, hub_kiosk;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hub_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO hub_admin;

GRANT SELECT ON facility, person, inmate, detention_period, remission, programme_decision,
    family_link, fingerprint, booking, change_log, kiosk_account TO hub_kiosk;
GRANT INSERT ON visit, queue_ticket, complaint, audit_log, enrolment TO hub_kiosk;
-- Kiosks push with a bare ON CONFLICT DO NOTHING (the key is the only unique constraint): naming
-- the key would need SELECT on it, and then PostgreSQL checks SELECT policies on the new row too.

-- Policies: admins see all; a kiosk sees its facility's master rows and change log and may only
-- add events of its own facility (events are write-only for kiosks).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['facility', 'person', 'inmate', 'detention_period', 'remission',
            'programme_decision', 'family_link', 'fingerprint', 'booking', 'change_log'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO hub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY kiosk_read ON %I FOR SELECT TO hub_kiosk '
                       'USING (facility_id = (SELECT hub_current_facility()))', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['visit', 'queue_ticket', 'complaint', 'audit_log', 'enrolment'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON %I TO hub_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY kiosk_insert ON %I FOR INSERT TO hub_kiosk '
                       'WITH CHECK (facility_id = (SELECT hub_current_facility()))', t);
    END LOOP;
END
$$;

ALTER TABLE kiosk_account ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON kiosk_account TO hub_admin USING (true) WITH CHECK (true);
CREATE POLICY kiosk_self ON kiosk_account FOR SELECT TO hub_kiosk USING (role_name = current_user);

-- Maps an existing login role to a facility and makes it a kiosk.
CREATE FUNCTION hub_register_kiosk(kiosk_role name, facility text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kiosk_account (role_name, facility_id) VALUES (kiosk_role, facility)
    ON CONFLICT (role_name) DO UPDATE SET facility_id = EXCLUDED.facility_id;
    EXECUTE format('GRANT hub_kiosk TO %I', kiosk_role);
END
$$;
REVOKE ALL ON FUNCTION hub_register_kiosk(name, text) FROM PUBLIC;
