-- A buffer before a service (issue 19 point 1: "services with a duration, buffer before/after"):
-- the minutes a staff member or room is held before the appointment starts (a room set up, a
-- colour mixed). `buffer_minutes` stays the buffer after, as the contract names it.
--
-- Only the service carries it: a booking's row keeps its own start and end (the service's
-- time), and the cells the buffer covers are claimed in booking_claims like the rest, so the
-- claims' primary key still refuses two bookings whose buffers overlap.
ALTER TABLE booking_services
    ADD COLUMN buffer_before_minutes BIGINT NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0);
