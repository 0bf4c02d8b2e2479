-- Customer accounts (issue 17 point 3): one account per person across the whole platform (a
-- mall's customer buys from many merchants; a retailer's history is the same list filtered by
-- merchant where it is shown), its identifiers (an e-mail or phone counts for the history only
-- once a sign-in link sent to it was used), sign-in links and sessions stored as hashes only,
-- and the guest orders claimed by their tracking token.
CREATE TABLE customer_accounts (
    id TEXT PRIMARY KEY,
    name TEXT,
    -- argon2id; NULL until a sign-in link sent with the registration confirmed it.
    password_hash TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE customer_identifiers (
    account_id TEXT NOT NULL REFERENCES customer_accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    -- Normalised: e-mail trimmed and lower-cased, phone in E.164.
    value TEXT NOT NULL,
    verified_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind, value)
);
-- Anyone may register an unverified e-mail; only one account may have proven it.
CREATE UNIQUE INDEX customer_identifiers_verified_key
    ON customer_identifiers (kind, value) WHERE verified_at_ms IS NOT NULL;
CREATE INDEX customer_identifiers_value ON customer_identifiers (kind, value);
CREATE TABLE customer_sign_in_links (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES customer_accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value TEXT NOT NULL,
    -- A password chosen at registration, set on the account only when this link is used.
    password_hash TEXT,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER
);
CREATE INDEX customer_sign_in_links_account ON customer_sign_in_links (account_id, created_at_ms);
CREATE TABLE customer_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES customer_accounts(id),
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE TABLE customer_claims (
    account_id TEXT NOT NULL REFERENCES customer_accounts(id),
    order_id TEXT NOT NULL REFERENCES orders(id),
    claimed_at_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, order_id)
);
-- The history looks orders up by the normalised e-mail.
CREATE INDEX orders_customer_email_key ON orders (lower(trim(customer_email)));
