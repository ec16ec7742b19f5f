//! Sending messages (F10): delivery to both sides, the navigation preview
//! and unread counts, idempotent retries, body rules, stickers.

use app::domain::MessageKind;
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{bodies, client_id, expect_status, ok};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_sent_message_reaches_both_sides_and_is_unread_for_the_receiver() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let sent = ana.send(&dm, "hello bob").await;
    assert_eq!(sent.body.as_deref(), Some("hello bob"));
    assert_eq!(sent.sender, "ana");
    assert_eq!(sent.sender_id, ana.id);
    assert_eq!(sent.kind, MessageKind::Text);

    // The navigation list: "You" for the sender, the name for the other.
    let mine = ana.nav_entry(&dm).await.unwrap();
    let last = mine.last.expect("a last message");
    assert_eq!(
        (last.sender.as_str(), last.preview.as_str()),
        ("You", "hello bob")
    );
    assert_eq!(mine.unread, 0, "your own message is not unread");
    let theirs = bob.nav_entry(&dm).await.unwrap();
    let last = theirs.last.expect("a last message");
    assert_eq!(
        (last.sender.as_str(), last.preview.as_str()),
        ("ana", "hello bob")
    );
    assert_eq!(theirs.unread, 1);

    let view = bob.open(&dm).await;
    assert_eq!(bodies(&view.page), [Some("hello bob")]);
    assert_eq!(view.page.messages[0].id, sent.id);
    assert_eq!(view.first_unread, Some(sent.id));
    assert_eq!(
        bob.nav_entry(&dm).await.unwrap().unread,
        0,
        "read by opening"
    );
    assert_eq!(bob.open(&dm).await.first_unread, None);

    let view = ana.open(&dm).await;
    assert_eq!(bodies(&view.page), [Some("hello bob")]);
    assert_eq!(view.first_unread, None);

    // A reply counts for ana, and only the newest is previewed.
    bob.send(&dm, "hi ana").await;
    bob.send(&dm, "how are you?").await;
    let entry = ana.nav_entry(&dm).await.unwrap();
    assert_eq!(entry.unread, 2);
    assert_eq!(entry.last.unwrap().preview, "how are you?");
}

#[tokio::test]
async fn the_navigation_list_puts_the_latest_activity_first() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    app.user("cyd").await;
    let with_bo = ana.start_chat(&["bob"]).await.id;
    let with_cy = ana.start_chat(&["cyd"]).await.id;

    ana.send(&with_bo, "to bob").await;
    let ids: Vec<String> = ana.chats().await.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, [with_bo.clone(), with_cy.clone()]);
    ana.send(&with_cy, "to cyd").await;
    let ids: Vec<String> = ana.chats().await.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, [with_cy, with_bo]);
}

#[tokio::test]
async fn resending_with_the_same_client_id_stores_one_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let cid = client_id();
    let first = ok(ana.send_res(&dm, "only once", &cid).await).await;
    let second = ok(ana.send_res(&dm, "only once", &cid).await).await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(app.count("messages").await, 1);

    // Two retries racing each other.
    let cid = client_id();
    let (a, b) = tokio::join!(
        ana.send_res(&dm, "racing", &cid),
        ana.send_res(&dm, "racing", &cid)
    );
    let (a, b) = tokio::join!(ok(a), ok(b));
    assert_eq!(a["id"], b["id"]);
    assert_eq!(app.count("messages").await, 2);

    // The same client id from another sender is their own message.
    let theirs = ok(bob.send_res(&dm, "mine", &cid).await).await;
    assert_ne!(theirs["id"], a["id"]);
    assert_eq!(app.count("messages").await, 3);
    assert_eq!(
        bodies(&bob.open(&dm).await.page),
        [Some("only once"), Some("racing"), Some("mine")]
    );
    // bob read everything by opening; ana has bob's one message unread.
    assert_eq!(bob.nav_entry(&dm).await.unwrap().unread, 0);
    assert_eq!(ana.nav_entry(&dm).await.unwrap().unread, 1);
}

