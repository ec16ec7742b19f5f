use std::{str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
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
        .connect_with(options)
        .await
        .map_err(|e| StartError::Database(format!("opening {url}: {e}")))?;

    sqlx::migrate!("../migrations")
        .run(&pool)
        .await
        .map_err(|e| StartError::Migration(e.to_string()))?;
    Ok(pool)
}
