//! A client of one node comes back on another: its cursor means the same
//! everywhere (one log), so the other node replays exactly what it missed.

use super::client::Dial;
use super::client::Live;
use super::{created, id_kinds, logged_after, login_on, replay, two_nodes};

#[tokio::test]
async fn a_client_of_one_node_resumes_on_the_other_with_exactly_what_it_missed() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let ana = a.user("ana").await;
    let bob = a.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let ana_b = login_on(&b, &ana).await;
    let bob_b = login_on(&b, &bob).await;
    let (on_a, cursor) = Live::open(&ana).await;
    on_a.close().await;

    // While she is away, everything happens through B.
    let mut sent = Vec::new();
    for i in 0..20 {
        sent.push(bob_b.send(&dm, &format!("missed {i}")).await.id);
    }
    bob_b.delete(sent[5]).await;
    bob_b.react(sent[7], "🎉").await;

    let mut on_b = Dial::as_user(&ana_b).after(cursor).connect().await.unwrap();
    let (missed, ready) = replay(&mut on_b).await;
    let logged = logged_after(&b, cursor).await;
    assert_eq!(id_kinds(&missed), logged);
    assert_eq!(Some(ready), logged.last().map(|e| e.0));
    assert_eq!(missed.iter().filter_map(created).collect::<Vec<_>>(), sent);

    // Then it is live, with what is done through A too.
    let next = bob.send(&dm, "and now live, through A").await;
    let e = on_b.next_event().await;
    assert!(e.id > ready);
    assert_eq!(created(&e), Some(next.id));
    // One event: the sender's read position moves with the send itself.
    assert_eq!(logged_after(&a, ready).await, id_kinds(&[e]));
    on_b.assert_no_event("ana on B").await;
}
