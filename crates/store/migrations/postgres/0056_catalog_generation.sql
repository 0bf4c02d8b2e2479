-- The catalog's generation (issue 20): one number that every change to what an order reads
-- (sites, merchants, locations, products, variants, price lists and their prices, promotions,
-- sold-out switches, channel allocations) raises, by trigger, in the writer's own transaction.
-- Each node keeps those rows in memory and tags an order with the generation it priced at;
-- the order's transaction compares it with this row and refuses a stale one, so a change
-- committed on any node, by any path (a use case, an import, SQL by hand), is never missed.
-- Triggers rather than code in every writer: a writer added later cannot forget them.
-- Statement-level on PostgreSQL: one bump per statement, however many rows it touched.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO catalog_generation (id, generation) VALUES (1, 1);

CREATE FUNCTION omnicanal_bump_catalog_generation() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_generation_sites AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sites
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_merchants AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON merchants
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_locations AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_products AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_variants AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_price_lists AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON price_lists
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_price_list_entries AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON price_list_entries
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_promotions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON promotions
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_sold_out_items AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sold_out_items
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();

CREATE TRIGGER catalog_generation_channel_allocations AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON channel_allocations
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_bump_catalog_generation();
