-- The till's money accounting (issue #14, points 2 and 3): a manager's PIN (argon2, like the
-- password), the approvals a PIN gives at a till (who, what, how much, when, which till and
-- session; used by at most one sale), the run of wrong PINs that locks a till's approvals,
-- each till's limits above which a line discount or void needs a manager, the lines voided
-- from a sale's cart before payment (kept for the session report), the cashier's manual
-- discounts of a sale, and the count per denomination at a session's close.
ALTER TABLE users ADD COLUMN pin_hash TEXT;

CREATE TABLE pos_approvals (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES pos_devices(id),
    session_id TEXT,
    merchant_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('line_discount', 'line_void')),
    amount_minor INTEGER,
    currency TEXT,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL REFERENCES users(id),
    requested_by TEXT,
    created_at_ms INTEGER NOT NULL,
    sale_id TEXT
);
CREATE INDEX pos_approvals_device ON pos_approvals(device_id, created_at_ms);

CREATE TABLE pos_pin_guards (
    device_id TEXT PRIMARY KEY REFERENCES pos_devices(id),
    failures INTEGER NOT NULL CHECK (failures >= 0),
    locked_until_ms INTEGER
);

CREATE TABLE pos_device_limits (
    device_id TEXT PRIMARY KEY REFERENCES pos_devices(id),
    line_discount_bps INTEGER NOT NULL CHECK (line_discount_bps BETWEEN 0 AND 10000),
    line_void_minor INTEGER NOT NULL CHECK (line_void_minor >= 0),
    updated_by TEXT,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE pos_sale_voids (
    sale_id TEXT NOT NULL REFERENCES pos_sales(id),
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    value_minor INTEGER NOT NULL CHECK (value_minor >= 0),
    approval_id TEXT,
    PRIMARY KEY (sale_id, position)
);

ALTER TABLE pos_sales ADD COLUMN manual_discount_minor INTEGER NOT NULL DEFAULT 0;

-- The count per denomination at the close, as JSON `[{"value": minor, "count": n}]`.
ALTER TABLE pos_sessions ADD COLUMN denominations_json TEXT;
