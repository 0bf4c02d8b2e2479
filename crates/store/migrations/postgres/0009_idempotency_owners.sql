-- Idempotency claims name the process that holds them (issue #12), so a claim whose process
-- died before its request committed is free again at once, and no process can overwrite a
-- claim it no longer holds.
--
-- `boots`: one row per process start that took a claim; the id is never reused, so a claim's
-- `boot_id` names exactly one run of one process, and that process holds the advisory lock
-- (1330531907, boot id) for as long as it runs. `claim_token` is new for every claim and fences
-- the claim's later writes (its link to the order, its answer, its release): each is made only
-- while the token is still the row's. Claims made before this migration get boot 0, which no
-- process ever is: their processes are gone.
CREATE TABLE boots (
    id BIGSERIAL PRIMARY KEY
);

ALTER TABLE idempotency_keys ADD COLUMN boot_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT NOT NULL DEFAULT '';
