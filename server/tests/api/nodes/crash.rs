//! Two `parley` processes on one PostgreSQL, and one of them SIGKILLed in
//! the middle of a burst of sends: its clients move to the other node and
//! resume from their cursors, the sends that got no answer are retried
//! there with their client ids, and nothing acknowledged is lost, nothing
//! is stored twice, and no socket sees a gap or a duplicate.

use std::{sync::Arc, time::Duration};

use app::protocol::{Change, ServerFrame};
use reqwest::cookie::Jar;
use serde_json::Value;
use sqlx::{Connection, PgConnection};

use super::client::{Dial, Live, PATIENCE};
use crate::helpers::{fresh_database, on_postgres, session_cookie_in, PASSWORD};
use crate::process::Node;

/// A user's browser: one session (cookies are kept per host, not per
/// port, so it is logged in on both nodes, as behind one address).
#[derive(Clone)]
struct Browser {
    name: String,
    client: reqwest::Client,
    jar: Arc<Jar>,
}

impl Browser {
    /// Registers `name` through `node`.
    async fn register(node: &Node, name: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .timeout(PATIENCE)
            .build()
            .unwrap();
        let me = Self {
            name: name.to_owned(),
            client,
            jar,
        };
        me.call(
            node,
            "register",
            &[("username", name), ("password", PASSWORD)],
        )
        .await;
        me
    }

    /// Calls a server function; its JSON answer (panics on anything but 200).
    async fn call(&self, node: &Node, name: &str, form: &[(&str, &str)]) -> Value {
        let url = node.url(&format!("/api/{name}"));
        let res = self.client.post(&url).form(form).send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status.is_success(), "{}: {url}: {status} {body}", self.name);
        serde_json::from_str(&body).unwrap()
    }

    /// Sends a message; the stored message's id if the node acknowledged it.
    async fn send(&self, node_url: &str, thread: &str, client_id: &str, body: &str) -> Option<i64> {
        let form = [("thread", thread), ("body", body), ("client_id", client_id)];
        let url = format!("{node_url}/api/send_message");
        let res = self.client.post(url).form(&form).send().await.ok()?;
        if !res.status().is_success() {
            return None;
        }
        let message: Value = res.json().await.ok()?;
        message["id"].as_i64()
    }

    /// A live socket on the node at `addr`, resuming after `cursor`.
    async fn connect(&self, addr: &str, cursor: Option<i64>) -> Live {
        let dial = Dial {
            host: addr,
            cookie: session_cookie_in(&self.jar, &format!("http://{addr}/")),
            origin: Some(format!("http://{addr}")),
            query: String::new(),
            recv_buffer: None,
        };
        let dial = match cursor {
            Some(c) => dial.after(c),
            None => dial,
        };
        dial.connect().await.unwrap()
    }
}

/// Sending tabs per sender.
const TABS: usize = 3;
/// Messages acknowledged before node 1 is killed.
const BEFORE_KILL: usize = 120;
/// The client id of the last message, sent once everything else is done:
/// a socket that has it has had everything.
const LAST: &str = "crash-test-the-end";

/// One message a tab sent (more than once when it was retried).
#[derive(Debug)]
struct Attempt {
    client_id: String,
    body: String,
    /// Each send's answer: the message id, or `None` when none came.
    answers: Vec<Option<i64>>,
}

/// A tab's loop: sends through `node_url` until a send gets no answer
/// (the node is dead); every fifth message is sent a second time with the
/// same client id, as after an answer lost on the way.
async fn tab(
    browser: Browser,
    node_url: String,
    thread: String,
    tab: usize,
    tx: tokio::sync::mpsc::UnboundedSender<Attempt>,
) {
    for i in 0..10_000 {
        let client_id = format!("crash-{}-{tab}-{i:05}", browser.name);
        let body = format!("message {i} of {}'s tab {tab}", browser.name);
        let mut answers = vec![browser.send(&node_url, &thread, &client_id, &body).await];
        if i % 5 == 0 && answers[0].is_some() {
            answers.push(browser.send(&node_url, &thread, &client_id, &body).await);
        }
        let dead = answers.last() == Some(&None);
        let attempt = Attempt {
            client_id,
            body,
            answers,
        };
        if tx.send(attempt).is_err() || dead {
            return;
        }
    }
}

