-- Webhooks (SQLite): subscriptions, an outbox of deliveries with their attempts, and
-- conversation ratings (the `rating.submitted` event).

CREATE TABLE webhook_subscriptions (
    id                          BLOB PRIMARY KEY NOT NULL,
    workspace_id                BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url                         TEXT NOT NULL,
    description                 TEXT NOT NULL,
    events                      TEXT NOT NULL,        -- JSON array of event names
    site_id                     BLOB REFERENCES sites(id) ON DELETE CASCADE,
    enabled                     INTEGER NOT NULL DEFAULT 1,
    secret                      TEXT NOT NULL,        -- whsec_…; needed in clear to sign
    previous_secret             TEXT,
    previous_secret_expires_at  INTEGER,
    consecutive_failures        INTEGER NOT NULL DEFAULT 0,
    failing_since               INTEGER,
    disabled_at                 INTEGER,
    disabled_reason             TEXT,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_workspace ON webhook_subscriptions (workspace_id, id);

-- The outbox: one row per event and subscription, written in the transaction that made
-- the change. `event_id` is the `webhook-id`, shared by retries and replays.
CREATE TABLE webhook_deliveries (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    subscription_id  BLOB NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_id         BLOB NOT NULL,
    event_type       TEXT NOT NULL,
    conversation_id  BLOB,                            -- the ordering key; NULL: unordered
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, conversation_id, status, id);

CREATE TABLE webhook_attempts (
    id            BLOB PRIMARY KEY NOT NULL,
    delivery_id   BLOB NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at  INTEGER NOT NULL,
    status_code   INTEGER,
    duration_ms   INTEGER NOT NULL,
    error         TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- One rating per conversation; rating again replaces it.
CREATE TABLE conversation_ratings (
    conversation_id  BLOB PRIMARY KEY NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    score            INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment          TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- `Idempotency-Key` on creating POSTs: the first response to (credential, key) is kept
-- for 24 hours and returned again for a retry with the same request.
CREATE TABLE idempotency_keys (
    credential_hash  TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    status           INTEGER,                         -- NULL while the first request runs
    response_body    TEXT,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (credential_hash, idempotency_key)
);
