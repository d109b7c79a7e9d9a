-- Reports: the workspace's time zone (days and hours of reports are local to it), a log
-- of agent status changes (for "time online"), and indexes for the report queries.

-- An IANA zone name such as `Europe/Paris`; validated by the server before it is stored.
ALTER TABLE workspaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Every change of an agent's effective status ('online', 'away', 'offline'), appended by
-- the node that saw it. A status lasts until the agent's next row.
CREATE TABLE agent_status_changes (
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
    changed_at    BIGINT NOT NULL
);
CREATE INDEX agent_status_changes_agent ON agent_status_changes (workspace_id, agent_id, changed_at);

-- Reports select the conversations a workspace started in a range of days; the included
-- columns are everything a report reads, so the scan never visits the table.
CREATE INDEX conversations_started ON conversations (workspace_id, created_at)
    INCLUDE (id, site_id, team_id, assignee_id, status, first_response_at, resolved_at, first_assigned_at);
-- Messages per conversation counts what visitors and agents wrote (not notes, not system).
CREATE INDEX messages_conversation_text ON messages (conversation_id)
    WHERE kind = 'text' AND author_kind IN ('visitor', 'agent');
