-- The outbox relay now deletes a row once the broker has acknowledged it, in the same statement
-- that moves the relay's positions (it used to set "published_at" and keep the row forever). The
-- outbox then holds only what is still to be sent, instead of growing with every event, and the
-- relay's mark is a delete rather than an UPDATE that rewrote the whole row and its indexes.
-- "published_at" stays (always NULL from now on) so that a relay of either version never resends
-- a row the other one marked; the rows earlier relays marked go now, once.
DELETE FROM "outbox_events" WHERE "published_at" IS NOT NULL;
