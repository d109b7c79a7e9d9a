-- Routing: who answers which conversation.
--
-- A conversation is *queued* while it is open and nobody is assigned; `queued_at` is when it
-- last started waiting (NULL otherwise), so the queue is ordered by waiting time even after
-- a conversation comes back to it. The policy is per site, and a team may override it.

ALTER TABLE sites ADD COLUMN routing_policy TEXT NOT NULL DEFAULT 'manual'
    CHECK (routing_policy IN ('manual', 'round_robin', 'least_busy'));
ALTER TABLE teams ADD COLUMN routing_policy TEXT
    CHECK (routing_policy IN ('manual', 'round_robin', 'least_busy'));

-- Round-robin turns: the agent assigned longest ago goes next.
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER NOT NULL DEFAULT 0;

ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_assigned_at INTEGER;
ALTER TABLE conversations ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';   -- JSON array
UPDATE conversations SET queued_at = updated_at WHERE status = 'open' AND assignee_id IS NULL;
CREATE INDEX conversations_queue ON conversations (queued_at) WHERE queued_at IS NOT NULL;
CREATE INDEX conversations_open_assignee ON conversations (status, assignee_id);

-- Saved replies an agent expands by typing `/shortcut`.
CREATE TABLE canned_responses (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    shortcut      TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, shortcut)
);
