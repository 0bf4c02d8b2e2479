-- Initial schema (SQLite). Amounts are integer minor units, times Unix milliseconds,
-- booleans 0/1. Added to by later migrations, never edited.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    merchant_id TEXT,
    location_id TEXT,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at_ms INTEGER NOT NULL
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE merchants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    commission_bps INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    pay_at_pickup INTEGER NOT NULL,
    is_open INTEGER NOT NULL DEFAULT 1,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX locations_site ON locations(site_id);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL,
    track_stock INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX products_merchant ON products(merchant_id);

CREATE TABLE variants (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    merchant_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    currency TEXT NOT NULL,
    barcode TEXT,
    attributes_json TEXT NOT NULL DEFAULT '{}',
    UNIQUE (merchant_id, sku)
);
CREATE INDEX variants_product ON variants(product_id);

CREATE TABLE stock_levels (
    location_id TEXT NOT NULL REFERENCES locations(id),
    sku TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    PRIMARY KEY (location_id, sku),
    CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);

-- Per location and channel: units kept back and an on/off switch. No row means
-- "enabled, nothing kept back".
CREATE TABLE channel_allocations (
    location_id TEXT NOT NULL REFERENCES locations(id),
    channel TEXT NOT NULL,
    safety_buffer INTEGER NOT NULL CHECK (safety_buffer >= 0),
    enabled INTEGER NOT NULL,
    -- How long an order's hold lasts while the merchant has not accepted it (NULL: no limit).
    hold_ttl_ms INTEGER,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (location_id, channel)
);

CREATE TABLE stock_movements (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    -- What caused it: an order, a transfer, a count sheet; and through which channel.
    reference TEXT,
    channel TEXT,
    created_by TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX stock_movements_sku ON stock_movements(location_id, sku, created_at_ms);

-- Goods moving between two locations of one merchant: out of the source when
-- sent, into the destination when received, "in transit" in between.
CREATE TABLE stock_transfers (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    from_location_id TEXT NOT NULL REFERENCES locations(id),
    to_location_id TEXT NOT NULL REFERENCES locations(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL,
    created_by TEXT,
    created_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER
);

-- `number` is the rowid, so SQLite hands out increasing order numbers for free.
CREATE TABLE orders (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    site_id TEXT NOT NULL REFERENCES sites(id),
    channel TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    tracking_token TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    payment_reference TEXT,
    captured_minor INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    outstanding_minor INTEGER NOT NULL,
    pickup_at TEXT,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE fulfillments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    status TEXT NOT NULL,
    pickup_code TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    captured_minor INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    reason TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    -- While `placed`, the part's stock hold lapses at this time (NULL: held until handled).
    hold_expires_at_ms INTEGER
);
CREATE INDEX fulfillments_order ON fulfillments(order_id);
CREATE INDEX fulfillments_holds ON fulfillments(status, hold_expires_at_ms);
CREATE INDEX fulfillments_location ON fulfillments(location_id, created_at_ms);
CREATE INDEX fulfillments_merchant ON fulfillments(merchant_id, created_at_ms);

CREATE TABLE fulfillment_lines (
    fulfillment_id TEXT NOT NULL REFERENCES fulfillments(id),
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    track_stock INTEGER NOT NULL,
    PRIMARY KEY (fulfillment_id, position)
);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT,
    resource_id TEXT,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    merchant_id TEXT,
    order_id TEXT,
    location_id TEXT,
    sku TEXT,
    payload_json TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    -- 0 until the webhook fan-out has queued this event's deliveries. A flag rather
    -- than a cursor, because on PostgreSQL sequence numbers may commit out of order.
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_fan_out ON outbox(seq) WHERE fanned_out = 0;

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    merchant_id TEXT,
    url TEXT NOT NULL,
    events_json TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    -- Failed attempts since the last success; the endpoint is disabled past a limit.
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
    event_seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    state TEXT NOT NULL,
    next_attempt_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at_ms);

