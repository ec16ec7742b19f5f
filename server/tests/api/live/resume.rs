//! Coming back: a socket that resumes from its cursor is replayed exactly
//! what it missed, once each and in order; one that asks for more than the
//! log still holds is told to reload.

use app::protocol::{close, Change, Event, ServerFrame};

use super::client::{Dial, Ending, Live};
use super::{created, id_kinds, logged_after, newest_event};
use crate::chat_helpers::User;
use crate::helpers::TestApp;

/// Replayed events up to `ready`; the events and ready's cursor.
async fn replay(socket: &mut Live) -> (Vec<Event>, i64) {
    let mut events = Vec::new();
    loop {
        match socket.next().await {
            ServerFrame::Event(e) => events.push(e),
            ServerFrame::Ready { cursor } => return (events, cursor),
            other => panic!("expected a replayed event or ready, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_resumed_socket_gets_what_it_missed_once_in_order_without_deleted_text() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (b, cursor) = Live::open(&bob).await;
    b.close().await;

    let secret = "the text that was taken back";
    let mut sent = Vec::new();
    for i in 0..50 {
        let body = if i == 10 {
            secret.to_owned()
        } else {
            format!("missed {i}")
        };
        sent.push(ana.send(&dm, &body).await.id);
    }
    ana.delete(sent[10]).await;
    ana.react(sent[20], "👍").await;

    let mut b = Dial::as_user(&bob).after(cursor).connect().await.unwrap();
    let (events, ready) = replay(&mut b).await;
    // Exactly the log after the cursor: each send is its message (which
    // also moves ana's read position, with no event of its own); then the
    // delete and the reaction.
    let logged = logged_after(&app, cursor).await;
    let got = id_kinds(&events);
    assert_eq!(got, logged);
    let count = |k: &str| logged.iter().filter(|(_, kind)| kind == k).count();
    assert_eq!(
        (
            count("message_created"),
            count("read_moved"),
            count("message_deleted"),
            count("reaction_changed")
        ),
        (50, 0, 1, 1)
    );
    assert_eq!(ready, logged.last().unwrap().0);
    assert!(events.iter().all(|e| e.thread == dm));
    let messages: Vec<_> = events.iter().filter_map(created).collect();
    assert_eq!(messages.iter().map(|m| m.id).collect::<Vec<_>>(), sent);
    // Payloads are read at delivery: the deleted message comes without its
    // text, and the text is nowhere in what was sent.
    assert_eq!(messages[10].body, None);
    assert_eq!(messages[11].body.as_deref(), Some("missed 11"));
    assert!(b.texts.iter().all(|t| !t.contains(secret)));
    assert!(events.iter().any(|e| e.change
        == Change::MessageDeleted {
            message_id: sent[10],
            removed: false,
        }));
    let reaction = events
        .iter()
        .find_map(|e| match &e.change {
            Change::ReactionChanged {
                message_id,
                reactions,
            } if *message_id == sent[20] => Some(reactions),
            _ => None,
        })
        .unwrap();
    assert_eq!(reaction.len(), 1);
    assert_eq!(
        (reaction[0].emoji.as_str(), &reaction[0].user_ids[..]),
        ("👍", &[ana.id][..])
    );

    // Then it is live.
    let next = ana.send(&dm, "and now live").await;
    let e = b.next_event().await;
    assert!(e.id > ready);
    assert_eq!(created(&e).map(|m| m.id), Some(next.id));
}

/// Where the pump has pruned the log to.
async fn pruned_through(app: &TestApp) -> i64 {
    let mut db = app.db().await;
    sqlx::query_scalar("SELECT pruned_through FROM event_log_state WHERE id = 1")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

/// The pruned point once the pump has caught up with the whole log and
/// pruned for it: the pump prunes through `newest - keep` once that is
/// more than a tenth of `keep` past the last prune (`live::pump::prune`),
/// so it then stands within `keep + keep / 10` of the newest event and moves
/// no more until something new is logged.
async fn settled_pruned_point(app: &TestApp, keep: i64) -> i64 {
    let newest = logged_after(app, 0).await.last().map_or(0, |e| e.0);
    let deadline = std::time::Instant::now() + super::client::PATIENCE;
    loop {
        let pruned = pruned_through(app).await;
        if pruned >= newest - keep - keep / 10 {
            return pruned;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the pump did not prune for event {newest} (at {pruned})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Sends until the pump has pruned the log past `cursor`, the log keeping
/// `keep` events. The pump prunes through `newest - keep` once that is more
/// than a tenth of `keep` past its last prune (`live::pump::prune`), so
/// once the log reaches `cursor + keep + keep / 10` a prune past `cursor`
/// is due. The sends that takes are made whatever they cost (some hundreds
/// here, which a loaded machine may take longer than the patience over);
/// the patience is the pump's, counted from then.
async fn send_until_pruned_past(
    app: &TestApp,
    sender: &User,
    thread: &str,
    cursor: i64,
    keep: i64,
) {
    let mut i = 0;
    while newest_event(app).await <= cursor + keep + keep / 10 {
        sender.send(thread, &format!("filler {i}")).await;
        i += 1;
    }
    let deadline = std::time::Instant::now() + super::client::PATIENCE;
    loop {
        let pruned = pruned_through(app).await;
        if pruned > cursor {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the log was not pruned past {cursor} (at {pruned})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn resuming_from_before_the_kept_log_or_past_its_end_gets_reload() {
    let app = TestApp::spawn_live(app::server::live::LiveSettings {
        events_kept: 10,
        ..Default::default()
    })
    .await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (b, old) = Live::open(&bob).await;
    b.close().await;
    send_until_pruned_past(&app, &ana, &dm, old, 10).await;
    let newest = logged_after(&app, 0).await.last().unwrap().0;

    let mut b = Dial::as_user(&bob).after(old).connect().await.unwrap();
    assert_eq!(b.next().await, ServerFrame::Reload { cursor: newest });
    // What follows the reload is live, after its cursor.
    let next = ana.send(&dm, "after the reload").await;
    let e = b.next_event().await;
    assert!(e.id > newest);
    assert_eq!(created(&e).map(|m| m.id), Some(next.id));

    // A cursor from the future (another database, a bad client) too.
    let far = newest + 1000;
    let mut b = Dial::as_user(&bob).after(far).connect().await.unwrap();
    assert!(matches!(b.next().await, ServerFrame::Reload { cursor } if cursor < far));

    // Right at the pruned point nothing is missing: a full replay. The
    // pump prunes after it delivers, so the send above may still be pruned
    // for: wait until it has pruned as far as this log ever will be, or
    // the replay below could find its start pruned away under it.
    let pruned = settled_pruned_point(&app, 10).await;
    assert!(pruned > old);
    let mut b = Dial::as_user(&bob).after(pruned).connect().await.unwrap();
    let (events, ready) = replay(&mut b).await;
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let logged: Vec<i64> = logged_after(&app, pruned)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, logged);
    assert_eq!(Some(&ready), logged.last());
}

#[tokio::test]
async fn a_replay_overtaken_by_pruning_is_cut_off_rather_than_skipping_events() {
    // The log keeps 700 events: enough for all bob missed when he comes
    // back, not for what happens while his replay is stuck.
    let app = TestApp::spawn_live(app::server::live::LiveSettings {
        events_kept: 700,
        ..Default::default()
    })
    .await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let elsewhere = ana.start_chat(&["cyd"]).await.id;
    let (b, cursor) = Live::open(&bob).await;
    b.close().await;
    // bob misses 600 events (more than one replay batch of 500), of ~16 KB
    // messages: the first batch alone is more than the TCP buffers hold.
    let body = "🦦".repeat(3900);
    for _ in 0..600 {
        ana.send(&dm, &body).await;
    }
    let missed: Vec<i64> = logged_after(&app, cursor)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(missed.len() >= 600);

    // bob comes back but does not read yet: his replay stalls in its first
    // batch while chat elsewhere moves the log's pruning past that batch.
    let mut b = Dial {
        recv_buffer: Some(4096),
        ..Dial::as_user(&bob).after(cursor)
    }
    .connect()
    .await
    .unwrap();
    send_until_pruned_past(&app, &ana, &elsewhere, missed[520], 700).await;

    // Every event he gets is the next one he missed; when the log no
    // longer holds the rest he is cut off (and resumes to a reload), never
    // told he is up to date with a hole in his history.
    let (frames, ending) = b
        .read_until(|f| matches!(f, ServerFrame::Ready { .. }))
        .await;
    let got: Vec<i64> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Event(e) => Some(e.id),
            _ => None,
        })
        .collect();
    let skipped = got.iter().zip(&missed).position(|(g, m)| g != m);
    assert_eq!(
        skipped.map(|at| (missed[at], got[at])),
        None,
        "(expected, got): bob's replay skipped events"
    );
    assert!(got.len() < missed.len());
    assert_eq!(
        ending,
        Some(Ending::Closed(close::TOO_SLOW)),
        "{:?}",
        frames.last()
    );
    let last = *got.last().unwrap();
    let mut b = Dial::as_user(&bob).after(last).connect().await.unwrap();
    assert!(matches!(b.next().await, ServerFrame::Reload { .. }));
}
