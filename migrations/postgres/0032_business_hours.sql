-- Business hours per site: weekly openings and holidays (JSON, in the workspace's time
-- zone) and the auto-reply a visitor gets outside them. No row: always open.
CREATE TABLE site_business_hours (
    site_id       UUID PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    enabled       BOOLEAN NOT NULL,
    hours         TEXT NOT NULL,               -- JSON array of {weekday, opens, closes}
    holidays      TEXT NOT NULL,               -- JSON array of {date, name}
    auto_reply    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
