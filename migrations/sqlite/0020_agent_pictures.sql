-- Agents' pictures, shown to visitors beside replies and in the widget's header (see
-- backend/src/agents/picture.rs). One per agent; `updated_at` versions its URL.
CREATE TABLE agent_pictures (
    agent_id      BLOB PRIMARY KEY NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    updated_at    INTEGER NOT NULL
);
