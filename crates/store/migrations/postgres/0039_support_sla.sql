-- SLAs in store time (issue 18 point 3).
-- SLA policy rules: first-response and resolution targets in business minutes, by priority and
-- optionally category. merchant_id NULL is the platform's rule; a merchant's own rule overrides
-- it. category NULL applies to every category without a rule of its own. The special-day
-- targets (NULL: the ordinary ones) apply to tickets opened on a special day marked tighter.
-- The id is the rule's scope, priority and category ("*" for none), so a scope holds one rule
-- per pair and a policy is replaced whole in one transaction.
CREATE TABLE support_sla_rules (
    id TEXT PRIMARY KEY,
    merchant_id TEXT REFERENCES merchants(id),
    priority TEXT NOT NULL,
    category TEXT,
    first_response_minutes BIGINT NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes BIGINT NOT NULL CHECK (resolution_minutes >= first_response_minutes),
    special_first_response_minutes BIGINT,
    special_resolution_minutes BIGINT,
    updated_at_ms BIGINT NOT NULL,
    updated_by TEXT
);
CREATE INDEX support_sla_rules_merchant ON support_sla_rules(merchant_id);
-- Special days: a local date with other hours (hours_json, one day's ranges; NULL: the usual
-- hours; [] closed) and/or tighter SLA targets. Platform-wide when merchant_id and site_id are
-- NULL; a merchant's, a site's, or a merchant's at one site otherwise. scope_key is
-- "<merchant_id or *>|<site_id or *>" so one scope has one special day per date.
CREATE TABLE support_special_days (
    id TEXT PRIMARY KEY,
    merchant_id TEXT REFERENCES merchants(id),
    site_id TEXT REFERENCES sites(id),
    scope_key TEXT NOT NULL,
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    hours_json TEXT,
    tighter_targets BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (scope_key, day)
);
CREATE INDEX support_special_days_day ON support_special_days(day);
