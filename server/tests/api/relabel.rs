//! Labels relative to "now" follow the viewer's clock: the list says when
//! the viewer's day ends, and data fetched with a clock past it is written
//! for the new day (the open page refetches then, `chat::clock`).

use app::model::{NavList, ThreadView};
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use crate::chat_helpers::{ok, FromJson, User};
use crate::helpers::TestApp;

/// The viewer's zone: UTC+5:45, so its midnight is not on a UTC hour.
const ZONE: Tz = chrono_tz::Asia::Kathmandu;

fn in_zone(user: &User, app: &TestApp) {
    let url: reqwest::Url = app.url("/").parse().unwrap();
    user.jar.add_cookie_str("tz=Asia%2FKathmandu; Path=/", &url);
}

async fn list_at(user: &User, at: Option<DateTime<Utc>>) -> NavList {
    let at = at.map(|t| t.timestamp_millis().to_string());
    let form: Vec<(&str, &str)> = at.as_deref().map(|a| vec![("at", a)]).unwrap_or_default();
    NavList::from_json(ok(user.call("threads", &form).await).await)
}

async fn open_at(user: &User, thread: &str, at: DateTime<Utc>) -> ThreadView {
    let at = at.timestamp_millis().to_string();
    ThreadView::from_json(
        ok(user
            .call("open_thread", &[("thread", thread), ("at", &at)])
            .await)
        .await,
    )
}

/// The first instant of the next day in `ZONE` after `now`.
fn next_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.with_timezone(&ZONE).date_naive().succ_opt().unwrap();
    ZONE.from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn after_the_viewers_midnight_today_becomes_yesterday_and_new_messages_are_today() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    in_zone(&ana, &app);
    let dm = ana.start_chat(&["bob"]).await.id;
    let one = bob.send(&dm, "one").await;

    // Now: the list says when ana's day ends, in her zone.
    let list = list_at(&ana, None).await;
    let midnight = next_midnight(Utc::now());
    assert_eq!(list.relabel_at_ms, midnight.timestamp_millis());
    let stamp = list.threads[0].last.as_ref().unwrap().when.clone();
    assert!(
        stamp.ends_with("AM") || stamp.ends_with("PM"),
        "a time today: {stamp}"
    );
    let view = open_at(&ana, &dm, Utc::now()).await;
    assert_eq!(view.page.messages.last().unwrap().day_label, "Today");

    // Twenty seconds into her next day (her clock; ours may lag behind).
    let after = midnight + Duration::seconds(20);
    let list = list_at(&ana, Some(after)).await;
    let stamp = &list.threads[0].last.as_ref().unwrap().when;
    assert!(
        !stamp.ends_with('M'),
        "a date once the day is over: {stamp}"
    );
    assert_eq!(
        list.relabel_at_ms,
        (midnight + Duration::days(1)).timestamp_millis()
    );
    // A message stamped after her midnight (the clock is faked by dating
    // it; the server stamps with its own) goes under a new "Today".
    let two = bob.send(&dm, "two").await;
    let mut db = app.db().await;
    let sql = format!(
        "UPDATE messages SET created_at = {} WHERE id = $2",
        app.time_sql("$1")
    );
    sqlx::query(&sql)
        .bind((midnight + Duration::seconds(10)).to_rfc3339())
        .bind(two.id)
        .execute(&mut db)
        .await
        .unwrap();
    let view = open_at(&ana, &dm, after).await;
    let labels: Vec<(&str, &str)> = view
        .page
        .messages
        .iter()
        .filter(|m| m.id == one.id || m.id == two.id)
        .map(|m| (m.day_label.as_str(), m.day.as_str()))
        .collect();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0].0, "Yesterday");
    assert_eq!(labels[1].0, "Today");
    assert_ne!(labels[0].1, labels[1].1, "two days, two separators");
}

#[tokio::test]
async fn an_unbelievable_clock_is_ignored() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    ana.send(&dm, "one").await;
    let now = Utc::now();
    for far in [now + Duration::days(3), now - Duration::days(3)] {
        let list = list_at(&ana, Some(far)).await;
        let stamp = &list.threads[0].last.as_ref().unwrap().when;
        assert!(stamp.ends_with('M'), "still today by our clock: {stamp}");
    }
    // Junk is refused like any malformed field.
    let res = ana.call("threads", &[("at", "soon")]).await;
    assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST);
}
