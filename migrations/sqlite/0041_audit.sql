-- The audit log (issue 18): who changed what among agents, roles, keys, webhooks, sites
-- and settings, and which visitors were exported or erased. Written after each change;
-- never updated; kept whatever the workspace's retention (it holds no chat content).
CREATE TABLE audit_log (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('agent', 'api_key', 'system')),
    actor_id      BLOB,
    actor_name    TEXT NOT NULL,                  -- as it was then
    action        TEXT NOT NULL,
    target_kind   TEXT NOT NULL,
    target_id     BLOB,
    summary       TEXT NOT NULL,
    changes       TEXT NOT NULL DEFAULT '[]',     -- JSON: [{field, from, to}]
    client_ip     TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);
