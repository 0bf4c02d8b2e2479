-- The support desk's macros (issue 18 point 2): canned answers an agent inserts in a reply,
-- with {placeholders} such as {store} or {number} filled in by the console. One shared set for
-- the whole desk (agents answer every merchant's stores). `created_by` is kept for the record.
CREATE TABLE support_macros (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX support_macros_by_title ON support_macros (title);
