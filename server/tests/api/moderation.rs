//! The moderators' side of reports (F21): who may see the queue, what it
//! shows, and what Remove and Dismiss do, through every read path a
//! member has (pages, server functions, live frames, replays).

use app::domain::{preview, safety};
use app::model::{ModAction, ModQueue, QueueItem, ThreadKind};
use app::protocol::{Change, ServerFrame};
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{bodies, client_id, expect_status, ok, status_and_body, wait_for, User};
use crate::helpers::TestApp;
use crate::live::client::{Dial, Live, QUIET};

const SECRET: &str = "buy my pills at the otter pond 4471";

/// `(message_id, reporter_id, reason, status, decided)` of every report,
/// oldest first (`decided`: it points at a decision).
async fn reports(app: &TestApp) -> Vec<(i64, i64, String, String, bool)> {
    let mut db = app.db().await;
    let rows: Vec<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT message_id, reporter_id, reason, status, decision_id FROM reports ORDER BY id",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(m, r, reason, status, d)| (m, r, reason, status, d.is_some()))
        .collect()
}

/// The statuses of every report, oldest first.
async fn statuses(app: &TestApp) -> Vec<String> {
    reports(app).await.into_iter().map(|r| r.3).collect()
}

/// `(message_id, moderator_id, action)` of every decision, oldest first.
async fn decisions(app: &TestApp) -> Vec<(i64, i64, String)> {
    let mut db = app.db().await;
    sqlx::query_as("SELECT message_id, moderator_id, action FROM moderation_decisions ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
}

/// `(removed_by, removed)` of a message as stored.
async fn removal(app: &TestApp, message_id: i64) -> (Option<i64>, bool) {
    let mut db = app.db().await;
    let (by, at): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT removed_by, CAST(removed_at AS TEXT) FROM messages WHERE id = $1")
            .bind(message_id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    (by, at.is_some())
}

/// The queue item of `message_id` in `queue`.
fn item(queue: &ModQueue, message_id: i64) -> &QueueItem {
    queue
        .items
        .iter()
        .find(|i| i.message.id == message_id)
        .unwrap_or_else(|| panic!("message {message_id} is not in the queue: {queue:?}"))
}

/// The texts of context messages.
fn texts(messages: &[app::model::ModMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.text.as_str()).collect()
}

/// The JSON error of a 409 answer: the sentence it carries.
async fn conflict(res: reqwest::Response) -> String {
    let body = expect_status(res, StatusCode::CONFLICT).await;
    let err: Value = serde_json::from_str(&body).unwrap();
    err["Conflict"]
        .as_str()
        .unwrap_or_else(|| panic!("not a Conflict: {body}"))
        .to_owned()
}

/// A direct chat between ana and bob with one message of ana's that bob
/// reported; eve is a moderator. `(thread, message)`.
async fn reported_dm(ana: &User, bob: &User, body: &str) -> (String, i64) {
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, body).await.id;
    assert_eq!(
        bob.report(msg, "spam").await,
        app::model::ReportOutcome::Filed
    );
    (dm, msg)
}

#[tokio::test]
async fn everyone_but_a_moderator_gets_not_found_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let eve = app.moderator("eve").await;
    let (dm, msg) = reported_dm(&ana, &bob, SECRET).await;
    let through = item(&eve.queue().await, msg).through;
    let counts = app.row_counts().await;
    // What an address that does not exist answers, for comparison.
    let missing = expect_status(bob.get_page("/no-such-page").await, StatusCode::NOT_FOUND).await;
    let not_found = "There is nothing here";
    assert!(missing.contains(not_found), "{missing}");

    let nobody = app.anonymous();
    for (who, user) in [
        ("the author", &ana),
        ("the reporter", &bob),
        ("a bystander", &cyd),
        ("a visitor", &nobody),
    ] {
        for path in ["/moderation", "/moderation/resolved"] {
            let (status, page) = status_and_body(user.get_page(path).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who}: GET {path}");
            assert!(page.contains(not_found), "{who}: GET {path}: {page}");
            // (ana's and bob's own navigation list previews the message.)
            if user.id == cyd.id || user.id == 0 {
                assert!(!page.contains(SECRET), "{who}: GET {path}: {page}");
            }
        }
        let mut answers = vec![
            ("moderation_queue", user.queue_res().await),
            ("resolved_reports", user.resolved_res().await),
        ];
        for action in ["remove", "dismiss", "nonsense"] {
            answers.push(("decide_report", user.decide_res(msg, through, action).await));
        }
        for (endpoint, res) in answers {
            let body = expect_status(res, StatusCode::NOT_FOUND).await;
            assert_eq!(
                serde_json::from_str::<Value>(&body).unwrap(),
                Value::from("NotFound"),
                "{who}: {endpoint}"
            );
            assert!(!body.contains(SECRET), "{who}: {endpoint}: {body}");
        }
    }

    // Nothing changed: the report is open, the message is as it was.
    assert_eq!(app.row_counts().await, counts);
    assert_eq!(statuses(&app).await, ["open"]);
    assert!(decisions(&app).await.is_empty());
    assert_eq!(removal(&app, msg).await, (None, false));
    for user in [&ana, &bob] {
        let page = user.open(&dm).await.page;
        assert_eq!(bodies(&page), [Some(SECRET)], "{}", user.name);
        assert!(!page.messages[0].removed);
    }
    assert_eq!(eve.queue().await.open, 1);
}

