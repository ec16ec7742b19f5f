//! Otter, the bot (F14), through the running server on both backends:
//! which messages it answers, what it says, exactly once, and after a
//! crash between a question and its answer.

use std::time::{Duration, Instant};

use app::model::{MessageView, HOME_ROOM};
use chrono::Utc;
use reqwest::StatusCode;

use crate::chat_helpers::{expect_status, ok, User};
use crate::helpers::{fresh_database, TestApp, PASSWORD};
use crate::live::client::{PATIENCE, QUIET};
use crate::process::Node;

/// Otter's messages in `thread`, as `user` sees them.
async fn otters(user: &User, thread: &str) -> Vec<MessageView> {
    user.open(thread)
        .await
        .page
        .messages
        .into_iter()
        .filter(|m| m.sender == "otter")
        .collect()
}

/// Waits until Otter has said `n` things in `thread`; what it said.
async fn otter_says(user: &User, thread: &str, n: usize) -> Vec<String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let said = otters(user, thread).await;
        if said.len() >= n {
            return said.into_iter().filter_map(|m| m.body).collect();
        }
        assert!(
            Instant::now() < deadline,
            "Otter said {said:?}, waited for {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn otter_answers_each_question_in_the_home_room_once_as_its_rules_say() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let table: [(&str, Option<&str>); 8] = [
        ("Hey Otter, what is 12*(3+4)?", Some("84")),
        ("hey otter what is -1.5 + 4", Some("2.5")),
        ("HEY OTTER, 7 % 4 ^ 2", None),
        ("Hey Otter, what is 1/0?", None),
        ("Hey Otter, what is 2^100000?", None),
        ("Hey Otter, what is ((((((((((((((((((((((1))))))))))))))))))))))?", None),
        ("Hey Otter, what is 1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1?", None),
        ("Hey Otter, sing me a song", None),
    ];
    // Two askers, so the per-asker limit (5 a minute) is not what is tested.
    let mut expected = Vec::new();
    for (i, (question, states)) in table.iter().enumerate() {
        let asker = if i % 2 == 0 { &ana } else { &bob };
        asker.send(HOME_ROOM, question).await;
        let q = app::bot::question(question).expect("a question");
        let answer = app::bot::answer(q, Utc::now(), chrono_tz::UTC);
        if let Some(states) = states {
            assert!(answer.contains(states), "{question}: {answer}");
        }
        assert!(answer.chars().count() <= 300, "{question}: {answer}");
        expected.push(answer);
        // One at a time, so the answers' order is the questions'.
        assert_eq!(otter_says(&ana, HOME_ROOM, i + 1).await.len(), i + 1);
    }
    let said = otter_says(&bob, HOME_ROOM, table.len()).await;
    assert_eq!(
        said, expected,
        "both members see every answer, once, in order"
    );
    // A moment more: still one answer per question.
    tokio::time::sleep(QUIET).await;
    assert_eq!(otters(&ana, HOME_ROOM).await.len(), table.len());
}

#[tokio::test]
async fn otter_tells_the_time_in_each_askers_zone() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    for (user, zone) in [(&ana, "Asia%2FKolkata"), (&bob, "America%2FNew_York")] {
        let url: reqwest::Url = app.url("/").parse().unwrap();
        user.jar.add_cookie_str(&format!("tz={zone}; Path=/"), &url);
    }
    ana.send(HOME_ROOM, "Hey Otter, what time is it?").await;
    let said = otter_says(&ana, HOME_ROOM, 1).await;
    assert!(said[0].contains("(Asia/Kolkata)"), "{said:?}");
    bob.send(HOME_ROOM, "hey otter what's the date").await;
    let said = otter_says(&ana, HOME_ROOM, 2).await;
    assert!(said[1].contains("(America/New_York)"), "{said:?}");
}

#[tokio::test]
async fn otter_answers_where_it_is_a_member_and_only_questions_and_never_itself() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    // A direct chat with Otter, a group it was added to, one without it.
    let direct = ana.start_chat(&["otter"]).await.id;
    let with = ana.start_chat(&["bob", "otter"]).await.id;
    let without = ana.start_chat(&["bob"]).await.id;

    // Otter's own words, as if it asked itself.
    let mut db = app.db().await;
    sqlx::query(&format!(
        "INSERT INTO messages (thread_id, sender_id, client_id, kind, body, created_at)
         SELECT t.id, u.id, 'otter-to-itself', 'text', 'Hey Otter, what is 1+1?', {}
         FROM threads t, users u WHERE t.public_id = $1 AND u.username = 'otter'",
        app.time_sql("$2")
    ))
    .bind(&direct)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut db)
    .await
    .unwrap();

    for thread in [&direct, &with, &without] {
        ana.send(thread, "hello otter, no question here").await;
        ana.send(thread, "Hey Otter, what is 6*7?").await;
    }
    let in_direct = otter_says(&ana, &direct, 2).await;
    assert_eq!(in_direct[0], "Hey Otter, what is 1+1?", "its own words");
    assert!(in_direct[1].contains("42"), "{in_direct:?}");
    assert!(otter_says(&ana, &with, 1).await[0].contains("42"));
    tokio::time::sleep(QUIET).await;
    assert!(
        otters(&ana, &without).await.is_empty(),
        "not a member there"
    );
    assert_eq!(otters(&ana, &direct).await.len(), 2, "no answer to itself");
    assert_eq!(
        otters(&ana, &with).await.len(),
        1,
        "no answer to a non-question"
    );
}

