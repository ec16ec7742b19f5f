//! Blocking (F21): when ana blocks bob, bob's direct messages and new
//! direct chats are refused neutrally with nothing stored; in shared groups
//! ana sees bob's messages flagged, counts none unread and sees no typing
//! from him; only ana's own tabs hear of it; unblocking undoes it all.

use app::domain::{preview, safety};
use app::protocol::{Change, ClientFrame, ServerFrame};
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{client_id, expect_status, ok, wait_for, FromJson, User};
use crate::helpers::TestApp;
use crate::live::client::{Live, QUIET};
use crate::live::{assert_no_typing, newest_event};

/// The sentence of a 400 answer (`{"BadRequest": "…"}`).
async fn refusal(res: reqwest::Response) -> String {
    let body = expect_status(res, StatusCode::BAD_REQUEST).await;
    let err: Value = serde_json::from_str(&body).unwrap();
    err["BadRequest"]
        .as_str()
        .unwrap_or_else(|| panic!("not a BadRequest: {body}"))
        .to_owned()
}

/// `(blocked flag, body)` of each of `user`'s messages in `thread` sent by
/// `sender`, oldest first.
async fn flags_of(user: &User, thread: &str, sender: i64) -> Vec<(bool, Option<String>)> {
    user.open(thread)
        .await
        .page
        .messages
        .into_iter()
        .filter(|m| m.sender_id == sender)
        .map(|m| (m.blocked, m.body))
        .collect()
}

/// The frames a socket has received so far, parsed.
fn received(socket: &Live) -> Vec<ServerFrame> {
    socket
        .texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect()
}

/// The user list of a `blocked` frame.
fn blocked_frame(f: &ServerFrame) -> Option<Vec<i64>> {
    match f {
        ServerFrame::Blocked { users } => Some(users.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn a_blocked_persons_direct_message_is_refused_neutrally_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    ana.send(&dm, "hi").await;
    bob.send(&dm, "hello").await;
    // ana's tab is open before she blocks, and has heard of her block, so
    // anything arriving later is the refused sends' doing. (Opened after
    // the block, it could still get the block's own notice: on PostgreSQL
    // that goes round the cluster after the block has answered.)
    let (mut live_ana, _) = Live::open(&ana).await;
    ana.block(bob.id).await;
    assert_eq!(
        wait_for(&mut live_ana, "ana's block list", blocked_frame).await,
        [bob.id]
    );
    let (messages, events) = (app.count("messages").await, newest_event(&app).await);

    let cid = client_id();
    assert_eq!(
        refusal(bob.send_res(&dm, "are you there?", &cid).await).await,
        safety::UNDELIVERABLE
    );
    // The retry of the same send, and a sticker: refused the same way.
    assert_eq!(
        refusal(bob.send_res(&dm, "are you there?", &cid).await).await,
        safety::UNDELIVERABLE
    );
    assert_eq!(
        refusal(bob.sticker_res(&dm, "wave").await).await,
        safety::UNDELIVERABLE
    );

    assert_eq!(app.count("messages").await, messages, "nothing stored");
    assert_eq!(newest_event(&app).await, events, "no event appended");
    live_ana.assert_no_event("ana").await;
    assert_eq!(ana.nav_entry(&dm).await.unwrap().unread, 0);

    // ana, writing to someone she blocks, is reminded why it fails.
    assert_eq!(
        refusal(ana.send_res(&dm, "actually…", &client_id()).await).await,
        safety::you_block("bob")
    );
    assert_eq!(app.count("messages").await, messages);
    assert_eq!(newest_event(&app).await, events);
    // bob's view of the chat is as it was: nothing says he is blocked.
    let page = bob.open(&dm).await.page;
    assert_eq!(page.messages.len(), 2);
    assert!(page.messages.iter().all(|m| !m.blocked));
    assert!(bob.threads().await.blocked.is_empty());
}

#[tokio::test]
async fn a_retry_of_a_message_stored_before_the_block_is_answered_as_stored() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let cid = client_id();
    let first =
        app::model::MessageView::from_json(ok(bob.send_res(&dm, "sent before", &cid).await).await);
    ana.block(bob.id).await;
    let (messages, events) = (app.count("messages").await, newest_event(&app).await);

    // bob's tab never heard the answer and retries: the message was
    // delivered before the block, so the retry is that message, not a new
    // send to refuse.
    let retried =
        app::model::MessageView::from_json(ok(bob.send_res(&dm, "sent before", &cid).await).await);
    assert_eq!(retried.id, first.id);
    assert_eq!(app.count("messages").await, messages, "nothing new stored");
    assert_eq!(newest_event(&app).await, events, "no event appended");
    // A new send is refused as any other.
    assert_eq!(
        refusal(bob.send_res(&dm, "and now?", &client_id()).await).await,
        safety::UNDELIVERABLE
    );
}

#[tokio::test]
async fn a_blocked_person_cannot_start_a_direct_chat_with_the_blocker() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    ana.block(bob.id).await;

    for name in ["ana", " ANA "] {
        assert_eq!(
            refusal(bob.start_chat_res(&[name]).await).await,
            safety::NO_DIRECT_CHAT,
            "{name:?}"
        );
    }
    // Nor the other way round while the block stands.
    expect_status(ana.start_chat_res(&["bob"]).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(app.count_chats("threads").await, 0);
    assert_eq!(app.count_chats("thread_members").await, 0);
    assert!(bob.chats().await.is_empty());
}

#[tokio::test]
async fn in_a_shared_group_only_the_blocker_sees_the_messages_flagged() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    bob.send(&group, "b1").await;
    cyd.send(&group, "c1").await;
    bob.send(&group, "b2").await;
    ana.block(bob.id).await;

    // ana: bob's messages flagged, text still there (Show reveals it).
    assert_eq!(
        flags_of(&ana, &group, bob.id).await,
        [(true, Some("b1".to_owned())), (true, Some("b2".to_owned()))]
    );
    assert_eq!(
        flags_of(&ana, &group, cyd.id).await,
        [(false, Some("c1".to_owned()))]
    );
    let older = ana.older(&group, i64::MAX).await;
    let flagged: Vec<(i64, bool)> = older
        .messages
        .iter()
        .filter(|m| m.sender_id != ana.id)
        .map(|m| (m.sender_id, m.blocked))
        .collect();
    assert_eq!(flagged, [(bob.id, true), (cyd.id, false), (bob.id, true)]);
    // cyd and bob himself: nothing flagged.
    for user in [&cyd, &bob] {
        let page = user.open(&group).await.page;
        assert!(
            page.messages.iter().all(|m| !m.blocked),
            "{}: {:?}",
            user.name,
            page.messages
        );
    }
    // The navigation preview of bob's last message, for ana only.
    let last = ana.nav_entry(&group).await.unwrap().last.unwrap();
    assert_eq!(last.preview, preview::BLOCKED);
    let for_cyd = cyd.nav_entry(&group).await.unwrap().last.unwrap();
    assert!(for_cyd.preview.contains("b2"), "{for_cyd:?}");
    assert_eq!(ana.threads().await.blocked, [bob.id]);
}

