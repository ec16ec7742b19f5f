//! Turning internal errors into what a user may see.

use crate::error::AppError;

/// Turns any error into [`AppError::Internal`] after logging it with what we
/// were doing, so the cause is in the log and never in a response; or into
/// [`AppError::Unavailable`] when it says the database cannot be reached
/// right now (see [`database_unavailable`]), which a retry may cure.
pub trait ResultExt<T> {
    fn context(self, what: &str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display + 'static> ResultExt<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, AppError> {
        self.map_err(|e| {
            let unavailable = (&e as &dyn std::any::Any)
                .downcast_ref::<sqlx::Error>()
                .is_some_and(database_unavailable);
            if unavailable {
                tracing::warn!(error = %e, "{what}: the database is unavailable");
                AppError::Unavailable
            } else {
                tracing::error!(error = %e, "{what}");
                AppError::Internal
            }
        })
    }
}

/// Whether `e` means "the database is not there right now" rather than a
/// fault in what we asked of it: no connection to be had (a stopped or
/// unreachable server, a pool that timed out), a connection that broke,
/// PostgreSQL shutting down or refusing connections (SQLSTATE classes 08
/// and 57P, and 53300 too many connections), or SQLite's write lock held
/// past the busy timeout (codes 5 and 6, with their extended forms).
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || sqlite_busy(&code)
        }),
        _ => false,
    }
}

/// SQLite's BUSY (5) and LOCKED (6) result codes; extended codes keep the
/// primary code in their low byte.
fn sqlite_busy(code: &str) -> bool {
    code.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}
