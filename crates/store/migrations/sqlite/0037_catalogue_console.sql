-- The retail catalogue in the console and the web shop's limits (issue 17 points 1 and 2).
-- A variant switched off: kept (its SKU may have history) but not sold by the web shop. Keyed
-- by product and SKU rather than the variant's id, so an edit that removes a variant needs no
-- cascade; a row exists only for a variant that is off.
CREATE TABLE retail_inactive_variants (
    product_id TEXT NOT NULL REFERENCES products(id),
    sku TEXT NOT NULL,
    PRIMARY KEY (product_id, sku)
);
-- A merchant's own address in /shop/{slug}, chosen in the console; unique across merchants.
-- A merchant without one is still found by the slug of its name (the old addresses).
CREATE TABLE merchant_shop_slugs (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    slug TEXT NOT NULL UNIQUE
);
-- A product's photo gallery (beside its one main photo, migration 0021): photos a variant can
-- show, e.g. one per colour. Stored as renditions as the main photo is, served by content hash.
CREATE TABLE product_gallery_photos (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    uploaded_by TEXT NOT NULL,
    uploaded_at_ms INTEGER NOT NULL
);
CREATE INDEX product_gallery_photos_product ON product_gallery_photos(product_id);
CREATE TABLE product_gallery_renditions (
    photo_id TEXT NOT NULL REFERENCES product_gallery_photos(id) ON DELETE CASCADE,
    size TEXT NOT NULL,
    hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (photo_id, size)
);
-- Which gallery photo a variant shows (none: the product's main photo).
CREATE TABLE retail_variant_photos (
    product_id TEXT NOT NULL REFERENCES products(id),
    sku TEXT NOT NULL,
    photo_id TEXT NOT NULL REFERENCES product_gallery_photos(id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, sku)
);
