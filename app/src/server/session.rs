//! The login session (tower-sessions, stored in the database so it survives
//! restarts). Only the user id is kept in it.

use tower_sessions::Session;

use super::ResultExt;
use crate::error::AppError;

const USER_ID: &str = "user_id";

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .context("extracting the session (is the session layer mounted?)")
}

/// The logged-in user's id, if any.
pub async fn user_id() -> Result<Option<i64>, AppError> {
    session()
        .await?
        .get::<i64>(USER_ID)
        .await
        .context("reading the session")
}

/// The user id kept in a session the caller already holds (the live
/// socket's handler, outside any server function).
pub async fn user_of(session: &Session) -> Result<Option<i64>, AppError> {
    session
        .get::<i64>(USER_ID)
        .await
        .context("reading the session")
}

/// Starts an authenticated session. The id is rotated first so a session id
/// planted before login (session fixation) is worthless after it.
pub async fn log_in(user_id: i64) -> Result<(), AppError> {
    let session = session().await?;
    session
        .cycle_id()
        .await
        .context("rotating the session id")?;
    session
        .insert(USER_ID, user_id)
        .await
        .context("writing the session")
}

/// Deletes the session from the store; the old cookie stops working, and
/// the session's live sockets are closed.
pub async fn log_out() -> Result<(), AppError> {
    let session = session().await?;
    if let Some(id) = session.id() {
        super::state()?.hub.end_session(&id.to_string());
    }
    session.flush().await.context("deleting the session")
}
