-- Support ticket photos and the till failures the desk is told about (issue 18 point 1).
-- A photo is what a store sends beside its ticket (a jammed printer, a terminal's screen):
-- kept in the database like product photos, so every node serves it, as one rendition already
-- resized and re-encoded (never the upload itself), and read only by who may read the ticket.
CREATE TABLE support_ticket_photos (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    uploaded_by TEXT NOT NULL,
    uploaded_ms BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BYTEA NOT NULL
);
CREATE INDEX support_ticket_photos_ticket ON support_ticket_photos (ticket_id, uploaded_ms);

-- The last failure of each kind the server itself saw: `print` per till (scope = device id),
-- `decline` per store (scope = location id). One row per (kind, scope), overwritten; a ticket
-- from a till copies them into its context so the desk sees what the till may not know.
CREATE TABLE support_last_failures (
    kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, scope_id)
);
