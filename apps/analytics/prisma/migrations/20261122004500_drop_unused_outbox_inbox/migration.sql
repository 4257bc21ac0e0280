-- Analytics only reads topics: it publishes nothing (no outbox) and makes its effects idempotent
-- through its processing checkpoint, not an inbox. The tables the init migration created for them
-- were never used.
DROP TRIGGER IF EXISTS "outbox_events_inserted" ON "outbox_events";
DROP FUNCTION IF EXISTS "outbox_events_notify"();
DROP TABLE IF EXISTS "outbox_relay_positions";
DROP TABLE IF EXISTS "inbox_events";
DROP TABLE IF EXISTS "outbox_events";
