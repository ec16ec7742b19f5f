//! Public rooms (F13) and the home room (F14), on both backends: creating
//! (and what a name may be), the list and its filter, joining by a share
//! link's id, leaving, member counts, and what a non-member can never do
//! or learn.

use app::model::{RoomSummary, HOME_ROOM};
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{client_id, expect_status, ok, status_and_body, FromJson, User};
use crate::helpers::TestApp;

impl User {
    async fn create_room_res(&self, name: &str, topic: &str) -> reqwest::Response {
        self.call("create_room", &[("name", name), ("topic", topic)])
            .await
    }

    /// Creates a room; its public id.
    async fn create_room(&self, name: &str, topic: &str) -> String {
        let id: String = serde_json::from_value(ok(self.create_room_res(name, topic).await).await)
            .expect("a room id");
        id
    }

    async fn rooms(&self, filter: &str) -> Vec<RoomSummary> {
        Vec::<RoomSummary>::from_json(ok(self.call("rooms", &[("filter", filter)]).await).await)
    }

    async fn room_res(&self, room: &str) -> reqwest::Response {
        self.call("room", &[("room", room)]).await
    }

    async fn join_res(&self, room: &str) -> reqwest::Response {
        self.call("join_room", &[("room", room)]).await
    }

    async fn leave_room_res(&self, room: &str) -> reqwest::Response {
        self.call("leave_room", &[("room", room)]).await
    }
}

/// The field a refused input was refused for.
fn field_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).expect("an error body");
    v["Invalid"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_room_name_is_one_line_of_one_to_eighty_characters_shown_as_text() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let before = app.row_counts().await;
    for bad in [
        "",
        "   ",
        "\u{200B}",
        &"n".repeat(81),
        "two\nlines",
        "be\u{7}ll",
    ] {
        let (status, body) = status_and_body(ana.create_room_res(bad, "").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert_eq!(field_of(&body), "name", "{bad:?}");
    }
    let (status, body) = status_and_body(ana.create_room_res("ok", &"t".repeat(301)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(field_of(&body), "topic");
    assert_eq!(app.row_counts().await, before, "nothing was stored");

    // HTML is a name like any other, kept as typed and escaped on pages.
    let html = "<img src=x onerror=alert(1)>";
    let id = ana.create_room(&format!("  {html} "), " all of it ").await;
    let listed = ana.rooms("").await;
    let room = listed.iter().find(|r| r.id == id).expect("listed");
    assert_eq!(room.name, html);
    assert_eq!(room.topic.as_deref(), Some("all of it"));
    let page = ana
        .get_page(&format!("/chat/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains(html), "the name reached a page unescaped");
    let name80 = "n".repeat(80);
    ana.create_room(&name80, "").await;
}

#[tokio::test]
async fn the_list_shows_every_room_most_recent_first_and_filters_by_name() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let otters = ana.create_room("Otter spotters", "river sightings").await;
    let rust = bob.create_room("Rustaceans", "").await;
    let quiet = ana.create_room("Quiet corner", "").await;
    // Activity moves a room to the top.
    bob.send(&rust, "hello").await;

    let list = ana.rooms("").await;
    let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids[..3], [rust.as_str(), quiet.as_str(), otters.as_str()]);
    assert!(ids.contains(&HOME_ROOM), "the home room is listed too");
    let joined: Vec<bool> = list[..3].iter().map(|r| r.joined).collect();
    assert_eq!(joined, [false, true, true], "ana is in her own rooms only");
    assert_eq!(list[0].member_count, 1);

    // Any case, any part; LIKE's wildcards are plain characters.
    let found: Vec<String> = ana
        .rooms("OTTER")
        .await
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(found, ["Otter spotters"]);
    assert!(ana.rooms("%").await.is_empty());
    assert!(ana.rooms("_").await.is_empty());
}

#[tokio::test]
async fn joining_by_a_rooms_id_lets_you_in_and_leaving_lets_you_out() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let room = ana.create_room("Otter spotters", "river sightings").await;

    // The share link's card: name, topic, count; nothing else.
    let card = RoomSummary::from_json(ok(bob.room_res(&room).await).await);
    assert_eq!(
        (
            card.name.as_str(),
            card.topic.as_deref(),
            card.member_count,
            card.joined
        ),
        ("Otter spotters", Some("river sightings"), 1, false)
    );
    expect_status(bob.open_res(&room).await, StatusCode::NOT_FOUND).await;

    expect_status(bob.join_res(&room).await, StatusCode::OK).await;
    // Joining twice changes nothing.
    let counts = app.row_counts().await;
    expect_status(bob.join_res(&room).await, StatusCode::OK).await;
    assert_eq!(app.row_counts().await, counts);

    let view = ana.open(&room).await;
    assert_eq!(view.member_count, 2);
    let lines: Vec<String> = view
        .page
        .messages
        .iter()
        .filter_map(|m| m.body.clone())
        .collect();
    assert_eq!(lines, ["ana created the room", "bob joined"]);
    assert!(bob.chats().await.iter().any(|t| t.id == room));

    expect_status(bob.leave_room_res(&room).await, StatusCode::OK).await;
    assert!(!bob.chats().await.iter().any(|t| t.id == room));
    let view = ana.open(&room).await;
    assert_eq!(view.member_count, 1);
    assert_eq!(
        view.page
            .messages
            .last()
            .and_then(|m| m.body.clone())
            .as_deref(),
        Some("bob left")
    );
    expect_status(bob.open_res(&room).await, StatusCode::NOT_FOUND).await;
    // …and back again, any time.
    expect_status(bob.join_res(&room).await, StatusCode::OK).await;
    assert_eq!(bob.open(&room).await.member_count, 2);
}

#[tokio::test]
async fn a_chats_id_is_no_room_link_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    app.user("cyd").await;
    let eve = app.user("eve").await;
    let direct = ana.start_chat(&["bob"]).await.id;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let unknown = uuid::Uuid::new_v4().to_string();
    let counts = app.row_counts().await;

    let (_, expected) = status_and_body(eve.room_res(&unknown).await).await;
    for id in [
        direct.as_str(),
        group.as_str(),
        unknown.as_str(),
        "not-a-uuid",
    ] {
        for res in [eve.room_res(id).await, eve.join_res(id).await] {
            let (status, body) = status_and_body(res).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
            assert_eq!(body, expected, "{id}: a different answer reveals something");
        }
        // Even a member of the chat cannot "leave" it as a room.
        expect_status(ana.leave_room_res(id).await, StatusCode::NOT_FOUND).await;
        let page = eve.get_page(&format!("/rooms/{id}")).await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "/rooms/{id}");
    }
    assert_eq!(app.row_counts().await, counts, "nothing changed");
    assert!(eve.chats().await.is_empty());
}

