-- Pages a visitor viewed while the widget was loaded, newest last (the console's
-- "current page" is the newest row).
CREATE TABLE visitor_pages (
    id            UUID PRIMARY KEY NOT NULL,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    visitor_id    UUID NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    title         TEXT NOT NULL,
    viewed_at     BIGINT NOT NULL
);
CREATE INDEX visitor_pages_visitor ON visitor_pages (visitor_id, viewed_at);