/// What one socket saw, across its reconnections.
#[derive(Debug)]
struct Seen {
    who: &'static str,
    /// The cursor of its first `ready`.
    start: i64,
    /// Every event id, in the order received.
    events: Vec<i64>,
    /// The message ids of its `message_created` events, in order.
    messages: Vec<i64>,
    /// How many times it reconnected (to node 2).
    moved: usize,
}

/// Reads `socket` until the message [`LAST`]. When its node dies it
/// reconnects to `fallback` and resumes from the last event it had (a
/// socket already on `fallback` must never end).
async fn follow(
    who: &'static str,
    browser: Browser,
    mut socket: Live,
    start: i64,
    may_move: bool,
    fallback: String,
) -> Seen {
    let mut seen = Seen {
        who,
        start,
        events: Vec::new(),
        messages: Vec::new(),
        moved: 0,
    };
    let mut cursor = start;
    loop {
        // One frame at a time: the burst may last longer than one patience.
        let (frames, ending) = socket.read_until(|_| true).await;
        for frame in frames {
            match frame {
                ServerFrame::Event(e) => {
                    cursor = e.id;
                    seen.events.push(e.id);
                    if let Change::MessageCreated { message, client_id } = e.change {
                        seen.messages.push(message.id);
                        if client_id == LAST {
                            return seen;
                        }
                    }
                }
                ServerFrame::Ready { .. } | ServerFrame::Presence { .. } => {}
                other => panic!("{who}: unexpected {other:?}"),
            }
        }
        if let Some(ending) = ending {
            assert!(
                may_move && seen.moved == 0,
                "{who}: socket ended ({ending:?}) after {seen:?}"
            );
            socket = browser.connect(&fallback, Some(cursor)).await;
            seen.moved += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_burst_loses_no_acknowledged_send_and_no_socket_sees_a_gap_or_a_double() {
    // See `two_nodes`: several nodes only on PostgreSQL.
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    let mut node1 = Node::start(&database_url, dir.path()).await;
    let node2 = Node::start(&database_url, dir.path()).await;

    let ana = Browser::register(&node1, "ana").await;
    let bob = Browser::register(&node1, "bob").await;
    let cyd = Browser::register(&node1, "cyd").await;
    let dan = Browser::register(&node1, "dan").await;
    let chat = ana
        .call(
            &node1,
            "start_chat",
            &[
                ("usernames[0]", "bob"),
                ("usernames[1]", "cyd"),
                ("usernames[2]", "dan"),
            ],
        )
        .await;
    let thread = chat["id"].as_str().unwrap().to_owned();

    // Sockets on both nodes; node 1's move to node 2 when it dies.
    let mut followers = Vec::new();
    for (who, browser, on_node1) in [
        ("ana on 1", &ana, true),
        ("bob on 1", &bob, true),
        ("cyd on 1", &cyd, true),
        ("cyd on 2", &cyd, false),
        ("dan on 2", &dan, false),
        ("bob on 2", &bob, false),
    ] {
        let addr = if on_node1 { &node1.addr } else { &node2.addr };
        let mut socket = browser.connect(addr, None).await;
        let start = socket.ready().await;
        followers.push(tokio::spawn(follow(
            who,
            browser.clone(),
            socket,
            start,
            on_node1,
            node2.addr.clone(),
        )));
    }

    // ana and bob send through node 1 from several tabs at once, so
    // several sends are in flight when it dies.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tabs = Vec::new();
    for sender in [&ana, &bob] {
        for t in 0..TABS {
            tabs.push(tokio::spawn(tab(
                sender.clone(),
                node1.url(""),
                thread.clone(),
                t,
                tx.clone(),
            )));
        }
    }
    drop(tx);
    let mut attempts: Vec<(Browser, Attempt)> = Vec::new();
    let acked = |attempts: &[(Browser, Attempt)]| {
        attempts
            .iter()
            .filter(|(_, a)| a.answers.iter().any(Option::is_some))
            .count()
    };
    while acked(&attempts) < BEFORE_KILL {
        let a = rx.recv().await.expect("the tabs are sending");
        attempts.push((sender_of(&a, &ana, &bob), a));
    }
    // A few random microseconds more, so the kill lands anywhere in a
    // send's course (now and then between its commit and its answer).
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_micros()
        % 3000;
    tokio::time::sleep(Duration::from_micros(u64::from(jitter))).await;
    node1.kill();
    while let Some(a) = rx.recv().await {
        attempts.push((sender_of(&a, &ana, &bob), a));
    }
    for t in tabs {
        t.await.unwrap();
    }
    // Every tab stopped at a send that got no answer.
    let unanswered = attempts
        .iter()
        .filter(|(_, a)| a.answers.last() == Some(&None))
        .count();
    assert_eq!(unanswered, 2 * TABS);

    // Each unanswered send is retried through node 2 with its client id
    // (one may have been stored before the kill, only its answer lost).
    for (browser, a) in &mut attempts {
        if a.answers.last() == Some(&None) {
            let id = browser
                .send(&node2.url(""), &thread, &a.client_id, &a.body)
                .await;
            assert!(id.is_some(), "the retry of {} is acknowledged", a.client_id);
            a.answers.push(id);
        }
    }
    // Every answer a message ever got names the same message.
    let mut expected: Vec<(i64, String, String)> = Vec::new();
    for (_, a) in &attempts {
        let ids: Vec<i64> = a.answers.iter().flatten().copied().collect();
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "{}: answered with different messages {ids:?}",
            a.client_id
        );
        expected.push((ids[0], a.client_id.clone(), a.body.clone()));
    }
    let last = ana
        .send(&node2.url(""), &thread, LAST, "that is all")
        .await
        .expect("the last message is acknowledged");
    expected.push((last, LAST.to_owned(), "that is all".to_owned()));
    expected.sort();

    // The thread holds each message once, and nothing else was sent.
    let mut db = PgConnection::connect(&database_url).await.unwrap();
    let stored: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT m.id, m.client_id, m.body FROM messages m \
         JOIN threads t ON t.id = m.thread_id \
         WHERE t.public_id = $1 AND m.kind = 'text' ORDER BY m.id",
    )
    .bind(&thread)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(stored, expected);
    let message_ids: Vec<i64> = stored.iter().map(|m| m.0).collect();
    let last_event: i64 = sqlx::query_scalar(
        "SELECT id FROM events WHERE kind = 'message_created' AND message_id = $1",
    )
    .bind(last)
    .fetch_one(&mut db)
    .await
    .unwrap();

    // Every socket, moved or not, saw the log from its start to the last
    // message: each event once, in order, and so each message.
    let mut moved = 0;
    for follower in followers {
        let seen = follower.await.unwrap();
        let logged: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM events WHERE id > $1 AND id <= $2 ORDER BY id")
                .bind(seen.start)
                .bind(last_event)
                .fetch_all(&mut db)
                .await
                .unwrap();
        assert_eq!(seen.events, logged, "{}: events", seen.who);
        assert_eq!(seen.messages, message_ids, "{}: messages", seen.who);
        moved += seen.moved;
    }
    assert_eq!(moved, 3, "node 1's three sockets moved to node 2");
    db.close().await.unwrap();
}

/// The browser whose tab made `attempt` (its client id names the sender).
fn sender_of(attempt: &Attempt, ana: &Browser, bob: &Browser) -> Browser {
    if attempt.client_id.starts_with("crash-ana-") {
        ana.clone()
    } else {
        bob.clone()
    }
}
