-- Accounts. Usernames are stored lower-case (the domain type normalises
-- them); the NOCASE unique index is the database's own guarantee.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE UNIQUE INDEX users_username_nocase ON users (username COLLATE NOCASE);
