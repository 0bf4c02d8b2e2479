-- Incidents before anyone calls (issue 18 point 5).
-- Telemetry is kept as counts per (store, kind, code, till, minute), not a row per event: 500
-- tills at one event a second would be 720,000 rows a day; counted, a till's minute of the
-- same signal is one row updated in place. The detector reads these counts, so every node
-- judges the same signal. `code` is '' when the event had none (a key column cannot be NULL).
CREATE TABLE support_telemetry_minutes (
    location_id TEXT NOT NULL REFERENCES locations(id),
    merchant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    device_id TEXT NOT NULL,
    minute_ms BIGINT NOT NULL,
    events BIGINT NOT NULL CHECK (events > 0),
    PRIMARY KEY (location_id, kind, code, device_id, minute_ms)
);
CREATE INDEX support_telemetry_minutes_by_minute ON support_telemetry_minutes(minute_ms, kind);
-- When the server last heard from each till (its own clock, not the till's): silence during
-- opening hours is the "till offline" signal.
CREATE TABLE support_devices_seen (
    device_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX support_devices_seen_by_time ON support_devices_seen(last_seen_ms);
-- An incident: one open per (store, cause), enforced by the partial unique index, so two
-- detectors racing can never open a second.
CREATE TABLE support_incidents (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    location_id TEXT NOT NULL REFERENCES locations(id),
    cause TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at_ms BIGINT NOT NULL,
    last_firing_at_ms BIGINT NOT NULL,
    closed_at_ms BIGINT,
    evidence_json TEXT NOT NULL
);
CREATE UNIQUE INDEX support_incidents_one_open ON support_incidents(location_id, cause) WHERE status = 'open';
CREATE INDEX support_incidents_by_opened ON support_incidents(opened_at_ms);
-- The detector's lease: one row; a node runs a tick only when its conditional update of
-- `last_run_ms` lands, so one detector wins each tick across nodes.
CREATE TABLE support_detector_runs (
    id BIGINT PRIMARY KEY,
    last_run_ms BIGINT NOT NULL
);
INSERT INTO support_detector_runs (id, last_run_ms) VALUES (1, 0);
