use std::sync::Arc;

use leptos::prelude::*;

use super::group_commit::GroupCommit;
use super::limits::AuthLimits;
use super::live::{cluster::Cluster, Hub, LiveSettings};
use crate::error::AppError;
use crate::store::Db;

/// What every request handler may need; built once in `server` and provided
/// to server functions and SSR through Leptos context.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database, SQLite or PostgreSQL.
    pub db: Db,
    pub auth_limits: Arc<AuthLimits>,
    /// Live sockets (F15): server functions wake it after a commit.
    pub hub: Arc<Hub>,
    /// This node's write queue: every write goes through it
    /// ([`super::access::write`]), committed in batches.
    pub writes: GroupCommit,
    /// This node's part in a cluster of nodes on one PostgreSQL database
    /// (`None` on SQLite, which runs one node).
    pub cluster: Option<Arc<Cluster>>,
}

impl AppState {
    /// Starts the write queue's task, committing up to `write_batch`
    /// writes a transaction: call it inside a Tokio runtime.
    pub fn new(db: Db, live: LiveSettings, write_batch: usize) -> Self {
        let hub = Arc::new(Hub::new(live));
        Self {
            writes: GroupCommit::start(db.clone(), hub.clone(), write_batch),
            db,
            auth_limits: Arc::default(),
            hub,
            cluster: None,
        }
    }
}

/// The [`AppState`] of the current request, or an internal error when it was
/// not provided (a wiring bug, not something a user can cause).
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
