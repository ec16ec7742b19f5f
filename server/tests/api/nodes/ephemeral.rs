//! What is not logged crosses nodes too: typing reaches the thread's
//! members on the other node, and presence counts a user's sockets on
//! every node.

use std::time::{Duration, Instant};

use app::protocol::{ClientFrame, ServerFrame};

use super::client::{Live, PATIENCE, QUIET};
use super::{login_on, two_nodes};
use crate::chat_helpers::User;
use crate::live::{assert_no_typing, online_flags};

/// How long after a close to listen for a wrong "offline": past the
/// server's 4 s grace, with room for a slow machine.
const PAST_GRACE: Duration = Duration::from_secs(6);

/// The next typing frame on `socket` (presence skipped); panics when none
/// comes within [`PATIENCE`].
async fn next_typing(socket: &mut Live, who: &str) -> (String, i64, String) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match socket.try_next(left).await {
            Some(ServerFrame::Typing { thread, user, name }) => return (thread, user, name),
            Some(ServerFrame::Presence { .. }) => {}
            Some(other) => panic!("{who}: expected typing, got {other:?}"),
            None => panic!("{who} was not told of typing within {PATIENCE:?}"),
        }
    }
}

#[tokio::test]
async fn typing_on_one_node_reaches_a_member_on_the_other_and_no_one_else() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let ana = a.user("ana").await;
    let bob = a.user("bob").await;
    let cyd = a.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let bob_b = login_on(&b, &bob).await;
    let (mut ana_on_a, _) = Live::open(&ana).await;
    // cyd is no member of the chat, on the node where ana is.
    let (mut cyd_on_a, _) = Live::open(&cyd).await;
    let (mut bob_on_b, _) = Live::open(&bob_b).await;

    bob_on_b
        .send(&ClientFrame::Typing { thread: dm.clone() })
        .await;
    let (thread, user, name) = next_typing(&mut ana_on_a, "ana on A").await;
    assert_eq!(
        (thread.as_str(), user, name.as_str()),
        (dm.as_str(), bob.id, "bob")
    );
    assert_no_typing(&mut cyd_on_a, "cyd on A").await;
    assert_no_typing(&mut bob_on_b, "bob, the typist, on B").await;
}

/// The next presence frame about `user`: whether it says online. Panics
/// when none comes within [`PATIENCE`].
async fn presence_of(socket: &mut Live, user: i64, who: &str) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match socket.try_next(left).await {
            Some(ServerFrame::Presence {
                user: about,
                online,
                ..
            }) if about == user => return online,
            Some(_) => {}
            None => panic!("{who} heard nothing of user {user}'s presence within {PATIENCE:?}"),
        }
    }
}

/// No presence frame about the user.
const NOTHING: Vec<bool> = Vec::new();

/// Whether `viewer`'s node lists `user` as online among `thread`'s members.
async fn listed_online(viewer: &User, thread: &str, user: i64) -> bool {
    let view = viewer.open(thread).await;
    view.members
        .iter()
        .find(|m| m.user.id == user)
        .expect("a member")
        .user
        .online
}

#[tokio::test]
async fn a_user_with_sockets_on_two_nodes_is_online_until_both_close() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let ana = a.user("ana").await;
    let bob = a.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let ana_b = login_on(&b, &ana).await;
    let bob_b = login_on(&b, &bob).await;
    // bob watches from both nodes.
    let (mut watch_a, _) = Live::open(&bob).await;
    let (mut watch_b, _) = Live::open(&bob_b).await;

    // ana's first socket anywhere: both of bob's sockets hear she is on.
    let (ana_on_a, _) = Live::open(&ana).await;
    assert!(presence_of(&mut watch_a, ana.id, "bob on A").await);
    assert!(presence_of(&mut watch_b, ana.id, "bob on B").await);

    // A second socket on B, then the one on A closes: past the grace she
    // is still there, and neither node says otherwise (nor "online" again).
    let (ana_on_b, _) = Live::open(&ana_b).await;
    ana_on_a.close().await;
    let (on_a, on_b) = tokio::join!(
        watch_a.frames_within(PAST_GRACE),
        watch_b.frames_within(PAST_GRACE)
    );
    assert_eq!(online_flags(&on_a, ana.id), NOTHING, "bob on A: {on_a:?}");
    assert_eq!(online_flags(&on_b, ana.id), NOTHING, "bob on B: {on_b:?}");
    for (node, viewer) in [("A", &bob), ("B", &bob_b)] {
        assert!(
            listed_online(viewer, &dm, ana.id).await,
            "node {node} lists ana offline while her socket on B is open"
        );
    }

    // Her last socket closes: offline, once, on both nodes.
    ana_on_b.close().await;
    assert!(!presence_of(&mut watch_a, ana.id, "bob on A").await);
    assert!(!presence_of(&mut watch_b, ana.id, "bob on B").await);
    let (on_a, on_b) = tokio::join!(
        watch_a.frames_within(QUIET * 3),
        watch_b.frames_within(QUIET * 3)
    );
    assert_eq!(online_flags(&on_a, ana.id), NOTHING, "bob on A: {on_a:?}");
    assert_eq!(online_flags(&on_b, ana.id), NOTHING, "bob on B: {on_b:?}");
    for (node, viewer) in [("A", &bob), ("B", &bob_b)] {
        assert!(
            !listed_online(viewer, &dm, ana.id).await,
            "node {node} lists ana online after her last socket closed"
        );
    }
}
