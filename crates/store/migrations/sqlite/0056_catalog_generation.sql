-- The catalog's generation (issue 20): one number that every change to what an order reads
-- (sites, merchants, locations, products, variants, price lists and their prices, promotions,
-- sold-out switches, channel allocations) raises, by trigger, in the writer's own transaction.
-- Each node keeps those rows in memory and tags an order with the generation it priced at;
-- the order's transaction compares it with this row and refuses a stale one, so a change
-- committed on any node, by any path (a use case, an import, SQL by hand), is never missed.
-- Triggers rather than code in every writer: a writer added later cannot forget them.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO catalog_generation (id, generation) VALUES (1, 1);

CREATE TRIGGER catalog_generation_sites_insert AFTER INSERT ON sites
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_sites_update AFTER UPDATE ON sites
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_sites_delete AFTER DELETE ON sites
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_merchants_insert AFTER INSERT ON merchants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_merchants_update AFTER UPDATE ON merchants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_merchants_delete AFTER DELETE ON merchants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_locations_insert AFTER INSERT ON locations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_locations_update AFTER UPDATE ON locations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_locations_delete AFTER DELETE ON locations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_products_insert AFTER INSERT ON products
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_products_update AFTER UPDATE ON products
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_products_delete AFTER DELETE ON products
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_variants_insert AFTER INSERT ON variants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_variants_update AFTER UPDATE ON variants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_variants_delete AFTER DELETE ON variants
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_lists_insert AFTER INSERT ON price_lists
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_lists_update AFTER UPDATE ON price_lists
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_lists_delete AFTER DELETE ON price_lists
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_list_entries_insert AFTER INSERT ON price_list_entries
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_list_entries_update AFTER UPDATE ON price_list_entries
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_price_list_entries_delete AFTER DELETE ON price_list_entries
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_promotions_insert AFTER INSERT ON promotions
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_promotions_update AFTER UPDATE ON promotions
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_promotions_delete AFTER DELETE ON promotions
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_sold_out_items_insert AFTER INSERT ON sold_out_items
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_sold_out_items_update AFTER UPDATE ON sold_out_items
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_sold_out_items_delete AFTER DELETE ON sold_out_items
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_channel_allocations_insert AFTER INSERT ON channel_allocations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_channel_allocations_update AFTER UPDATE ON channel_allocations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER catalog_generation_channel_allocations_delete AFTER DELETE ON channel_allocations
BEGIN
    UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1;
END;
