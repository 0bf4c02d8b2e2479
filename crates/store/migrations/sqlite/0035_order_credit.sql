-- Store credit and gift cards spent outside a till sale (issue 17 point 8): on a web or API
-- order, and at the till when a pay-at-pickup part is collected.
--
-- What an order's parts took from a balance, so a part that is cancelled, rejected or lapses
-- uncollected gives that credit back to the same card or customer (`returned_minor`), once.
CREATE TABLE order_credit_spends (
    order_id TEXT NOT NULL REFERENCES orders(id),
    position INTEGER NOT NULL,
    fulfillment_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES credit_accounts(id),
    method TEXT NOT NULL CHECK (method IN ('gift_card', 'store_credit')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    returned_minor INTEGER NOT NULL DEFAULT 0 CHECK (returned_minor >= 0 AND returned_minor <= amount_minor),
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_credit_spends_part ON order_credit_spends (fulfillment_id);

-- A collection at the till may be paid with a gift card or store credit: the tender's method
-- widens. SQLite cannot alter a CHECK, so the table is rebuilt with its rows.
CREATE TABLE pos_pickup_payments_0035 (
    fulfillment_id TEXT NOT NULL REFERENCES pos_pickup_collections(fulfillment_id),
    position INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external_card', 'gift_card', 'store_credit')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    tendered_minor INTEGER,
    reference TEXT,
    PRIMARY KEY (fulfillment_id, position)
);
INSERT INTO pos_pickup_payments_0035 (fulfillment_id, position, method, amount_minor, tendered_minor, reference)
    SELECT fulfillment_id, position, method, amount_minor, tendered_minor, reference FROM pos_pickup_payments;
DROP TABLE pos_pickup_payments;
ALTER TABLE pos_pickup_payments_0035 RENAME TO pos_pickup_payments;
