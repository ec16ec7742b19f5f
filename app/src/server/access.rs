//! The membership gate (F22) and the one way every change is written.
//!
//! # Cancellation
//! A request future is dropped at whatever `.await` it had reached when its
//! client goes away. A write transaction held by that future would then be
//! dropped half-way: in the worst case between SQLite's `BEGIN IMMEDIATE`
//! and sqlx's transaction guard, leaving a pooled connection inside a
//! transaction that holds the write lock for good (every later write fails
//! with "database is locked"). So no request future ever holds a
//! transaction: [`write`] hands the work to this node's write queue
//! ([`super::group_commit`]), whose own task runs the transaction; the
//! request merely awaits the answer. Dropping the request drops only the
//! wait; the task commits or rolls back as if the client were still there.
//! The pool's release check (`server::db`) is the second line: a connection
//! that still is inside a transaction when it comes back is closed, never
//! reused.

use super::{state, ResultExt};
use crate::domain::parse_thread_id;
use crate::error::AppError;
use crate::store::{self, threads::MemberThread, Tx};

/// The thread if the user is a member; `NotFound` for a malformed id, an
/// unknown one, someone else's thread and a deleted one alike.
pub async fn member_thread(public_id: &str, user_id: i64) -> Result<MemberThread, AppError> {
    let public_id = parse_thread_id(public_id)?;
    store::threads::for_member(&state()?.db, public_id, user_id)
        .await
        .context("loading a thread for a member")?
        .ok_or(AppError::NotFound)
}

pub use super::group_commit::TxFuture;

/// Runs `work` in a write transaction and commits it, then wakes the live
/// hub so every open tab hears of the change at once. Every write a user
/// can cause goes through here.
///
/// - The write goes through this node's [group commit](super::group_commit):
///   it shares a transaction with the writes waiting beside it, in a
///   savepoint of its own, and is answered once that transaction commits.
/// - The transaction holds the database's one write slot from its start
///   ([`store::Db::begin_write`]: SQLite's write lock, PostgreSQL's
///   advisory lock): writes commit one batch at a time, in id order, which
///   is what makes the event cursor gap-free on both backends.
/// - `work` returning `Err` rolls back all it wrote; that error is returned.
/// - It runs on the queue's task (see the module doc), so it is safe to
///   drop the returned future at any point: the write then still completes
///   or rolls back in full, and the connection goes back to the pool
///   outside any transaction.
///
/// `what` names the write in the log if the commit fails.
pub async fn write<T, F>(what: &'static str, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
{
    write_in(state()?, what, work).await
}

/// [`write`] for work that refuses only before it writes (a read
/// position's move): no savepoint is paid for it, and a database error in
/// it fails its whole batch ([`super::group_commit::GroupCommit::write_atomic`] gives the
/// contract).
pub async fn write_atomic<T, F>(what: &'static str, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
{
    state()?.writes.write_atomic(what, work).await
}

/// Stores a member's message and runs `then` with what became of it
/// (created, a retry, or why nothing was stored), in one write: the sends
/// waiting together share one insert
/// ([`super::group_commit::GroupCommit::send`] gives the contract; `then`
/// refuses only before it writes, as for [`write_atomic`]).
pub async fn send<T, F>(message: store::messages::MemberSend, then: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx, store::messages::Sent) -> TxFuture<'c, T> + Send + 'static,
{
    state()?.writes.send(message, then).await
}

/// [`write`] for code that runs outside a request (Otter's worker), with
/// the state passed in rather than read from the request's context.
pub async fn write_in<T, F>(
    state: super::AppState,
    what: &'static str,
    work: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
{
    state.writes.write(what, work).await
}
