-- Several nodes on one database (PostgreSQL only; SQLite runs one node).
-- Presence must count a user's sockets on every node: each node says which
-- users it has sockets of, and proves it is alive by a heartbeat. A node
-- that stops beating (killed) no longer counts, and its rows go.
CREATE TABLE nodes (
    node    TEXT        PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- "This node has at least one socket of this user."
CREATE TABLE presence (
    node    TEXT   NOT NULL REFERENCES nodes (node) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, node)
);

-- What co-members were last told, cluster-wide: changed only together
-- with the announcement, under a per-user lock, so every real change is
-- announced exactly once whichever nodes the sockets come and go on.
CREATE TABLE presence_told (
    user_id BIGINT  PRIMARY KEY,
    online  BOOLEAN NOT NULL
);