#[tokio::test]
async fn the_moderation_pages_are_there_for_a_moderator() {
    let app = TestApp::spawn().await;
    let eve = app.moderator("eve").await;
    for path in ["/moderation", "/moderation/resolved"] {
        let (status, page) = status_and_body(eve.get_page(path).await).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {page}");
    }
}

#[tokio::test]
async fn the_queue_groups_reports_by_message_oldest_first_and_never_names_a_reporter() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    // The reporters: they never write anything, so their names could only
    // reach the queue as reporters.
    let quentin = app.user("quentin").await;
    let rosalind = app.user("rosalind").await;
    let xavier = app.user("xavier").await;
    let eve = app.moderator("eve").await;

    let group = ana
        .start_chat(&["bob", "quentin", "rosalind", "xavier"])
        .await
        .id;
    expect_status(ana.rename_res(&group, "Otters").await, StatusCode::OK).await;
    let words = ["one", "two", "three", "four", "five", "six", "seven"];
    let mut m = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let author = if i % 2 == 0 { &ana } else { &bob };
        m.push(author.send(&group, w).await.id);
    }
    let dm = ana.start_chat(&["bob"]).await.id;
    let in_dm = ana.send(&dm, "just between us").await.id;
    let room: String = serde_json::from_value(
        ok(ana
            .call("create_room", &[("name", "River watch"), ("topic", "")])
            .await)
        .await,
    )
    .unwrap();
    expect_status(
        quentin.call("join_room", &[("room", &room)]).await,
        StatusCode::OK,
    )
    .await;
    let in_room = ana.send(&room, "said in the room").await.id;

    // In this order: "five" twice (a detail with the second), "three",
    // the direct message, the room's.
    quentin.report(m[4], "spam").await;
    ok(rosalind.report_res(m[2], "harassment", "rude").await).await;
    ok(xavier.report_res(m[4], "other", "see the context").await).await;
    bob.report(in_dm, "hate").await;
    quentin.report(in_room, "spam").await;
    // The author takes "five" back: moderators still read what was said.
    ana.delete(m[4]).await;

    let res = eve.queue_res().await;
    let (status, raw) = status_and_body(res).await;
    assert_eq!(status, StatusCode::OK, "{raw}");
    for reporter in ["quentin", "rosalind", "xavier"] {
        assert!(!raw.contains(reporter), "{reporter} is named: {raw}");
    }
    let queue: ModQueue = serde_json::from_str(&raw).unwrap();
    assert_eq!(queue.open, 5);
    let order: Vec<i64> = queue.items.iter().map(|i| i.message.id).collect();
    assert_eq!(order, [m[4], m[2], in_dm, in_room], "oldest report first");

    let five = item(&queue, m[4]);
    assert_eq!(five.reports, 2);
    assert_eq!(five.reasons, ["spam", "other: see the context"]);
    assert_eq!(five.message.text, "five", "full text after deletion");
    assert!(five.message.deleted);
    assert!(!five.message.removed);
    assert_eq!(
        (five.message.author.as_str(), five.message.author_id),
        ("ana", ana.id)
    );
    assert_eq!(
        (five.thread_kind, five.thread_name.as_str()),
        (ThreadKind::Group, "Otters")
    );
    assert_eq!(texts(&five.before), ["three", "four"]);
    assert_eq!(texts(&five.after), ["six", "seven"]);
    assert_eq!(five.before[1].author, "bob");
    assert!(!five.first_reported.is_empty() && !five.last_reported.is_empty());

    let three = item(&queue, m[2]);
    assert_eq!(
        (three.reports, &three.reasons[..]),
        (1, &["harassment: rude".to_owned()][..])
    );
    assert_eq!(three.message.text, "three");
    // The group's system lines ("ana started…", the rename) are no context.
    assert_eq!(texts(&three.before), ["one", "two"]);
    assert_eq!(texts(&three.after), ["four", "five"]);
    assert!(
        three.after[1].deleted,
        "context shows a deleted message as such"
    );

    let direct = item(&queue, in_dm);
    assert_eq!(
        (direct.thread_kind, direct.thread_name.as_str()),
        (ThreadKind::Direct, "ana and bob")
    );
    assert!(direct.before.is_empty() && direct.after.is_empty());
    assert_eq!(direct.reasons, ["hate"]);

    let in_the_room = item(&queue, in_room);
    assert_eq!(
        (in_the_room.thread_kind, in_the_room.thread_name.as_str()),
        (ThreadKind::Room, "River watch")
    );
    assert!(
        in_the_room.before.is_empty(),
        "'quentin joined' is no context"
    );

    // `through` is each message's newest open report.
    let mut db = app.db().await;
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM reports WHERE message_id = $1")
        .bind(m[4])
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(five.through, newest);
}

