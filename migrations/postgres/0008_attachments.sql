-- Files and images uploaded into conversations (see backend/src/attachments).

-- An upload belongs to one conversation; message_id stays NULL until a message sends it.
CREATE TABLE attachments (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    uploader_kind    TEXT NOT NULL CHECK (uploader_kind IN ('visitor', 'agent', 'integration')),
    uploader_id      UUID NOT NULL,
    filename         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             BIGINT NOT NULL,
    -- HMAC key of this file's download links; never leaves the server.
    signing_key      TEXT NOT NULL,
    message_id       UUID REFERENCES messages(id) ON DELETE CASCADE,
    created_at       BIGINT NOT NULL
);
CREATE INDEX attachments_by_conversation ON attachments (conversation_id);

-- The bytes, apart from the metadata so listing and checking access never load them.
CREATE TABLE attachment_blobs (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    bytes         BYTEA NOT NULL
);

-- What a message shows of its attachments (JSON: id, name, type, size, link key), copied
-- when it is sent: attachments never change afterwards, and every reader of messages
-- gets them without a second query.
ALTER TABLE messages ADD COLUMN attachments TEXT;
