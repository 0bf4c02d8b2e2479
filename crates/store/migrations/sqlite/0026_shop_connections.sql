-- Shop connections (issue 16): a merchant's external shop (WooCommerce, PrestaShop, Magento 2,
-- Shopify) kept in step with the one stock ledger and price book. Credentials are stored sealed
-- (AES-256-GCM under the server's credentials key), never in clear.
CREATE TABLE shop_connections (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    base_url TEXT NOT NULL,
    credentials_sealed TEXT NOT NULL,
    -- The locations whose stock the shop sells (JSON array of ids), less a buffer per location.
    location_ids_json TEXT NOT NULL,
    stock_buffer INTEGER NOT NULL,
    price_list_id TEXT,
    currency TEXT NOT NULL,
    stock_owner TEXT NOT NULL,
    price_owner TEXT NOT NULL,
    content_owner TEXT NOT NULL,
    status TEXT NOT NULL,
    last_success_at_ms INTEGER,
    last_error TEXT,
    -- Failures in a row, and when the shop may be called again (backoff for the whole link).
    failures INTEGER NOT NULL,
    next_call_at_ms INTEGER NOT NULL,
    -- Orders are polled from this time on (the newest change seen, less an overlap).
    orders_since_ms INTEGER NOT NULL,
    orders_polled_at_ms INTEGER NOT NULL,
    -- The first import / full resync: asked for, taken by a node until its lease ends, progress.
    sync_requested_at_ms INTEGER,
    sync_lease_until_ms INTEGER NOT NULL,
    sync_total INTEGER NOT NULL,
    sync_done INTEGER NOT NULL,
    -- When drift (an edit in the shop's admin) was last looked for.
    drift_checked_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    UNIQUE (merchant_id, name)
);
CREATE INDEX shop_connections_merchant ON shop_connections (merchant_id);

-- Our SKU ↔ the shop's item, and the values both sides last agreed on (to tell an edit made in
-- the shop from one made here).
CREATE TABLE shop_mappings (
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    remote_product_id TEXT NOT NULL,
    remote_variant_id TEXT,
    remote_inventory_id TEXT,
    remote_sku TEXT,
    synced_stock INTEGER,
    synced_price INTEGER,
    PRIMARY KEY (connection_id, sku)
);

-- The shop's items no SKU or barcode of ours matched, for a one-click create or link.
CREATE TABLE shop_unmatched (
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    remote_key TEXT NOT NULL,
    remote_product_id TEXT NOT NULL,
    remote_variant_id TEXT,
    remote_inventory_id TEXT,
    remote_sku TEXT,
    barcode TEXT,
    title TEXT NOT NULL,
    price_minor INTEGER,
    stock INTEGER,
    PRIMARY KEY (connection_id, remote_key)
);

-- Pushes owed to a shop, one row per (SKU, field): a newer change to the same SKU updates the
-- row instead of adding one (coalesced; the value is read when the push is made, so the latest
-- wins), which also bounds the queue to two rows per mapped SKU.
CREATE TABLE shop_push_queue (
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    field TEXT NOT NULL,
    due_at_ms INTEGER NOT NULL,
    changed_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    claimed_until_ms INTEGER NOT NULL,
    PRIMARY KEY (connection_id, sku, field)
);
CREATE INDEX shop_push_queue_due ON shop_push_queue (due_at_ms);

-- Orders the shop sent (webhook) or polling found: the key (connection, remote id) makes each
-- one arrive exactly once, whichever node and however often it is delivered.
CREATE TABLE shop_orders (
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    number TEXT,
    state TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    order_id TEXT,
    cause TEXT,
    attempts INTEGER NOT NULL,
    due_at_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);
CREATE INDEX shop_orders_due ON shop_orders (state, due_at_ms);
CREATE INDEX shop_orders_order ON shop_orders (order_id);

-- Order statuses owed back to the shop (ready, shipped, cancelled, refunded), retried.
CREATE TABLE shop_status_pushes (
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    done_at_ms INTEGER,
    PRIMARY KEY (connection_id, remote_id, status)
);

-- What was seen in a shop that was not in step: an edit there to a field we own (reverted), to
-- a field it owns (accepted), or something only a person can settle (open until resolved).
CREATE TABLE shop_conflicts (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES shop_connections(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sku TEXT,
    remote_order_id TEXT,
    ours INTEGER,
    theirs INTEGER,
    detail TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    detected_at_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER,
    resolved_by TEXT
);
CREATE INDEX shop_conflicts_connection ON shop_conflicts (connection_id, status, detected_at_ms);

-- How far the connections' worker has read the outbox (stock and price changes to push,
-- order parts whose status goes back to a shop).
CREATE TABLE shop_outbox_cursor (
    consumer TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);
