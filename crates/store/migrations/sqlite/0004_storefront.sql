-- The customer storefront: each location's preparation time, pause switch, opening hours,
-- counter and pickup slot capacity; product categories and photos; the site's acceptance limit.

ALTER TABLE locations ADD COLUMN prep_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE locations ADD COLUMN paused_until_ms INTEGER;
ALTER TABLE locations ADD COLUMN opening_hours_json TEXT;
ALTER TABLE locations ADD COLUMN counter TEXT;
ALTER TABLE locations ADD COLUMN slot_capacity INTEGER;

ALTER TABLE products ADD COLUMN category TEXT;
ALTER TABLE products ADD COLUMN image_url TEXT;
-- Modifier groups (size, extras with a price, notes) as JSON; NULL: none.
ALTER TABLE products ADD COLUMN modifiers_json TEXT;

-- What the customer chose on each line, and a note for the kitchen.
ALTER TABLE fulfillment_lines ADD COLUMN modifiers_json TEXT;
ALTER TABLE fulfillment_lines ADD COLUMN note TEXT;

-- A part not accepted within this many minutes is cancelled and refunded (NULL: no limit).
ALTER TABLE sites ADD COLUMN accept_within_minutes INTEGER;

CREATE INDEX orders_pickup ON orders(site_id, pickup_at);
