//! Sending, deleting, reacting to and reporting messages.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{MessageView, Reaction, ReportOutcome};

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::Utc;

    use crate::error::AppError;
    use crate::model::MessageView;
    use crate::server::{access, state, views::Viewer, ResultExt};
    use crate::store;

    /// Stores a message from `v` in `thread` (idempotent per client id) and
    /// returns it as the sender sees it. `NotFound` unless `v` is a member
    /// of the thread, as of the write (F22).
    pub async fn send(
        v: &Viewer,
        thread: &str,
        client_id: &str,
        kind: &str,
        body: &str,
    ) -> Result<MessageView, AppError> {
        let client_id = crate::domain::parse_client_id(client_id)?;
        let message = store::messages::MemberSend {
            thread: crate::domain::parse_thread_id(thread)?.to_owned(),
            sender_id: v.id,
            client_id: client_id.to_owned(),
            kind: kind.to_owned(),
            body: body.to_owned(),
            at: Utc::now(),
        };
        let (sender, tz) = (v.id, v.tz);
        let question = kind == "text" && crate::bot::question(body).is_some();
        // The membership gate and the block check are the insert's own,
        // one statement for the sends that wait together
        // (`store::messages::send_many`); every refusal below comes before
        // anything of this send is written, as `access::send` requires.
        let sent = access::send(message, move |tx, sent| {
            Box::pin(async move {
                match &sent {
                    store::messages::Sent::NotFound => return Err(AppError::NotFound),
                    store::messages::Sent::Blocked { thread_id } => {
                        return Err(refusal(tx, *thread_id, sender).await);
                    }
                    // The client reused an id from another thread: not
                    // this message, and nothing was written.
                    store::messages::Sent::IdReused => {
                        return Err(AppError::BadRequest(
                            "That message id was already used.".into(),
                        ));
                    }
                    store::messages::Sent::Created(_) | store::messages::Sent::Existing(_) => {}
                }
                // A question for Otter is answered in the asker's zone.
                if question {
                    store::bot::remember_time_zone(tx, sender, tz.name())
                        .await
                        .context("remembering a time zone")?;
                }
                Ok(sent)
            })
        })
        .await?;
        match sent {
            // A new message has no reactions yet: nothing more to read.
            store::messages::Sent::Created(row) => Ok(crate::server::views::message(row, &[], v)),
            store::messages::Sent::Existing(row) => with_reactions(row, v).await,
            // Answered inside the write above.
            _ => Err(AppError::Internal),
        }
    }

    /// Why a direct message between two people where either blocks the
    /// other was refused (F21; nothing was stored): the blocked sender
    /// gets the neutral [`UNDELIVERABLE`](crate::domain::safety::UNDELIVERABLE)
    /// (the same as any undeliverable direct message, so it says nothing
    /// of a block), the blocker is reminded they blocked them.
    async fn refusal(tx: &mut store::Tx, thread_id: i64, sender: i64) -> AppError {
        use crate::domain::safety::{you_block, UNDELIVERABLE};
        let block = match store::blocks::in_direct(tx, thread_id, sender)
            .await
            .context("checking blocks")
        {
            Ok(block) => block,
            Err(e) => return e,
        };
        match block {
            Some(store::blocks::DirectBlock::ByOther) => AppError::BadRequest(UNDELIVERABLE.into()),
            Some(store::blocks::DirectBlock::BySender(name)) => {
                AppError::BadRequest(you_block(&name))
            }
            None => {
                // The insert saw a block this read, in the same write,
                // does not: a bug in one of the two queries.
                tracing::error!(thread_id, sender, "a send was refused without a block");
                AppError::Internal
            }
        }
    }

    /// The reactions of message `id` as `v` sees them.
    pub async fn reactions(id: i64, v: &Viewer) -> Result<Vec<crate::model::Reaction>, AppError> {
        let rows = store::reactions::for_messages(&state()?.db, &[id])
            .await
            .context("loading reactions")?;
        let refs: Vec<_> = rows.iter().collect();
        Ok(crate::server::views::reactions(&refs, v.id))
    }

    /// A message row as `v` sees it, its reactions loaded.
    pub async fn with_reactions(
        row: store::messages::MessageRow,
        v: &Viewer,
    ) -> Result<MessageView, AppError> {
        let rows = store::reactions::for_messages(&state()?.db, &[row.id])
            .await
            .context("loading reactions")?;
        let refs: Vec<_> = rows.iter().collect();
        Ok(crate::server::views::message(row, &refs, v))
    }

    /// The message if `v` is a member of its thread; else it does not exist.
    pub async fn visible(id: i64, v: &Viewer) -> Result<store::messages::MessageRow, AppError> {
        store::messages::for_member(&state()?.db, id, v.id)
            .await
            .context("loading a message for a member")?
            .ok_or(AppError::NotFound)
    }
}

