-- Availability that knows everything (issue 19): a resource's zone, combinable group and
-- working week; exception days of a location or of one resource; who performs a service; the
-- members of a booking on joined tables; and where a location is (for "nearest to me").
--
-- A booking on joined tables keeps one row in bookings (its resource_id is the first member)
-- and claims the cells of EVERY member in booking_claims, whose primary key stays the one
-- guarantee against double booking; booking_members only says which tables were joined.
CREATE TABLE booking_resource_details (
    resource_id TEXT PRIMARY KEY REFERENCES booking_resources(id),
    zone TEXT,
    combine_group TEXT,
    -- The working week as WorkingWeek::to_json writes it; NULL: whenever the location is open.
    working_hours TEXT,
    updated_ms INTEGER NOT NULL
);

CREATE TABLE booking_exceptions (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations(id),
    -- NULL: the whole location.
    resource_id TEXT REFERENCES booking_resources(id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'location_hours', 'day_off', 'special_hours')),
    -- ["HH:MM", "HH:MM"] ranges as JSON, for location_hours and special_hours only.
    hours TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX booking_exceptions_by_location ON booking_exceptions (location_id, day);

CREATE TABLE booking_service_performers (
    service_id TEXT NOT NULL REFERENCES booking_services(id),
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    PRIMARY KEY (service_id, resource_id)
);

CREATE TABLE booking_members (
    booking_id TEXT NOT NULL REFERENCES bookings(id),
    resource_id TEXT NOT NULL REFERENCES booking_resources(id),
    PRIMARY KEY (booking_id, resource_id)
);
CREATE INDEX booking_members_by_resource ON booking_members (resource_id);

-- Coordinates in millionths of a degree (about 11 cm), so both databases store exact integers.
CREATE TABLE location_places (
    location_id TEXT PRIMARY KEY REFERENCES locations(id),
    latitude_e6 INTEGER NOT NULL CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6 INTEGER NOT NULL CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    comuna TEXT,
    updated_ms INTEGER NOT NULL
);
