-- The retail catalogue and the web shop (issue 17 points 1 and 2).
-- A product's options (size, colour, …) as a JSON list [{name, values: [..]}]; its variants
-- name one value of each in their attributes. NULL: a product sold without options.
ALTER TABLE products ADD COLUMN options_json TEXT;
-- What a location is to the web shop: 'store' (pickup, the till, deliveries) or 'warehouse'
-- (sells only online: deliveries, never a pickup point). Every existing location is a store.
ALTER TABLE locations ADD COLUMN kind TEXT NOT NULL DEFAULT 'store';