#[tokio::test]
async fn a_client_id_reused_in_another_thread_is_refused() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    app.user("cyd").await;
    let with_bo = ana.start_chat(&["bob"]).await.id;
    let with_cy = ana.start_chat(&["cyd"]).await.id;

    let cid = client_id();
    ok(ana.send_res(&with_bo, "for bob", &cid).await).await;
    expect_status(
        ana.send_res(&with_cy, "for cyd", &cid).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(ana.open(&with_cy).await.page.messages.is_empty());
    assert_eq!(app.count("messages").await, 1);

    // A malformed client id is refused too.
    for bad in ["short", "has spaces in it", &"a".repeat(65)] {
        expect_status(
            ana.send_res(&with_bo, "x", bad).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    assert_eq!(app.count("messages").await, 1);
}

/// Membership is checked by the send's own insert (issue 13); when that
/// stores nothing, the answer must still say "not found" before anything
/// else, even for a retry of a message the sender stored as a member.
#[tokio::test]
async fn a_former_member_cannot_send_not_even_a_retry_of_an_old_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let cid = client_id();
    ok(bob.send_res(&group, "while a member", &cid).await).await;
    ok(bob.leave_res(&group).await).await;
    let before = app.row_counts().await;

    let nowhere = uuid::Uuid::new_v4().to_string();
    let unknown = expect_status(
        bob.send_res(&nowhere, "x", &client_id()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let retry = expect_status(
        bob.send_res(&group, "while a member", &cid).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let fresh = expect_status(
        bob.send_res(&group, "after leaving", &client_id()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(retry, unknown);
    assert_eq!(fresh, unknown);
    assert_eq!(app.row_counts().await, before);
    assert_eq!(
        bodies(&ana.open(&group).await.page)
            .into_iter()
            .filter(|b| matches!(b, Some("while a member" | "after leaving")))
            .collect::<Vec<_>>(),
        [Some("while a member")]
    );
}

#[tokio::test]
async fn empty_blank_and_too_long_bodies_are_refused_and_not_stored() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let too_long = "x".repeat(4001);
    for body in ["", "   ", "\n\n", " \t\r\n ", too_long.as_str()] {
        let res = ana.send_res(&dm, body, &client_id()).await;
        let text = expect_status(res, StatusCode::BAD_REQUEST).await;
        let err: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(err["Invalid"][0]["field"], "body", "{body:?}: {text}");
    }
    assert_eq!(app.count("messages").await, 0);
    assert!(ana.nav_entry(&dm).await.unwrap().last.is_none());

    // Exactly 4,000 characters is fine, counted in characters not bytes.
    let max = "é".repeat(4000);
    let sent = ana.send(&dm, &max).await;
    assert_eq!(sent.body.as_deref(), Some(max.as_str()));
    let ascii = "y".repeat(4000);
    assert_eq!(ana.send(&dm, &ascii).await.body.unwrap().len(), 4000);
    assert_eq!(app.count("messages").await, 2);
}

#[tokio::test]
async fn html_in_a_message_is_stored_and_returned_as_plain_text() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let html = "<script>alert(\"hi\")</script> & <b>bold</b> &amp; 'q'\n  indented";

    let sent = ana.send(&dm, html).await;
    assert_eq!(sent.body.as_deref(), Some(html));
    let seen = bob.open(&dm).await;
    assert_eq!(bodies(&seen.page), [Some(html)]);

    let mut db = app.db().await;
    let stored: String = sqlx::query_scalar("SELECT body FROM messages WHERE id = $1")
        .bind(sent.id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(stored, html);
}

#[tokio::test]
async fn stickers_are_sent_by_name_and_previewed_as_a_picture() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let sent = ok(ana.sticker_res(&dm, "otter").await).await;
    assert_eq!(sent["kind"], "sticker");
    assert_eq!(sent["body"], "otter");

    for bad in ["../x", "../../public/favicon", "Otter", "", "otter.svg"] {
        expect_status(ana.sticker_res(&dm, bad).await, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(app.count("messages").await, 1);

    let view = bob.open(&dm).await;
    assert_eq!(view.page.messages.len(), 1);
    assert_eq!(view.page.messages[0].kind, MessageKind::Sticker);
    for (user, sender) in [(&ana, "You"), (&bob, "ana")] {
        let last = user.nav_entry(&dm).await.unwrap().last.unwrap();
        assert_eq!(last.preview, "🖼️");
        assert_eq!(last.sender, sender);
    }
}

/// Sends that wait together are stored by one statement (issue 13), and
/// each must still get exactly its own answer: stored, a retry of a send
/// in the same batch or of an older one, refused for a block, not found
/// for an outsider, or refused for an id used elsewhere; nothing more is
/// stored than the new messages.
#[tokio::test]
async fn sends_that_wait_together_each_get_their_own_answer() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dan = app.user("dan").await;
    let with_bob = ana.start_chat(&["bob"]).await.id;
    let with_cyd = ana.start_chat(&["cyd"]).await.id;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    cyd.block(ana.id).await;
    let old_cid = client_id();
    let old = ok(ana.send_res(&with_bob, "earlier", &old_cid).await).await;
    let before = app.count("messages").await;

    // The server's writes queue behind this hold of the write slot and
    // then go as one batch.
    let db = server::db::connect_and_migrate(&app.database_url)
        .await
        .unwrap();
    let slot = db.begin_write().await.unwrap();
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        slot.commit().await.unwrap();
    };
    let cids: Vec<String> = (0..5).map(|_| client_id()).collect();
    let (first_cid, group_cid) = (&cids[0], &cids[1]);
    let (first, second, blocked, outsider, again, reused, retry_old, to_group, ()) = tokio::join!(
        ana.send_res(&with_bob, "first", first_cid),
        bob.send_res(&with_bob, "second", &cids[2]),
        ana.send_res(&with_cyd, "to cyd", &cids[3]),
        dan.send_res(&group, "let me in", &cids[4]),
        ana.send_res(&with_bob, "first", first_cid),
        ana.send_res(&group, "reused", &old_cid),
        ana.send_res(&with_bob, "earlier", &old_cid),
        bob.send_res(&group, "to the group", group_cid),
        release,
    );
    let (first, again) = (ok(first).await, ok(again).await);
    assert_eq!(first["id"], again["id"], "a retry in the same batch");
    assert_eq!(
        ok(retry_old).await["id"],
        old["id"],
        "a retry of an older send"
    );
    ok(second).await;
    ok(to_group).await;
    let refused = expect_status(blocked, StatusCode::BAD_REQUEST).await;
    assert!(
        refused.contains(app::domain::safety::UNDELIVERABLE),
        "{refused}"
    );
    expect_status(outsider, StatusCode::NOT_FOUND).await;
    expect_status(reused, StatusCode::BAD_REQUEST).await;

    assert_eq!(app.count("messages").await, before + 3);
    let dm_page = bob.open(&with_bob).await.page;
    let mut dm = bodies(&dm_page);
    dm.sort();
    assert_eq!(dm, [Some("earlier"), Some("first"), Some("second")]);
    let group_page = bob.open(&group).await.page;
    let in_group = bodies(&group_page);
    assert!(in_group.contains(&Some("to the group")), "{in_group:?}");
    assert!(!in_group.contains(&Some("let me in")) && !in_group.contains(&Some("reused")));
    assert!(cyd.open(&with_cyd).await.page.messages.is_empty());
}
