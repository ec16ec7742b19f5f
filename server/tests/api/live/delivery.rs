//! What reaches whom: each member's sockets get each event once; a removed
//! member gets nothing after their removal; a retried send is one event;
//! a read position reaches the others.

use app::model::MessageView;
use app::protocol::{Change, ServerFrame};
use futures_util::future::join_all;
use reqwest::StatusCode;

use super::client::Live;
use super::{created, created_ids};
use crate::chat_helpers::{client_id, expect_status, ok, FromJson};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_message_reaches_each_member_socket_once() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (mut a, _) = Live::open(&ana).await;
    let (mut b, _) = Live::open(&bob).await;
    // ana hears bob come online first; out of the way before the send.
    assert!(matches!(
        a.next().await,
        ServerFrame::Presence { user, online: true, .. } if user == bob.id
    ));

    let cid = client_id();
    let sent = MessageView::from_json(ok(ana.send_res(&dm, "hello bob", &cid).await).await);
    for (who, socket) in [("ana", &mut a), ("bob", &mut b)] {
        let e = socket.next_event().await;
        assert_eq!(e.thread, dm, "{who}");
        match &e.change {
            Change::MessageCreated { message, client_id } => {
                assert_eq!(message.id, sent.id, "{who}");
                assert_eq!(message.body.as_deref(), Some("hello bob"), "{who}");
                assert_eq!(message.sender_id, ana.id, "{who}");
                // ana's other tabs replace their pending copy by it.
                assert_eq!(client_id, &cid, "{who}");
            }
            other => panic!("{who}: expected message_created, got {other:?}"),
        }
        // Sending reads your own message, but that is no second frame to
        // every member: `message_created` says it (issue 13).
        socket.assert_no_event(who).await;
    }
}

#[tokio::test]
async fn a_removed_member_hears_of_it_and_then_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let (mut b, _) = Live::open(&bob).await;
    let (mut c, before_removal) = Live::open(&cyd).await;

    expect_status(ana.remove_res(&group, "cyd").await, StatusCode::OK).await;
    let e = c.next_event().await;
    assert_eq!(e.thread, group);
    assert_eq!(e.change, Change::MemberRemoved { user: cyd.id });

    // The others go on hearing the group: the removal, its system line,
    // then the messages sent after it.
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(ana.send(&group, &format!("after cyd left {i}")).await.id);
    }
    let mut heard = Vec::new();
    while created_ids(&heard).len() < 1 + sent.len() {
        heard.push(b.next_event().await);
    }
    assert_eq!(heard[0].change, Change::MemberRemoved { user: cyd.id });
    assert_eq!(created_ids(&heard)[1..], sent[..]);
    // bob has heard everything, so the pump has delivered it all: cyd's
    // silence is real.
    c.assert_no_event("cyd").await;

    // Resuming from before the removal replays the removal alone.
    drop(c);
    let mut c = super::client::Dial::as_user(&cyd)
        .after(before_removal)
        .connect()
        .await
        .unwrap();
    assert_eq!(
        c.next_event().await.change,
        Change::MemberRemoved { user: cyd.id }
    );
    assert!(matches!(c.next().await, ServerFrame::Ready { .. }));
    c.assert_no_event("cyd, resumed").await;
}

#[tokio::test]
async fn a_retried_send_is_one_message_and_one_event_even_when_concurrent() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (mut b, _) = Live::open(&bob).await;

    // The same client id twice in a row (a retry after a lost answer)...
    let retried = client_id();
    let first = MessageView::from_json(ok(ana.send_res(&dm, "once", &retried).await).await);
    let again = MessageView::from_json(ok(ana.send_res(&dm, "once", &retried).await).await);
    assert_eq!(again.id, first.id);
    // ...and eight tabs sending the same one at the same moment.
    let raced = client_id();
    let answers = join_all((0..8).map(|_| ana.send_res(&dm, "racing", &raced))).await;
    let mut ids = Vec::new();
    for res in answers {
        ids.push(MessageView::from_json(ok(res).await).id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every racer gets the one message: {ids:?}");
    let raced_id = ids[0];

    let mut db = app.db().await;
    for cid in [&retried, &raced] {
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE client_id = $1")
            .bind(cid)
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(rows, 1, "{cid}");
    }
    let mut heard = Vec::new();
    while created_ids(&heard).len() < 2 {
        heard.push(b.next_event().await);
    }
    assert_eq!(created_ids(&heard), [first.id, raced_id]);
    let rest = b.frames_within(super::client::QUIET).await;
    assert!(
        !rest
            .iter()
            .any(|f| matches!(f, ServerFrame::Event(e) if created(e).is_some())),
        "a second message_created: {rest:?}"
    );
}

#[tokio::test]
async fn mark_read_moves_the_position_and_tells_the_other_member() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let other = bob.start_chat(&["cyd"]).await.id;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(ana.send(&dm, &format!("unread {i}")).await.id);
    }
    let elsewhere = bob.send(&other, "in another thread").await.id;
    let (mut a, _) = Live::open(&ana).await;
    assert_eq!(bob.nav_entry(&dm).await.unwrap().unread, 3);

    expect_status(bob.mark_read_res(&dm, sent[1]).await, StatusCode::OK).await;
    let e = a.next_event().await;
    assert_eq!(e.thread, dm);
    // Bob's unread count is his: only his own tabs get it (it leaves out
    // the people he blocks, which others must not learn).
    assert_eq!(
        e.change,
        Change::ReadMoved {
            user: bob.id,
            message_id: sent[1],
            unread: 0
        }
    );
    assert_eq!(bob.nav_entry(&dm).await.unwrap().unread, 1);

    // Never back: an older tab's mark changes nothing and tells no one.
    expect_status(bob.mark_read_res(&dm, sent[0]).await, StatusCode::OK).await;
    // A message of another thread is not in this one: 404, no change.
    let counts = app.row_counts().await;
    expect_status(
        bob.mark_read_res(&dm, elsewhere).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.row_counts().await, counts);
    a.assert_no_event("ana").await;
    let mut db = app.db().await;
    let position: i64 = sqlx::query_scalar(
        "SELECT m.last_read_message_id FROM thread_members m
         JOIN threads t ON t.id = m.thread_id WHERE t.public_id = $1 AND m.user_id = $2",
    )
    .bind(&dm)
    .bind(bob.id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(position, sent[1]);
}
