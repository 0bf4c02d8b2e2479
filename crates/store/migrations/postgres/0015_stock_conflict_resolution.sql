-- A stock conflict's resolution: who resolved it, when (resolved_at_ms, already there), which
-- of the manager's choices (count, transfer, cancel_order) and what it did (the movement ids,
-- the transfer, the order's part and its refund job), kept as JSON because each choice leaves
-- different traces and nothing queries inside them.
ALTER TABLE stock_conflicts ADD COLUMN resolved_by TEXT;
ALTER TABLE stock_conflicts ADD COLUMN resolution TEXT;
ALTER TABLE stock_conflicts ADD COLUMN resolution_json TEXT;

-- A till sale recorded at the price the customer paid although the server's engine priced it
-- otherwise (the till sold from a snapshot older than a price change): the difference is kept
-- for the manager instead of refusing a sale that already happened.
ALTER TABLE pos_sales ADD COLUMN price_difference_minor BIGINT NOT NULL DEFAULT 0;
