//! Helpers shared by the test crates of `server` (each includes this file).

use std::path::Path;

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection};

/// Makes the record of every applied migration disagree with the binary's
/// migrations, as if a migration file had been edited after it ran.
pub async fn tamper_with_applied_migrations(db: &Path) {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .expect("open the test database");
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00'")
        .execute(&mut conn)
        .await
        .expect("tamper with _sqlx_migrations");
    conn.close().await.expect("close the test database");
}
