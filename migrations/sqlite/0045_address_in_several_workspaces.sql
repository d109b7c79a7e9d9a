-- no-transaction
-- One address may sign in to several workspaces (issue 18): an address is unique within
-- a workspace, no longer across them, so signing up or adding an agent answers the same
-- whether or not the address already has an account elsewhere.
--
-- SQLite cannot drop a column's UNIQUE, so the table is rebuilt (the documented
-- procedure: foreign keys off outside the transaction, copy, drop, rename, check).
-- Dropping `agents` with foreign keys on would cascade into every table that refers to it.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE agents_rebuilt (
    id                     BLOB PRIMARY KEY NOT NULL,
    workspace_id           BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    email                  TEXT NOT NULL,                 -- lower-cased; unique within the workspace
    password_hash          TEXT,                          -- NULL until an invitation is accepted
    invitation_hash        TEXT UNIQUE,                   -- sha256 of the one-time invitation token
    role                   TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    capacity               INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    active                 INTEGER NOT NULL DEFAULT 1,
    created_at             INTEGER NOT NULL,
    last_assigned_at       INTEGER NOT NULL DEFAULT 0,
    invitation_expires_at  INTEGER
);
INSERT INTO agents_rebuilt (id, workspace_id, name, email, password_hash, invitation_hash, role, capacity, active,
                            created_at, last_assigned_at, invitation_expires_at)
    SELECT id, workspace_id, name, email, password_hash, invitation_hash, role, capacity, active,
           created_at, last_assigned_at, invitation_expires_at
    FROM agents;
DROP TABLE agents;
ALTER TABLE agents_rebuilt RENAME TO agents;
CREATE INDEX agents_workspace ON agents (workspace_id, id);
CREATE UNIQUE INDEX agents_workspace_email ON agents (workspace_id, email);
CREATE INDEX agents_email ON agents (email);

COMMIT;
PRAGMA foreign_keys = ON;
