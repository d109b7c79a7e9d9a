-- The widget's pre-chat form: per site, whether the visitor is asked for a name and an
-- email before the first message ('off', 'optional' or 'required'). Existing sites keep
-- the form off, as before.
ALTER TABLE sites ADD COLUMN prechat_name TEXT NOT NULL DEFAULT 'off'
    CHECK (prechat_name IN ('off', 'optional', 'required'));
ALTER TABLE sites ADD COLUMN prechat_email TEXT NOT NULL DEFAULT 'off'
    CHECK (prechat_email IN ('off', 'optional', 'required'));
-- When no agent is online, the widget offers the offline form (an email to answer to,
-- and the message) instead of the chat. On by default; a site may keep the chat open.
ALTER TABLE sites ADD COLUMN offline_form INTEGER NOT NULL DEFAULT 1;
