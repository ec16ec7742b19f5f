//! Presence across nodes (PostgreSQL only: SQLite runs one node, whose hub
//! knows every socket). See `server::live::cluster` for the protocol.

use sqlx::PgPool;

/// A node that has not beaten for this long (seconds) is dead: its
/// sockets no longer count.
pub const NODE_DEAD_AFTER_SECS: i64 = 15;

/// Records that `node` is alive (and exists: presence rows refer to it).
pub async fn beat(pool: &PgPool, node: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO nodes (node, seen_at) VALUES ($1, now())
         ON CONFLICT (node) DO UPDATE SET seen_at = now()",
    )
    .bind(node)
    .execute(pool)
    .await
    .map(drop)
}

/// Removes `node` and its presence rows (it is stopping).
pub async fn forget_node(pool: &PgPool, node: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM nodes WHERE node = $1")
        .bind(node)
        .execute(pool)
        .await
        .map(drop)
}

/// A change of what co-members must be told about a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    Online,
    Offline,
}

/// Sets whether `node` has sockets of `user`, then compares the user's
/// sockets on live nodes with what co-members were last told, under a
/// per-user transaction lock: `Some` when that changed (and is now
/// recorded as told), to be announced by the caller through `notify` in
/// the same transaction. `notify` is run inside it, so the announcement
/// commits (and is delivered) together with the record, in order.
pub async fn set_and_settle(
    pool: &PgPool,
    node: &str,
    user: i64,
    connected: Option<bool>,
    notify: impl FnOnce(Told) -> String,
) -> Result<Option<Told>, sqlx::Error> {
    // Not `pool.begin()`: a socket's future can be dropped mid-`BEGIN`.
    let mut tx = super::db::begin_pg(pool, "BEGIN").await?;
    // Two-key form: class 1 = presence, so it never meets the write lock.
    sqlx::query("SELECT pg_advisory_xact_lock(1, hashtext($1::text))")
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
    match connected {
        Some(true) => {
            sqlx::query(
                "INSERT INTO presence (node, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(node)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        }
        Some(false) => {
            sqlx::query("DELETE FROM presence WHERE node = $1 AND user_id = $2")
                .bind(node)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        None => {}
    }
    let (live, told): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM presence p JOIN nodes n ON n.node = p.node
                        WHERE p.user_id = $1
                          AND n.seen_at > now() - make_interval(secs => $2)),
                COALESCE((SELECT online FROM presence_told WHERE user_id = $1), false)",
    )
    .bind(user)
    .bind(NODE_DEAD_AFTER_SECS as f64)
    .fetch_one(&mut *tx)
    .await?;
    let change = match (live, told) {
        (true, false) => Some(Told::Online),
        (false, true) => Some(Told::Offline),
        _ => None,
    };
    if let Some(change) = change {
        sqlx::query(
            "INSERT INTO presence_told (user_id, online) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET online = excluded.online",
        )
        .bind(user)
        .bind(change == Told::Online)
        .execute(&mut *tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(super::CLUSTER_CHANNEL)
            .bind(notify(change))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(change)
}

/// Deletes nodes that stopped beating, with their presence rows, and
/// returns the users co-members still think are online but who have no
/// socket on a live node (to be settled, which announces them offline).
pub async fn orphans(pool: &PgPool) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query("DELETE FROM nodes WHERE seen_at < now() - make_interval(secs => $1)")
        .bind(NODE_DEAD_AFTER_SECS as f64)
        .execute(pool)
        .await?;
    sqlx::query_scalar(
        "SELECT t.user_id FROM presence_told t
         WHERE t.online AND NOT EXISTS (
             SELECT 1 FROM presence p JOIN nodes n ON n.node = p.node
             WHERE p.user_id = t.user_id
               AND n.seen_at > now() - make_interval(secs => $1))",
    )
    .bind(NODE_DEAD_AFTER_SECS as f64)
    .fetch_all(pool)
    .await
}

/// Which of `users` co-members were told are online.
pub async fn online_among(pool: &PgPool, users: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM presence_told WHERE online AND user_id = ANY($1)")
        .bind(users)
        .fetch_all(pool)
        .await
}

/// Sends `payload` to every node listening on the cluster channel (not in
/// a transaction: for ephemeral signals like typing).
pub async fn signal(pool: &PgPool, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(super::CLUSTER_CHANNEL)
        .bind(payload)
        .execute(pool)
        .await
        .map(drop)
}
