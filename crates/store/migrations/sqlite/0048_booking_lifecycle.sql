-- Bookings' whole life (issue 19): a booking may be held while the customer confirms, seated,
-- completed, marked as a no-show or expire, besides confirmed and cancelled; and each location
-- keeps its own booking rules (notice, how far ahead, cancellation window, hold, reminders).
--
-- SQLite cannot change a CHECK in place, so bookings and their claims are rebuilt: the new
-- tables are filled, the old ones dropped (claims first, they reference bookings), and the new
-- ones renamed — a rename rewrites the claims' reference to the bookings table's new name.
CREATE TABLE bookings_next (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    service_id TEXT REFERENCES booking_services(id),
    party_size INTEGER,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    blocked_until_ms INTEGER NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('held', 'confirmed', 'seated', 'completed', 'no_show', 'cancelled', 'expired')),
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    manage_token_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    cancelled_ms INTEGER,
    CHECK (start_ms < end_ms AND end_ms <= blocked_until_ms)
);
INSERT INTO bookings_next SELECT id, merchant_id, location_id, resource_id, service_id, party_size, start_ms, end_ms,
    blocked_until_ms, status, customer_name, customer_phone, customer_email, manage_token_hash, created_ms, cancelled_ms
    FROM bookings;

CREATE TABLE booking_claims_next (
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    cell_start_ms INTEGER NOT NULL,
    booking_id TEXT NOT NULL REFERENCES bookings_next(id),
    PRIMARY KEY (resource_id, cell_start_ms)
);
INSERT INTO booking_claims_next SELECT resource_id, cell_start_ms, booking_id FROM booking_claims;

DROP TABLE booking_claims;
DROP TABLE bookings;
ALTER TABLE bookings_next RENAME TO bookings;
ALTER TABLE booking_claims_next RENAME TO booking_claims;
CREATE INDEX bookings_by_resource_time ON bookings (resource_id, start_ms);
CREATE INDEX bookings_by_location_time ON bookings (location_id, start_ms);
CREATE INDEX booking_claims_by_booking ON booking_claims (booking_id);

CREATE TABLE booking_settings (
    location_id TEXT PRIMARY KEY REFERENCES locations(id),
    min_notice_minutes INTEGER NOT NULL CHECK (min_notice_minutes >= 0),
    max_days_ahead INTEGER NOT NULL CHECK (max_days_ahead >= 1),
    cancel_window_minutes INTEGER NOT NULL CHECK (cancel_window_minutes >= 0),
    hold_minutes INTEGER NOT NULL CHECK (hold_minutes >= 1),
    -- Minutes before the start, comma-separated, earliest first ('1440,120'); '' for none.
    reminder_offsets TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
