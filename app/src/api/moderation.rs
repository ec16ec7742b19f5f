//! The moderators' queue (F21): open reports grouped by message, the
//! decisions on them, and the record of decisions. Everyone who is not a
//! moderator (logged out included) gets "not found" from every function
//! here, exactly as for a page that does not exist.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Decision, ModQueue};

/// Most messages the queue shows at once (the oldest first).
pub const QUEUE_PAGE: i64 = 50;
/// Most decisions the "Resolved" view shows (the newest first).
pub const RESOLVED_PAGE: i64 = 100;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::model::ModMessage;
    use crate::server::{state, views::Viewer, ResultExt};
    use crate::store::{self, messages::MessageRow, moderation::Place};

    /// Reasons shown per message at most (the count says how many).
    pub const REASONS_SHOWN: i64 = 20;
    /// Context messages on each side of a reported one.
    pub const CONTEXT: i64 = 2;

    /// The viewer, if they are a moderator; `NotFound` for anyone else
    /// (logged out too: the queue does not exist for them).
    pub async fn moderator() -> Result<Viewer, AppError> {
        let v = crate::server::viewer::current()
            .await
            .map_err(|_| AppError::NotFound)?;
        let me = store::users::by_id(&state()?.db, v.id)
            .await
            .context("loading the current user")?;
        match me {
            Some(u) if u.is_moderator() => Ok(v),
            _ => Err(AppError::NotFound),
        }
    }

    /// A message as moderators see it: the stored text always.
    pub fn mod_message(row: MessageRow, v: &Viewer) -> ModMessage {
        ModMessage {
            id: row.id,
            author: row.sender,
            author_id: row.sender_id,
            kind: crate::server::views::kind(&row.kind),
            text: row.body,
            deleted: row.deleted_at.is_some(),
            removed: row.removed_at.is_some(),
            at: crate::domain::when::full_timestamp(row.created_at, v.tz),
        }
    }

    /// "Otters" (a titled group or room), "ana and bo" (a direct chat).
    pub async fn place_name(thread_id: i64, place: &Place) -> Result<String, AppError> {
        use crate::model::ThreadKind;
        use crate::server::views::{thread_kind, thread_name, NAMES_READ};
        let kind = thread_kind(&place.kind);
        if let (ThreadKind::Group | ThreadKind::Room, Some(t)) = (kind, &place.title) {
            return Ok(t.clone());
        }
        let names = store::moderation::member_names(&state()?.db, thread_id, NAMES_READ)
            .await
            .context("naming a thread")?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(match kind {
            // Between the two people, as a moderator reads it.
            ThreadKind::Direct => crate::domain::system_lines::list_names(&names),
            _ => thread_name(kind, None, &names, place.member_count.max(0) as usize),
        })
    }
}

/// The open queue, oldest report first, grouped by message, with each
/// message's context (F21). Moderators only; everyone else: `NotFound`.
#[server(endpoint = "moderation_queue")]
pub async fn moderation_queue() -> Result<ModQueue, AppError> {
    use crate::model::QueueItem;
    use crate::server::{state, views, ResultExt};
    use crate::store;

    let v = ssr::moderator().await?;
    let db = &state()?.db;
    let groups = store::moderation::open_groups(db, QUEUE_PAGE)
        .await
        .context("reading the moderation queue")?;
    let open = store::moderation::open_count(db)
        .await
        .context("counting open reports")?;
    let ids: Vec<i64> = groups.iter().map(|g| g.message_id).collect();
    let mut rows = store::messages::by_ids(db, &ids)
        .await
        .context("loading reported messages")?;
    let mut items = Vec::with_capacity(groups.len());
    for g in groups {
        let Some(at) = rows.iter().position(|r| r.id == g.message_id) else {
            continue;
        };
        let row = rows.swap_remove(at);
        let thread_id = row.thread_id;
        let place = store::moderation::place(db, thread_id)
            .await
            .context("loading where a message was posted")?;
        let around =
            |before| store::moderation::around(db, thread_id, row.id, before, ssr::CONTEXT);
        let before = around(true).await.context("loading context")?;
        let after = around(false).await.context("loading context")?;
        let reasons = store::moderation::open_reasons(db, g.message_id, ssr::REASONS_SHOWN)
            .await
            .context("loading report reasons")?;
        items.push(QueueItem {
            thread_kind: views::thread_kind(&place.kind),
            thread_name: ssr::place_name(thread_id, &place).await?,
            message: ssr::mod_message(row, &v),
            before: before
                .into_iter()
                .map(|r| ssr::mod_message(r, &v))
                .collect(),
            after: after.into_iter().map(|r| ssr::mod_message(r, &v)).collect(),
            reports: g.reports,
            reasons,
            first_reported: crate::domain::when::full_timestamp(g.first_at, v.tz),
            last_reported: crate::domain::when::full_timestamp(g.last_at, v.tz),
            through: g.through,
        });
    }
    Ok(ModQueue { items, open })
}

