//! Emoji reactions: one per person and emoji, toggled on and off.

use reqwest::StatusCode;

use crate::chat_helpers::expect_status;
use crate::helpers::TestApp;

#[tokio::test]
async fn reactions_toggle_and_count_who_reacted() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "react to me").await;

    let on = ana.react(msg.id, "👍").await;
    assert_eq!(on.len(), 1);
    assert_eq!(
        (on[0].emoji.as_str(), on[0].count, on[0].mine),
        ("👍", 1, true)
    );
    assert_eq!(on[0].who, ["ana"]);

    let both = bob.react(msg.id, "👍").await;
    assert_eq!((both[0].count, both[0].mine), (2, true));
    assert_eq!(both[0].who, ["ana", "bob"]);

    // What the other side sees when opening the thread.
    let seen = &ana.open(&dm).await.page.messages[0].reactions;
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].count, seen[0].mine), (2, true));
    assert_eq!(seen[0].who, ["ana", "bob"]);

    let off = ana.react(msg.id, "👍").await;
    assert_eq!((off[0].count, off[0].mine), (1, false));
    assert_eq!(off[0].who, ["bob"]);
    assert!(bob.react(msg.id, "👍").await.is_empty());
    assert_eq!(app.count("reactions").await, 0);
    assert!(bob.open(&dm).await.page.messages[0].reactions.is_empty());
}

#[tokio::test]
async fn different_emoji_are_separate_reactions_in_the_offered_order() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = bob.send(&dm, "news").await;

    ana.react(msg.id, "🎉").await;
    let all = bob.react(msg.id, "❤️").await;
    let summary: Vec<(&str, usize, bool)> = all
        .iter()
        .map(|r| (r.emoji.as_str(), r.count, r.mine))
        .collect();
    assert_eq!(summary, [("❤️", 1, true), ("🎉", 1, false)]);
    assert_eq!(app.count("reactions").await, 2);
}

#[tokio::test]
async fn unknown_emoji_are_refused() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "hi").await;

    for bad in ["💩", "", "👍👍", "<b>", ":+1:"] {
        expect_status(ana.react_res(msg.id, bad).await, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(app.count("reactions").await, 0);
}

#[tokio::test]
async fn deleted_messages_and_system_lines_take_no_reactions() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "soon gone").await;
    ana.delete(msg.id).await;

    expect_status(bob.react_res(msg.id, "👍").await, StatusCode::BAD_REQUEST).await;
    expect_status(ana.react_res(msg.id, "👍").await, StatusCode::BAD_REQUEST).await;

    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    let line = bob.open(&g).await.page.messages[0].id;
    expect_status(bob.react_res(line, "👍").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(app.count("reactions").await, 0);
}
