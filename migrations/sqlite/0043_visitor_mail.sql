-- Mail abuse (issue 18): a visitor's transcript goes to a new address only once its owner
-- confirmed it; every mail a visitor can cause is counted per site and per recipient; and
-- mail about accounts (password resets, invitations, notices) goes through the outbox.

-- New kinds of mail. SQLite cannot change a CHECK constraint: the outbox is rebuilt as it
-- was, with the wider list.
CREATE TABLE mail_outbox_widened (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  BLOB REFERENCES conversations(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('offline_message', 'continuity', 'transcript', 'assigned',
                         'transcript_confirmation', 'visitor_mail_limited', 'password_reset', 'invitation',
                         'account_notice')),
    agent_id         BLOB,
    recipient        TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_until    INTEGER,
    subject          TEXT,
    message_id       TEXT UNIQUE,
    through_seq      INTEGER,
    raw              BLOB,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
INSERT INTO mail_outbox_widened SELECT id, workspace_id, conversation_id, kind, agent_id, recipient, state, attempts,
    last_error, next_attempt_at, claimed_by, claimed_until, subject, message_id, through_seq, raw, created_at, sent_at
    FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_widened RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_workspace ON mail_outbox (workspace_id, id);
CREATE INDEX mail_outbox_conversation ON mail_outbox (conversation_id, kind);
CREATE UNIQUE INDEX mail_outbox_one_waiting_continuity ON mail_outbox (conversation_id)
    WHERE kind = 'continuity' AND state = 'pending';

-- One row per site whose visitors caused mail: locked (upserted) first by every such
-- request, so two requests for one site count one after the other; and when its owners
-- were last told that a limit tripped (at most once an hour).
CREATE TABLE visitor_mail_sites (
    site_id         BLOB PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    workspace_id    BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    touched_at      INTEGER NOT NULL,
    last_notice_at  INTEGER
);

-- Every mail a visitor caused, for the limits: per site over an hour, per recipient over a
-- day. The recipient is kept as a SHA-256 of the address only; rows older than a day are
-- deleted by the retention worker.
CREATE TABLE visitor_mail_log (
    id              BLOB PRIMARY KEY NOT NULL,
    site_id         BLOB NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    recipient_hash  TEXT,
    kind            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX visitor_mail_log_site ON visitor_mail_log (site_id, created_at);
CREATE INDEX visitor_mail_log_recipient ON visitor_mail_log (recipient_hash, created_at);

-- A transcript asked for at an address the conversation did not have: sent once the
-- address's owner follows the link mailed to it (single use, a day).
CREATE TABLE transcript_confirmations (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    used_at          INTEGER
);
CREATE INDEX transcript_confirmations_conversation ON transcript_confirmations (conversation_id);