/// Otter reads on from how far it has looked, not from its stored cursor
/// (which moves only with what it hears): questions asked while many
/// messages go by elsewhere, before, among and after them, are each still
/// answered exactly once.
#[tokio::test]
async fn otter_answers_questions_among_many_messages_elsewhere() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let elsewhere = ana.start_chat(&["bob"]).await.id;
    // More than one of Otter's batches (100) in a chat it is not in.
    let chatter = |from: usize| {
        let (ana, elsewhere) = (&ana, &elsewhere);
        futures_util::future::join_all((from..from + 80).map(move |i| async move {
            ana.send(elsewhere, &format!("message {i}")).await;
        }))
    };
    chatter(0).await;
    ana.send(HOME_ROOM, "Hey Otter, what is 1+1?").await;
    let (_, _) = tokio::join!(chatter(80), ana.send(HOME_ROOM, "Hey Otter, what is 2+2?"));
    chatter(160).await;
    ana.send(HOME_ROOM, "Hey Otter, what is 3+3?").await;
    let said = otter_says(&ana, HOME_ROOM, 3).await;
    tokio::time::sleep(QUIET).await;
    let said_now: Vec<String> = otters(&ana, HOME_ROOM)
        .await
        .into_iter()
        .filter_map(|m| m.body)
        .collect();
    assert_eq!(said_now, said, "once each");
    for (answer, sum) in said.iter().zip(["2", "4", "6"]) {
        assert!(answer.contains(sum), "{said:?}");
    }
}

#[tokio::test]
async fn otter_answers_one_asker_only_a_few_times_a_minute() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    for i in 0..8 {
        ana.send(HOME_ROOM, &format!("Hey Otter, what is {i}+1?"))
            .await;
    }
    otter_says(&ana, HOME_ROOM, 5).await;
    tokio::time::sleep(QUIET * 2).await;
    assert_eq!(otters(&ana, HOME_ROOM).await.len(), 5);
}

/// The real binary, killed after the question committed and before the
/// answer (Otter waits 3 s before answering, `PARLEY_OTTER_DELAY_MS`):
/// after a restart the question is answered, once.
#[tokio::test]
async fn a_question_left_by_a_crash_is_answered_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    let cwd = std::env::current_dir().unwrap();
    let mut first = Node::start_with(&url, &cwd, &[("PARLEY_OTTER_DELAY_MS", "3000")]).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let post = |node: &Node, endpoint: &str, form: Vec<(&'static str, String)>| {
        client
            .post(node.url(&format!("/api/{endpoint}")))
            .header("origin", node.url(""))
            .form(&form)
            .send()
    };
    let res = post(
        &first,
        "register",
        vec![("username", "ana".into()), ("password", PASSWORD.into())],
    )
    .await
    .unwrap();
    expect_status(res, StatusCode::OK).await;
    let res = post(
        &first,
        "send_message",
        vec![
            ("thread", HOME_ROOM.into()),
            ("body", "Hey Otter, what is 12*(3+4)?".into()),
            ("client_id", "crash-question-1".into()),
        ],
    )
    .await
    .unwrap();
    ok(res).await;
    first.kill();

    let second = Node::start(&url, &cwd).await;
    let deadline = Instant::now() + PATIENCE;
    let answers = loop {
        let res = post(&second, "open_thread", vec![("thread", HOME_ROOM.into())])
            .await
            .unwrap();
        let view: app::model::ThreadView = serde_json::from_value(ok(res).await).unwrap();
        let answers: Vec<String> = view
            .page
            .messages
            .into_iter()
            .filter(|m| m.sender == "otter")
            .filter_map(|m| m.body)
            .collect();
        if !answers.is_empty() || Instant::now() > deadline {
            break answers;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(answers[0].contains("84"), "{answers:?}");
    // Later rounds find nothing more to answer.
    tokio::time::sleep(QUIET * 2).await;
    let res = post(&second, "open_thread", vec![("thread", HOME_ROOM.into())])
        .await
        .unwrap();
    let view: app::model::ThreadView = serde_json::from_value(ok(res).await).unwrap();
    assert_eq!(
        view.page
            .messages
            .iter()
            .filter(|m| m.sender == "otter")
            .count(),
        1
    );
}