#[tokio::test]
async fn the_blocker_counts_nothing_unread_from_the_blocked_person() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dan = app.user("dan").await;
    let group = ana.start_chat(&["bob", "cyd", "dan"]).await.id;
    ana.open(&group).await;
    ana.block(bob.id).await;
    let (mut live_ana, _) = Live::open(&ana).await;

    bob.send(&group, "b1").await;
    let c1 = cyd.send(&group, "c1").await.id;
    let b2 = bob.send(&group, "b2").await.id;
    let c2 = cyd.send(&group, "c2").await.id;

    assert_eq!(ana.nav_entry(&group).await.unwrap().unread, 2);
    // Someone who blocks nobody counts all four.
    assert_eq!(dan.nav_entry(&group).await.unwrap().unread, 4);

    // ana reads up to c1: her read position's frame counts c2 only.
    expect_status(ana.mark_read_res(&group, c1).await, StatusCode::OK).await;
    let unread = wait_for(&mut live_ana, "ana's read_moved", |f| match f {
        ServerFrame::Event(e) => match e.change {
            Change::ReadMoved {
                user,
                message_id,
                unread,
            } if user == ana.id && message_id == c1 => Some(unread),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(unread, 1);
    assert_eq!(ana.nav_entry(&group).await.unwrap().unread, 1);
    // The first unread skips bob's b2.
    let view = ana.open(&group).await;
    assert!(b2 < c2);
    assert_eq!(view.first_unread, Some(c2));
}

#[tokio::test]
async fn typing_from_a_blocked_person_does_not_reach_the_blocker() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    ana.block(bob.id).await;
    let (mut a, _) = Live::open(&ana).await;
    let (mut b, _) = Live::open(&bob).await;
    let (mut c, _) = Live::open(&cyd).await;
    let typing = ClientFrame::Typing {
        thread: group.clone(),
    };
    let typist = |f: &ServerFrame| match f {
        ServerFrame::Typing { user, .. } => Some(*user),
        _ => None,
    };

    b.send(&typing).await;
    assert_eq!(wait_for(&mut c, "bob typing", typist).await, bob.id);
    assert_no_typing(&mut a, "ana, who blocks bob").await;

    // cyd's typing still reaches ana: only bob is blocked.
    c.send(&typing).await;
    assert_eq!(wait_for(&mut a, "cyd typing", typist).await, cyd.id);
    assert_eq!(wait_for(&mut b, "cyd typing", typist).await, cyd.id);
}

#[tokio::test]
async fn only_the_blockers_own_sockets_hear_of_a_block() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    ana.start_chat(&["bob", "cyd"]).await;
    let (mut a1, _) = Live::open(&ana).await;
    let (mut a2, _) = Live::open(&ana).await;
    let (mut b, _) = Live::open(&bob).await;
    let (mut c, _) = Live::open(&cyd).await;

    ana.block(bob.id).await;
    for socket in [&mut a1, &mut a2] {
        assert_eq!(wait_for(socket, "blocked", blocked_frame).await, [bob.id]);
    }
    ana.block(cyd.id).await;
    let mut both = vec![bob.id, cyd.id];
    both.sort_unstable();
    for socket in [&mut a1, &mut a2] {
        assert_eq!(wait_for(socket, "blocked", blocked_frame).await, both);
    }
    ana.unblock(bob.id).await;
    for socket in [&mut a1, &mut a2] {
        assert_eq!(wait_for(socket, "blocked", blocked_frame).await, [cyd.id]);
    }
    ana.unblock(cyd.id).await;
    for socket in [&mut a1, &mut a2] {
        assert!(wait_for(socket, "blocked", blocked_frame).await.is_empty());
    }

    // bob and cyd were told nothing at all.
    for (who, socket) in [("bob", &mut b), ("cyd", &mut c)] {
        socket.frames_within(QUIET).await;
        let frames = received(socket);
        assert!(
            frames
                .iter()
                .all(|f| matches!(f, ServerFrame::Ready { .. } | ServerFrame::Presence { .. })),
            "{who}: {frames:?}"
        );
    }
}

