-- The console's organising tools: labels as workspace objects (name and colour),
-- each agent's saved views, and saved replies in several languages.

-- Conversations keep carrying label names (a JSON array); a label here gives the name its
-- colour and lets it be suggested, renamed, merged or deleted everywhere at once.
CREATE TABLE labels (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,                 -- the name lower-cased: unique per workspace
    color         TEXT NOT NULL,                 -- #rrggbb
    created_at    BIGINT NOT NULL,
    UNIQUE (workspace_id, name_key)
);

-- Labels conversations already carry become the workspace's (grey until recoloured).
INSERT INTO labels (id, workspace_id, name, name_key, color, created_at)
SELECT gen_random_uuid(), c.workspace_id, MIN(j.value), LOWER(j.value), '#687076', MIN(c.created_at)
FROM conversations c CROSS JOIN LATERAL json_array_elements_text(c.labels::json) AS j(value)
GROUP BY c.workspace_id, LOWER(j.value);

-- An agent's own named filters over conversations (JSON object of ConversationFilters).
CREATE TABLE saved_views (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    filters       TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX saved_views_agent ON saved_views (agent_id, id);

-- The same saved reply in other languages: JSON array of {"language", "body"}.
ALTER TABLE canned_responses ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';
