-- A new message's bookkeeping rides on its row's insert (issue 13): the
-- thread moves to the top of everyone's list, its sender is active there
-- and has read what they wrote (not for a system line), and the event log
-- gets its `message_created`. Done by the statement that inserts the row,
-- so a send is one round trip to SQLite's worker thread instead of four,
-- inside the write slot every other writer waits for; and whoever inserts
-- a message (a send, Otter, a system line, the demo) cannot forget a step.
-- The values are the row's own, so they agree to the microsecond.
CREATE TRIGGER messages_bookkeeping AFTER INSERT ON messages
BEGIN
    UPDATE threads
       SET last_message_id = NEW.id, last_activity_at = NEW.created_at
     WHERE id = NEW.thread_id;
    UPDATE thread_members
       SET last_active_at = NEW.created_at,
           last_read_message_id = MAX(last_read_message_id, NEW.id)
     WHERE NEW.kind <> 'system' AND thread_id = NEW.thread_id AND user_id = NEW.sender_id;
    INSERT INTO events (thread_id, kind, message_id, user_id, created_at)
    VALUES (NEW.thread_id, 'message_created', NEW.id, NEW.sender_id, NEW.created_at);
END;
