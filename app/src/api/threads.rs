//! The navigation list, opening a thread, history pages, user search and
//! starting chats.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{MessagePage, NavList, StartedChat, ThreadView, UserCard};

/// How many messages a history page holds (F20).
pub const PAGE_SIZE: i64 = 50;
/// Most messages the first page stretches to reach the first unread one.
pub const MAX_FIRST_PAGE: i64 = 200;
/// Participants a room shows at once (the most recently active, online
/// first); its member count says how many there are in all.
pub const PARTICIPANTS: i64 = 30;
/// Most users a search returns.
pub const SEARCH_LIMIT: i64 = 20;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::server::{state, views::Viewer, ResultExt};
    use crate::store;

    /// Messages (oldest first) with reactions, written for the viewer.
    pub async fn page(
        thread_id: i64,
        before: Option<i64>,
        limit: i64,
        v: &Viewer,
    ) -> Result<crate::model::MessagePage, AppError> {
        let pool = &state()?.db;
        let (rows, has_more) = store::messages::page(pool, thread_id, before, limit)
            .await
            .context("loading a page of messages")?;
        let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        let reactions = store::reactions::for_messages(pool, &ids)
            .await
            .context("loading reactions")?;
        let blocked = store::blocks::blocked_ids(pool, v.id)
            .await
            .context("listing blocked users")?;
        let mut messages = crate::server::views::messages(rows, &reactions, v);
        crate::domain::live::flag_blocked(&mut messages, &blocked);
        Ok(crate::model::MessagePage { messages, has_more })
    }

    /// Which of `users` are online as their co-members were told: this
    /// node's hub on SQLite, the cluster's record on PostgreSQL (sockets on
    /// other nodes count).
    pub async fn online(
        users: impl Iterator<Item = i64>,
    ) -> Result<std::collections::HashSet<i64>, AppError> {
        let state = state()?;
        match &state.cluster {
            Some(cluster) => {
                let users: Vec<i64> = users.collect();
                let online = crate::server::live::cluster::online_among(cluster, &users)
                    .await
                    .context("reading presence")?;
                Ok(online.into_iter().collect())
            }
            None => Ok(users.filter(|u| state.hub.is_online(*u)).collect()),
        }
    }

    /// Moves `user`'s read position in `thread_id` to `message_id` (never
    /// back), logging `read_moved` when it moves.
    pub async fn mark_read(
        thread_id: i64,
        user: i64,
        message_id: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        // Atomic: it never refuses, and its two statements fail only as
        // faults.
        crate::server::access::write_atomic("committing a read position", move |tx| {
            Box::pin(async move {
                store::members::mark_read(tx, thread_id, user, message_id, now)
                    .await
                    .context("marking a thread read")
                    .map(drop)
            })
        })
        .await
    }
}

