-- Rapport foundation schema (PostgreSQL). Ids are UUIDs stored as native uuid (UUIDv7 for
-- time-ordered ids, so ordering by id is ordering by creation); times are Unix milliseconds.

CREATE TABLE workspaces (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE agents (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL UNIQUE,          -- lower-cased; sign-in is by email
    password_hash    TEXT,                          -- NULL until an invitation is accepted
    invitation_hash  TEXT UNIQUE,                   -- sha256 of the one-time invitation token
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    capacity         INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       BIGINT NOT NULL
);
CREATE INDEX agents_workspace ON agents (workspace_id, id);

CREATE TABLE sessions (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE api_keys (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, id);

CREATE TABLE teams (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    team_id       UUID NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id      UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);

CREATE TABLE sites (
    id                UUID PRIMARY KEY,
    workspace_id      UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    site_key          TEXT NOT NULL UNIQUE,
    allowed_origins   TEXT NOT NULL,                -- JSON array of origins
    color             TEXT NOT NULL,
    greeting          TEXT NOT NULL,
    require_identity  BOOLEAN NOT NULL DEFAULT FALSE,
    identity_secret   TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX sites_workspace ON sites (workspace_id, id);

CREATE TABLE visitors (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    site_id       UUID NOT NULL REFERENCES sites(id),
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT,
    email         TEXT,
    user_id       TEXT,
    verified      BOOLEAN NOT NULL DEFAULT FALSE,
    attributes    TEXT NOT NULL DEFAULT '{}',       -- JSON object
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX visitors_workspace ON visitors (workspace_id, id);

CREATE TABLE conversations (
    id                 UUID PRIMARY KEY,
    workspace_id       UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    site_id            UUID NOT NULL REFERENCES sites(id),
    visitor_id         UUID NOT NULL REFERENCES visitors(id),
    status             TEXT NOT NULL CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id        UUID REFERENCES agents(id),
    team_id            UUID REFERENCES teams(id) ON DELETE SET NULL,
    last_seq           BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    first_response_at  BIGINT,
    resolved_at        BIGINT,
    snoozed_until      BIGINT
);
CREATE INDEX conversations_workspace ON conversations (workspace_id, id);
CREATE INDEX conversations_status ON conversations (workspace_id, status, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_id, id);
CREATE INDEX conversations_visitor ON conversations (visitor_id, id);

CREATE TABLE messages (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    conversation_id  UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq              BIGINT NOT NULL,
    client_msg_id    TEXT,
    author_kind      TEXT NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'integration', 'system')),
    author_id        UUID,
    kind             TEXT NOT NULL CHECK (kind IN ('text', 'note')),
    body             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_msg_id)
);

-- "Read up to seq" per participant; reader_id is an agent or a visitor id.
CREATE TABLE read_cursors (
    conversation_id  UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    reader_kind      TEXT NOT NULL CHECK (reader_kind IN ('visitor', 'agent')),
    reader_id        UUID NOT NULL,
    seq              BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, reader_kind, reader_id)
);