/// Decides the open reports of message `message_id` up to report
/// `through` (from the queue item the moderator saw): `action` is
/// "remove" (the message shows "[removed by a moderator]" to everyone,
/// live; every open report on it closes) or "dismiss" (the reports close,
/// the message stays). Records who and when. If another moderator decided
/// first: `Conflict` with [`crate::domain::safety::ALREADY_HANDLED`], and
/// nothing changes. Moderators only; everyone else: `NotFound`. With
/// JavaScript off (a plain form) it lands back on `/moderation`.
#[server(endpoint = "decide_report")]
pub async fn decide_report(message_id: i64, through: i64, action: String) -> Result<(), AppError> {
    use crate::domain::safety::ALREADY_HANDLED;
    use crate::model::ModAction;
    use crate::server::{access, live::notices, state, viewer, ResultExt};
    use crate::store::{self, moderation::Decided};

    let v = ssr::moderator().await?;
    let action = ModAction::parse(&action)
        .ok_or_else(|| AppError::BadRequest("Choose Remove or Dismiss.".into()))?;
    let (me, now) = (v.id, chrono::Utc::now());
    let decided = access::write("committing a moderation decision", move |tx| {
        Box::pin(async move {
            store::moderation::decide(tx, message_id, through, me, action, now)
                .await
                .context("deciding reports")
        })
    })
    .await?;
    if decided == Decided::AlreadyHandled {
        return Err(AppError::Conflict(ALREADY_HANDLED.into()));
    }
    tracing::info!(
        message_id,
        moderator = me,
        action = action.as_str(),
        "reports decided"
    );
    notices::reports_changed(&state()?).await;
    viewer::redirect_form_post("/moderation").await;
    Ok(())
}

/// The decisions taken, newest first ("Resolved"). Moderators only;
/// everyone else: `NotFound`.
#[server(endpoint = "resolved_reports")]
pub async fn resolved_reports() -> Result<Vec<Decision>, AppError> {
    use crate::model::ModAction;
    use crate::server::{state, views, ResultExt};
    use crate::store;

    let v = ssr::moderator().await?;
    let db = &state()?.db;
    let rows = store::moderation::decisions(db, RESOLVED_PAGE)
        .await
        .context("reading decisions")?;
    let ids: Vec<i64> = rows.iter().map(|d| d.message_id).collect();
    let messages = store::messages::by_ids(db, &ids)
        .await
        .context("loading decided messages")?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let Some(row) = messages.iter().find(|m| m.id == d.message_id).cloned() else {
            continue;
        };
        let thread_id = row.thread_id;
        let place = store::moderation::place(db, thread_id)
            .await
            .context("loading where a message was posted")?;
        let reasons = store::moderation::decided_reasons(db, d.id, ssr::REASONS_SHOWN)
            .await
            .context("loading report reasons")?;
        out.push(Decision {
            id: d.id,
            action: ModAction::parse(&d.action).unwrap_or(ModAction::Dismiss),
            thread_kind: views::thread_kind(&place.kind),
            thread_name: ssr::place_name(thread_id, &place).await?,
            message: ssr::mod_message(row, &v),
            moderator: d.moderator,
            decided_at: crate::domain::when::full_timestamp(d.decided_at, v.tz),
            reports: d.reports,
            reasons,
        });
    }
    Ok(out)
}
