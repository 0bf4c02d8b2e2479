-- The customer app (issue #4): what a site does with a part its restaurant has not accepted in
-- time, and pickup slot capacity counted atomically inside the order's transaction.

-- `cancel_and_refund` (the hold lapses: the part is cancelled and refunded) or `notify_only`
-- (the part stays; the customer is told at once, once).
ALTER TABLE sites ADD COLUMN unaccepted_policy TEXT NOT NULL DEFAULT 'cancel_and_refund'
    CHECK (unaccepted_policy IN ('cancel_and_refund', 'notify_only'));

-- Live parts per location and pickup slot (its start, Unix ms). Placement counts a part with
-- `INSERT … ON CONFLICT DO UPDATE … WHERE used < capacity`, so two orders cannot both take
-- the last place; a rejected or cancelled part gives its place back.
CREATE TABLE pickup_slot_counts (
    location_id TEXT NOT NULL REFERENCES locations(id),
    slot_start_ms INTEGER NOT NULL,
    used INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (location_id, slot_start_ms)
);

-- Which part holds a place in which slot: the place is given back once, when the row goes.
CREATE TABLE pickup_slot_bookings (
    fulfillment_id TEXT PRIMARY KEY REFERENCES fulfillments(id),
    location_id TEXT NOT NULL,
    slot_start_ms INTEGER NOT NULL
);

-- Parts placed before this migration keep their places (15-minute slots, as the server cuts them).
INSERT INTO pickup_slot_bookings (fulfillment_id, location_id, slot_start_ms)
SELECT f.id, f.location_id, (CAST(strftime('%s', o.pickup_at) AS INTEGER) / 900) * 900000
FROM fulfillments f JOIN orders o ON o.id = f.order_id
WHERE o.pickup_at IS NOT NULL AND strftime('%s', o.pickup_at) IS NOT NULL
AND f.status NOT IN ('rejected', 'cancelled');

INSERT INTO pickup_slot_counts (location_id, slot_start_ms, used)
SELECT location_id, slot_start_ms, COUNT(*) FROM pickup_slot_bookings GROUP BY location_id, slot_start_ms;
