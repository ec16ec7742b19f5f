//! Public rooms (F13): the list, creating one, a share link's join card,
//! joining and leaving. Every function answers a thread that is not a
//! public room (a direct or group chat's id, an unknown id) with the same
//! `NotFound`, and changes nothing: a room's link never admits anyone to
//! anything else, and a private chat's id never reveals that it exists.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::RoomSummary;

/// Most rooms the list shows at once (the filter box finds the others).
pub const ROOMS_SHOWN: i64 = 200;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::model::RoomSummary;
    use crate::server::views::Viewer;
    use crate::store::rooms::{RoomRow, HOME_ROOM};

    pub fn summary(r: RoomRow, v: &Viewer) -> RoomSummary {
        RoomSummary {
            home: r.public_id == HOME_ROOM,
            id: r.public_id,
            name: r.title.unwrap_or_else(|| "Room".to_owned()),
            topic: r.topic,
            member_count: r.member_count,
            last_active: crate::domain::when::nav_time(r.last_activity_at, v.now, v.tz),
            joined: r.joined,
        }
    }
}

/// Public rooms, most recent activity first, whose name contains `filter`
/// (any case), at most [`ROOMS_SHOWN`].
#[server(endpoint = "rooms")]
pub async fn list_rooms(filter: Option<String>) -> Result<Vec<RoomSummary>, AppError> {
    use crate::server::{state, viewer, ResultExt};
    use crate::store;

    let v = viewer::current_at(None).await?;
    let filter = filter.map(|f| f.chars().take(80).collect::<String>());
    let rows = store::rooms::list(&state()?.db, v.id, filter.as_deref(), ROOMS_SHOWN)
        .await
        .context("listing rooms")?;
    Ok(rows.into_iter().map(|r| ssr::summary(r, &v)).collect())
}

/// A room's join card: what a visitor with its link may see before
/// joining (name, topic, member count), or `NotFound`.
#[server(endpoint = "room")]
pub async fn room_card(room: String) -> Result<RoomSummary, AppError> {
    use crate::domain::parse_thread_id;
    use crate::server::{state, viewer, ResultExt};
    use crate::store;

    let v = viewer::current_at(None).await?;
    let id = parse_thread_id(&room)?;
    let row = store::rooms::by_public_id(&state()?.db, id, v.id)
        .await
        .context("loading a room")?
        .ok_or(AppError::NotFound)?;
    Ok(ssr::summary(row, &v))
}

/// Creates a public room with the caller in it, then goes there
/// (`/chat/<id>`; a plain form post is redirected). Returns its id.
#[server(endpoint = "create_room")]
pub async fn create_room(name: String, topic: Option<String>) -> Result<String, AppError> {
    use crate::domain::room_input::{parse_room_name, parse_room_topic};
    use crate::domain::system_lines;
    use crate::server::{access, state, viewer, ResultExt};
    use crate::store;

    let (name, topic) = AppError::both(
        parse_room_name(&name),
        parse_room_topic(topic.as_deref().unwrap_or("")),
    )?;
    let me = viewer::require_user().await?;
    state()?.auth_limits.check_room_create(me)?;
    let public_id = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();
    let id = public_id.clone();
    access::write("committing a new room", move |tx| {
        Box::pin(async move {
            let thread = store::rooms::insert(tx, &id, &name, topic.as_deref(), me, now)
                .await
                .context("creating a room")?;
            store::members::add(tx, thread, me, "owner", now)
                .await
                .context("adding the room's creator")?;
            super::groups::ssr::system_line(tx, thread, me, now, system_lines::created_room).await
        })
    })
    .await?;
    leptos_axum::redirect(&format!("/chat/{public_id}"));
    Ok(public_id)
}

/// Joins a public room (a system line "bo joined" and a live event), then
/// goes there. Joining a room one is in already changes nothing.
#[server(endpoint = "join_room")]
pub async fn join_room(room: String) -> Result<(), AppError> {
    use crate::domain::{parse_thread_id, system_lines};
    use crate::server::{access, state, viewer, ResultExt};
    use crate::store;

    let me = viewer::require_user().await?;
    let id = parse_thread_id(&room)?.to_owned();
    state()?.auth_limits.check_room_membership(me)?;
    let now = chrono::Utc::now();
    let public_id = id.clone();
    access::write("committing a join", move |tx| {
        Box::pin(async move {
            let room = store::rooms::by_public_id_in(tx, &id, me)
                .await
                .context("loading a room")?
                .ok_or(AppError::NotFound)?;
            if store::members::add(tx, room.id, me, "member", now)
                .await
                .context("joining a room")?
            {
                super::groups::ssr::system_line(tx, room.id, me, now, system_lines::joined).await?;
            }
            Ok(())
        })
    })
    .await?;
    leptos_axum::redirect(&format!("/chat/{public_id}"));
    Ok(())
}

/// Leaves a public room ("bo left"); it leaves the navigation list, and
/// one may join again later. The home room cannot be left.
#[server(endpoint = "leave_room")]
pub async fn leave_room(room: String) -> Result<(), AppError> {
    use crate::domain::{parse_thread_id, system_lines};
    use crate::server::{access, state, viewer, ResultExt};
    use crate::store::{self, members::Departure};

    let me = viewer::require_user().await?;
    let id = parse_thread_id(&room)?.to_owned();
    let t = access::member_thread(&id, me).await?;
    if t.kind != "room" {
        return Err(AppError::NotFound);
    }
    if t.public_id == store::rooms::HOME_ROOM {
        return Err(AppError::BadRequest(
            "Everyone is in the home room: it cannot be left.".into(),
        ));
    }
    state()?.auth_limits.check_room_membership(me)?;
    let now = chrono::Utc::now();
    access::write("committing a leave", move |tx| {
        Box::pin(async move {
            // The line first, written while still a member.
            super::groups::ssr::system_line(tx, t.id, me, now, system_lines::left).await?;
            let left = store::members::remove(tx, t.id, me, Departure::Left, now)
                .await
                .context("leaving a room")?;
            // Gone already (another tab left first): undo the line too.
            if left {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        })
    })
    .await?;
    leptos_axum::redirect("/rooms");
    Ok(())
}
