-- Bookings' whole life (issue 19): a booking may be held while the customer confirms, seated,
-- completed, marked as a no-show or expire, besides confirmed and cancelled; and each location
-- keeps its own booking rules (notice, how far ahead, cancellation window, hold, reminders).
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('held', 'confirmed', 'seated', 'completed', 'no_show', 'cancelled', 'expired'));

CREATE TABLE booking_settings (
    location_id TEXT PRIMARY KEY REFERENCES locations(id),
    min_notice_minutes BIGINT NOT NULL CHECK (min_notice_minutes >= 0),
    max_days_ahead BIGINT NOT NULL CHECK (max_days_ahead >= 1),
    cancel_window_minutes BIGINT NOT NULL CHECK (cancel_window_minutes >= 0),
    hold_minutes BIGINT NOT NULL CHECK (hold_minutes >= 1),
    -- Minutes before the start, comma-separated, earliest first ('1440,120'); '' for none.
    reminder_offsets TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);
