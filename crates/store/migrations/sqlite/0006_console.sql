-- The merchant console: parts accepted with a preparation time, items switched to sold out per
-- location, and indexes for the live queue and the order search.

-- The preparation time given on acceptance, when it was accepted, and the ready time promised.
ALTER TABLE fulfillments ADD COLUMN prep_minutes INTEGER;
ALTER TABLE fulfillments ADD COLUMN accepted_at_ms INTEGER;
ALTER TABLE fulfillments ADD COLUMN estimated_ready_ms INTEGER;

-- A SKU a location's staff switched off ("agotado"): every channel refuses it until switched back.
CREATE TABLE sold_out_items (
    location_id TEXT NOT NULL REFERENCES locations(id),
    sku TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    user_id TEXT,
    PRIMARY KEY (location_id, sku)
);

-- The live queue reads a location's parts by status; the search a merchant's parts by status.
CREATE INDEX fulfillments_location_status ON fulfillments(location_id, status, created_at_ms);
CREATE INDEX fulfillments_merchant_status ON fulfillments(merchant_id, status, created_at_ms);

-- The table the customer ordered from (the QR poster's `?table=`), printed on the kitchen ticket.
ALTER TABLE orders ADD COLUMN table_label TEXT;
