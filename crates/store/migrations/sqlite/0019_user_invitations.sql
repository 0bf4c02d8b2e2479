-- Users invited by link, and users deactivated (issue 15, point 1).
-- A deactivated user keeps its row (orders and approvals name it) but signs in no more.
ALTER TABLE users ADD COLUMN deactivated_at_ms INTEGER;

-- An invitation: the invited user exists from the start with no usable password; the link's
-- token is stored only as its SHA-256 and sets the first password once, before it expires.
CREATE TABLE user_invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    invited_by TEXT NOT NULL REFERENCES users(id),
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    accepted_at_ms INTEGER
);
CREATE INDEX user_invitations_user ON user_invitations (user_id);
