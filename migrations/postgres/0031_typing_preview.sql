-- Typing preview: a site may let agents see what its visitors type before they send it.
-- Off by default: visitors may type things they decide not to send.
ALTER TABLE sites ADD COLUMN typing_preview BOOLEAN NOT NULL DEFAULT FALSE;
