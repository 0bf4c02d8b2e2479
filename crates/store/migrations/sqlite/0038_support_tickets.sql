-- The support desk's tickets (issue 18 point 1). A ticket belongs to one store (location) of
-- one merchant; `context_json` is what the till knew when it asked for help (device, cashier,
-- connectivity, last printer error, last decline, the cart's quote), kept as sent.
-- Deadlines are instants already counted in the store's business minutes; `pauses_json` keeps
-- the closed pauses ([from, to] pairs) so a change of priority recounts them.
-- The four 0/1 flags are the SLA watcher's once-only claims (a warning, a breach per target).
CREATE TABLE support_ticket_series (
    id INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
CREATE TABLE support_tickets (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    device_id TEXT,
    source TEXT NOT NULL,
    opened_by TEXT NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    merged_into_id TEXT REFERENCES support_tickets(id),
    context_json TEXT NOT NULL,
    first_response_due_ms INTEGER NOT NULL,
    resolution_due_ms INTEGER NOT NULL,
    first_responded_ms INTEGER,
    resolved_ms INTEGER,
    paused_since_ms INTEGER,
    pauses_json TEXT NOT NULL DEFAULT '[]',
    first_response_warned INTEGER NOT NULL DEFAULT 0,
    first_response_breached INTEGER NOT NULL DEFAULT 0,
    resolution_warned INTEGER NOT NULL DEFAULT 0,
    resolution_breached INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX support_tickets_status_due ON support_tickets(status, resolution_due_ms);
CREATE INDEX support_tickets_location ON support_tickets(location_id, created_ms);
CREATE INDEX support_tickets_merchant ON support_tickets(merchant_id, created_ms);
CREATE INDEX support_tickets_assignee ON support_tickets(assignee_id, status);
CREATE TABLE support_ticket_messages (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES support_tickets(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    author_email TEXT NOT NULL,
    author_role TEXT NOT NULL,
    body TEXT NOT NULL,
    internal INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX support_ticket_messages_ticket ON support_ticket_messages(ticket_id, created_ms);