#[tokio::test]
async fn a_removed_message_never_reaches_a_member_again() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let eve = app.moderator("eve").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    ana.send(&group, "before it").await;
    // cyd's socket will come back from here, before the message existed.
    let before = cyd.threads().await.cursor;
    let cid = client_id();
    let secret = ok(ana.send_res(&group, SECRET, &cid).await).await["id"]
        .as_i64()
        .unwrap();
    bob.send(&group, "after it").await;
    bob.report(secret, "spam").await;
    let (mut live_bob, _) = Live::open(&bob).await;
    let through = item(&eve.queue().await, secret).through;
    // A report filed after eve looked: Remove closes it too.
    cyd.report(secret, "hate").await;

    expect_status(
        eve.decide_res(secret, through, "remove").await,
        StatusCode::OK,
    )
    .await;

    // bob's open socket hears it went, as a removal.
    let removed = wait_for(&mut live_bob, "message_deleted", |f| match f {
        ServerFrame::Event(e) => match e.change {
            Change::MessageDeleted {
                message_id,
                removed,
            } if message_id == secret => Some(removed),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert!(removed, "the event says a moderator removed it");
    assert!(live_bob.texts.iter().all(|t| !t.contains(SECRET)));

    // cyd's socket resuming from before the message: replayed without text.
    let mut resumed = Dial::as_user(&cyd).after(before).connect().await.unwrap();
    let mut replayed = Vec::new();
    loop {
        match resumed.next().await {
            ServerFrame::Event(e) => replayed.push(e),
            ServerFrame::Ready { .. } => break,
            _ => {}
        }
    }
    let created = replayed
        .iter()
        .find_map(|e| match &e.change {
            Change::MessageCreated { message, .. } if message.id == secret => Some(message),
            _ => None,
        })
        .expect("the message's creation is replayed");
    assert_eq!((created.body.as_deref(), created.removed), (None, true));
    assert!(replayed.iter().any(|e| e.change
        == Change::MessageDeleted {
            message_id: secret,
            removed: true
        }));
    assert!(
        resumed.texts.iter().all(|t| !t.contains(SECRET)),
        "{:?}",
        resumed.texts
    );

    // Every page and function a member reads.
    for user in [&ana, &bob, &cyd] {
        let who = &user.name;
        let page = user.open(&group).await.page;
        let texts: Vec<_> = bodies(&page).into_iter().flatten().collect();
        assert!(
            texts.contains(&"before it") && texts.contains(&"after it"),
            "{who}"
        );
        let gone = page.messages.iter().find(|m| m.id == secret).unwrap();
        assert_eq!((gone.body.as_deref(), gone.removed), (None, true), "{who}");
        let older = user.older(&group, i64::MAX).await;
        let gone = older.messages.iter().find(|m| m.id == secret).unwrap();
        assert_eq!((gone.body.as_deref(), gone.removed), (None, true), "{who}");
        for res in [
            user.open_res(&group).await,
            user.older_res(&group, secret + 1).await,
            user.call("threads", &[]).await,
            user.get_page(&format!("/chat/{group}")).await,
            user.get_page("/chat").await,
        ] {
            let body = status_and_body(res).await.1;
            assert!(!body.contains(SECRET), "{who} saw it in: {body}");
        }
    }
    // The navigation preview, when it is the last message.
    let dm = ana.start_chat(&["bob"]).await.id;
    let last = ana.send(&dm, "the last word, also bad").await.id;
    bob.report(last, "spam").await;
    let through_last = item(&eve.queue().await, last).through;
    expect_status(
        eve.decide_res(last, through_last, "remove").await,
        StatusCode::OK,
    )
    .await;
    for user in [&ana, &bob] {
        let entry = user.nav_entry(&dm).await.unwrap().last.unwrap();
        assert_eq!(entry.preview, preview::REMOVED, "{}", user.name);
    }

    // The sender's retry of the original send returns it without its text.
    let retried = ok(ana.send_res(&group, SECRET, &cid).await).await;
    assert_eq!(retried["id"], secret);
    assert_eq!(retried["body"], Value::Null);
    assert_eq!(retried["removed"], true);
    assert!(!retried.to_string().contains(SECRET));

    // Every report on it closed, by one recorded decision.
    let all = reports(&app).await;
    let on_secret: Vec<_> = all.iter().filter(|r| r.0 == secret).collect();
    assert_eq!(on_secret.len(), 2);
    assert!(on_secret.iter().all(|r| r.3 == "removed" && r.4), "{all:?}");
    assert_eq!(
        decisions(&app).await,
        [
            (secret, eve.id, "remove".to_owned()),
            (last, eve.id, "remove".to_owned())
        ]
    );
    assert_eq!(removal(&app, secret).await, (Some(eve.id), true));
    let queue = eve.queue().await;
    assert_eq!((queue.open, queue.items.len()), (0, 0));

    // A removed message cannot be reported again, nor removed again.
    expect_status(
        cyd.report_res(secret, "other", "").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        conflict(eve.decide_res(secret, through, "remove").await).await,
        safety::ALREADY_HANDLED
    );
    assert_eq!(decisions(&app).await.len(), 2);
}

#[tokio::test]
async fn resolved_lists_decisions_newest_first_with_their_moderator() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let eve = app.moderator("eve").await;
    let fay = app.moderator("fay").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let first = ana.send(&dm, "first bad thing").await.id;
    let second = ana.send(&dm, "second, fine after all").await.id;
    bob.report(first, "spam").await;
    ok(bob.report_res(second, "other", "not sure").await).await;
    assert!(eve.resolved().await.is_empty());

    let queue = eve.queue().await;
    let (t1, t2) = (item(&queue, first).through, item(&queue, second).through);
    expect_status(eve.decide_res(first, t1, "remove").await, StatusCode::OK).await;
    expect_status(fay.decide_res(second, t2, "dismiss").await, StatusCode::OK).await;

    let resolved = eve.resolved().await;
    let summary: Vec<_> = resolved
        .iter()
        .map(|d| (d.message.id, d.action, d.moderator.as_str(), d.reports))
        .collect();
    assert_eq!(
        summary,
        [
            (second, ModAction::Dismiss, "fay", 1),
            (first, ModAction::Remove, "eve", 1)
        ]
    );
    assert_eq!(resolved[0].reasons, ["other: not sure"]);
    assert_eq!(resolved[1].message.text, "first bad thing");
    assert!(resolved[1].message.removed);
    assert_eq!(resolved[1].thread_kind, ThreadKind::Direct);
    assert!(resolved.iter().all(|d| !d.decided_at.is_empty()));
}

#[tokio::test]
async fn dismissing_closes_the_reports_seen_and_keeps_the_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let eve = app.moderator("eve").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let msg = ana.send(&group, "a strong opinion").await.id;
    bob.report(msg, "hate").await;
    let through = item(&eve.queue().await, msg).through;
    // cyd reports after eve looked: eve's decision does not cover it.
    cyd.report(msg, "harassment").await;

    expect_status(
        eve.decide_res(msg, through, "dismiss").await,
        StatusCode::OK,
    )
    .await;

    let all = reports(&app).await;
    let got: Vec<_> = all.iter().map(|r| (r.1, r.3.as_str(), r.4)).collect();
    assert_eq!(got, [(bob.id, "dismissed", true), (cyd.id, "open", false)]);
    assert_eq!(decisions(&app).await, [(msg, eve.id, "dismiss".to_owned())]);
    assert_eq!(removal(&app, msg).await, (None, false));
    for user in [&ana, &bob, &cyd] {
        let page = user.open(&group).await.page;
        let m = page.messages.iter().find(|m| m.id == msg).unwrap();
        assert_eq!(
            (m.body.as_deref(), m.removed),
            (Some("a strong opinion"), false)
        );
    }
    // cyd's report waits for its own look.
    let queue = eve.queue().await;
    assert_eq!(queue.open, 1);
    let left = item(&queue, msg);
    assert_eq!(
        (left.reports, &left.reasons[..]),
        (1, &["harassment".to_owned()][..])
    );
    assert!(left.through > through);

    // The same decision again covers nothing open: already handled.
    assert_eq!(
        conflict(eve.decide_res(msg, through, "dismiss").await).await,
        safety::ALREADY_HANDLED
    );
    // A decision that is neither is refused and changes nothing.
    expect_status(
        eve.decide_res(msg, left.through, "delete").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(decisions(&app).await.len(), 1);
    assert_eq!(statuses(&app).await, ["dismissed", "open"]);
}

#[tokio::test]
async fn two_moderators_deciding_at_once_make_one_decision() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let eve = app.moderator("eve").await;
    let fay = app.moderator("fay").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    for (round, (a, b)) in [
        ("remove", "remove"),
        ("remove", "dismiss"),
        ("dismiss", "remove"),
        ("dismiss", "dismiss"),
    ]
    .into_iter()
    .enumerate()
    {
        let msg = ana.send(&dm, &format!("round {round}")).await.id;
        bob.report(msg, "spam").await;
        let through = item(&eve.queue().await, msg).through;
        let (x, y) = tokio::join!(
            eve.decide_res(msg, through, a),
            fay.decide_res(msg, through, b)
        );
        let (x, y) = tokio::join!(status_and_body(x), status_and_body(y));
        let mut got = [x, y];
        got.sort_by_key(|(s, _)| s.as_u16());
        assert_eq!(got[0].0, StatusCode::OK, "round {round}: {got:?}");
        assert_eq!(got[1].0, StatusCode::CONFLICT, "round {round}: {got:?}");
        let err: Value = serde_json::from_str(&got[1].1).unwrap();
        assert_eq!(err["Conflict"], safety::ALREADY_HANDLED);

        let made: Vec<_> = decisions(&app)
            .await
            .into_iter()
            .filter(|d| d.0 == msg)
            .collect();
        assert_eq!(made.len(), 1, "round {round}: {made:?}");
        // The winner's action is the one that happened.
        let removed = removal(&app, msg).await.1;
        assert_eq!(removed, made[0].2 == "remove", "round {round}");
        let decision_rows = reports(&app).await;
        let report = decision_rows.iter().find(|r| r.0 == msg).unwrap();
        let expected = if removed { "removed" } else { "dismissed" };
        assert_eq!(report.3, expected, "round {round}");
    }
    assert_eq!(eve.queue().await.open, 0);
}

