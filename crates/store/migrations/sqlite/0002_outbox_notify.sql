-- PostgreSQL adds a NOTIFY trigger on the outbox in this migration. SQLite has no
-- cross-process notification and needs none: one process owns the database file and
-- wakes its own dispatcher. This file keeps both backends' migration numbers aligned.
SELECT 1;
