//! The membership gate (F22): a thread or message you are not in does not
//! exist for you, exactly like one that does not exist at all; and nothing
//! works logged out or from another site.

use reqwest::{header, StatusCode};

use crate::chat_helpers::{client_id, list_form, status_and_body, User};
use crate::helpers::TestApp;

const RANDOM_THREAD: &str = "0b6e2f0c-7a51-4b0e-9d0a-2f4d8c1e9a77";
const RANDOM_MESSAGE: i64 = 987_654_321;

/// Every server function that takes a thread id, called by `user` on
/// `thread` with otherwise valid arguments: (endpoint, status, body).
async fn every_thread_call(user: &User, thread: &str) -> Vec<(&'static str, StatusCode, String)> {
    let cid = client_id();
    let before = i64::MAX.to_string();
    let calls: Vec<(&'static str, Vec<(String, &str)>)> = vec![
        ("open_thread", vec![("thread".into(), thread)]),
        (
            "older_messages",
            vec![("thread".into(), thread), ("before".into(), &before)],
        ),
        (
            "send_message",
            vec![
                ("thread".into(), thread),
                ("body".into(), "let me in"),
                ("client_id".into(), &cid),
            ],
        ),
        (
            "send_sticker",
            vec![
                ("thread".into(), thread),
                ("sticker".into(), "otter"),
                ("client_id".into(), &cid),
            ],
        ),
        (
            "rename_group",
            vec![("thread".into(), thread), ("title".into(), "Pwned")],
        ),
        (
            "add_members",
            [("thread".into(), thread)]
                .into_iter()
                .chain(list_form("usernames", &["cyd"]))
                .collect(),
        ),
        (
            "remove_member",
            vec![("thread".into(), thread), ("username".into(), "bob")],
        ),
        ("leave_thread", vec![("thread".into(), thread)]),
    ];
    let mut out = Vec::new();
    for (endpoint, form) in calls {
        let (status, body) = status_and_body(user.call_owned(endpoint, &form).await).await;
        out.push((endpoint, status, body));
    }
    out
}

