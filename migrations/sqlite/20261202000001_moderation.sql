-- Moderation and blocking (F21).

-- Removed by a moderator: like a soft delete, the row stays (moderators
-- still read it in the queue), its text is never sent to a member again.
ALTER TABLE messages ADD COLUMN removed_at TEXT;
ALTER TABLE messages ADD COLUMN removed_by INTEGER REFERENCES users (id);

-- Every decision a moderator took, with who and when. A decision closes
-- the open reports of one message (up to the newest one the moderator saw).
CREATE TABLE moderation_decisions (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id),
    moderator_id INTEGER NOT NULL REFERENCES users (id),
    action       TEXT    NOT NULL CHECK (action IN ('remove', 'dismiss')),
    decided_at   TEXT    NOT NULL
);

ALTER TABLE reports ADD COLUMN decision_id INTEGER REFERENCES moderation_decisions (id);
CREATE INDEX reports_by_message ON reports (message_id, status);
CREATE INDEX reports_by_decision ON reports (decision_id);

-- A blocks B. Private: only A's own reads ever look at A's rows, except
-- the send and new-chat checks, which refuse B without saying why.
CREATE TABLE blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id),
    blocked_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
) WITHOUT ROWID;

-- Who blocks B (typing from B is not passed to them).
CREATE INDEX blocks_by_blocked ON blocks (blocked_id, blocker_id);
