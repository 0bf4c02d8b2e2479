-- Bookings (issue 19): a location's tables, staff and rooms, a merchant's services, and the
-- bookings made on them, never two at once on one resource.
--
-- The guarantee is booking_claims: one row per 15-minute grid cell a booking (with its buffer)
-- covers, keyed (resource, cell). Starts are on the grid, so two bookings that overlap share a
-- cell and the second INSERT is refused by the primary key, whatever the interleaving of
-- requests or nodes; a cancellation deletes its claims in its own transaction.
CREATE TABLE booking_resources (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    kind TEXT NOT NULL CHECK (kind IN ('table', 'staff', 'room')),
    name TEXT NOT NULL,
    seats_min BIGINT,
    seats_max BIGINT,
    created_ms BIGINT NOT NULL,
    CHECK ((kind = 'table') = (seats_max IS NOT NULL)),
    CHECK (seats_min IS NULL OR (seats_min >= 1 AND seats_min <= seats_max))
);
CREATE INDEX booking_resources_by_location ON booking_resources (location_id, kind);

CREATE TABLE booking_services (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes > 0),
    buffer_minutes BIGINT NOT NULL CHECK (buffer_minutes >= 0),
    price_minor BIGINT,
    price_currency TEXT,
    created_ms BIGINT NOT NULL
);
CREATE INDEX booking_services_by_merchant ON booking_services (merchant_id);

CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    service_id TEXT REFERENCES booking_services(id),
    party_size BIGINT,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    blocked_until_ms BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    manage_token_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    cancelled_ms BIGINT,
    CHECK (start_ms < end_ms AND end_ms <= blocked_until_ms)
);
CREATE INDEX bookings_by_resource_time ON bookings (resource_id, start_ms);
CREATE INDEX bookings_by_location_time ON bookings (location_id, start_ms);

CREATE TABLE booking_claims (
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    cell_start_ms BIGINT NOT NULL,
    booking_id TEXT NOT NULL REFERENCES bookings(id),
    PRIMARY KEY (resource_id, cell_start_ms)
);
CREATE INDEX booking_claims_by_booking ON booking_claims (booking_id);
