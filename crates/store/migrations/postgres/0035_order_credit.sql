-- Store credit and gift cards spent outside a till sale (issue 17 point 8): on a web or API
-- order, and at the till when a pay-at-pickup part is collected.
--
-- What an order's parts took from a balance, so a part that is cancelled, rejected or lapses
-- uncollected gives that credit back to the same card or customer (`returned_minor`), once.
CREATE TABLE order_credit_spends (
    order_id TEXT NOT NULL REFERENCES orders(id),
    position BIGINT NOT NULL,
    fulfillment_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES credit_accounts(id),
    method TEXT NOT NULL CHECK (method IN ('gift_card', 'store_credit')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    returned_minor BIGINT NOT NULL DEFAULT 0 CHECK (returned_minor >= 0 AND returned_minor <= amount_minor),
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_credit_spends_part ON order_credit_spends (fulfillment_id);

-- A collection at the till may be paid with a gift card or store credit: the tender's method widens.
ALTER TABLE pos_pickup_payments DROP CONSTRAINT pos_pickup_payments_method_check;
ALTER TABLE pos_pickup_payments ADD CONSTRAINT pos_pickup_payments_method_check
    CHECK (method IN ('cash', 'card', 'external_card', 'gift_card', 'store_credit'));
