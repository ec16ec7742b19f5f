//! The session layer: tower-sessions over the `sessions` table of the
//! app's own database (SQLite or PostgreSQL), so sessions survive restarts,
//! every node of a cluster sees the same ones, and logout deletes them.

use app::store::Db;
use async_trait::async_trait;
use tokio::task::JoinHandle;
use tower_sessions::{
    cookie::SameSite,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    Expiry, SessionManagerLayer, SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::{Config, StartError};

/// Sessions idle this long expire (and their rows are deleted hourly).
const IDLE_EXPIRY_DAYS: i64 = 30;

/// tower-sessions' sqlx store for whichever backend the app runs on.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Calls the same method on whichever store `$s` is.
macro_rules! on_store {
    ($s:expr, $st:ident => $body:expr) => {
        match $s {
            Store::Sqlite($st) => $body,
            Store::Postgres($st) => $body,
        }
    };
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.save(record).await)
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(id).await)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, s => s.delete_expired().await)
    }
}

/// The layer, and the task that deletes expired rows (abort it on shutdown).
pub async fn layer(
    db: &Db,
    config: &Config,
) -> Result<(SessionManagerLayer<Store>, JoinHandle<()>), StartError> {
    let store = match db {
        Db::Sqlite(s) => Store::Sqlite(
            SqliteStore::new(s.pool.clone())
                .with_table_name("sessions")
                .map_err(StartError::Config)?,
        ),
        // PostgreSQL keeps them in their own schema, `tower_sessions`.
        Db::Postgres(pg) => Store::Postgres(
            PostgresStore::new(pg.pool.clone())
                .with_table_name("sessions")
                .map_err(StartError::Config)?,
        ),
    };
    let migrated = on_store!(&store, s => s.migrate().await);
    migrated.map_err(|e| StartError::Migration(format!("sessions table: {e}")))?;
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