/// The open count of a `reports` frame.
fn reports_frame(f: &ServerFrame) -> Option<i64> {
    match f {
        ServerFrame::Reports { open } => Some(*open),
        _ => None,
    }
}

/// Reads `socket` until a `reports` frame says `open`. A count frame is the
/// whole current value, read when its signal is handled: on PostgreSQL a
/// signal sent before an earlier step's answer can be handled after it, so
/// a repeat of the previous count (or the newer count twice) may come
/// first. What the moderator must end up seeing is the new count.
async fn wait_count(socket: &mut Live, open: i64) {
    wait_for(socket, &format!("reports = {open}"), |f| {
        reports_frame(f).filter(|n| *n == open)
    })
    .await;
}

#[tokio::test]
async fn a_moderators_socket_hears_the_open_count_and_nobody_elses_does() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let eve = app.moderator("eve").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let first = ana.send(&dm, "first").await.id;
    let second = ana.send(&dm, "second").await.id;
    bob.report(first, "spam").await;

    // On connect, the count as it stands.
    let mut live_eve = Dial::as_user(&eve).connect().await.unwrap();
    wait_count(&mut live_eve, 1).await;
    let (mut live_ana, _) = Live::open(&ana).await;
    let (mut live_bob, _) = Live::open(&bob).await;

    bob.report(second, "hate").await;
    wait_count(&mut live_eve, 2).await;
    // Reporting again changes nothing, and says nothing.
    assert_eq!(
        bob.report(second, "spam").await,
        app::model::ReportOutcome::AlreadyReported
    );
    let through = item(&eve.queue().await, first).through;
    expect_status(
        eve.decide_res(first, through, "dismiss").await,
        StatusCode::OK,
    )
    .await;
    wait_count(&mut live_eve, 1).await;
    let through = item(&eve.queue().await, second).through;
    expect_status(
        eve.decide_res(second, through, "remove").await,
        StatusCode::OK,
    )
    .await;
    wait_count(&mut live_eve, 0).await;

    // The others heard events (the removal), never a count.
    for (who, socket) in [("ana", &mut live_ana), ("bob", &mut live_bob)] {
        socket.frames_within(QUIET).await;
        let frames: Vec<ServerFrame> = socket
            .texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        assert!(
            !frames.iter().any(|f| reports_frame(f).is_some()),
            "{who}: {frames:?}"
        );
        assert!(
            frames.iter().any(|f| matches!(f, ServerFrame::Event(e)
                if e.change == Change::MessageDeleted { message_id: second, removed: true })),
            "{who} heard the removal: {frames:?}"
        );
    }
    // The navigation list carries the count for moderators only.
    assert_eq!(eve.threads().await.open_reports, Some(0));
    assert_eq!(bob.threads().await.open_reports, None);

    // Revoked, eve's open socket hears no more counts.
    app.set_moderator("eve", false).await;
    let third = ana.send(&dm, "third").await.id;
    bob.report(third, "spam").await;
    // (A late repeat of the last count, 0, may still come; the new report's
    // count, 1, must not.)
    let frames = live_eve.frames_within(QUIET).await;
    assert!(
        !frames
            .iter()
            .any(|f| reports_frame(f).is_some_and(|n| n != 0)),
        "{frames:?}"
    );
    assert_eq!(eve.threads().await.open_reports, None);
}

