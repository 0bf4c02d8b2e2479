-- Notifications to the customer's phone: settings (the VAPID key pair), the browsers'
-- push subscriptions per order, and one claim per notification and target, so that with
-- several nodes (each of which sees every event) each notification is sent once.

-- Server-wide values generated once, such as the VAPID key pair. With several nodes the
-- first insert wins (`ON CONFLICT DO NOTHING`) and every node reads back the same value.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A browser's `PushSubscription` for one order. The same browser may follow several
-- orders with one endpoint, hence the pair is unique rather than the endpoint.
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    endpoint TEXT NOT NULL,
    -- The browser's P-256 public key and 16-byte auth secret, base64url without padding.
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    -- `es` or `en`: the language of the texts sent to it.
    language TEXT NOT NULL,
    -- The page a click on the notification opens (a path on this server), if given.
    open_path TEXT,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (order_id, endpoint)
);
CREATE INDEX push_subscriptions_endpoint ON push_subscriptions(endpoint);

-- One row per notification and target, inserted before sending: the node whose insert
-- succeeds sends. `notification_key` is the outbox event id, or `reminder:<part>` for a
-- pickup reminder; `target` is `push:<subscription id>`, a provider's name, or `due`
-- (the claim of the reminder itself).
CREATE TABLE notification_sends (
    notification_key TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (notification_key, target)
);
