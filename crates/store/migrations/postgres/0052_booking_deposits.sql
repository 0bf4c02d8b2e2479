-- Deposits on bookings (issue 19 point 3): what a service or a location's tables ask to put
-- down, and each booking's deposit with where its money stands.
--
-- Kept beside the bookings and services rather than as new columns on them, so their rows
-- (and every statement that writes them) stay as they were. No column references another
-- table, for the reason 0051 gives.

-- A deposit rule: a service's flat deposit ('service', owner = the service id) or a location's
-- deposit per guest for its tables ('table_per_guest', owner = the location id). No row: none.
CREATE TABLE booking_deposit_rules (
    owner_id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('service', 'table_per_guest')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- A booking's deposit. `job_id` is the payment job whose success moves `status` on (the
-- capture, then the refund or the void that replaced it); payment_jobs.order_id holds the
-- booking id for these jobs.
CREATE TABLE booking_deposits (
    booking_id TEXT PRIMARY KEY,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    payment_reference TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('authorised', 'captured', 'refund_pending', 'refunded',
        'void_pending', 'voided', 'kept')),
    job_id TEXT,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX booking_deposits_by_job ON booking_deposits (job_id);
