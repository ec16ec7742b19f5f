/// Turns any error into [`AppError::Internal`] after logging it with what we
/// were doing, so the cause is in the log and never in a response.
pub trait ResultExt<T> {
    fn context(self, what: &str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display> ResultExt<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, AppError> {
        self.map_err(|e| {
            tracing::error!(error = %e, "{what}");
            AppError::Internal
        })
    }
}

use crate::error::AppError;
