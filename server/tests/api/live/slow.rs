//! A reader that stops reading costs one bounded queue and is cut off; the
//! others keep receiving everything, in order.

use app::protocol::{close, ServerFrame};
use app::server::live::LiveSettings;

use super::client::{Dial, Ending, Live};
use super::created;
use crate::chat_helpers::{ok, FromJson, User};
use crate::helpers::TestApp;

/// Far more than it takes to fill the never-reading socket's TCP buffers
/// and then its queue; the test stops well before.
const MAX_SENDS: usize = 2000;

/// Whether `user` is connected, as the hub says (the members of a thread
/// carry it). `before=1` asks for no messages and moves no read position.
async fn online(viewer: &User, thread: &str, user: i64) -> bool {
    let view = app::model::ThreadView::from_json(
        ok(viewer
            .call("open_thread", &[("thread", thread), ("before", "1")])
            .await)
        .await,
    );
    assert!(view.page.messages.is_empty());
    view.members
        .iter()
        .find(|m| m.user.id == user)
        .map(|m| m.user.online)
        .unwrap()
}

/// Reads `socket` up to the `message_created` of `id`; every message id
/// seen on the way, in order.
async fn read_through(socket: &mut Live, id: i64) -> Vec<i64> {
    let mut seen = Vec::new();
    loop {
        let e = socket.next_event().await;
        if let Some(m) = created(&e) {
            seen.push(m.id);
            if m.id == id {
                return seen;
            }
        }
    }
}

#[tokio::test]
async fn a_reader_that_never_reads_is_cut_off_while_others_get_everything() {
    let app = TestApp::spawn_live(LiveSettings {
        queue: 8,
        ..Default::default()
    })
    .await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let sal = app.user("sal").await;
    let group = ana.start_chat(&["bob", "sal"]).await.id;
    let (mut b, _) = Live::open(&bob).await;
    // sal's socket, with a tiny receive buffer; it is never read until the
    // end (not even its ready frame). It resumes from the log's end as it
    // is now, as a page's socket does: without a cursor it would start
    // from wherever the log ended when its replay began, which is after it
    // shows online, so the first send could fall before its start.
    let mut s = Dial {
        recv_buffer: Some(4096),
        ..Dial::as_user(&sal)
    }
    .after(crate::live::newest_event(&app).await)
    .connect()
    .await
    .unwrap();
    // Presence is settled once the socket is served (on PostgreSQL in a
    // transaction of its own): wait for it rather than race it.
    let deadline = std::time::Instant::now() + super::client::PATIENCE;
    while !online(&bob, &group, sal.id).await {
        assert!(
            std::time::Instant::now() < deadline,
            "sal never came online"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // 3,900 four-byte characters: each frame is ~16 KB.
    let body = "🦦".repeat(3900);
    let mut sent = Vec::new();
    let mut heard_by_bob = Vec::new();
    let mut cut_after = None;
    for i in 0..MAX_SENDS {
        let id = ana.send(&group, &body).await.id;
        sent.push(id);
        // bob reads as he goes (so his own queue never fills).
        heard_by_bob.extend(read_through(&mut b, id).await);
        match cut_after {
            None if i % 4 == 3 && !online(&bob, &group, sal.id).await => cut_after = Some(i),
            Some(at) if i >= at + 3 => break,
            _ => {}
        }
    }
    assert!(cut_after.is_some(), "sal was never cut off");
    assert_eq!(heard_by_bob, sent, "bob got every message once, in order");

    // sal reads at last: what was already on its way, in order, then the
    // end (the close frame, or nothing when it could not be written).
    let (frames, ending) = s.ending().await;
    assert!(
        matches!(ending, Ending::Closed(close::TOO_SLOW) | Ending::Dropped),
        "{ending:?}"
    );
    // Its ready frame comes after the replay, and the replay of a socket
    // opened just before the sends may already carry the first messages
    // (or be cut off before ready): ready is not necessarily first, but it
    // comes at most once, and a fresh socket is never told to reload.
    let readies = frames
        .iter()
        .filter(|f| matches!(f, ServerFrame::Ready { .. }))
        .count();
    assert!(readies <= 1, "{readies} ready frames");
    assert!(!frames
        .iter()
        .any(|f| matches!(f, ServerFrame::Reload { .. })));
    let got: Vec<i64> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Event(e) => created(e).map(|m| m.id),
            _ => None,
        })
        .collect();
    assert!(got.len() < sent.len(), "sal was cut off before the end");
    assert_eq!(got, sent[..got.len()], "what sal got is a prefix, in order");
}

#[tokio::test]
async fn a_socket_still_replaying_is_not_cut_off_for_what_it_could_not_read_yet() {
    // A queue of 4: before the fix, live events queued while a replay was
    // stuck behind a slow link overflowed it and cut the socket off (at a
    // restart, a thousand replaying sockets, each arrival's presence frame
    // on every queue).
    let app = TestApp::spawn_live(LiveSettings {
        queue: 4,
        ..Default::default()
    })
    .await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (b, cursor) = Live::open(&bob).await;
    b.close().await;

    // bob misses ~5 MB of messages (more than loopback's socket buffers
    // hold), so his replay stalls on a link he does not read yet.
    let body = "🦦".repeat(3900);
    let mut sent = Vec::new();
    for _ in 0..300 {
        sent.push(ana.send(&dm, &body).await.id);
    }
    let mut b = Dial {
        recv_buffer: Some(4096),
        ..Dial::as_user(&bob).after(cursor)
    }
    .connect()
    .await
    .unwrap();
    // Five times his queue arrives while the replay is stuck.
    for i in 0..20 {
        sent.push(ana.send(&dm, &format!("live {i}")).await.id);
    }

    // He reads at last: every message once, in order, then ready; the
    // socket stays open and goes on live.
    let (frames, ending) = b
        .read_until(|f| matches!(f, ServerFrame::Ready { .. }))
        .await;
    assert_eq!(ending, None, "the replaying socket was cut off");
    let got: Vec<i64> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Event(e) => created(e).map(|m| m.id),
            _ => None,
        })
        .collect();
    assert_eq!(got, sent, "every message once, in order");
    let next = ana.send(&dm, "after the replay").await.id;
    assert_eq!(read_through(&mut b, next).await, vec![next]);
}