/// Every server function that takes a message id, likewise.
async fn every_message_call(
    user: &User,
    message_id: &str,
) -> Vec<(&'static str, StatusCode, String)> {
    let calls: Vec<(&'static str, Vec<(&str, &str)>)> = vec![
        ("delete_message", vec![("message_id", message_id)]),
        (
            "toggle_reaction",
            vec![("message_id", message_id), ("emoji", "👍")],
        ),
        (
            "report_message",
            vec![
                ("message_id", message_id),
                ("reason", "spam"),
                ("detail", ""),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (endpoint, form) in calls {
        let (status, body) = status_and_body(user.call(endpoint, &form).await).await;
        out.push((endpoint, status, body));
    }
    out
}

/// A's and B's direct chat and group (with dee), each with messages, and
/// a group cyd was in that a moderator deleted.
struct Scene {
    app: TestApp,
    cyd: User,
    dm: String,
    group: String,
    deleted: String,
    /// Messages cyd may not touch: in the DM, in the group (a system line
    /// too), and cyd's own in the deleted group.
    messages: Vec<i64>,
}

async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    app.user("dee").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let group = ana.start_chat(&["bob", "dee"]).await.id;
    let deleted = cyd.start_chat(&["ana", "bob"]).await.id;
    let mut messages = vec![
        ana.send(&dm, "from ana").await.id,
        bob.send(&dm, "from bob").await.id,
        bob.send(&group, "in the group").await.id,
        ana.open(&group).await.page.messages[0].id,
    ];
    let own = cyd.send(&deleted, "cyd's own, in a deleted group").await.id;
    ana.react(own, "👍").await;
    app.soft_delete_thread(&deleted).await;
    messages.push(own);
    // The members still see their own threads.
    ana.open(&dm).await;
    bob.open(&group).await;
    Scene {
        app,
        cyd,
        dm,
        group,
        deleted,
        messages,
    }
}

#[tokio::test]
async fn other_peoples_threads_look_exactly_like_missing_ones() {
    let s = scene().await;
    let counts = s.app.row_counts().await;

    let reference = every_thread_call(&s.cyd, RANDOM_THREAD).await;
    for (endpoint, status, body) in &reference {
        assert_eq!(*status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert_eq!(body, "\"NotFound\"", "{endpoint}");
    }
    for thread in [
        s.dm.as_str(),
        &s.group,
        &s.deleted,
        "../etc",
        "1",
        "",
        &s.dm.to_uppercase(),
        &format!("{}/../{}", s.dm, s.dm),
    ] {
        let got = every_thread_call(&s.cyd, thread).await;
        assert_eq!(got, reference, "thread {thread:?}");
    }

    assert_eq!(s.app.row_counts().await, counts);
    assert!(s.cyd.chats().await.is_empty());
    let mut db = s.app.db().await;
    let titles: Vec<Option<String>> =
        sqlx::query_scalar("SELECT title FROM threads WHERE kind <> 'room'")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert!(titles.iter().all(Option::is_none), "{titles:?}");
}

#[tokio::test]
async fn other_peoples_messages_look_exactly_like_missing_ones() {
    let s = scene().await;
    let counts = s.app.row_counts().await;

    let reference = every_message_call(&s.cyd, &RANDOM_MESSAGE.to_string()).await;
    for (endpoint, status, body) in &reference {
        assert_eq!(*status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert_eq!(body, "\"NotFound\"", "{endpoint}");
    }
    let mut ids: Vec<String> = s.messages.iter().map(i64::to_string).collect();
    ids.extend(["0", "-1", "1"].map(String::from));
    for id in &ids {
        let got = every_message_call(&s.cyd, id).await;
        assert_eq!(got, reference, "message {id}");
    }
    // An id that is not a number cannot name anything: a malformed
    // request (400), which says nothing about any message either.
    for id in ["../etc", "1.5", ""] {
        for (endpoint, status, body) in every_message_call(&s.cyd, id).await {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint} {id:?}: {body}");
        }
    }

    assert_eq!(s.app.row_counts().await, counts);
    let mut db = s.app.db().await;
    let deleted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE deleted_at IS NOT NULL")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(deleted, 0);
}

#[tokio::test]
async fn a_deleted_thread_is_gone_for_its_members_too() {
    let s = scene().await;
    let eve = s.app.user("eve").await;
    // eve is no member; cyd is, of the deleted group: both get the same.
    let as_outsider = every_thread_call(&eve, &s.deleted).await;
    let as_member = every_thread_call(&s.cyd, &s.deleted).await;
    assert_eq!(as_member, as_outsider);
    assert!(as_member
        .iter()
        .all(|(_, status, _)| *status == StatusCode::NOT_FOUND));
    let own = *s.messages.last().unwrap();
    let got = every_message_call(&s.cyd, &own.to_string()).await;
    assert!(
        got.iter()
            .all(|(_, status, _)| *status == StatusCode::NOT_FOUND),
        "{got:?}"
    );
    assert!(s.cyd.chats().await.is_empty());
}

#[tokio::test]
async fn nothing_works_logged_out() {
    let s = scene().await;
    let nobody = s.app.anonymous();
    let counts = s.app.row_counts().await;

    let mut answers = every_thread_call(&nobody, &s.dm).await;
    answers.extend(every_thread_call(&nobody, RANDOM_THREAD).await);
    answers.extend(every_message_call(&nobody, &s.messages[0].to_string()).await);
    for (endpoint, form) in [("threads", vec![]), ("search_users", vec![("query", "an")])] {
        let (status, body) = status_and_body(nobody.call(endpoint, &form).await).await;
        answers.push((endpoint, status, body));
    }
    let (status, body) = status_and_body(nobody.start_chat_res(&["ana"]).await).await;
    answers.push(("start_chat", status, body));

    for (endpoint, status, body) in &answers {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{endpoint}: {body}");
        assert_eq!(body, "\"Unauthorized\"", "{endpoint}");
    }
    assert_eq!(s.app.row_counts().await, counts);
}

#[tokio::test]
async fn a_foreign_origin_cannot_send_a_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let res = ana
        .client
        .post(app.url("/api/send_message"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[
            ("thread", dm.as_str()),
            ("body", "cross-site"),
            ("client_id", &client_id()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("messages").await, 0);

    // The same request from the site itself goes through.
    let res = ana
        .client
        .post(app.url("/api/send_message"))
        .header(header::ORIGIN, app.url(""))
        .form(&[
            ("thread", dm.as_str()),
            ("body", "same-site"),
            ("client_id", &client_id()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("messages").await, 1);
}
