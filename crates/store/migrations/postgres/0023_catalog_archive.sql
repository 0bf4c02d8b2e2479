-- The manager's catalogue in the browser (issue 15 point 2): a product is archived, never
-- deleted, so the orders, sales, stock and price lists that name its SKUs keep their history.
-- An archived product is left out of the menus, the till and new carts; NULL: on sale.
ALTER TABLE products ADD COLUMN archived_at_ms BIGINT;
-- The catalogue page lists, searches and counts a merchant's products by category.
CREATE INDEX products_merchant_category ON products(merchant_id, category);
