-- A new message's bookkeeping rides on its row's insert (issue 13): see
-- migrations/sqlite for why. The waking of every node's pump (pg_notify)
-- stays in the inserting statement, which knows the channel's name.
CREATE FUNCTION messages_bookkeeping() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE threads
       SET last_message_id = NEW.id, last_activity_at = NEW.created_at
     WHERE id = NEW.thread_id;
    IF NEW.kind <> 'system' THEN
        UPDATE thread_members
           SET last_active_at = NEW.created_at,
               last_read_message_id = GREATEST(last_read_message_id, NEW.id)
         WHERE thread_id = NEW.thread_id AND user_id = NEW.sender_id;
    END IF;
    INSERT INTO events (thread_id, kind, message_id, user_id, created_at)
    VALUES (NEW.thread_id, 'message_created', NEW.id, NEW.sender_id, NEW.created_at);
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_bookkeeping AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_bookkeeping();
