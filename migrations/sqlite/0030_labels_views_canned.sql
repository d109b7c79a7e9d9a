-- The console's organising tools: labels as workspace objects (name and colour),
-- each agent's saved views, and saved replies in several languages.

-- Conversations keep carrying label names (a JSON array); a label here gives the name its
-- colour and lets it be suggested, renamed, merged or deleted everywhere at once.
CREATE TABLE labels (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,                 -- the name lower-cased: unique per workspace
    color         TEXT NOT NULL,                 -- #rrggbb
    created_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, name_key)
);

-- Labels conversations already carry become the workspace's (grey until recoloured).
INSERT INTO labels (id, workspace_id, name, name_key, color, created_at)
SELECT randomblob(16), c.workspace_id, MIN(j.value), LOWER(j.value), '#687076', MIN(c.created_at)
FROM conversations c, json_each(c.labels) j
GROUP BY c.workspace_id, LOWER(j.value);

-- An agent's own named filters over conversations (JSON object of ConversationFilters).
CREATE TABLE saved_views (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      BLOB NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    filters       TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX saved_views_agent ON saved_views (agent_id, id);

-- The same saved reply in other languages: JSON array of {"language", "body"}.
ALTER TABLE canned_responses ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';