#[tokio::test]
async fn everyone_is_in_the_home_room_and_nobody_can_leave_it() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let home = ana.open(HOME_ROOM).await;
    assert_eq!(home.name, "Home");
    assert!(home.topic.is_some());
    // ana, bob and Otter.
    assert_eq!(home.member_count, 3);
    assert!(home
        .members
        .iter()
        .any(|m| m.user.username == "otter" && m.user.bot));
    assert!(bob
        .threads()
        .await
        .threads
        .iter()
        .any(|t| t.id == HOME_ROOM));

    let (status, body) = status_and_body(ana.leave_room_res(HOME_ROOM).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("cannot be left"), "{body}");
    assert_eq!(bob.open(HOME_ROOM).await.member_count, 3);

    // Nobody registers as Otter.
    let stranger = app.anonymous();
    let (status, body) = status_and_body(
        stranger
            .call(
                "register",
                &[("username", "Otter"), ("password", "correct horse battery")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("reserved"), "{body}");
}

#[tokio::test]
async fn a_non_member_can_neither_read_post_react_nor_listen_before_joining() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let room = ana.create_room("Private until joined", "").await;
    let hello = ana.send(&room, "hello room").await;
    let counts = app.row_counts().await;

    expect_status(bob.open_res(&room).await, StatusCode::NOT_FOUND).await;
    expect_status(
        bob.older_res(&room, hello.id + 1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_status(
        bob.send_res(&room, "let me in", &client_id()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_status(bob.react_res(hello.id, "👍").await, StatusCode::NOT_FOUND).await;
    expect_status(
        bob.mark_read_res(&room, hello.id).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.row_counts().await, counts);

    // His socket hears nothing of it until he joins.
    let (mut socket, _) = crate::live::client::Live::open(&bob).await;
    ana.send(&room, "still private").await;
    socket.assert_no_event("bob before joining").await;
    expect_status(bob.join_res(&room).await, StatusCode::OK).await;
    ana.send(&room, "welcome bob").await;
    let mut heard = Vec::new();
    while !heard.iter().any(|b: &String| b == "welcome bob") {
        if let Some(m) = crate::live::created(&socket.next_event().await) {
            heard.extend(m.body.clone());
        }
    }
    assert!(!heard.iter().any(|b| b == "still private"), "{heard:?}");
}

#[tokio::test]
async fn creating_rooms_is_limited_per_user() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    for i in 0..5 {
        ana.create_room(&format!("room {i}"), "").await;
    }
    expect_status(
        ana.create_room_res("one too many", "").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    // Someone else is not held back by ana.
    bob.create_room("bob's room", "").await;
}
