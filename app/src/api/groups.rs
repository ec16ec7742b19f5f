//! Group chats (F12): rename, add members, remove (owner), leave. Each
//! change writes a system line in the same transaction.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::server::{access, viewer};
    use crate::store::threads::MemberThread;

    /// The viewer's id and the group, or `NotFound`; a direct chat is not
    /// a group and cannot be changed like one.
    pub async fn group(thread: &str) -> Result<(i64, MemberThread), AppError> {
        let me = viewer::require_user().await?;
        let t = access::member_thread(thread, me).await?;
        if t.kind != "group" {
            return Err(AppError::BadRequest(
                "Only group chats can be changed.".into(),
            ));
        }
        Ok((me, t))
    }

    /// Writes a system line by `actor` into the caller's transaction,
    /// worded from the actor's name ("ana added bo").
    pub async fn system_line(
        tx: &mut crate::store::Tx,
        thread_id: i64,
        actor: i64,
        now: chrono::DateTime<chrono::Utc>,
        line: impl FnOnce(&str) -> String,
    ) -> Result<(), AppError> {
        use crate::server::ResultExt;
        use crate::store;

        let name = store::users::name_of(tx, actor)
            .await
            .context("loading a name")?;
        store::messages::insert_system(tx, thread_id, actor, &line(&name), now)
            .await
            .context("writing a system line")?;
        Ok(())
    }
}

#[server(endpoint = "rename_group")]
pub async fn rename_group(thread: String, title: String) -> Result<(), AppError> {
    use crate::domain::{parse_group_title, system_lines};
    use crate::server::{access, ResultExt};
    use crate::store;

    let title = parse_group_title(&title)?;
    let (me, t) = ssr::group(&thread).await?;
    if t.title == title {
        return Ok(());
    }
    let now = chrono::Utc::now();
    access::write("committing a rename", move |tx| {
        Box::pin(async move {
            store::threads::set_title(tx, t.id, title.as_deref(), me, now)
                .await
                .context("renaming a group")?;
            ssr::system_line(tx, t.id, me, now, |actor| {
                system_lines::renamed(actor, title.as_deref())
            })
            .await
        })
    })
    .await
}

/// Adds people to a group; any member may (as on Reddit).
#[server(endpoint = "add_members")]
pub async fn add_members(thread: String, usernames: Vec<String>) -> Result<(), AppError> {
    use crate::domain::system_lines;
    use crate::server::{access, ResultExt};
    use crate::store;

    let (me, t) = ssr::group(&thread).await?;
    let mut names: Vec<String> = usernames.iter().map(|n| n.trim().to_lowercase()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() || names.len() > 100 {
        return Err(AppError::BadRequest(
            "Pick between 1 and 100 people.".into(),
        ));
    }
    let now = chrono::Utc::now();
    access::write("committing new members", move |tx| {
        Box::pin(async move {
            let found = store::users::profiles_by_names(tx, &names)
                .await
                .context("looking up users")?;
            if found.len() < names.len() {
                return Err(AppError::BadRequest(
                    "Some of those users do not exist.".into(),
                ));
            }
            let mut added = Vec::new();
            for p in &found {
                if store::members::add(tx, t.id, p.id, "member", now)
                    .await
                    .context("adding a member")?
                {
                    added.push(p.username.as_str());
                }
            }
            if !added.is_empty() {
                ssr::system_line(tx, t.id, me, now, |actor| {
                    system_lines::added(actor, &added)
                })
                .await?;
            }
            Ok(())
        })
    })
    .await
}

/// The owner removes a member.
#[server(endpoint = "remove_member")]
pub async fn remove_member(thread: String, username: String) -> Result<(), AppError> {
    use crate::domain::system_lines;
    use crate::server::{access, ResultExt};
    use crate::store;

    let (me, t) = ssr::group(&thread).await?;
    if t.role != "owner" {
        return Err(AppError::BadRequest(
            "Only the group's owner can remove people.".into(),
        ));
    }
    let now = chrono::Utc::now();
    let name = username.trim().to_lowercase();
    access::write("committing a removal", move |tx| {
        Box::pin(async move {
            let not_in_group = || AppError::BadRequest("That person is not in this group.".into());
            let found = store::users::profiles_by_names(tx, &[name])
                .await
                .context("looking up a user")?;
            let Some(them) = found.first().filter(|p| p.id != me) else {
                return Err(not_in_group());
            };
            let departure = store::members::Departure::Removed;
            if !store::members::remove(tx, t.id, them.id, departure, now)
                .await
                .context("removing a member")?
            {
                return Err(not_in_group());
            }
            ssr::system_line(tx, t.id, me, now, |actor| {
                system_lines::removed(actor, &them.username)
            })
            .await
        })
    })
    .await
}

/// Leaves a group; the longest-standing member becomes owner if the owner
/// leaves. With JavaScript off this lands on `/chat`.
#[server(endpoint = "leave_thread")]
pub async fn leave_thread(thread: String) -> Result<(), AppError> {
    use crate::domain::system_lines;
    use crate::server::{access, viewer, ResultExt};
    use crate::store;

    let (me, t) = ssr::group(&thread).await?;
    let now = chrono::Utc::now();
    access::write("committing a leave", move |tx| {
        Box::pin(async move {
            // Written while still a member, so the line is theirs.
            ssr::system_line(tx, t.id, me, now, system_lines::left).await?;
            store::members::remove(tx, t.id, me, store::members::Departure::Left, now)
                .await
                .context("leaving a group")?;
            store::members::promote_oldest(tx, t.id)
                .await
                .context("handing over ownership")
        })
    })
    .await?;
    viewer::redirect_form_post("/chat").await;
    Ok(())
}
