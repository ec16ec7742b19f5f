//! Text is counted, cut and judged blank one way everywhere
//! (`app::domain::text`): the plain form and the hydrated composer count the
//! same, a character is what a reader sees, and nothing invisible passes
//! for a message, a group name or a report's detail.

use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{client_id, expect_status, ok};
use crate::helpers::{location, TestApp};
use crate::nojs::form_post;

const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

/// Bodies that show nothing; each alone, and a mix.
const INVISIBLE: [&str; 6] = [
    "\u{200B}",
    "\u{200D}",
    "\u{2060}",
    "\u{FEFF}",
    "\u{3164}",
    " \u{200B}\n\u{2060}\u{FEFF} ",
];

async fn stored_bodies(app: &TestApp) -> Vec<String> {
    let mut db = app.db().await;
    sqlx::query_scalar("SELECT body FROM messages WHERE kind = 'text' ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
}

/// The `body` field's message of a refused call.
async fn body_error(res: reqwest::Response) -> String {
    let text = expect_status(res, StatusCode::BAD_REQUEST).await;
    let err: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(err["Invalid"][0]["field"], "body", "{text}");
    err["Invalid"][0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_plain_form_post_of_3999_characters_in_40_lines_is_stored_with_lf() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    // 40 lines of 99 plus 39 line breaks: 3,999 characters as typed. A
    // browser posts a textarea's line breaks as CRLF: 4,038 chars on the wire.
    let lines = vec!["x".repeat(99); 40];
    let (typed, posted) = (lines.join("\n"), lines.join("\r\n"));
    assert_eq!(posted.chars().count(), 4038);

    let cid = client_id();
    let form = [
        ("thread", dm.as_str()),
        ("body", posted.as_str()),
        ("client_id", cid.as_str()),
    ];
    let res = form_post(&app, &ana, &dm, &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), format!("/chat/{dm}"), "refused");
    assert_eq!(stored_bodies(&app).await, std::slice::from_ref(&typed));
    let seen = bob.open(&dm).await;
    assert_eq!(seen.page.messages[0].body.as_deref(), Some(typed.as_str()));

    // The hydrated composer's text (LF) is the same message and the same count.
    let sent = ana.send(&dm, &typed).await;
    assert_eq!(sent.body.as_deref(), Some(typed.as_str()));
    // A lone CR (old Mac line breaks, some pastes) is a line break too.
    let sent = ana.send(&dm, "one\rtwo").await;
    assert_eq!(sent.body.as_deref(), Some("one\ntwo"));
}

#[tokio::test]
async fn the_limit_counts_characters_as_a_reader_sees_them() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    // 😀 is 2 UTF-16 units, 👍🏽 2 code points, é as e + U+0301 too: each is
    // one character, so 4,000 of any fit and 4,001 do not.
    for one in ["😀", "👍🏽", "e\u{0301}", "🇳🇴"] {
        let max = one.repeat(4000);
        let sent = ana.send(&dm, &max).await;
        assert_eq!(sent.body.as_deref(), Some(max.as_str()), "{one}");
        let over = one.repeat(4001);
        let msg = body_error(ana.send_res(&dm, &over, &client_id()).await).await;
        assert_eq!(msg, "A message is at most 4000 characters (4001 now).");
    }
    assert_eq!(app.count("messages").await, 4);
}

#[tokio::test]
async fn one_character_of_thousands_of_marks_is_refused_by_its_size() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let before = app.count("messages").await;

    // One grapheme of 35,000 combining marks: 70 KB, under the request limit.
    let heavy = format!("a{}", "\u{0301}".repeat(35_000));
    let msg = body_error(ana.send_res(&dm, &heavy, &client_id()).await).await;
    assert_eq!(msg, "This message is too large to send. Please shorten it.");
    assert_eq!(app.count("messages").await, before);
}

