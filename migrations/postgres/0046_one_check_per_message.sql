-- One foreign-key check per stored message instead of two (issue 14). A message named its
-- conversation and its workspace through two foreign keys, and PostgreSQL checks each with
-- a query of its own for every row inserted: at saturation those checks were a fifth of
-- the database's CPU. One key on both columns, referencing the conversation in its
-- workspace, makes one check, and also holds what the two did not: that a message's
-- workspace is its conversation's. A workspace's deletion still reaches its messages,
-- through its conversations.
--
-- The unique constraint takes the place of the plain index on the same columns, so a
-- conversation keeps as many indexes to update as before.
ALTER TABLE conversations ADD CONSTRAINT conversations_in_workspace UNIQUE (workspace_id, id);
DROP INDEX conversations_workspace;
ALTER TABLE messages ADD CONSTRAINT messages_conversation_in_workspace
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_workspace_id_fkey;
