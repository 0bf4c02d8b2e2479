-- The audit log (issue 15, point 3): who changed what in the back office, with the thing's
-- snapshot before and after as JSON text (secrets redacted before they get here).
-- merchant_id scopes an entry to one merchant (a manager sees only those); NULL is the
-- platform's own (sites, merchants), seen by admins only. Rows are only ever inserted.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    merchant_id TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
-- Newest first overall, within a merchant, for one thing, and by one person.
CREATE INDEX audit_log_at ON audit_log (at_ms, id);
CREATE INDEX audit_log_merchant ON audit_log (merchant_id, at_ms);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at_ms);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at_ms);
