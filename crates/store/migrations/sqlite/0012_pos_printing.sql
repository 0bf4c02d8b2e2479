-- Till receipts (issue #14 point 5): the network printer a manager configured for a till (its
-- own table, one row per till, so the till's row and its other columns stay untouched), and
-- the digital receipts' links: only the SHA-256 of each unguessable token is kept, so the
-- database alone cannot open anyone's receipt.
CREATE TABLE pos_device_printers (
    device_id TEXT PRIMARY KEY REFERENCES pos_devices(id),
    host TEXT NOT NULL,
    port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    updated_by TEXT,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE pos_digital_receipts (
    token_hash TEXT PRIMARY KEY,
    sale_id TEXT NOT NULL REFERENCES pos_sales(id),
    created_by TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX pos_digital_receipts_sale ON pos_digital_receipts(sale_id);
