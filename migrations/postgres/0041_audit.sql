-- The audit log (issue 18): who changed what among agents, roles, keys, webhooks, sites
-- and settings, and which visitors were exported or erased. Written after each change;
-- never updated; kept whatever the workspace's retention (it holds no chat content).
CREATE TABLE audit_log (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('agent', 'api_key', 'system')),
    actor_id      UUID,
    actor_name    TEXT NOT NULL,                  -- as it was then
    action        TEXT NOT NULL,
    target_kind   TEXT NOT NULL,
    target_id     UUID,
    summary       TEXT NOT NULL,
    changes       TEXT NOT NULL DEFAULT '[]',     -- JSON: [{field, from, to}]
    client_ip     TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);
