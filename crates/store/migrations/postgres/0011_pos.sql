-- The store's till (issue #14): registered devices with their own receipt series, cash
-- sessions (one open per device, enforced by a partial unique index), cash moved in or out,
-- sales keyed by the id the device made (kept forever, so a sale queued offline and sent again
-- any time later is recorded once), their lines and payments, the receipt numbers a device
-- gave twice, and the stock conflicts an offline sale's shortfall opens.
CREATE TABLE pos_devices (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    name TEXT NOT NULL,
    receipt_series TEXT NOT NULL UNIQUE,
    created_by TEXT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX pos_devices_location ON pos_devices(location_id, name);

CREATE TABLE pos_sessions (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES pos_devices(id),
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opening_float_minor BIGINT NOT NULL CHECK (opening_float_minor >= 0),
    opened_by TEXT,
    opened_at_ms BIGINT NOT NULL,
    expected_cash_minor BIGINT,
    counted_cash_minor BIGINT,
    closed_by TEXT,
    closed_at_ms BIGINT
);
CREATE UNIQUE INDEX pos_sessions_device_id_key ON pos_sessions(device_id) WHERE status = 'open';
CREATE INDEX pos_sessions_device ON pos_sessions(device_id, opened_at_ms);

CREATE TABLE pos_cash_movements (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES pos_sessions(id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reason TEXT NOT NULL,
    created_by TEXT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX pos_cash_movements_session ON pos_cash_movements(session_id, created_at_ms);

-- `request_hash` fingerprints the body the device sent; `answer_json` is the first answer,
-- given again to every repeat with the same body.
CREATE TABLE pos_sales (
    id TEXT CONSTRAINT pos_sales_id_key PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES pos_sessions(id),
    device_id TEXT NOT NULL REFERENCES pos_devices(id),
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    receipt_n BIGINT NOT NULL CHECK (receipt_n >= 1),
    request_hash TEXT NOT NULL,
    offline BIGINT NOT NULL,
    sold_at_ms BIGINT NOT NULL,
    recorded_at_ms BIGINT NOT NULL,
    currency TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    discount_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    change_minor BIGINT NOT NULL,
    customer_json TEXT,
    created_by TEXT,
    answer_json TEXT NOT NULL,
    UNIQUE (device_id, receipt_n)
);
CREATE INDEX pos_sales_session ON pos_sales(session_id, sold_at_ms);

CREATE TABLE pos_sale_lines (
    sale_id TEXT NOT NULL REFERENCES pos_sales(id),
    position BIGINT NOT NULL,
    sku TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    discount_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    track_stock BIGINT NOT NULL,
    PRIMARY KEY (sale_id, position)
);

-- `amount_minor` is what the tender paid of the total (cash net of change).
CREATE TABLE pos_sale_payments (
    sale_id TEXT NOT NULL REFERENCES pos_sales(id),
    position BIGINT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external_card')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    tendered_minor BIGINT,
    reference TEXT,
    card_last4 TEXT,
    PRIMARY KEY (sale_id, position)
);

-- A receipt number a device gave a second sale: the second sale is refused (409), and the
-- reuse is kept here for the series report.
CREATE TABLE pos_receipt_duplicates (
    device_id TEXT NOT NULL REFERENCES pos_devices(id),
    receipt_n BIGINT NOT NULL,
    receipt_number TEXT NOT NULL,
    sale_id TEXT NOT NULL,
    refused_sale_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, receipt_n, refused_sale_id)
);

CREATE TABLE stock_conflicts (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL REFERENCES locations(id),
    sku TEXT NOT NULL,
    shortfall BIGINT NOT NULL CHECK (shortfall > 0),
    cause TEXT NOT NULL,
    sale_id TEXT,
    order_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    created_at_ms BIGINT NOT NULL,
    resolved_at_ms BIGINT
);
CREATE INDEX stock_conflicts_location ON stock_conflicts(location_id, status, created_at_ms);
