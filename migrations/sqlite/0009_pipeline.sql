-- The message pipeline counts visitors' and agents' text messages itself, in the one
-- statement per batch that writes conversations back: the per-row trigger cost an extra
-- UPDATE of the conversation for every message.
DROP TRIGGER messages_count_text;
