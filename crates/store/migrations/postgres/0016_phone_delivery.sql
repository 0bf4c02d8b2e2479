-- Issue #14 points 4 and 8: the till collects pay-at-pickup parts, and phone orders may be
-- delivered.
--
-- A pay-at-pickup part collected at a till: one row per part (its primary key, so a part is
-- collected once), kept with the open session that took the money so the session's expected
-- cash includes it, and the tenders that paid it (`amount_minor` net of change, as sales).
CREATE TABLE pos_pickup_collections (
    fulfillment_id TEXT PRIMARY KEY REFERENCES fulfillments(id),
    order_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES pos_sessions(id),
    device_id TEXT NOT NULL REFERENCES pos_devices(id),
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    change_minor BIGINT NOT NULL CHECK (change_minor >= 0),
    created_by TEXT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX pos_pickup_collections_session ON pos_pickup_collections(session_id, created_at_ms);

CREATE TABLE pos_pickup_payments (
    fulfillment_id TEXT NOT NULL REFERENCES pos_pickup_collections(fulfillment_id),
    position BIGINT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external_card')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    tendered_minor BIGINT,
    reference TEXT,
    PRIMARY KEY (fulfillment_id, position)
);

-- A phone order delivered rather than picked up: where to (all four null for a pickup).
ALTER TABLE orders ADD COLUMN delivery_street TEXT;
ALTER TABLE orders ADD COLUMN delivery_number TEXT;
ALTER TABLE orders ADD COLUMN delivery_district TEXT;
ALTER TABLE orders ADD COLUMN delivery_reference TEXT;