/// A form post as a browser with JavaScript off sends it.
async fn form_post(
    app: &TestApp,
    user: &User,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    user.client
        .post(app.url(&format!("/api/{endpoint}")))
        .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
        .header(reqwest::header::ORIGIN, app.url(""))
        .header(reqwest::header::REFERER, app.url("/moderation"))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_javascript_a_decision_is_a_form_that_lands_back_on_the_queue() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let eve = app.moderator("eve").await;
    let (dm, msg) = reported_dm(&ana, &bob, SECRET).await;
    let through = item(&eve.queue().await, msg).through.to_string();
    let id = msg.to_string();
    let form = [
        ("message_id", id.as_str()),
        ("through", through.as_str()),
        ("action", "remove"),
    ];

    // Not a moderator: like any refused plain form, back where it came
    // from with the error (which, for them, is a page that is not there);
    // nothing decided.
    let res = form_post(&app, &bob, "decide_report", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = crate::helpers::location(&res);
    assert!(back.starts_with(&app.url("/moderation")), "{back}");
    let res = bob
        .client
        .get(&back)
        .header(reqwest::header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(decisions(&app).await.is_empty());
    assert_eq!(statuses(&app).await, ["open"]);

    let res = form_post(&app, &eve, "decide_report", &form).await;
    assert!(
        matches!(res.status(), StatusCode::FOUND | StatusCode::SEE_OTHER),
        "{}",
        res.status()
    );
    assert_eq!(crate::helpers::location(&res), "/moderation");
    assert_eq!(decisions(&app).await, [(msg, eve.id, "remove".to_owned())]);

    // The page a member loads says it was removed, in the deleted style,
    // and never says what it was.
    for user in [&ana, &bob] {
        let page = expect_status(user.get_page(&format!("/chat/{dm}")).await, StatusCode::OK).await;
        assert!(page.contains(preview::REMOVED), "{}: {page}", user.name);
        assert!(page.contains("msg-deleted"), "{}", user.name);
        assert!(!page.contains(SECRET), "{}", user.name);
    }
    // The moderator's pages show the queue empty and the decision.
    let queue_page = expect_status(eve.get_page("/moderation").await, StatusCode::OK).await;
    assert!(queue_page.contains("No open reports."), "{queue_page}");
    let resolved_page =
        expect_status(eve.get_page("/moderation/resolved").await, StatusCode::OK).await;
    assert!(
        resolved_page.contains(r#"data-testid="decision""#),
        "{resolved_page}"
    );
}
