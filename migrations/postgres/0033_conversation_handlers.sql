-- Who handled each conversation, for the per-agent report: every agent who replied
-- (kept by a trigger on messages) and who resolved it (written when they resolve).
-- A conversation handed from agent to agent credits each of them.
CREATE TABLE conversation_handlers (
    conversation_id  UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id         UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    replied_at       BIGINT,           -- the agent's first reply (text to the visitor)
    resolved_at      BIGINT,           -- the agent's last resolve
    PRIMARY KEY (conversation_id, agent_id)
);
CREATE INDEX conversation_handlers_agent ON conversation_handlers (workspace_id, agent_id);

INSERT INTO conversation_handlers (conversation_id, workspace_id, agent_id, replied_at)
SELECT m.conversation_id, m.workspace_id, m.author_id, MIN(m.created_at)
FROM messages m
WHERE m.author_kind = 'agent' AND m.kind = 'text' AND m.author_id IS NOT NULL
GROUP BY m.conversation_id, m.workspace_id, m.author_id;

CREATE FUNCTION credit_reply() RETURNS trigger AS $$
BEGIN
    INSERT INTO conversation_handlers (conversation_id, workspace_id, agent_id, replied_at)
        VALUES (NEW.conversation_id, NEW.workspace_id, NEW.author_id, NEW.created_at)
        ON CONFLICT (conversation_id, agent_id)
        DO UPDATE SET replied_at = COALESCE(conversation_handlers.replied_at, EXCLUDED.replied_at);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER messages_credit_reply AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.kind = 'text' AND NEW.author_kind = 'agent' AND NEW.author_id IS NOT NULL)
    EXECUTE FUNCTION credit_reply();