#[tokio::test]
async fn blocking_yourself_or_nobody_is_refused_and_blocking_twice_is_one_block() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;

    expect_status(ana.block_res(ana.id).await, StatusCode::BAD_REQUEST).await;
    expect_status(ana.block_res(bob.id + 1000).await, StatusCode::NOT_FOUND).await;
    let nobody = app.anonymous();
    expect_status(nobody.block_res(bob.id).await, StatusCode::UNAUTHORIZED).await;
    expect_status(nobody.unblock_res(bob.id).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.count("blocks").await, 0);

    ana.block(bob.id).await;
    ana.block(bob.id).await;
    assert_eq!(app.count("blocks").await, 1);
    // Unblocking someone not blocked changes nothing.
    ana.unblock(ana.id).await;
    bob.unblock(ana.id).await;
    assert_eq!(app.count("blocks").await, 1);
}

#[tokio::test]
async fn blocked_users_lists_the_people_you_block_to_you_only() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    assert!(ana.blocked_users().await.is_empty());

    ana.block(bob.id).await;
    // A clear gap, so "most recently blocked first" has an order to show.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    ana.block(cyd.id).await;

    let listed: Vec<(i64, String)> = ana
        .blocked_users()
        .await
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    assert_eq!(listed, [(cyd.id, "cyd".into()), (bob.id, "bob".into())]);
    assert!(ana
        .blocked_users()
        .await
        .iter()
        .all(|u| !u.since.is_empty()));
    for user in [&bob, &cyd] {
        assert!(user.blocked_users().await.is_empty(), "{}", user.name);
    }
    expect_status(
        app.anonymous().call("blocked_users", &[]).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn the_blocker_can_still_report_the_blocked_persons_messages() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let eve = app.moderator("eve").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let msg = bob.send(&group, "something nasty").await.id;
    ana.block(bob.id).await;

    assert_eq!(
        ana.report(msg, "harassment").await,
        app::model::ReportOutcome::Filed
    );
    let queue = eve.queue().await;
    assert_eq!(queue.items.len(), 1);
    assert_eq!(queue.items[0].message.text, "something nasty");
}

