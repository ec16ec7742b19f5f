//! The membership gate (F22) and the write transaction every change uses.

use sqlx::{Sqlite, Transaction};

use super::{state, ResultExt};
use crate::domain::parse_thread_id;
use crate::error::AppError;
use crate::store::{self, threads::MemberThread};

/// The thread if the user is a member; `NotFound` for a malformed id, an
/// unknown one, someone else's thread and a deleted one alike.
pub async fn member_thread(public_id: &str, user_id: i64) -> Result<MemberThread, AppError> {
    let public_id = parse_thread_id(public_id)?;
    store::threads::for_member(&state()?.pool, public_id, user_id)
        .await
        .context("loading a thread for a member")?
        .ok_or(AppError::NotFound)
}

/// A write transaction that takes SQLite's write lock up front
/// (`BEGIN IMMEDIATE`), so one that reads before writing waits for another
/// writer (busy timeout) instead of failing when it tries to upgrade.
pub async fn begin_write() -> Result<Transaction<'static, Sqlite>, AppError> {
    state()?
        .pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .context("starting a write transaction")
}

/// Commits a write and wakes the live hub, so every open tab hears of the
/// change at once. Every server-function write ends here.
pub async fn commit(tx: Transaction<'static, Sqlite>, what: &str) -> Result<(), AppError> {
    tx.commit().await.context(what)?;
    state()?.hub.wake();
    Ok(())
}
