//! Accounts: register, log in, log out, and who is logged in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the UI knows about the logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    /// May open the moderators' queue (F21).
    #[serde(default)]
    pub moderator: bool,
}

/// The one answer for an unknown user and a wrong password alike.
pub const BAD_CREDENTIALS: &str = "That username and password do not match.";

#[server(endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::server::{session, state, ResultExt};
    use crate::store;

    let Some(id) = session::user_id().await? else {
        return Ok(None);
    };
    let user = store::users::by_id(&state()?.db, id)
        .await
        .context("loading the current user")?;
    Ok(user.map(|u| CurrentUser {
        moderator: u.is_moderator(),
        id: u.id,
        username: u.username,
    }))
}

#[server(endpoint = "register")]
pub async fn register(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{safe_next_path, Password, Username};
    use crate::server::{client_ip::client_ip, password_hash, session, state, ResultExt};
    use crate::store;

    let (username, password) =
        AppError::both(Username::parse(&username), Password::parse(&password))?;
    if username.is_reserved() {
        return Err(AppError::invalid(
            "username",
            "That name is reserved. Try another.",
        ));
    }
    let state = state()?;
    state.auth_limits.check_register(client_ip().await)?;
    let hash = password_hash::hash(&password).await?;
    // The account and its place in the home room (F14) in one write.
    let user = crate::server::access::write("committing a registration", move |tx| {
        Box::pin(async move {
            let Some(user) = store::users::insert(tx, &username, &hash)
                .await
                .context("inserting a user")?
            else {
                return Ok(None);
            };
            store::rooms::join_home(tx, user.id, chrono::Utc::now())
                .await
                .context("joining the home room")?;
            Ok(Some(user))
        })
    })
    .await?
    .ok_or_else(|| AppError::invalid("username", "That username is taken. Try another."))?;
    session::log_in(user.id).await?;
    tracing::info!(user_id = user.id, "registered");
    leptos_axum::redirect(&safe_next_path(next.as_deref()));
    Ok(())
}

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{safe_next_path, Password, Username};
    use crate::server::{client_ip::client_ip, password_hash, session, state, ResultExt};
    use crate::store;

    let bad = || AppError::BadRequest(BAD_CREDENTIALS.to_owned());
    // A malformed name or password cannot belong to an account, but saying
    // so would be a different answer: keep it the same one.
    let (Ok(username), Ok(password)) = (Username::parse(&username), Password::parse(&password))
    else {
        return Err(bad());
    };
    let state = state()?;
    // Checked before the (expensive) verification, so guessing costs the
    // attacker time and us nothing.
    state
        .auth_limits
        .check_login(client_ip().await, &username)?;
    let creds = store::users::credentials(&state.db, &username)
        .await
        .context("loading credentials")?;
    let id = creds.as_ref().map(|c| c.id);
    let ok = password_hash::verify(&password, creds.map(|c| c.password_hash)).await?;
    let Some(id) = id.filter(|_| ok) else {
        return Err(bad());
    };
    session::log_in(id).await?;
    leptos_axum::redirect(&safe_next_path(next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::session;

    session::log_out().await?;
    leptos_axum::redirect("/login");
    Ok(())
}
