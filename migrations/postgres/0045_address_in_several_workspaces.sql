-- One address may sign in to several workspaces (issue 18): an address is unique within
-- a workspace, no longer across them, so signing up or adding an agent answers the same
-- whether or not the address already has an account elsewhere.
ALTER TABLE agents DROP CONSTRAINT agents_email_key;
CREATE UNIQUE INDEX agents_workspace_email ON agents (workspace_id, email);
CREATE INDEX agents_email ON agents (email);
