-- Exchanges at the till (issue 17 point 6): a return whose customer takes other items in the
-- same visit. The return keeps its own lines and credit note; its `refund_minor` is only the
-- difference given back (zero when the customer pays one). The new items, priced that day by
-- the engine and taken from the returning location's stock in the return's transaction, and
-- what the customer paid of the difference, are here.
CREATE TABLE return_exchanges (
    return_id TEXT PRIMARY KEY REFERENCES returns(id),
    -- What the returned lines were worth (the sum of their refunds).
    returned_minor BIGINT NOT NULL CHECK (returned_minor >= 0),
    -- What the new items cost today.
    new_total_minor BIGINT NOT NULL CHECK (new_total_minor >= 0),
    -- new_total_minor - returned_minor: > 0 the customer paid it, < 0 it was refunded.
    difference_minor BIGINT NOT NULL,
    -- The till session the customer's payment went into (when they paid one).
    session_id TEXT,
    -- Cash handed back from what was tendered.
    change_minor BIGINT NOT NULL CHECK (change_minor >= 0),
    -- The tenders as applied: [{method, amount_minor, tendered_minor, reference}].
    payments_json TEXT NOT NULL
);
CREATE INDEX return_exchanges_session ON return_exchanges(session_id);

CREATE TABLE return_exchange_lines (
    return_id TEXT NOT NULL REFERENCES return_exchanges(return_id),
    position BIGINT NOT NULL,
    sku TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
    -- 1 when the units came out of the location's on-hand (a `sale` movement).
    track_stock BIGINT NOT NULL,
    PRIMARY KEY (return_id, position)
);