/// Sends a text message (F10). `client_id` makes retries safe. With
/// JavaScript off the composer is a plain form and this lands back on the
/// thread (F11).
#[server(endpoint = "send_message")]
pub async fn send_message(
    thread: String,
    body: String,
    client_id: String,
) -> Result<MessageView, AppError> {
    use crate::domain::MessageBody;
    use crate::server::viewer;

    let v = crate::server::viewer::current().await?;
    let body = MessageBody::parse(&body)?;
    let sent = ssr::send(&v, &thread, &client_id, "text", body.as_str()).await?;
    viewer::redirect_form_post(&format!("/chat/{thread}")).await;
    Ok(sent)
}

/// Sends one of the shipped stickers.
#[server(endpoint = "send_sticker")]
pub async fn send_sticker(
    thread: String,
    sticker: String,
    client_id: String,
) -> Result<MessageView, AppError> {
    let v = crate::server::viewer::current().await?;
    let sticker = crate::domain::parse_sticker(&sticker)?;
    ssr::send(&v, &thread, &client_id, "sticker", sticker).await
}

/// Deletes your own message (F7): it stays in place as "[message deleted]"
/// and its text is never sent to anyone again.
#[server(endpoint = "delete_message")]
pub async fn delete_message(message_id: i64) -> Result<MessageView, AppError> {
    use crate::server::{access, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let mut row = ssr::visible(message_id, &v).await?;
    if row.sender_id != v.id || row.kind == "system" {
        return Err(AppError::BadRequest(
            "You can only delete your own messages.".into(),
        ));
    }
    let (now, me) = (chrono::Utc::now(), v.id);
    access::write("committing a delete", move |tx| {
        Box::pin(async move {
            store::messages::soft_delete(tx, message_id, me, now)
                .await
                .context("deleting a message")
        })
    })
    .await?;
    // The row as it now stands (a second delete keeps the first time, and
    // only whether it is deleted reaches the view).
    row.deleted_at.get_or_insert(now);
    ssr::with_reactions(row, &v).await
}

/// Adds or removes your `emoji` reaction; returns the message's reactions.
#[server(endpoint = "toggle_reaction")]
pub async fn toggle_reaction(message_id: i64, emoji: String) -> Result<Vec<Reaction>, AppError> {
    use crate::server::{access, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let emoji = crate::domain::parse_reaction(&emoji)?;
    let row = ssr::visible(message_id, &v).await?;
    if row.deleted_at.is_some() || row.removed_at.is_some() || row.kind == "system" {
        return Err(AppError::BadRequest(
            "This message cannot take reactions.".into(),
        ));
    }
    let (thread_id, me, now) = (row.thread_id, v.id, chrono::Utc::now());
    access::write("committing a reaction", move |tx| {
        Box::pin(async move {
            store::reactions::toggle(tx, thread_id, message_id, me, emoji, now)
                .await
                .context("toggling a reaction")
        })
    })
    .await?;
    ssr::reactions(message_id, &v).await
}

/// Reports someone else's message to the moderators (F7, F21) with a
/// reason (one of [`crate::domain::REPORT_KINDS`]) and an optional detail
/// of up to [`crate::domain::REPORT_DETAIL_MAX`] characters. Reporting the
/// same message again changes nothing and says so
/// ([`ReportOutcome::AlreadyReported`]). A new report reaches every
/// moderator's open count at once.
#[server(endpoint = "report_message")]
pub async fn report_message(
    message_id: i64,
    reason: String,
    detail: String,
) -> Result<ReportOutcome, AppError> {
    use crate::server::{live::notices, state, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let reason = crate::domain::parse_report_reason(&reason, &detail)?;
    let row = ssr::visible(message_id, &v).await?;
    if row.sender_id == v.id || row.kind == "system" {
        return Err(AppError::BadRequest(
            "You cannot report this message.".into(),
        ));
    }
    if row.removed_at.is_some() {
        return Err(AppError::BadRequest(
            "A moderator already removed this message.".into(),
        ));
    }
    let state = state()?;
    let filed = store::reports::insert(&state.db, message_id, v.id, &reason, chrono::Utc::now())
        .await
        .context("storing a report")?;
    if !filed {
        return Ok(ReportOutcome::AlreadyReported);
    }
    tracing::info!(message_id, reporter = v.id, "message reported");
    notices::reports_changed(&state).await;
    Ok(ReportOutcome::Filed)
}
