//! Logged events cross nodes: every socket, whichever node it is on, gets
//! every change made through either node, once, in the log's order.

use reqwest::StatusCode;

use super::client::Live;
use super::{created, events, id_kinds, logged_after, login_on, two_nodes};
use crate::chat_helpers::expect_status;

#[tokio::test]
async fn changes_made_through_either_node_reach_every_socket_on_both_once_in_one_order() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let ana = a.user("ana").await;
    let bob = a.user("bob").await;
    let cyd = a.user("cyd").await;
    a.user("dan").await;
    a.user("eve").await;
    let group = ana.start_chat(&["bob", "cyd", "eve"]).await.id;
    let ana_b = login_on(&b, &ana).await;
    let bob_b = login_on(&b, &bob).await;
    let cyd_b = login_on(&b, &cyd).await;

    // ana on A, bob on B, cyd on both.
    let mut sockets = Vec::new();
    for (who, user) in [
        ("ana on A", &ana),
        ("bob on B", &bob_b),
        ("cyd on A", &cyd),
        ("cyd on B", &cyd_b),
    ] {
        let (socket, cursor) = Live::open(user).await;
        sockets.push((who, socket, cursor));
    }
    // Nothing is logged while they open: one starting point for all.
    let start = sockets[0].2;
    for (who, _, cursor) in &sockets {
        assert_eq!(*cursor, start, "{who}");
    }

    // Through A and B in turn: sends, a delete, a reaction, a member
    // added and one removed, a rename, and sends after those.
    let mut sent = Vec::new();
    sent.push(ana.send(&group, "one, through A").await.id);
    sent.push(bob_b.send(&group, "two, through B").await.id);
    sent.push(cyd.send(&group, "three, through A").await.id);
    sent.push(cyd_b.send(&group, "four, through B").await.id);
    bob_b.delete(sent[1]).await;
    cyd.react(sent[0], "👍").await;
    expect_status(ana_b.add_res(&group, &["dan"]).await, StatusCode::OK).await;
    expect_status(ana.remove_res(&group, "eve").await, StatusCode::OK).await;
    expect_status(
        bob_b.rename_res(&group, "Across nodes").await,
        StatusCode::OK,
    )
    .await;
    sent.push(ana_b.send(&group, "five, through B").await.id);
    sent.push(bob.send(&group, "six, through A").await.id);

    let logged = logged_after(&a, start).await;
    for kind in [
        "message_created",
        "message_deleted",
        "reaction_changed",
        "member_added",
        "member_removed",
        "thread_renamed",
        "read_moved",
    ] {
        assert!(
            logged.iter().any(|(_, k)| k == kind),
            "no {kind} in {logged:?}"
        );
    }
    for (who, socket, _) in &mut sockets {
        let got = events(socket, logged.len()).await;
        // The log's events, each once, in its (increasing) order: the
        // same ids in the same order on every socket.
        assert_eq!(id_kinds(&got), logged, "{who}");
        assert!(got.iter().all(|e| e.thread == group), "{who}");
        let mine: Vec<i64> = got
            .iter()
            .filter_map(created)
            .filter(|id| sent.contains(id))
            .collect();
        assert_eq!(mine, sent, "{who}");
    }
    // Every socket has had the last event, so both pumps have delivered
    // the whole log: anything more now would be a duplicate.
    for (who, socket, _) in &mut sockets {
        socket.assert_no_event(who).await;
    }
}
