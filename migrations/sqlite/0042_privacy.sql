-- Privacy (issue 18): how long a workspace keeps conversations, and the indexes the
-- retention worker and the clean-up of unsent uploads read by.

-- Days after their last activity that conversations and page views are deleted; NULL keeps
-- them forever.
ALTER TABLE workspaces ADD COLUMN retention_days INTEGER;
CREATE INDEX conversations_last_activity ON conversations (workspace_id, updated_at);
CREATE INDEX visitor_pages_viewed ON visitor_pages (workspace_id, viewed_at);
-- Uploads never sent with a message are removed after a day.
CREATE INDEX attachments_unsent ON attachments (created_at) WHERE message_id IS NULL;