/// The navigation list. `at`: the viewer's clock (Unix ms), which relative
/// labels follow (see `viewer::current_at`); the server's page render
/// sends none.
#[server(endpoint = "threads")]
pub async fn list_threads(at: Option<i64>) -> Result<NavList, AppError> {
    use crate::domain::when;
    use crate::server::{state, views, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current_at(at).await?;
    // One read transaction: the cursor and the list are the same snapshot,
    // so the live socket resumes exactly where this list stands.
    let mut tx = state()?.db.begin_read().await.context("starting a read")?;
    let cursor = store::events::newest_in(&mut tx)
        .await
        .context("reading the event cursor")?;
    let rows = store::threads::list_for_user(&mut tx, v.id)
        .await
        .context("listing threads")?;
    let co = store::threads::co_members(&mut tx, v.id, views::NAMES_READ)
        .await
        .context("listing co-members")?;
    let blocked = store::blocks::blocked_ids_in(&mut tx, v.id)
        .await
        .context("listing blocked users")?;
    tx.rollback().await.context("ending a read")?;
    let db = &state()?.db;
    let moderator = store::users::by_id(db, v.id)
        .await
        .context("loading the current user")?
        .is_some_and(|u| u.is_moderator());
    let open_reports = match moderator {
        true => Some(
            store::moderation::open_count(db)
                .await
                .context("counting open reports")?,
        ),
        false => None,
    };
    Ok(NavList {
        threads: views::nav_list(rows, &co, &blocked, &v),
        tz: v.tz.name().to_owned(),
        cursor,
        relabel_at_ms: when::next_midnight(v.now, v.tz).timestamp_millis(),
        blocked,
        open_reports,
    })
}

/// Opens a thread: header, members, and the newest messages (reaching back
/// to the first unread one). Opening it marks it read. With `before`, the
/// page of history before that message instead (how a reader without
/// JavaScript goes back in time: `/chat/<id>?before=<message id>`). `at`:
/// the viewer's clock, as for [`list_threads`].
#[server(endpoint = "open_thread")]
pub async fn open_thread(
    thread: String,
    before: Option<i64>,
    at: Option<i64>,
) -> Result<ThreadView, AppError> {
    use crate::model::{MemberRole, ThreadKind};
    use crate::server::{access, state, views, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current_at(at).await?;
    let t = access::member_thread(&thread, v.id).await?;
    let pool = &state()?.db;
    let cursor = store::events::newest(pool)
        .await
        .context("reading the event cursor")?;
    let first_unread = match before {
        Some(_) => None,
        None => store::messages::first_unread(pool, t.id, v.id, t.last_read_message_id)
            .await
            .context("finding the first unread message")?,
    };
    let limit = match first_unread {
        Some(first) => store::messages::count_after(pool, t.id, first - 1)
            .await
            .context("counting unread messages")?
            .saturating_add(10)
            .clamp(PAGE_SIZE, MAX_FIRST_PAGE),
        None => PAGE_SIZE,
    };
    let page = ssr::page(t.id, before, limit, &v).await?;
    if let (None, Some(last)) = (before, page.messages.last()) {
        // A thread already read to its end costs no write (reopening one
        // is the common case, and every write queues behind the others).
        if last.id > t.last_read_message_id {
            // Stored with our clock, not the viewer's.
            ssr::mark_read(t.id, v.id, last.id, chrono::Utc::now()).await?;
        }
    }
    let kind = views::thread_kind(&t.kind);
    let rows = match kind {
        // A room may have thousands: a page of its participants, never all.
        ThreadKind::Room => store::rooms::participants(pool, t.id, PARTICIPANTS, &[v.id])
            .await
            .context("listing participants")?,
        ThreadKind::Direct | ThreadKind::Group => store::members::list(pool, t.id)
            .await
            .context("listing members")?,
    };
    let online = ssr::online(rows.iter().map(|m| m.id)).await?;
    let mut members: Vec<_> = rows
        .into_iter()
        .map(|m| {
            let online = online.contains(&m.id);
            views::member(m, &v, online)
        })
        .collect();
    if kind == ThreadKind::Room {
        // Online first, then as read (most recently active first).
        members.sort_by_key(|m| !m.user.online);
    }
    let others: Vec<&str> = members
        .iter()
        .filter(|m| m.user.id != v.id)
        .map(|m| m.user.username.as_str())
        .collect();
    let name = views::thread_name(
        kind,
        t.title.as_deref(),
        &others,
        (t.member_count - 1).max(0) as usize,
    );
    let other = match kind {
        ThreadKind::Direct => members
            .iter()
            .find(|m| m.user.id != v.id)
            .map(|m| m.user.clone()),
        ThreadKind::Group | ThreadKind::Room => None,
    };
    Ok(ThreadView {
        id: t.public_id,
        kind,
        name,
        title: t.title,
        my_role: if t.role == "owner" {
            MemberRole::Owner
        } else {
            MemberRole::Member
        },
        other,
        members,
        member_count: t.member_count,
        topic: t.topic,
        page,
        first_unread,
        composer_client_id: uuid::Uuid::new_v4().to_string(),
        tz: v.tz.name().to_owned(),
        cursor,
    })
}

/// Moves your read position in `thread` up to `message_id` (F17): the
/// browser calls this, debounced, while you look at the newest messages.
/// Never moves back; the move reaches your other tabs and the other
/// members as a `read_moved` event.
#[server(endpoint = "mark_read")]
pub async fn mark_read(thread: String, message_id: i64) -> Result<(), AppError> {
    use crate::server::{access, state, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let t = access::member_thread(&thread, v.id).await?;
    let in_thread = store::messages::for_member(&state()?.db, message_id, v.id)
        .await
        .context("loading a message for a member")?
        .is_some_and(|m| m.thread_id == t.id);
    if !in_thread {
        return Err(AppError::NotFound);
    }
    ssr::mark_read(t.id, v.id, message_id, v.now).await
}

/// The page of history before message `before` (F20).
#[server(endpoint = "older_messages")]
pub async fn older_messages(
    thread: String,
    before: i64,
    at: Option<i64>,
) -> Result<MessagePage, AppError> {
    use crate::server::access;

    let v = crate::server::viewer::current_at(at).await?;
    let t = access::member_thread(&thread, v.id).await?;
    ssr::page(t.id, Some(before), PAGE_SIZE, &v).await
}

/// Users whose name starts with `query`, for the New Chat overlay.
#[server(endpoint = "search_users")]
pub async fn search_users(query: String) -> Result<Vec<UserCard>, AppError> {
    use crate::server::{state, views, ResultExt};
    use crate::store;

    let v = crate::server::viewer::current().await?;
    let query = query.trim().to_lowercase();
    // Names are short and plain; anything else matches nobody.
    let plain = query
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if query.is_empty() || query.len() > crate::domain::Username::MAX || !plain {
        return Ok(Vec::new());
    }
    let rows = store::users::search_prefix(&state()?.db, &query, v.id, SEARCH_LIMIT)
        .await
        .context("searching users")?;
    Ok(rows.into_iter().map(|p| views::user_card(p, &v)).collect())
}

/// Starts a chat with the named users (F8): one → their direct chat (the
/// existing one if there is one), several → a new group.
#[server(endpoint = "start_chat")]
pub async fn start_chat(usernames: Vec<String>) -> Result<StartedChat, AppError> {
    use crate::model::ThreadKind;
    use crate::server::{access, ResultExt};
    use crate::store;
    use chrono::Utc;

    let me = crate::server::viewer::require_user().await?;
    let mut names: Vec<String> = usernames.iter().map(|n| n.trim().to_lowercase()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err(AppError::BadRequest("Pick at least one person.".into()));
    }
    if names.len() > 100 {
        return Err(AppError::BadRequest(
            "A group starts with at most 100 people.".into(),
        ));
    }
    let now = Utc::now();
    access::write("committing a new chat", move |tx| {
        Box::pin(async move {
            let found = store::users::profiles_by_names(tx, &names)
                .await
                .context("looking up users")?;
            let missing: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| !found.iter().any(|p| p.username == *n))
                .collect();
            if !missing.is_empty() {
                return Err(AppError::BadRequest(format!(
                    "No such user: {}.",
                    missing.join(", ")
                )));
            }
            let others: Vec<_> = found.into_iter().filter(|p| p.id != me).collect();
            if others.is_empty() {
                return Err(AppError::BadRequest(
                    "Pick someone other than yourself.".into(),
                ));
            }
            let public_id = uuid::Uuid::new_v4().to_string();
            let started = if let [other] = others.as_slice() {
                let key = store::threads::direct_key(me, other.id);
                if let Some(id) = store::threads::direct_by_key(tx, &key)
                    .await
                    .context("finding a direct chat")?
                {
                    // Nothing was written: the commit is empty.
                    return Ok(StartedChat {
                        id,
                        kind: ThreadKind::Direct,
                        created: false,
                    });
                }
                // A new direct chat with someone who blocks you is refused
                // neutrally (F21); one with someone you block, plainly.
                if store::blocks::blocks_in(tx, other.id, me)
                    .await
                    .context("checking blocks")?
                {
                    return Err(AppError::BadRequest(
                        crate::domain::safety::NO_DIRECT_CHAT.into(),
                    ));
                }
                if store::blocks::blocks_in(tx, me, other.id)
                    .await
                    .context("checking blocks")?
                {
                    return Err(AppError::BadRequest(format!(
                        "You blocked {}. Unblock them to chat.",
                        other.username
                    )));
                }
                store::threads::release_deleted_direct_key(tx, &key)
                    .await
                    .context("freeing a deleted chat's key")?;
                let tid = store::threads::insert(tx, &public_id, "direct", Some(&key), me, now)
                    .await
                    .context("creating a direct chat")?;
                for user in [me, other.id] {
                    store::members::add(tx, tid, user, "member", now)
                        .await
                        .context("adding a member")?;
                }
                StartedChat {
                    id: public_id,
                    kind: ThreadKind::Direct,
                    created: true,
                }
            } else {
                let tid = store::threads::insert(tx, &public_id, "group", None, me, now)
                    .await
                    .context("creating a group")?;
                store::members::add(tx, tid, me, "owner", now)
                    .await
                    .context("adding the owner")?;
                for other in &others {
                    store::members::add(tx, tid, other.id, "member", now)
                        .await
                        .context("adding a member")?;
                }
                let me_name = store::users::name_of(tx, me)
                    .await
                    .context("loading the creator")?;
                let added: Vec<&str> = others.iter().map(|p| p.username.as_str()).collect();
                let line = crate::domain::system_lines::created_group(&me_name, &added);
                store::messages::insert_system(tx, tid, me, &line, now)
                    .await
                    .context("writing a system line")?;
                StartedChat {
                    id: public_id,
                    kind: ThreadKind::Group,
                    created: true,
                }
            };
            Ok(started)
        })
    })
    .await
}
