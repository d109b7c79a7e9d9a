-- The agents' workspace feed: every change to a conversation (a new message, status,
-- assignee, priority, labels…) takes the workspace's next `feed_seq`, in the transaction
-- that makes it (the workspace row is locked, so seqs follow commit order). A console that
-- holds the highest `feed_seq` it has seen catches up with one indexed range read.
ALTER TABLE workspaces ADD COLUMN feed_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN feed_seq BIGINT NOT NULL DEFAULT 0;
-- Conversations that existed before: numbered in creation order within their workspace.
UPDATE conversations SET feed_seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY id) AS n FROM conversations) AS numbered
WHERE conversations.id = numbered.id;
UPDATE workspaces SET feed_seq = (SELECT COUNT(*) FROM conversations c WHERE c.workspace_id = workspaces.id);
CREATE INDEX conversations_feed ON conversations (workspace_id, feed_seq);
