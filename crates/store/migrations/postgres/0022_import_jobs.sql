-- CSV imports run as jobs (issue 15 point 2): the node that took the file runs it and writes
-- its progress here, so a poll answered by any node sees it; the rejected rows are kept as
-- JSON for the report. A job belongs to its creator's merchant (NULL: a platform user's).
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    merchant_id TEXT,
    created_by TEXT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    processed BIGINT NOT NULL,
    applied BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    rejected_json TEXT,
    error TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX import_jobs_merchant ON import_jobs (merchant_id, created_at_ms);

-- The console lists a location's transfers in and out, newest first.
CREATE INDEX IF NOT EXISTS stock_transfers_from ON stock_transfers (from_location_id, created_at_ms);
CREATE INDEX IF NOT EXISTS stock_transfers_to ON stock_transfers (to_location_id, created_at_ms);
