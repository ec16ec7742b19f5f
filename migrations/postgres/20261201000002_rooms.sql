-- Rooms (F13), the home room and Otter (F14); see migrations/sqlite.
ALTER TABLE threads DROP CONSTRAINT threads_kind_check;
ALTER TABLE threads ADD CONSTRAINT threads_kind_check
    CHECK (kind IN ('direct', 'group', 'room'));
ALTER TABLE threads ADD COLUMN topic TEXT;
ALTER TABLE threads ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE threads t SET member_count =
    (SELECT COUNT(*) FROM thread_members m WHERE m.thread_id = t.id);
CREATE INDEX threads_rooms_by_activity ON threads (kind, last_activity_at);

ALTER TABLE thread_members ADD COLUMN last_active_at TIMESTAMPTZ;
CREATE INDEX thread_members_by_activity
    ON thread_members (thread_id, last_active_at DESC NULLS LAST);

ALTER TABLE users ADD COLUMN is_bot BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN time_zone TEXT;

INSERT INTO users (username, password_hash, created_at, is_bot)
VALUES ('otter', '!', now(), true);

INSERT INTO threads (public_id, kind, title, topic, created_by, created_at, last_activity_at)
SELECT '00000000-0000-4000-8000-00000000a11e', 'room', 'Home',
       'Everyone is here. Say hi, or ask "Hey Otter, what is 12*(3+4)?"',
       id, now(), now()
FROM users WHERE username = 'otter';
INSERT INTO thread_members (thread_id, user_id, role, joined_at, last_read_message_id)
SELECT t.id, u.id, 'member', now(), 0
FROM threads t CROSS JOIN users u
WHERE t.public_id = '00000000-0000-4000-8000-00000000a11e';
UPDATE threads SET member_count =
    (SELECT COUNT(*) FROM thread_members m WHERE m.thread_id = threads.id)
WHERE public_id = '00000000-0000-4000-8000-00000000a11e';

CREATE TABLE bot_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through BIGINT NOT NULL
);
INSERT INTO bot_state (id, through) SELECT 1, COALESCE(MAX(id), 0) FROM messages;
