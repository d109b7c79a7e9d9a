-- Accounts (issue 18): sessions end after a while unused as well as at a fixed age, and
-- are listed to their agent; invitations expire.

-- When the session was last used (moved forward at most once a minute): a session unused
-- for the idle lifetime has ended, whatever its `expires_at` (the absolute lifetime).
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
-- What the agent sees in their list of sessions to recognise a device.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_ip TEXT;

-- An invitation is good for a week; NULL for invitations made before this existed.
ALTER TABLE agents ADD COLUMN invitation_expires_at BIGINT;
