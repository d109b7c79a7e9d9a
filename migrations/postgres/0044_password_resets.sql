-- Resetting a forgotten password by email (issue 18): a link mailed to the agent's
-- address, single use, an hour. Only the SHA-256 of the link's token is kept.
CREATE TABLE password_resets (
    id            UUID PRIMARY KEY NOT NULL,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX password_resets_agent ON password_resets (agent_id);
