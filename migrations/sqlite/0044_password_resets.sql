-- Resetting a forgotten password by email (issue 18): a link mailed to the agent's
-- address, single use, an hour. Only the SHA-256 of the link's token is kept.
CREATE TABLE password_resets (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      BLOB NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX password_resets_agent ON password_resets (agent_id);
