//! Who may connect, and what a session's sockets follow: logout closes
//! them, presence tells co-members who is there.

use std::time::{Duration, Instant};

use app::protocol::{close, ClientFrame, ServerFrame};
use reqwest::StatusCode;

use super::client::{Dial, Ending, Live, PATIENCE};
use super::{created, online_flags};
use crate::chat_helpers::{expect_status, ok};
use crate::helpers::{TestApp, PASSWORD};

/// The status a refused upgrade gets (`None`: it was upgraded).
async fn refused(dial: Dial<'_>) -> Option<StatusCode> {
    dial.connect().await.err()
}

#[tokio::test]
async fn only_a_same_site_logged_in_socket_with_a_valid_cursor_is_upgraded() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let foreign = Dial {
        origin: Some("http://evil.example".into()),
        ..Dial::as_user(&ana)
    };
    assert_eq!(refused(foreign).await, Some(StatusCode::FORBIDDEN));
    let no_cookie = Dial {
        cookie: None,
        ..Dial::as_user(&ana)
    };
    assert_eq!(refused(no_cookie).await, Some(StatusCode::UNAUTHORIZED));
    let bad_cursor = Dial {
        query: "after=abc".into(),
        ..Dial::as_user(&ana)
    };
    assert_eq!(refused(bad_cursor).await, Some(StatusCode::BAD_REQUEST));

    // The same request with the right parts is upgraded; a request with no
    // Origin at all (not a browser) is too.
    assert!(Dial::as_user(&ana).after(0).connect().await.is_ok());
    let no_origin = Dial {
        origin: None,
        ..Dial::as_user(&ana)
    };
    assert!(no_origin.connect().await.is_ok());
    // Logged out, the old cookie no longer opens a socket.
    let cookie = ana.session_cookie();
    expect_status(ana.call("logout", &[]).await, StatusCode::OK).await;
    let stale = Dial {
        cookie,
        ..Dial::as_user(&ana)
    };
    assert_eq!(refused(stale).await, Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn logout_closes_that_sessions_socket_and_no_other() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    // ana on a second device: her own session.
    let mut ana2 = app.anonymous();
    ok(ana2
        .call("login", &[("username", "ana"), ("password", PASSWORD)])
        .await)
    .await;
    ana2.id = ana.id;
    assert_ne!(ana.session_cookie(), ana2.session_cookie());
    let (mut here, _) = Live::open(&ana).await;
    let (mut there, _) = Live::open(&ana2).await;

    expect_status(ana.call("logout", &[]).await, StatusCode::OK).await;
    assert_eq!(
        here.close_code().await,
        Ending::Closed(close::SESSION_ENDED)
    );
    // The other device is still connected and still hears the chat.
    there.send(&ClientFrame::Ping).await;
    assert_eq!(there.next().await, ServerFrame::Pong);
    let sent = bob.send(&dm, "still there?").await;
    assert_eq!(
        created(&there.next_event().await).map(|m| m.id),
        Some(sent.id)
    );
}

/// The next presence frame about `user`, skipping everything else.
async fn presence_of(socket: &mut Live, user: i64) -> (bool, Option<i64>) {
    loop {
        if let ServerFrame::Presence {
            user: who,
            online,
            last_active_ms,
        } = socket.next().await
        {
            if who == user {
                return (online, last_active_ms);
            }
        }
    }
}

#[tokio::test]
async fn co_members_see_someone_come_online_and_leave_after_a_grace() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    ana.start_chat(&["bob"]).await;
    let (mut a, _) = Live::open(&ana).await;

    let (b, _) = Live::open(&bob).await;
    let (online, at) = presence_of(&mut a, bob.id).await;
    assert!(online);
    assert!(at.is_some());

    // A page reload (close, reconnect at once) does not flicker offline.
    b.close().await;
    let (b, _) = Live::open(&bob).await;
    let window = Instant::now() + Duration::from_secs(6);
    while let Some(f) = a
        .try_next(window.saturating_duration_since(Instant::now()))
        .await
    {
        assert!(
            !matches!(f, ServerFrame::Presence { online: false, .. }),
            "bob flickered offline: {f:?}"
        );
    }

    // Gone for good: offline after the grace (4 s), not before.
    let left = Instant::now();
    b.close().await;
    let (online, at) = presence_of(&mut a, bob.id).await;
    assert!(!online);
    assert!(at.is_some());
    let took = left.elapsed();
    assert!(
        took >= Duration::from_millis(3500) && took < PATIENCE,
        "offline after {took:?}"
    );
}

#[tokio::test]
async fn a_quick_reload_then_a_close_says_offline_exactly_once() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    ana.start_chat(&["bob"]).await;
    let (mut a, _) = Live::open(&ana).await;
    let (b, _) = Live::open(&bob).await;
    assert!(presence_of(&mut a, bob.id).await.0);

    // bob reloads his one tab (closed, reopened 0.3 s later), then closes
    // it 1 s after that. Each close starts a grace period; only the last
    // may end in "offline", and only once. Nothing says "online" again:
    // he never appeared to leave.
    b.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (b, _) = Live::open(&bob).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    b.close().await;
    let frames = a.frames_within(Duration::from_secs(8)).await;
    assert_eq!(online_flags(&frames, bob.id), vec![false], "{frames:?}");
}

#[tokio::test]
async fn two_tabs_are_online_until_both_close() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    ana.start_chat(&["bob"]).await;
    let (mut a, _) = Live::open(&ana).await;
    let (b1, _) = Live::open(&bob).await;
    let (b2, _) = Live::open(&bob).await;
    b1.close().await;
    let frames = a.frames_within(Duration::from_secs(6)).await;
    // One "online" for two tabs, and no "offline" while one is open.
    assert_eq!(online_flags(&frames, bob.id), vec![true], "{frames:?}");
    b2.close().await;
    assert!(!presence_of(&mut a, bob.id).await.0);
}
