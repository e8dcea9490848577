-- Hub migration 5: the hub's identity (PostgreSQL 15).
-- A kiosk remembers which hub its cursor belongs to. Pointed at another hub (a new installation,
-- another facility's server) its cursor means nothing there, and it refuses to sync rather than
-- skip or mix rows. A hub restored from an older backup is caught by the change sequence being
-- behind the kiosk's cursor, so kiosks can also read the sequence's position.

CREATE TABLE hub_identity (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hub_identity DEFAULT VALUES;

GRANT SELECT ON hub_identity TO hub_admin, hub_kiosk;
GRANT SELECT ON SEQUENCE change_log_seq TO hub_kiosk;
