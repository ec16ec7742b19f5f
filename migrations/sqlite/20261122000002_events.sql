-- The event log (F15, F19): every change others must see, appended in the
-- same transaction as the change. Its AUTOINCREMENT id is the cursor a
-- live client resumes from; rows say what changed and where, and the
-- payload is read from the tables when an event is delivered, so a
-- deleted message's text is never copied here.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    kind       TEXT    NOT NULL CHECK (kind IN (
        'message_created', 'message_deleted', 'reaction_changed',
        'member_added', 'member_removed', 'member_left',
        'thread_renamed', 'read_moved')),
    -- The message concerned (created, deleted, reacted to, read up to).
    message_id INTEGER,
    -- The member concerned (added, removed, left, reader, reactor).
    user_id    INTEGER,
    created_at TEXT    NOT NULL
);

-- Replaying a thread's events after a cursor.
CREATE INDEX events_by_thread ON events (thread_id, id);
