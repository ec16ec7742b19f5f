//! `PARLEY_DEMO`: demo data on an empty database, once.

use std::sync::Arc;

use crate::helpers::{fresh_database, test_config, TestApp};
use reqwest::{cookie::Jar, StatusCode};
use serde_json::Value;

/// Rows of users, threads, thread members, messages and reactions.
async fn counts(app: &TestApp) -> [i64; 5] {
    let mut out = [0; 5];
    for (n, table) in [
        "users",
        "threads",
        "thread_members",
        "messages",
        "reactions",
    ]
    .iter()
    .enumerate()
    {
        out[n] = app.count(table).await;
    }
    out
}

#[tokio::test]
async fn demo_data_is_added_once_and_ana_can_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&fresh_database(dir.path()).await);
    config.demo = true;

    let mut first = TestApp::spawn_with(config.clone(), Arc::new(Jar::default())).await;
    first.stop().await;
    let seeded = counts(&first).await;
    // Five people besides Otter; four chats, a group and a room besides
    // the home room.
    assert_eq!(seeded[0], 6, "users: {seeded:?}");
    assert_eq!(seeded[1], 7, "threads: {seeded:?}");
    assert!(seeded[3] >= 40, "messages: {seeded:?}");
    assert!(seeded[4] >= 10, "reactions: {seeded:?}");

    // A restart with the flag still on adds nothing.
    let app = TestApp::spawn_with(config, Arc::new(Jar::default())).await;
    assert_eq!(counts(&app).await, seeded);

    let res = app.login("ana", server::demo::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call("threads", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let nav: Value = res.json().await.unwrap();
    let home = app::store::rooms::HOME_ROOM;
    let all = nav["threads"].as_array().unwrap();
    assert!(
        all.iter().any(|t| t["id"] == home),
        "ana is in the home room"
    );
    let threads: Vec<&Value> = all.iter().filter(|t| t["id"] != home).collect();
    assert_eq!(threads.len(), 5, "{nav:#}");
    let unread: Vec<i64> = threads
        .iter()
        .map(|t| t["unread"].as_i64().unwrap())
        .collect();
    assert!(unread.iter().any(|&n| n > 0), "{unread:?}");
    // Most recent first: the group, then cyd's sighting; both unread.
    assert_eq!(threads[0]["name"], "Otter spotters", "{nav:#}");
    assert_eq!(unread, [6, 3, 0, 0, 0]);

    // Opening the group shows its history: system lines, a deleted
    // message, reactions from several people.
    let group = threads[0]["id"].as_str().unwrap();
    let res = app.call("open_thread", &[("thread", group)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();
    let text = view.to_string();
    for expected in [
        "ana created the group with bob, cyd and dee",
        "ana added eve",
        "I SAW ONE",
    ] {
        assert!(text.contains(expected), "{expected:?} in {view:#}");
    }
    assert!(
        !text.contains("still on for the boathouse"),
        "a deleted message's text is never sent"
    );
}

#[tokio::test]
async fn without_the_flag_the_database_stays_empty() {
    let mut app = TestApp::spawn().await;
    app.stop().await;
    // Nobody but Otter, the bot the migrations make.
    assert_eq!(counts(&app).await[0], 1);
    assert_eq!(app.count_people().await, 0);
}
