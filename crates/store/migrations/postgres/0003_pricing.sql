-- Pricing: price lists, promotions, coupons, stored quotes, tax figures on lines and
-- per-merchant tax document numbers.

ALTER TABLE merchants ADD COLUMN tax_id TEXT;
ALTER TABLE products ADD COLUMN tax_category TEXT NOT NULL DEFAULT 'standard';

CREATE TABLE price_lists (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL,
    channel TEXT,
    location_id TEXT REFERENCES locations(id),
    valid_from_ms BIGINT,
    valid_to_ms BIGINT,
    active BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX price_lists_merchant ON price_lists(merchant_id);

CREATE TABLE price_list_entries (
    price_list_id TEXT NOT NULL REFERENCES price_lists(id),
    sku TEXT NOT NULL,
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    currency TEXT NOT NULL,
    PRIMARY KEY (price_list_id, sku)
);

-- The engine's whole promotion is kept as JSON; the columns beside it are for lookups.
-- merchant_id NULL: a site-wide promotion of the site's operator.
CREATE TABLE promotions (
    id TEXT PRIMARY KEY,
    merchant_id TEXT REFERENCES merchants(id),
    site_id TEXT REFERENCES sites(id),
    name TEXT NOT NULL,
    active BIGINT NOT NULL,
    definition_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX promotions_merchant ON promotions(merchant_id);
CREATE INDEX promotions_site ON promotions(site_id);

CREATE TABLE coupons (
    id TEXT PRIMARY KEY,
    promotion_id TEXT NOT NULL REFERENCES promotions(id),
    code TEXT NOT NULL UNIQUE,
    usage_limit BIGINT,
    per_customer_limit BIGINT,
    used BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX coupons_promotion ON coupons(promotion_id);

CREATE TABLE coupon_customer_uses (
    coupon_id TEXT NOT NULL REFERENCES coupons(id),
    customer_key TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (coupon_id, customer_key)
);

CREATE TABLE coupon_redemptions (
    coupon_id TEXT NOT NULL REFERENCES coupons(id),
    order_id TEXT NOT NULL,
    customer_key TEXT,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (coupon_id, order_id)
);

CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    quote_json TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX quotes_expiry ON quotes(expires_at_ms);

ALTER TABLE orders ADD COLUMN quote_json TEXT;
ALTER TABLE orders ADD COLUMN customer_tax_id TEXT;

ALTER TABLE fulfillments ADD COLUMN gross_minor BIGINT;
ALTER TABLE fulfillments ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fulfillments ADD COLUMN merchant_funded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fulfillments ADD COLUMN operator_funded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fulfillments ADD COLUMN document_kind TEXT;
ALTER TABLE fulfillments ADD COLUMN document_number BIGINT;

ALTER TABLE fulfillment_lines ADD COLUMN name TEXT;
ALTER TABLE fulfillment_lines ADD COLUMN gross_minor BIGINT;
ALTER TABLE fulfillment_lines ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fulfillment_lines ADD COLUMN tax_code TEXT NOT NULL DEFAULT 'EXENTO';
ALTER TABLE fulfillment_lines ADD COLUMN tax_rate_bps BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fulfillment_lines ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;

-- Each merchant numbers its own tax documents, per kind (boleta, factura).
CREATE TABLE document_sequences (
    merchant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, kind)
);
