-- Endless aisle (issue 17 point 7): an order sold on the clerk's tablet for an item the store
-- lacks. The order itself is an ordinary `tablet` order whose part holds the units at the
-- source location; these tables keep what only the aisle has: which till sold it and how it
-- was paid there, how it reaches the customer (a shipment, or transfers to this store), and
-- the cash owed back if it is cancelled.
CREATE TABLE aisle_orders (
    order_id TEXT PRIMARY KEY REFERENCES orders(id),
    merchant_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    -- The store whose tablet sold it (and where a pickup here is collected).
    store_location_id TEXT NOT NULL,
    -- Where the units are held and leave from.
    source_location_id TEXT NOT NULL,
    fulfillment_id TEXT NOT NULL,
    -- 'delivery' or 'pickup_here'.
    mode TEXT NOT NULL,
    -- A pickup here: the promised local day (YYYY-MM-DD) and opening time (HH:MM).
    promised_date TEXT,
    promised_from TEXT,
    -- A pickup here: when the transfers were received at the store.
    received_at_ms BIGINT,
    cash_minor BIGINT NOT NULL CHECK (cash_minor >= 0),
    card_minor BIGINT NOT NULL CHECK (card_minor >= 0),
    change_minor BIGINT NOT NULL CHECK (change_minor >= 0),
    -- Cash to hand back to the customer after a cancellation (the card's refund is a job).
    cash_refund_owed_minor BIGINT NOT NULL DEFAULT 0 CHECK (cash_refund_owed_minor >= 0),
    created_by TEXT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX aisle_orders_store ON aisle_orders(store_location_id, created_at_ms);

-- The tenders as applied at the tablet (a card's terminal reference, kept for its refund).
CREATE TABLE aisle_payments (
    order_id TEXT NOT NULL REFERENCES aisle_orders(order_id),
    position BIGINT NOT NULL,
    method TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    tendered_minor BIGINT,
    reference TEXT,
    PRIMARY KEY (order_id, position)
);

-- A pickup here: one stock transfer per SKU from the source to the store.
CREATE TABLE aisle_transfers (
    transfer_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES aisle_orders(order_id)
);
CREATE INDEX aisle_transfers_order ON aisle_transfers(order_id);

-- A delivery's shipment from the source location (domain `shipment`).
CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders(id),
    fulfillment_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    status TEXT NOT NULL,
    tracking_reference TEXT,
    recipient_name TEXT NOT NULL,
    recipient_phone TEXT NOT NULL,
    street TEXT NOT NULL,
    number TEXT NOT NULL,
    district TEXT NOT NULL,
    address_reference TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX shipments_location ON shipments(location_id, status, created_at_ms);
