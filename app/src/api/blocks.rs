//! Blocking (F21). When A blocks B: B can no longer start a direct chat
//! with A or send into one (refused with a neutral sentence, nothing
//! stored, A not told); in groups and rooms A sees B's messages collapsed,
//! counts none of them unread, and sees no typing from B. Blocking is
//! private: nothing tells B.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::BlockedUser;

/// Blocks user `user` (by id); blocking someone again changes nothing.
/// Blocking yourself: `BadRequest`; an unknown id: `NotFound`. The
/// blocker's open tabs hear of it at once. With JavaScript off (a plain
/// form) it lands back on `next` (a same-site path; `/chat` otherwise).
#[server(endpoint = "block_user")]
pub async fn block_user(user: i64, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{access, live::notices, state, viewer, ResultExt};
    use crate::store;

    let me = viewer::require_user().await?;
    if user == me {
        return Err(AppError::BadRequest("You cannot block yourself.".into()));
    }
    let db = &state()?.db;
    if store::users::by_id(db, user)
        .await
        .context("loading a user to block")?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let now = chrono::Utc::now();
    let added = access::write("committing a block", move |tx| {
        Box::pin(async move {
            store::blocks::insert(tx, me, user, now)
                .await
                .context("blocking a user")
        })
    })
    .await?;
    if added {
        tracing::info!(blocker = me, "user blocked someone");
        notices::blocks_changed(&state()?, me).await;
    }
    viewer::redirect_form_post(&crate::domain::safe_next_path(next.as_deref())).await;
    Ok(())
}

/// Lifts a block (none: nothing changes). Everything the block hid comes
/// back, live in the blocker's open tabs. `next` as for [`block_user`].
#[server(endpoint = "unblock_user")]
pub async fn unblock_user(user: i64, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{access, live::notices, state, viewer, ResultExt};
    use crate::store;

    let me = viewer::require_user().await?;
    let removed = access::write("committing an unblock", move |tx| {
        Box::pin(async move {
            store::blocks::delete(tx, me, user)
                .await
                .context("unblocking a user")
        })
    })
    .await?;
    if removed {
        notices::blocks_changed(&state()?, me).await;
    }
    viewer::redirect_form_post(&crate::domain::safe_next_path(next.as_deref())).await;
    Ok(())
}

/// The people you block, most recently blocked first (`/settings`).
#[server(endpoint = "blocked_users")]
pub async fn blocked_users() -> Result<Vec<BlockedUser>, AppError> {
    use crate::server::{state, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let rows = store::blocks::list(&state()?.db, v.id)
        .await
        .context("listing blocked users")?;
    Ok(rows
        .into_iter()
        .map(|r| BlockedUser {
            id: r.id,
            username: r.username,
            avatar_url: r.avatar_url,
            since: crate::domain::when::nav_time(r.created_at, v.now, v.tz),
        })
        .collect())
}
