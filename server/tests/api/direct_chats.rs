//! Starting direct chats (F8): one per pair, whoever starts it, however
//! the requests race.

use app::model::ThreadKind;
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{expect_status, ok};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_pair_has_one_direct_chat_whoever_starts_it() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;

    let first = ana.start_chat(&["bob"]).await;
    assert_eq!(first.kind, ThreadKind::Direct);
    assert!(first.created);

    let again = ana.start_chat(&["bob"]).await;
    assert_eq!(again.id, first.id);
    assert!(!again.created);

    // Names are matched whatever their case and padding.
    let from_bo = bob.start_chat(&[" ANA "]).await;
    assert_eq!(from_bo.id, first.id);
    assert_eq!(from_bo.kind, ThreadKind::Direct);
    assert!(!from_bo.created);

    assert_eq!(app.count_chats("threads").await, 1);
    assert_eq!(app.count_chats("thread_members").await, 2);

    let for_ana = ana.nav_entry(&first.id).await.expect("listed for ana");
    assert_eq!(for_ana.name, "bob");
    assert_eq!(for_ana.kind, ThreadKind::Direct);
    let for_bo = bob.nav_entry(&first.id).await.expect("listed for bob");
    assert_eq!(for_bo.name, "ana");
    assert_eq!(ana.chats().await.len(), 1);
    assert_eq!(bob.chats().await.len(), 1);
}

#[tokio::test]
async fn racing_starts_from_both_sides_make_one_thread() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;

    for _ in 0..3 {
        let (a, b) = tokio::join!(ana.start_chat_res(&["bob"]), bob.start_chat_res(&["ana"]));
        let (a, b) = tokio::join!(ok(a), ok(b));
        assert_eq!(a["id"], b["id"], "{a} / {b}");
    }
    assert_eq!(app.count_chats("threads").await, 1);
    assert_eq!(app.count_chats("thread_members").await, 2);
    let listed_a = ana.chats().await;
    let listed_b = bob.chats().await;
    assert_eq!(listed_a.len(), 1);
    assert_eq!(listed_b.len(), 1);
    assert_eq!(listed_a[0].id, listed_b[0].id);
}

#[tokio::test]
async fn exactly_one_of_two_racing_starts_creates_the_chat() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;

    let (a, b) = tokio::join!(ana.start_chat(&["bob"]), bob.start_chat(&["ana"]));
    assert_eq!(a.id, b.id);
    assert!(a.created ^ b.created, "one creates, one finds: {a:?} {b:?}");
    assert_eq!(app.count_chats("threads").await, 1);
}

#[tokio::test]
async fn starting_a_chat_with_yourself_or_nobody_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;

    for names in [
        vec!["ana"],
        vec!["ANA"],
        vec!["nobody"],
        vec!["bob", "nobody"],
        vec!["ana", "nobody"],
        vec![""],
    ] {
        let body = expect_status(ana.start_chat_res(&names).await, StatusCode::BAD_REQUEST).await;
        let err: Value = serde_json::from_str(&body).unwrap();
        assert!(err.get("BadRequest").is_some(), "{names:?}: {body}");
    }
    // No list at all is a malformed request, not a crash.
    expect_status(ana.call("start_chat", &[]).await, StatusCode::BAD_REQUEST).await;

    assert_eq!(app.count_chats("threads").await, 0);
    assert_eq!(app.count_chats("thread_members").await, 0);
    assert_eq!(app.count("messages").await, 0);
    assert!(ana.chats().await.is_empty());
}

#[tokio::test]
async fn search_finds_people_by_prefix_but_never_yourself() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    for name in ["anabel", "andy", "bob", "an_x"] {
        app.user(name).await;
    }

    let names = |cards: Vec<app::model::UserCard>| -> Vec<String> {
        cards.into_iter().map(|c| c.username).collect()
    };
    assert_eq!(names(ana.search("an").await), ["an_x", "anabel", "andy"]);
    assert_eq!(names(ana.search(" AN ").await), ["an_x", "anabel", "andy"]);
    assert_eq!(names(ana.search("ana").await), ["anabel"]);
    assert!(ana.search("").await.is_empty());
    assert!(ana.search("%").await.is_empty());
    assert!(ana.search("a%").await.is_empty());
    assert!(ana.search("zzz").await.is_empty());
}

#[tokio::test]
async fn a_pair_whose_direct_chat_was_deleted_can_start_a_new_one() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let old = ana.start_chat(&["bob"]).await.id;
    ana.send(&old, "before the moderators came").await;
    app.soft_delete_thread(&old).await;
    expect_status(bob.open_res(&old).await, StatusCode::NOT_FOUND).await;

    // The deleted chat is gone; starting again must give the pair a chat
    // they can use, not an internal error.
    let res = ana.start_chat_res(&["bob"]).await;
    let started = ok(res).await;
    let id = started["id"].as_str().unwrap().to_owned();
    assert_ne!(id, old);
    assert_eq!(started["kind"], "Direct");
    assert!(bob.open(&id).await.page.messages.is_empty());
}
