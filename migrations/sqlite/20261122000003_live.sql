-- Live updates (F15–F17).

-- When the user was last connected (presence: "active 5 min ago").
ALTER TABLE users ADD COLUMN last_active_at TEXT;

-- How far the event log has been pruned: a client resuming from a cursor
-- below this is told to reload instead of getting a partial replay.
CREATE TABLE event_log_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through INTEGER NOT NULL
);
INSERT INTO event_log_state (id, pruned_through) VALUES (1, 0);