#[tokio::test]
async fn unblocking_restores_everything() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    bob.send(&group, "b1").await;
    ana.open(&group).await;
    ana.block(bob.id).await;
    ana.block(cyd.id).await;
    refusal(bob.send_res(&dm, "refused", &client_id()).await).await;
    refusal(cyd.start_chat_res(&["ana"]).await).await;

    ana.unblock(bob.id).await;
    ana.unblock(cyd.id).await;
    assert!(ana.blocked_users().await.is_empty());
    assert!(ana.threads().await.blocked.is_empty());

    // Flags gone.
    assert_eq!(
        flags_of(&ana, &group, bob.id).await,
        [(false, Some("b1".to_owned()))]
    );
    // Direct messages both ways again, heard live.
    let (mut live_ana, _) = Live::open(&ana).await;
    let sent = bob.send(&dm, "are we good?").await.id;
    let heard = wait_for(&mut live_ana, "bob's message", |f| match f {
        ServerFrame::Event(e) => match &e.change {
            Change::MessageCreated { message, .. } => Some(message.id),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(heard, sent);
    ana.send(&dm, "we are").await;
    // Unread counts bob's messages again.
    bob.send(&group, "b2").await;
    assert_eq!(ana.nav_entry(&group).await.unwrap().unread, 1);
    let last = ana.nav_entry(&group).await.unwrap().last.unwrap();
    assert!(last.preview.contains("b2"), "{last:?}");
    // And a new direct chat can be started.
    assert!(cyd.start_chat(&["ana"]).await.created);
}

/// The `unread` of the first `read_moved` frame about `reader` at
/// `message_id` on `socket`.
async fn read_moved_unread(socket: &mut Live, reader: i64, at: i64) -> i64 {
    wait_for(socket, "read_moved", |f| match f {
        ServerFrame::Event(e) => match e.change {
            Change::ReadMoved {
                user,
                message_id,
                unread,
            } if user == reader && message_id == at => Some(unread),
            _ => None,
        },
        _ => None,
    })
    .await
}

#[tokio::test]
async fn read_receipts_tell_the_blocked_person_nothing_of_the_block() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dan = app.user("dan").await;
    // The same chat twice: ana, who blocks bob, and dan, who does not.
    let blocked_by_ana = ana.start_chat(&["bob", "cyd"]).await.id;
    let not_blocked = dan.start_chat(&["bob", "cyd"]).await.id;
    ana.block(bob.id).await;
    let (mut live_bob, _) = Live::open(&bob).await;

    let mut seen = Vec::new();
    for (reader, group) in [(&ana, &blocked_by_ana), (&dan, &not_blocked)] {
        let first = bob.send(group, "b1").await.id;
        bob.send(group, "b2").await;
        cyd.send(group, "c1").await;
        expect_status(reader.mark_read_res(group, first).await, StatusCode::OK).await;
        seen.push(read_moved_unread(&mut live_bob, reader.id, first).await);
    }
    // What bob is told of ana's reading is what he is told of dan's: a
    // count without his messages would tell him ana blocks him.
    assert_eq!(
        seen[0], seen[1],
        "bob sees ana's and dan's unread: {seen:?}"
    );
}

#[tokio::test]
async fn without_javascript_block_and_unblock_are_forms_that_go_where_asked() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    bob.send(&group, "from bob").await;
    let post = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let (client, url, origin) = (
            ana.client.clone(),
            app.url(&format!("/api/{endpoint}")),
            app.url(""),
        );
        async move {
            client
                .post(url)
                .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
                .header(reqwest::header::ORIGIN, origin)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let bob_id = bob.id.to_string();
    let here = format!("/chat/{group}");

    let res = post(
        "block_user",
        vec![("user", bob_id.clone()), ("next", here.clone())],
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(crate::helpers::location(&res), here);
    assert_eq!(ana.threads().await.blocked, [bob.id]);
    // ana's page shows bob's message collapsed; cyd's does not.
    let page = expect_status(ana.get_page(&here).await, StatusCode::OK).await;
    assert!(page.contains(r#"data-testid="blocked-message""#), "{page}");
    assert!(page.contains(preview::BLOCKED), "{page}");
    let page = expect_status(cyd.get_page(&here).await, StatusCode::OK).await;
    assert!(!page.contains(r#"data-testid="blocked-message""#), "{page}");
    // /settings lists him.
    let settings = expect_status(ana.get_page("/settings").await, StatusCode::OK).await;
    assert!(
        settings.contains(r#"data-testid="blocked-user""#),
        "{settings}"
    );

    // Somewhere off the site is not where a form goes.
    let res = post(
        "unblock_user",
        vec![("user", bob_id), ("next", "//evil.example/".into())],
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(crate::helpers::location(&res), "/chat");
    assert!(ana.threads().await.blocked.is_empty());
    let settings = expect_status(ana.get_page("/settings").await, StatusCode::OK).await;
    assert!(
        settings.contains("You are not blocking anyone."),
        "{settings}"
    );
}
