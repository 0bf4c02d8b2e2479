-- Selling details at the till (issue #14 point 3): the options a cashier chose for a line
-- (JSON of the engine's chosen modifiers: group, option, price) and the line's note. The
-- coupon a sale used is counted in `coupons`/`coupon_redemptions` (order_id = the sale's id)
-- and its verdict kept in the sale's stored answer.
ALTER TABLE pos_sale_lines ADD COLUMN modifiers_json TEXT;
ALTER TABLE pos_sale_lines ADD COLUMN note TEXT;
