//! Reporting someone else's message to the moderators (F7, F21).

use app::model::ReportOutcome;
use reqwest::StatusCode;
use serde_json::Value;

use crate::chat_helpers::{expect_status, ok};
use crate::helpers::TestApp;

async fn reports(app: &TestApp) -> Vec<(i64, i64, String, String)> {
    let mut db = app.db().await;
    sqlx::query_as("SELECT message_id, reporter_id, reason, status FROM reports ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
}

#[tokio::test]
async fn reporting_a_message_files_one_open_report() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "buy pills").await;

    let res = bob.report_res(msg.id, "spam", "  sells pills  ").await;
    assert_eq!(ok(res).await, Value::from("Filed"));
    assert_eq!(
        reports(&app).await,
        [(msg.id, bob.id, "spam: sells pills".into(), "open".into())]
    );

    // Again, even with another reason: still the first report only, and
    // the answer says so.
    for reason in ["hate", "spam"] {
        assert_eq!(
            bob.report(msg.id, reason).await,
            ReportOutcome::AlreadyReported
        );
    }
    assert_eq!(reports(&app).await.len(), 1);
    assert_eq!(reports(&app).await[0].2, "spam: sells pills");

    // The reported message is unchanged for everyone.
    assert_eq!(
        bob.open(&dm).await.page.messages[0].body.as_deref(),
        Some("buy pills")
    );
}

#[tokio::test]
async fn you_cannot_report_your_own_message_or_a_system_line() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "my own words").await;

    expect_status(
        ana.report_res(msg.id, "spam", "").await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    let line = bob.open(&g).await.page.messages[0].id;
    expect_status(
        bob.report_res(line, "spam", "").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn a_report_needs_a_known_reason_and_a_short_detail() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "hmm").await;

    let long = "x".repeat(501);
    for (reason, detail, field) in [
        ("because", "", "reason"),
        ("", "", "reason"),
        ("SPAM", "", "reason"),
        ("other", long.as_str(), "detail"),
    ] {
        let body = expect_status(
            bob.report_res(msg.id, reason, detail).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let err: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(err["Invalid"][0]["field"], field, "{reason:?}: {body}");
    }
    assert_eq!(app.count("reports").await, 0);

    // 500 characters of detail is fine.
    ok(bob.report_res(msg.id, "other", &"y".repeat(500)).await).await;
    assert_eq!(app.count("reports").await, 1);
}

#[tokio::test]
async fn a_message_is_reported_once_per_person_and_each_person_counts() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let msg = ana.send(&group, "say that again").await.id;

    // Twice at once from the same person: still one report.
    let (x, y) = tokio::join!(
        bob.report_res(msg, "spam", ""),
        bob.report_res(msg, "spam", "")
    );
    let (x, y) = tokio::join!(ok(x), ok(y));
    let mut outcomes = [x.to_string(), y.to_string()];
    outcomes.sort();
    assert_eq!(outcomes, [r#""AlreadyReported""#, r#""Filed""#]);
    assert_eq!(cyd.report(msg, "hate").await, ReportOutcome::Filed);
    assert_eq!(
        cyd.report(msg, "hate").await,
        ReportOutcome::AlreadyReported
    );
    let rows = reports(&app).await;
    let by: Vec<i64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(by, [bob.id, cyd.id]);
    assert!(rows.iter().all(|r| r.3 == "open"));
}

#[tokio::test]
async fn a_message_outside_your_threads_cannot_be_reported() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "private words").await.id;

    // cyd is in no thread with it: it does not exist for her, like a
    // message that does not exist at all.
    for id in [msg, msg + 1000] {
        let body = expect_status(cyd.report_res(id, "spam", "").await, StatusCode::NOT_FOUND).await;
        assert!(!body.contains("private words"), "{body}");
    }
    let nobody = app.anonymous();
    expect_status(
        nobody.report_res(msg, "spam", "").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(app.count("reports").await, 0);
}
