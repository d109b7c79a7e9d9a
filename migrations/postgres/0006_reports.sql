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

-- Messages per conversation: a running count of the text messages visitors and agents
-- wrote (not notes, not system lines), kept by a trigger so reports never scan messages.
ALTER TABLE conversations ADD COLUMN text_messages BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET text_messages = (
    SELECT COUNT(*) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.kind = 'text' AND m.author_kind IN ('visitor', 'agent'));
CREATE FUNCTION count_text_message() RETURNS trigger AS $$
BEGIN
    UPDATE conversations SET text_messages = text_messages + 1 WHERE id = NEW.conversation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER messages_count_text AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.kind = 'text' AND NEW.author_kind IN ('visitor', 'agent'))
    EXECUTE FUNCTION count_text_message();

-- Reports select the conversations a workspace started in a range of days; the included
-- columns are most of what a report reads. Not `text_messages`: it changes with every
-- message, and an indexed column would make each of those updates rewrite the index.
CREATE INDEX conversations_started ON conversations (workspace_id, created_at)
    INCLUDE (id, site_id, team_id, assignee_id, status, first_response_at, resolved_at, first_assigned_at);
