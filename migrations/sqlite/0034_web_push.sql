-- Web Push: the server's VAPID key pair, agents' browser subscriptions and preferences,
-- and an outbox of alerts written in the same transaction as their cause (a new
-- conversation, an assignment), sent by a worker on every node.

-- One key pair for the whole deployment (every node signs with it).
CREATE TABLE push_keys (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    private_key  TEXT NOT NULL,                -- the P-256 scalar, base64url
    public_key   TEXT NOT NULL,                -- the uncompressed point, base64url
    created_at   INTEGER NOT NULL
);

CREATE TABLE push_subscriptions (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    agent_id      BLOB NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    endpoint      TEXT NOT NULL UNIQUE,
    p256dh        TEXT NOT NULL,
    auth          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_agent ON push_subscriptions (agent_id);

-- No row: every alert.
CREATE TABLE push_preferences (
    agent_id           BLOB PRIMARY KEY NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    workspace_id       BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    new_conversations  INTEGER NOT NULL,
    assigned           INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- kind: 'new_conversation' (every agent who wants it) or 'assigned' (agent_id).
-- subscription_id set: a retry for that one browser only.
CREATE TABLE push_outbox (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('new_conversation', 'assigned')),
    conversation_id  BLOB NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    agent_id         BLOB,
    subscription_id  BLOB,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX push_outbox_due ON push_outbox (state, next_attempt_at);
