-- Store credit and gift cards (issue 17 point 8): one ledger of balances per customer or per
-- card. A card's code is never stored: its holder_key is a keyed hash of the code, and `label`
-- keeps only its last four characters so staff can tell cards apart.
CREATE TABLE credit_accounts (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    holder_kind TEXT NOT NULL CHECK (holder_kind IN ('customer', 'gift_card')),
    -- A customer's normalised e-mail (lower case, trimmed) or phone (digits with +), or a
    -- card's keyed code hash.
    holder_key TEXT NOT NULL,
    label TEXT,
    currency TEXT NOT NULL,
    -- The ledger's invariant, held by every conditional UPDATE and, last, by this CHECK.
    balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0),
    expires_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (merchant_id, holder_kind, holder_key)
);
CREATE INDEX credit_accounts_merchant ON credit_accounts (merchant_id, holder_kind, created_at_ms);

-- Every change to a balance, + credit / − spend; a retried grant or spend (same source) is
-- recorded once.
CREATE TABLE credit_entries (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES credit_accounts(id),
    amount_minor INTEGER NOT NULL,
    balance_after_minor INTEGER NOT NULL CHECK (balance_after_minor >= 0),
    reason TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by_user TEXT,
    UNIQUE (account_id, source_kind, source_id)
);
CREATE INDEX credit_entries_account ON credit_entries (account_id, at_ms);

-- How many days credit lasts after it is granted (a card after it is issued or topped up);
-- NULL: it never expires.
ALTER TABLE merchants ADD COLUMN credit_expiry_days INTEGER;

-- A till sale may be paid with a gift card or store credit: the tender's method widens. SQLite
-- cannot alter a CHECK, so the table is rebuilt with its rows (nothing refers to it).
CREATE TABLE pos_sale_payments_0028 (
    sale_id TEXT NOT NULL REFERENCES pos_sales(id),
    position INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external_card', 'gift_card', 'store_credit')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    tendered_minor INTEGER,
    reference TEXT,
    card_last4 TEXT,
    PRIMARY KEY (sale_id, position)
);
INSERT INTO pos_sale_payments_0028 (sale_id, position, method, amount_minor, tendered_minor, reference, card_last4)
    SELECT sale_id, position, method, amount_minor, tendered_minor, reference, card_last4 FROM pos_sale_payments;
DROP TABLE pos_sale_payments;
ALTER TABLE pos_sale_payments_0028 RENAME TO pos_sale_payments;
