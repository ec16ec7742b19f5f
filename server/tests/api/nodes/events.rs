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

    // Through A and B in turn: sends, a delete, a reaction, a read, a
    // member added and one removed, a rename, and sends after those.
    let mut sent = Vec::new();
    sent.push(ana.send(&group, "one, through A").await.id);
    sent.push(bob_b.send(&group, "two, through B").await.id);
    sent.push(cyd.send(&group, "three, through A").await.id);
    sent.push(cyd_b.send(&group, "four, through B").await.id);
    bob_b.delete(sent[1]).await;
    cyd.react(sent[0], "👍").await;
    // A read position moved by reading (a send moves its sender's with
    // no event of its own).
    expect_status(ana_b.mark_read_res(&group, sent[3]).await, StatusCode::OK).await;
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

/// The connections listening on the cluster channel, of every node on
/// this test's database.
const LISTENERS: &str = "FROM pg_stat_activity
     WHERE datname = current_database() AND query LIKE 'LISTEN%'";

#[tokio::test]
async fn a_node_that_loses_its_listener_misses_nothing_and_listens_again() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let ana = a.user("ana").await;
    let bob = a.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let bob_b = login_on(&b, &bob).await;
    let (mut socket, _) = Live::open(&bob_b).await;

    // Both nodes' LISTEN connections go, as in a network blip or a
    // database failover.
    let mut db = a.db().await;
    let count = format!("SELECT COUNT(*) {LISTENERS}");
    let listening: i64 = sqlx::query_scalar(&count).fetch_one(&mut db).await.unwrap();
    assert_eq!(listening, 2, "one listener per node");
    let cut: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(pg_terminate_backend(pid)) {LISTENERS}"
    ))
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(cut, 2);

    // Sends through A at once: bob on B gets each, once, in order (B's
    // pump reads the log from its cursor, whatever it heard).
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(ana.send(&dm, &format!("while nobody listens {i}")).await.id);
    }
    let mut got = Vec::new();
    while got.len() < sent.len() {
        if let Some(id) = created(&socket.next_event().await) {
            got.push(id);
        }
    }
    assert_eq!(got, sent);
    // Nothing twice (what may still come is the sender's read positions).
    let more = socket.frames_within(super::client::QUIET).await;
    assert!(
        !more.iter().any(|f| matches!(
            f,
            app::protocol::ServerFrame::Event(e) if created(e).is_some()
        )),
        "{more:?}"
    );

    // And both listen again.
    let deadline = tokio::time::Instant::now() + super::client::PATIENCE;
    loop {
        let listening: i64 = sqlx::query_scalar(&count).fetch_one(&mut db).await.unwrap();
        if listening == 2 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{listening} listeners after {:?}",
            super::client::PATIENCE
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
