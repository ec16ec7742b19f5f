-- The chat window: profiles, threads, members, messages, reactions, reports.
-- Timestamps are RFC 3339 UTC text (as sqlx writes chrono values), which
-- sorts in time order.

-- Profile fields (F2). The avatar is generated from the username unless a
-- URL is set; karma comes from the community site; role gates moderation.
ALTER TABLE users ADD COLUMN avatar_url TEXT;
ALTER TABLE users ADD COLUMN karma INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user'
    CHECK (role IN ('user', 'moderator'));

CREATE TABLE threads (
    id               INTEGER PRIMARY KEY,
    -- The only id that leaves the server: unguessable, so a URL reveals
    -- nothing about how many threads exist.
    public_id        TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
    title            TEXT,
    -- "<smaller user id>:<larger user id>" for direct chats, NULL for
    -- groups: the unique index makes a second DM for a pair impossible,
    -- whichever side starts it and however the requests race.
    direct_key       TEXT    UNIQUE,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    last_message_id  INTEGER,
    last_activity_at TEXT    NOT NULL,
    deleted_at       TEXT
);

CREATE TABLE thread_members (
    thread_id            INTEGER NOT NULL REFERENCES threads (id),
    user_id              INTEGER NOT NULL REFERENCES users (id),
    role                 TEXT    NOT NULL DEFAULT 'member'
        CHECK (role IN ('owner', 'member')),
    joined_at            TEXT    NOT NULL,
    -- Messages with an id above this are unread for this member.
    last_read_message_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;

-- The navigation list starts from "which threads is this user in".
CREATE INDEX thread_members_by_user ON thread_members (user_id, thread_id);

-- AUTOINCREMENT: ids are never reused, so a message id is a safe cursor
-- for paging (and, later, for resuming a live stream).
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    sender_id  INTEGER NOT NULL REFERENCES users (id),
    -- Made by the client per message: a retried send finds the first one.
    client_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('text', 'sticker', 'system')),
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    deleted_at TEXT,
    UNIQUE (sender_id, client_id)
);

-- Paging a thread's history newest-first, and counting unread.
CREATE INDEX messages_by_thread ON messages (thread_id, id);

CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    emoji      TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    reporter_id INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'removed', 'dismissed')),
    created_at  TEXT    NOT NULL,
    -- One report per person per message; reporting again updates nothing.
    UNIQUE (message_id, reporter_id)
);

-- The moderators' queue (F21): open reports, oldest first.
CREATE INDEX reports_by_status ON reports (status, id);
