-- Returns and exchanges (issue 17 point 6). A return takes back units of an order (any
-- channel) or a till sale at any location of the same merchant; each of its lines names the
-- purchased line it returns (`source_part`: the order's part or the sale; `source_position`:
-- the line's position there), so "bought minus already returned" is a sum over this table,
-- checked inside the return's transaction. Each return carries the merchant's next credit
-- note (nota de crédito) number, from a series without gaps (`credit_note_series`, bumped in
-- the same transaction, so a refused return leaves no hole). `return_policies` holds each
-- merchant's policy (no row: 30 days, no receipt needed, nothing final sale).
CREATE TABLE return_policies (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    window_days INTEGER NOT NULL CHECK (window_days >= 0),
    needs_receipt INTEGER NOT NULL,
    -- JSON array of SKUs sold as final sale.
    final_sale_skus_json TEXT NOT NULL,
    updated_by TEXT,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE credit_note_series (
    merchant_id TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL
);

CREATE TABLE returns (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    source TEXT NOT NULL CHECK (source IN ('order', 'sale')),
    source_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    refund_minor INTEGER NOT NULL CHECK (refund_minor >= 0),
    refund_to TEXT NOT NULL CHECK (refund_to IN ('original', 'store_credit')),
    refund_method TEXT NOT NULL CHECK (refund_method IN ('card', 'cash', 'store_credit', 'none')),
    -- The till session the cash came out of (cash refunds).
    session_id TEXT,
    device_id TEXT,
    -- The refund job (card refunds).
    payment_job_id TEXT,
    -- The store-credit holder (normalised e-mail or phone), for store credit.
    customer_key TEXT,
    credit_note_n INTEGER NOT NULL CHECK (credit_note_n >= 1),
    credit_note_number TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- Comma-separated policy rules a manager's override set aside ('' when none).
    overridden TEXT NOT NULL,
    override_by TEXT,
    override_reason TEXT,
    created_by TEXT,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (merchant_id, credit_note_n)
);
CREATE INDEX returns_source ON returns(source, source_id);
CREATE INDEX returns_location ON returns(location_id, created_at_ms);
CREATE INDEX returns_merchant ON returns(merchant_id, created_at_ms);
CREATE INDEX returns_session ON returns(session_id);

CREATE TABLE return_lines (
    return_id TEXT NOT NULL REFERENCES returns(id),
    position INTEGER NOT NULL,
    source_part TEXT NOT NULL,
    source_position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    refund_minor INTEGER NOT NULL CHECK (refund_minor >= 0),
    -- 1 when the units went back into the location's on-hand (a `return` movement).
    restocked INTEGER NOT NULL,
    condition TEXT NOT NULL CHECK (condition IN ('resellable', 'damaged')),
    PRIMARY KEY (return_id, position)
);
CREATE INDEX return_lines_source ON return_lines(source_part, source_position);
