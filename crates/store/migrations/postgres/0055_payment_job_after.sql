-- A payment job that must wait for another (issue 19, deposits): a booking cancelled while
-- its deposit's capture is in a worker's hands is refunded, and that refund may only run once
-- the capture has succeeded — a refund of money not yet taken would be refused. The claim
-- takes a job with `after_job_id` only when that job's state is 'succeeded'. NULL (every job
-- before this and nearly every one after): no wait.
ALTER TABLE payment_jobs ADD COLUMN after_job_id TEXT;
