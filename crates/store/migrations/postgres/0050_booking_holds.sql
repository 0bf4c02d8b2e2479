-- A booking's life for the customer (issue 19 point 3): a booking may be held for a few minutes
-- while the customer confirms. The hold's lapse is kept beside the booking, keyed by it (not a
-- column on bookings, which other parts of issue 19 extend too); the sweeper expires held
-- bookings whose lapse has passed, oldest first, through the index.
CREATE TABLE booking_holds (
    booking_id TEXT PRIMARY KEY REFERENCES bookings(id),
    expires_ms BIGINT NOT NULL
);
CREATE INDEX booking_holds_by_expiry ON booking_holds (expires_ms);
