//! The session layer: tower-sessions over the `sessions` table of the
//! app's own database, so sessions survive restarts and logout deletes them.

use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tower_sessions::{
    cookie::SameSite, session_store::ExpiredDeletion, Expiry, SessionManagerLayer,
};
use tower_sessions_sqlx_store::SqliteStore;

use crate::{Config, StartError};

/// Sessions idle this long expire (and their rows are deleted hourly).
const IDLE_EXPIRY_DAYS: i64 = 30;

/// The layer, and the task that deletes expired rows (abort it on shutdown).
pub async fn layer(
    pool: SqlitePool,
    config: &Config,
) -> Result<(SessionManagerLayer<SqliteStore>, JoinHandle<()>), StartError> {
    let store = SqliteStore::new(pool)
        .with_table_name("sessions")
        .map_err(StartError::Config)?;
    store
        .migrate()
        .await
        .map_err(|e| StartError::Migration(format!("sessions table: {e}")))?;
    let cleanup = tokio::spawn({
        let store = store.clone();
        async move {
            let every = tokio::time::Duration::from_secs(3600);
            if let Err(e) = store.continuously_delete_expired(every).await {
                tracing::error!("deleting expired sessions stopped: {e}");
            }
        }
    });
    let layer = SessionManagerLayer::new(store)
        .with_name("parley_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::days(IDLE_EXPIRY_DAYS)));
    Ok((layer, cleanup))
}