#[tokio::test]
async fn an_invisible_only_body_is_refused_and_nothing_is_stored_or_delivered() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let before = app.row_counts().await;

    for body in INVISIBLE {
        let msg = body_error(ana.send_res(&dm, body, &client_id()).await).await;
        assert_eq!(msg, "Type a message first.", "{body:?}");
        // Without JavaScript: back to the thread with the error.
        let cid = client_id();
        let form = [("thread", dm.as_str()), ("body", body), ("client_id", &cid)];
        let res = form_post(&app, &ana, &dm, &form).await;
        let back = location(&res);
        assert!(back.contains("__err"), "{body:?} accepted: {back}");
    }
    // No message, no event (so nothing live), no unread, no preview.
    assert_eq!(app.row_counts().await, before);
    let entry = bob.nav_entry(&dm).await.unwrap();
    assert_eq!(entry.unread, 0);
    assert!(entry.last.is_none());

    // One visible character among them is a message.
    let sent = ana.send(&dm, "\u{200B}hi\u{2060}").await;
    assert_eq!(sent.body.as_deref(), Some("\u{200B}hi\u{2060}"));
}

#[tokio::test]
async fn a_group_name_with_nothing_visible_is_no_name() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    ok(ana.rename_res(&g, "Otters").await).await;

    // Like clearing the field: the members' names come back.
    ok(ana.rename_res(&g, "\u{200B}\u{2060}").await).await;
    let view = bob.open(&g).await;
    assert_eq!(view.title, None);
    assert_eq!(view.name, "ana and cyd");
    assert_eq!(bob.nav_entry(&g).await.unwrap().name, "ana and cyd");

    // Invisible ends are dropped, what is visible stays.
    ok(ana.rename_res(&g, "\u{3164}Otters\u{FEFF}").await).await;
    assert_eq!(bob.open(&g).await.title.as_deref(), Some("Otters"));

    // 80 characters as a reader counts them, emoji sequences included.
    let long = format!("{}{FAMILY}", "a".repeat(79));
    ok(ana.rename_res(&g, &long).await).await;
    assert_eq!(bob.open(&g).await.title.as_deref(), Some(long.as_str()));
    let emoji = "😀".repeat(80);
    ok(ana.rename_res(&g, &emoji).await).await;
    assert_eq!(bob.open(&g).await.title.as_deref(), Some(emoji.as_str()));
    expect_status(
        ana.rename_res(&g, &"😀".repeat(81)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn the_preview_never_cuts_inside_an_emoji_sequence() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let a79 = "a".repeat(79);

    // The family is the 80th character: it fits, whole.
    let body = format!("{a79}{FAMILY}");
    ana.send(&dm, &body).await;
    assert_eq!(
        bob.nav_entry(&dm).await.unwrap().last.unwrap().preview,
        body
    );
    // Followed by more: cut after it.
    ana.send(&dm, &format!("{a79}{FAMILY} and more")).await;
    let preview = bob.nav_entry(&dm).await.unwrap().last.unwrap().preview;
    assert_eq!(preview, format!("{a79}{FAMILY}…"));
    // The 81st: cut before it.
    ana.send(&dm, &format!("{a79}b{FAMILY}")).await;
    let preview = bob.nav_entry(&dm).await.unwrap().last.unwrap().preview;
    assert_eq!(preview, format!("{a79}b…"));
}

#[tokio::test]
async fn a_report_detail_is_counted_like_a_message_and_nothing_visible_is_none() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let first = ana.send(&dm, "one").await;
    let second = ana.send(&dm, "two").await;

    ok(bob.report_res(first.id, "spam", "\u{200B}\u{FEFF}").await).await;
    let detail = "👍🏽".repeat(500);
    ok(bob.report_res(second.id, "other", &detail).await).await;
    let mut db = app.db().await;
    let reasons: Vec<String> = sqlx::query_scalar("SELECT reason FROM reports ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(reasons, ["spam".to_owned(), format!("other: {detail}")]);
}
