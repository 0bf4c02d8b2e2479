-- Reminders before a booking (issue 19 point 4): the customer's channels for one booking (Web
-- Push subscriptions, the language of the texts), the claim that each (booking, reminder) goes
-- out once across nodes, and each delivery as a retried job.
--
-- No column references bookings(id): SQLite rebuilds a table to change a CHECK (0048 did), and
-- a reference here would have to be rebuilt with it. A booking id that no longer exists only
-- leaves rows nothing reads.

-- A browser's push subscription on a booking, registered with the booking's manage token.
CREATE TABLE booking_push_subscriptions (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('es', 'en')),
    open_path TEXT,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (booking_id, endpoint)
);
CREATE INDEX booking_push_subscriptions_by_endpoint ON booking_push_subscriptions (endpoint);

-- The customer's choices for a booking's reminders. The manage token is kept once the customer
-- hands it to these routes, so a reminder sent by SMS or e-mail can carry the manage link.
CREATE TABLE booking_reminder_preferences (
    booking_id TEXT PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('es', 'en')),
    manage_token TEXT,
    updated_at_ms BIGINT NOT NULL
);

-- One row per (booking, reminder) sent or being sent: the insert is the claim across nodes.
CREATE TABLE booking_reminder_claims (
    booking_id TEXT NOT NULL,
    offset_minutes BIGINT NOT NULL,
    claimed_at_ms BIGINT NOT NULL,
    PRIMARY KEY (booking_id, offset_minutes)
);

-- One delivery of one reminder to one target ('gateway', 'email' or 'push:<subscription id>').
CREATE TABLE booking_reminder_jobs (
    booking_id TEXT NOT NULL,
    offset_minutes BIGINT NOT NULL,
    target TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at_ms BIGINT NOT NULL,
    give_up_at_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (booking_id, offset_minutes, target)
);
CREATE INDEX booking_reminder_jobs_due ON booking_reminder_jobs (state, next_at_ms);

-- The reminder worker looks for bookings starting soon, across locations.
CREATE INDEX bookings_by_start ON bookings (start_ms);
