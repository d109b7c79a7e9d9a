-- Email follow-up (SQLite). Every mail is an outbox row written in the same transaction
-- as the event that causes it; the worker renders it (state pending -> queued), sends it
-- and retries it. A row is claimed with a lease (claimed_by, claimed_until) so that of
-- several nodes polling one database exactly one works on it.
CREATE TABLE mail_outbox (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  BLOB REFERENCES conversations(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('offline_message', 'continuity', 'transcript', 'assigned')),
    agent_id         BLOB,                          -- the agent an 'assigned' mail is for
    recipient        TEXT,                          -- known at insert, or when rendered
    state            TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_until    INTEGER,
    subject          TEXT,
    message_id       TEXT UNIQUE,                   -- set when rendered; a retry sends the same one
    through_seq      INTEGER,                       -- continuity: the last message this mail included
    raw              BLOB,                          -- the rendered RFC 5322 message, sent as is
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_workspace ON mail_outbox (workspace_id, id);
CREATE INDEX mail_outbox_conversation ON mail_outbox (conversation_id, kind);
-- At most one continuity mail waits per conversation: replies pile into it.
CREATE UNIQUE INDEX mail_outbox_one_waiting_continuity ON mail_outbox (conversation_id)
    WHERE kind = 'continuity' AND state = 'pending';

-- Per-site mail settings; a site without a row uses the defaults.
CREATE TABLE site_mail_settings (
    site_id                BLOB PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    workspace_id           BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    from_name              TEXT,
    from_address           TEXT,
    notify_email           TEXT,
    transcript_on_resolve  INTEGER NOT NULL DEFAULT 0,
    updated_at             INTEGER NOT NULL
);

-- Addresses that used List-Unsubscribe: no more automatic mail to them.
CREATE TABLE mail_opt_outs (
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, email)
);

-- Secrets every node shares (the key that signs reply addresses and continue links),
-- created on first use so the default set-up needs no configuration.
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY NOT NULL,
    secret      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
