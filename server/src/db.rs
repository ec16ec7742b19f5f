//! Opening the database named by `DATABASE_URL` (SQLite or PostgreSQL) and
//! bringing its schema up to date.

use std::{str::FromStr, time::Duration};

use app::store::Db;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions, Connection,
};

use crate::StartError;

/// How long start-up waits for PostgreSQL to accept a connection, and a
/// request for a free pooled connection, before giving up with an error.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);

/// Opens the database of `url` and runs its backend's migrations
/// (`migrations/sqlite` or `migrations/postgres`); a failing migration is
/// fatal.
///
/// - `sqlite://path` (the default): created if missing, with its folder;
///   WAL mode, 5 s busy timeout.
/// - `postgres://…` / `postgresql://…`: a pool of up to
///   `PARLEY_DB_CONNECTIONS` (default 16) connections.
///
/// Errors name the problem in one line (a malformed URL, an unreachable
/// server, a refused login, a failed migration).
pub async fn connect_and_migrate(url: &str) -> Result<Db, StartError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        connect_postgres(url).await
    } else if url.starts_with("sqlite:") {
        connect_sqlite(url).await
    } else {
        Err(StartError::Config(format!(
            "DATABASE_URL {:?}: expected sqlite://… or postgres://…",
            redact(url)
        )))
    }
}

/// Rows a SQLite query may run ahead of its reader (sqlx's
/// `row_buffer_size`, 50 by default): the largest page Parley reads (200
/// messages, 200 rooms) and then some. sqlx runs each SQLite connection on
/// a worker thread and hands rows over through a channel this long; with
/// 50, a 200-message page stalled the worker and the two threads woke each
/// other every few rows, each wake-up tens of microseconds on a VM. The
/// channel (flume) allocates only as rows arrive, so small queries pay
/// nothing for the larger bound.
const ROW_BUFFER: usize = 256;

async fn connect_sqlite(url: &str) -> Result<Db, StartError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StartError::Config(format!("DATABASE_URL {url:?}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across process crashes (only an OS crash
        // can lose the last transactions) and much faster than FULL.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .row_buffer_size(ROW_BUFFER);

    let path = options.get_filename();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StartError::Database(format!("creating {}: {e}", dir.display())))?;
    }

    // Migrations run on a connection of their own with foreign keys off:
    // SQLite changes a table's constraints by rebuilding it (create, copy,
    // drop, rename), which foreign keys would turn into cascading deletes
    // or rewritten references, and the setting cannot change inside the
    // transaction each migration runs in. Each such migration ends with
    // `PRAGMA foreign_key_check`.
    let mut migrating = options
        .clone()
        .foreign_keys(false)
        .connect()
        .await
        .map_err(|e| StartError::Database(format!("opening {url}: {e}")))?;
    sqlx::migrate!("../migrations/sqlite")
        .run(&mut migrating)
        .await
        .map_err(|e| StartError::Migration(e.to_string()))?;
    migrating
        .close()
        .await
        .map_err(|e| StartError::Database(format!("closing {url}: {e}")))?;

    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_release(|conn, _meta| Box::pin(release_outside_transaction(conn)))
        .connect_with(options)
        .await
        .map_err(|e| StartError::Database(format!("opening {url}: {e}")))?;
    Ok(Db::sqlite(pool))
}

async fn connect_postgres(url: &str) -> Result<Db, StartError> {
    let shown = redact(url);
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StartError::Config(format!("DATABASE_URL {shown:?}: {e}")))?;
    let max = std::env::var("PARLEY_DB_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(16);
    let pool = PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(CONNECT_WITHIN)
        .after_release(|conn, _meta| Box::pin(release_outside_transaction(conn)))
        .connect_with(options)
        .await
        .map_err(|e| StartError::Database(format!("connecting to {shown}: {e}")))?;

    sqlx::migrate!("../migrations/postgres")
        .run(&pool)
        .await
        .map_err(|e| StartError::Migration(e.to_string()))?;
    Ok(Db::Postgres(app::store::db::PgDb::new(pool)))
}

/// `url` without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The pool's release check: `Ok(true)` keeps the connection, `Ok(false)`
/// closes it (the database rolls back whatever it still had open).
///
/// A future dropped at an `.await` can hand its connection back inside a
/// transaction: dropped between the server running `BEGIN` and sqlx
/// creating its transaction guard, nothing ever rolls it back, and on
/// SQLite that idle connection holds the write lock until the process ends
/// (on PostgreSQL, the write advisory lock). Writes run on tasks of their
/// own so this should not happen (`app::server::access`); this check makes
/// sure that if it does, the connection is thrown away rather than reused.
/// The ping first lets a rollback that a dropped transaction guard queued
/// run, so ordinary early returns keep their connection. On PostgreSQL
/// `is_in_transaction` is sqlx's own count, blind to a `BEGIN` whose
/// future was dropped before the answer: `app::store::db::begin_pg` is
/// what covers that case.
async fn release_outside_transaction<C: Connection>(conn: &mut C) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a connection came back inside a transaction: closing it");
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redact("postgres://parley:s3cret@db:5432/parley"),
            "postgres://parley:***@db:5432/parley"
        );
        assert_eq!(
            redact("postgres://parley@localhost/postgres?host=/tmp/x"),
            "postgres://parley@localhost/postgres?host=/tmp/x"
        );
        assert_eq!(redact("sqlite://data/parley.db"), "sqlite://data/parley.db");
    }
}
