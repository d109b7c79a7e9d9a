-- Agents' pictures, shown to visitors beside replies and in the widget's header (see
-- backend/src/agents/picture.rs). One per agent; `updated_at` versions its URL.
CREATE TABLE agent_pictures (
    agent_id      UUID PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    bytes         BYTEA NOT NULL,
    updated_at    BIGINT NOT NULL
);
