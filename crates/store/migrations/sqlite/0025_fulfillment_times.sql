-- When a part became ready and when it was collected, so the dashboard reports real
-- preparation times (accepted → ready) and how long customers take to collect (ready →
-- collected), not only the minutes the kitchen promised. Set once, by the transition into that
-- status; parts from before this migration have none and are left out of the averages.
ALTER TABLE fulfillments ADD COLUMN ready_at_ms INTEGER;
ALTER TABLE fulfillments ADD COLUMN collected_at_ms INTEGER;
