-- Rooms (F13), the home room and Otter (F14).
--
-- SQLite cannot change a CHECK constraint in place, so `threads` is rebuilt
-- (SQLite's documented procedure: create the new table, copy, drop the
-- old one, rename, check). Migrations run on a connection with foreign
-- keys off for exactly this (server/src/db.rs), and the check at the end
-- makes sure every reference still holds.

CREATE TABLE threads_new (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('direct', 'group', 'room')),
    title            TEXT,
    -- A room's topic (one line, shown under its name).
    topic            TEXT,
    direct_key       TEXT    UNIQUE,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    last_message_id  INTEGER,
    last_activity_at TEXT    NOT NULL,
    deleted_at       TEXT,
    -- Kept with every join and leave: a room of thousands is counted
    -- without reading its members.
    member_count     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO threads_new (id, public_id, kind, title, direct_key, created_by, created_at,
                         last_message_id, last_activity_at, deleted_at, member_count)
SELECT t.id, t.public_id, t.kind, t.title, t.direct_key, t.created_by, t.created_at,
       t.last_message_id, t.last_activity_at, t.deleted_at,
       (SELECT COUNT(*) FROM thread_members m WHERE m.thread_id = t.id)
FROM threads t;
DROP TABLE threads;
ALTER TABLE threads_new RENAME TO threads;

-- The rooms list: public rooms by last activity.
CREATE INDEX threads_rooms_by_activity ON threads (kind, last_activity_at);

-- When each member last posted in the thread ("Active 5m ago" in a room).
ALTER TABLE thread_members ADD COLUMN last_active_at TEXT;
-- A room's participants: online first is the hub's, then by last active.
CREATE INDEX thread_members_by_activity ON thread_members (thread_id, last_active_at);

-- Otter and any later bot: marked wherever names show, never logs in.
ALTER TABLE users ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;
-- The zone the user's browser last reported (Otter tells the time in it).
ALTER TABLE users ADD COLUMN time_zone TEXT;

-- Otter: a real user whose password hash is no hash at all, so nobody
-- can log in as it.
INSERT INTO users (username, password_hash, created_at, is_bot)
VALUES ('otter', '!', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 1);

-- The home room, with a fixed id (it is everyone's anyway), and everyone
-- in it: Otter and every existing user.
INSERT INTO threads (public_id, kind, title, topic, created_by, created_at, last_activity_at)
SELECT '00000000-0000-4000-8000-00000000a11e', 'room', 'Home',
       'Everyone is here. Say hi, or ask "Hey Otter, what is 12*(3+4)?"',
       id, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
FROM users WHERE username = 'otter';
INSERT INTO thread_members (thread_id, user_id, role, joined_at, last_read_message_id)
SELECT t.id, u.id, 'member', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 0
FROM threads t, users u
WHERE t.public_id = '00000000-0000-4000-8000-00000000a11e';
UPDATE threads SET member_count = (SELECT COUNT(*) FROM thread_members m WHERE m.thread_id = threads.id)
WHERE public_id = '00000000-0000-4000-8000-00000000a11e';

-- Which messages Otter has read up to (its worker resumes here after a
-- restart; answers are idempotent by client id, so reading one twice is
-- harmless).
CREATE TABLE bot_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL
);
INSERT INTO bot_state (id, through) SELECT 1, COALESCE(MAX(id), 0) FROM messages;

PRAGMA foreign_key_check;
