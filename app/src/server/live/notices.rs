//! Live notices that are not events of a thread (F21): the open report
//! count, which goes to moderators only, and a user's block list, which
//! goes to that user's own tabs only. Both are ephemeral frames carrying
//! the whole current value (a newer one replaces an unsent older one, and
//! a lost one is corrected by the next, or by the page's own read). On
//! PostgreSQL each change is a cluster signal, so every node tells its
//! own sockets; alone, this node tells them at once.

use axum::extract::ws::Utf8Bytes;

use super::cluster::Signal;
use super::hub::Subject;
use crate::protocol::ServerFrame;
use crate::server::AppState;
use crate::store::{blocks, moderation, users};

/// A report was filed or decided: every moderator's tabs get the count.
pub async fn reports_changed(state: &AppState) {
    match &state.cluster {
        Some(cluster) => cluster.signal(&Signal::Reports).await,
        None => tell_moderators(state).await,
    }
}

/// `user` blocked or unblocked someone: their own tabs get the new list.
pub async fn blocks_changed(state: &AppState, user: i64) {
    match &state.cluster {
        Some(cluster) => cluster.signal(&Signal::Blocked { user }).await,
        None => tell_blocker(state, user).await,
    }
}

/// Sends the open report count to this node's moderator sockets.
pub async fn tell_moderators(state: &AppState) {
    let counted = async {
        let mods = users::moderator_ids(&state.db).await?;
        if mods.is_empty() {
            return Ok((mods, 0));
        }
        Ok::<_, sqlx::Error>((mods, moderation::open_count(&state.db).await?))
    };
    match counted.await {
        Ok((mods, open)) if !mods.is_empty() => {
            let text = Utf8Bytes::from(ServerFrame::Reports { open }.to_json());
            state.hub.deliver_ephemeral(&mods, Subject::Reports, text);
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("live: counting open reports: {e}"),
    }
}

/// The frame that tells a moderator's socket how many reports are open.
pub async fn report_count_frame(state: &AppState) -> Result<Utf8Bytes, sqlx::Error> {
    let open = moderation::open_count(&state.db).await?;
    Ok(Utf8Bytes::from(ServerFrame::Reports { open }.to_json()))
}

/// Sends `user`'s block list to their sockets on this node.
pub async fn tell_blocker(state: &AppState, user: i64) {
    match blocks::blocked_ids(&state.db, user).await {
        Ok(users) => {
            let text = Utf8Bytes::from(ServerFrame::Blocked { users }.to_json());
            state.hub.deliver_ephemeral(&[user], Subject::Blocked, text);
        }
        Err(e) => tracing::warn!("live: reading a block list: {e}"),
    }
}

/// Who hears that `user` is typing in a thread with these `members`:
/// everyone else, except those who block `user` (F21).
pub async fn typing_recipients(state: &AppState, members: Vec<(i64, i64)>, user: i64) -> Vec<i64> {
    // Most people are blocked by nobody: one indexed lookup.
    let blockers = blocks::blockers_of(&state.db, user)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!("live: reading who blocks a typer: {e}");
            Vec::new()
        });
    members
        .into_iter()
        .map(|(_, u)| u)
        .filter(|u| *u != user && !blockers.contains(u))
        .collect()
}
