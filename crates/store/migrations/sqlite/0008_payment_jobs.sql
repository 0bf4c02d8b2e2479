-- Payment jobs (issue #11): every capture, refund or void the books owe a card provider,
-- written in the transaction that owes it and carried out by a worker that retries with
-- backoff, claims each attempt (so two nodes never make the same one) and leaves the job in
-- `needs_attention` when it finally fails. The id is derived from what the money is for (the
-- order's capture, a part's refund, an authorisation's void), so it is queued at most once, and
-- it is the idempotency key the provider is given.
--
-- `order_id` names no foreign key: a void is queued for an order whose placement was refused,
-- which never reached the orders table.
CREATE TABLE payment_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('capture', 'refund', 'void')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'needs_attention')),
    order_id TEXT NOT NULL,
    fulfillment_id TEXT,
    merchant_id TEXT,
    payment_reference TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX payment_jobs_due ON payment_jobs(state, next_attempt_at_ms);
CREATE INDEX payment_jobs_order ON payment_jobs(order_id);
CREATE INDEX payment_jobs_merchant ON payment_jobs(merchant_id, created_at_ms);
