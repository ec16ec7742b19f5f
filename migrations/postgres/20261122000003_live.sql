-- Live updates (F15–F17); see migrations/sqlite.
ALTER TABLE users ADD COLUMN last_active_at TIMESTAMPTZ;

CREATE TABLE event_log_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL
);
INSERT INTO event_log_state (id, pruned_through) VALUES (1, 0);
