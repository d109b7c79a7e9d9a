-- Rapport foundation schema (SQLite). Ids are UUIDs stored as 16-byte blobs (UUIDv7 for
-- time-ordered ids, so ordering by id is ordering by creation); times are Unix milliseconds.

CREATE TABLE workspaces (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE agents (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL UNIQUE,          -- lower-cased; sign-in is by email
    password_hash    TEXT,                          -- NULL until an invitation is accepted
    invitation_hash  TEXT UNIQUE,                   -- sha256 of the one-time invitation token
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    capacity         INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL
);
CREATE INDEX agents_workspace ON agents (workspace_id, id);

CREATE TABLE sessions (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      BLOB NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE api_keys (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, id);

CREATE TABLE teams (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    team_id       BLOB NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id      BLOB NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);

CREATE TABLE sites (
    id                BLOB PRIMARY KEY NOT NULL,
    workspace_id      BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    site_key          TEXT NOT NULL UNIQUE,
    allowed_origins   TEXT NOT NULL,                -- JSON array of origins
    color             TEXT NOT NULL,
    greeting          TEXT NOT NULL,
    require_identity  INTEGER NOT NULL DEFAULT 0,
    identity_secret   TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE INDEX sites_workspace ON sites (workspace_id, id);

CREATE TABLE visitors (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    site_id       BLOB NOT NULL REFERENCES sites(id),
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT,
    email         TEXT,
    user_id       TEXT,
    verified      INTEGER NOT NULL DEFAULT 0,
    attributes    TEXT NOT NULL DEFAULT '{}',       -- JSON object
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX visitors_workspace ON visitors (workspace_id, id);

CREATE TABLE conversations (
    id                 BLOB PRIMARY KEY NOT NULL,
    workspace_id       BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    site_id            BLOB NOT NULL REFERENCES sites(id),
    visitor_id         BLOB NOT NULL REFERENCES visitors(id),
    status             TEXT NOT NULL CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id        BLOB REFERENCES agents(id),
    team_id            BLOB REFERENCES teams(id) ON DELETE SET NULL,
    last_seq           INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    resolved_at        INTEGER,
    snoozed_until      INTEGER
);
CREATE INDEX conversations_workspace ON conversations (workspace_id, id);
CREATE INDEX conversations_status ON conversations (workspace_id, status, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_id, id);
CREATE INDEX conversations_visitor ON conversations (visitor_id, id);

CREATE TABLE messages (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    client_msg_id    TEXT,
    author_kind      TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'integration', 'system')),
    author_id        BLOB,
    kind             TEXT NOT NULL CHECK (kind IN ('text', 'note')),
    body             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_msg_id)
);

-- "Read up to seq" per participant; reader_id is an agent or a visitor id.
CREATE TABLE read_cursors (
    conversation_id  BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    reader_kind      TEXT NOT NULL CHECK (reader_kind IN ('visitor', 'agent')),
    reader_id        BLOB NOT NULL,
    seq              INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, reader_kind, reader_id)
);
