-- Mail abuse (issue 18): a visitor's transcript goes to a new address only once its owner
-- confirmed it; every mail a visitor can cause is counted per site and per recipient; and
-- mail about accounts (password resets, invitations, notices) goes through the outbox.

-- New kinds of mail.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('offline_message', 'continuity',
    'transcript', 'assigned', 'transcript_confirmation', 'visitor_mail_limited', 'password_reset', 'invitation',
    'account_notice'));

-- One row per site whose visitors caused mail: locked (upserted) first by every such
-- request, so two requests for one site count one after the other; and when its owners
-- were last told that a limit tripped (at most once an hour).
CREATE TABLE visitor_mail_sites (
    site_id         UUID PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    workspace_id    UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    touched_at      BIGINT NOT NULL,
    last_notice_at  BIGINT
);

-- Every mail a visitor caused, for the limits: per site over an hour, per recipient over a
-- day. The recipient is kept as a SHA-256 of the address only; rows older than a day are
-- deleted by the retention worker.
CREATE TABLE visitor_mail_log (
    id              UUID PRIMARY KEY NOT NULL,
    site_id         UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    recipient_hash  TEXT,
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX visitor_mail_log_site ON visitor_mail_log (site_id, created_at);
CREATE INDEX visitor_mail_log_recipient ON visitor_mail_log (recipient_hash, created_at);

-- A transcript asked for at an address the conversation did not have: sent once the
-- address's owner follows the link mailed to it (single use, a day).
CREATE TABLE transcript_confirmations (
    id               UUID PRIMARY KEY NOT NULL,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT
);
CREATE INDEX transcript_confirmations_conversation ON transcript_confirmations (conversation_id);
