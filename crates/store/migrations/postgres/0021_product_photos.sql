-- Product photos (issue 15 point 2): kept in the database so every node of the same binary on
-- one PostgreSQL serves them. One photo per product; each is stored as the renditions the pages
-- need (thumb, card, large), already resized and re-encoded, never as the upload itself.
-- `hash` is the hex SHA-256 of the rendition's bytes: its ETag and part of its served path, so a
-- new photo gets new URLs and caches never need purging.
CREATE TABLE product_photos (
    product_id TEXT PRIMARY KEY REFERENCES products(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    uploaded_by TEXT NOT NULL,
    uploaded_at_ms BIGINT NOT NULL,
    source_width BIGINT NOT NULL,
    source_height BIGINT NOT NULL
);

CREATE TABLE product_photo_renditions (
    product_id TEXT NOT NULL REFERENCES product_photos(product_id) ON DELETE CASCADE,
    size TEXT NOT NULL,
    hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (product_id, size)
);
