-- Escalation to the on-call agent (issue 18 point 3): the desk's rota, the agents' own push
-- subscriptions, and the alert deliveries retried with backoff.
--
-- A shift is one agent on call from starts_at_ms (included) to ends_at_ms (excluded); shifts
-- may overlap (several agents on call at once).
CREATE TABLE support_on_call_shifts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    starts_at_ms INTEGER NOT NULL,
    ends_at_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at_ms INTEGER NOT NULL,
    CHECK (ends_at_ms > starts_at_ms)
);
CREATE INDEX support_on_call_shifts_by_end ON support_on_call_shifts (ends_at_ms);

-- An agent's browser subscribed on /support (Web Push); one row per (agent, endpoint).
CREATE TABLE support_push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('es', 'en')),
    created_at_ms INTEGER NOT NULL,
    UNIQUE (user_id, endpoint)
);
CREATE INDEX support_push_subscriptions_by_endpoint ON support_push_subscriptions (endpoint);

-- One delivery of one alert: (the outbox event, the target: 'gateway' or 'push:<user id>').
-- Its insert is the claim (ON CONFLICT DO NOTHING: one node enqueues it); each attempt takes
-- it with a conditional update of attempts and next_at_ms (a lease), so two nodes never
-- attempt it at once; 'sent' is final, so it is never sent twice after a success.
CREATE TABLE support_alert_jobs (
    event_id TEXT NOT NULL,
    target TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (event_id, target)
);
CREATE INDEX support_alert_jobs_due ON support_alert_jobs (state, next_at_ms);
