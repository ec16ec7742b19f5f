use std::{str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Connection, SqliteConnection, SqlitePool,
};

use crate::StartError;

/// Opens (creating if needed, with its folder) the SQLite database in WAL
/// mode and brings its schema up to date. A failing migration is fatal.
pub async fn connect_and_migrate(url: &str) -> Result<SqlitePool, StartError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StartError::Config(format!("DATABASE_URL {url:?}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across process crashes (only an OS crash
        // can lose the last transactions) and much faster than FULL.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);

    let path = options.get_filename();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StartError::Database(format!("creating {}: {e}", dir.display())))?;
    }

    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_release(|conn, _meta| Box::pin(release_outside_transaction(conn)))
        .connect_with(options)
        .await
        .map_err(|e| StartError::Database(format!("opening {url}: {e}")))?;

    sqlx::migrate!("../migrations")
        .run(&pool)
        .await
        .map_err(|e| StartError::Migration(e.to_string()))?;
    Ok(pool)
}

/// The pool's release check: `Ok(true)` keeps the connection, `Ok(false)`
/// closes it (SQLite rolls back whatever it still had open).
///
/// A future dropped at an `.await` can hand its connection back inside a
/// transaction: dropped between SQLite running `BEGIN IMMEDIATE` and sqlx
/// creating its transaction guard, nothing ever rolls it back, and that
/// idle connection holds the write lock until the process ends. Writes run
/// on tasks of their own so this should not happen (`app::server::access`);
/// this check makes sure that if it does, the connection is thrown away
/// rather than reused. The ping first lets a rollback that a dropped
/// transaction guard queued run, so ordinary early returns keep their
/// connection.
async fn release_outside_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a connection came back inside a transaction: closing it");
        return Ok(false);
    }
    Ok(true)
}
