//! Several Parley nodes on one PostgreSQL behave as one server (issue 10):
//! what is done through either node reaches every socket on both, once and
//! in order; typing and presence cross nodes; a client resumes on another
//! node; and a node killed in the middle of a burst of sends loses nothing
//! that was acknowledged and stores nothing twice.
//!
//! The in-process tests run two [`TestApp`]s on one database (each a full
//! server with its own hub and pump); the crash test runs two `parley`
//! binaries, since only a real process can be SIGKILLed.

mod crash;
mod ephemeral;
mod events;
mod resume;

use std::sync::Arc;

use app::protocol::{Event, ServerFrame};
use reqwest::cookie::Jar;

use crate::chat_helpers::{ok, User};
use crate::helpers::{on_postgres, TestApp, PASSWORD};
use crate::live::client::{self, Live};
use crate::live::{id_kinds, logged_after};

/// Two nodes on one fresh database, or `None` when this run is on SQLite:
/// nodes share state only through PostgreSQL, and the SQLite run has one
/// node, so every test here returns at once there.
async fn two_nodes() -> Option<(TestApp, TestApp)> {
    if !on_postgres() {
        return None;
    }
    let a = TestApp::spawn().await;
    let b = TestApp::spawn_on(&a.database_url, Arc::new(Jar::default())).await;
    Some((a, b))
}

/// `user` (registered anywhere) logged in through `node` in a fresh
/// browser: sessions live in the database, so any node accepts them.
async fn login_on(node: &TestApp, user: &User) -> User {
    let mut there = node.anonymous();
    ok(there
        .call(
            "login",
            &[("username", user.name.as_str()), ("password", PASSWORD)],
        )
        .await)
    .await;
    there.name = user.name.clone();
    there.id = user.id;
    there
}

/// The message id of a `message_created` event.
fn created(e: &Event) -> Option<i64> {
    crate::live::created(e).map(|m| m.id)
}

/// The next `n` events on `socket` (presence frames skipped).
async fn events(socket: &mut Live, n: usize) -> Vec<Event> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        got.push(socket.next_event().await);
    }
    got
}

/// Replayed events up to `ready`; the events and ready's cursor.
async fn replay(socket: &mut Live) -> (Vec<Event>, i64) {
    let mut events = Vec::new();
    loop {
        match socket.next().await {
            ServerFrame::Event(e) => events.push(e),
            ServerFrame::Ready { cursor } => return (events, cursor),
            ServerFrame::Presence { .. } => {}
            other => panic!("expected a replayed event or ready, got {other:?}"),
        }
    }
}
