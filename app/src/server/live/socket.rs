//! `GET /api/live?after=<event id>`: the live socket.
//!
//! Authenticated by the session cookie (401 without it, before any
//! upgrade); a foreign `Origin` was already refused with 403 by the
//! server's Origin layer. The socket joins the hub first, then replays
//! what the client missed from the log, then forwards live frames, skipping
//! any its replay already sent: in order, once each.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use tower_sessions::Session;

use super::frames;
use super::hub::{Closer, Ephemeral, Subject};
use crate::domain::parse_thread_id;
use crate::protocol::{close, ClientFrame, ServerFrame, MAX_CLIENT_FRAME};
use crate::server::{session, viewer, AppState};
use crate::store::{events, members, threads, users};

/// Events read per replay round trip.
const REPLAY_BATCH: i64 = 500;
/// How long a user stays "online" after their last socket closes (a page
/// reload should not flicker them offline).
const OFFLINE_GRACE: Duration = Duration::from_secs(4);
/// Most event frames written before one flush (a burst's frames go out
/// together; the cap keeps a long burst from starving the reads).
const WRITE_RUN: usize = 64;
/// Typing frames from one socket are passed on at most this often.
const TYPING_EVERY: Duration = Duration::from_millis(1500);
/// What the socket reads at once. Tungstenite zero-fills its whole read
/// buffer before every read attempt, and a socket is polled for reading
/// after every frame it sends: the default 128 KiB cost a 128 KiB memset
/// per frame sent (the top of a profile at 100 msg/s in a 1,000-member
/// group) and kept 128 KiB resident per open socket. Client frames are at
/// most [`MAX_CLIENT_FRAME`]; the buffer still grows for a whole frame.
const READ_BUFFER: usize = 2 * MAX_CLIENT_FRAME;

/// Parses `after=<id>` from the query; a missing one means "from now".
fn after_param(query: Option<&str>) -> Result<Option<i64>, ()> {
    let Some(q) = query.filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    match q.split('&').find_map(|kv| kv.strip_prefix("after=")) {
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or(()),
        None => Err(()),
    }
}

pub async fn upgrade(
    state: AppState,
    ws: WebSocketUpgrade,
    session: Session,
    query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let user = match session::user_of(&session).await {
        Ok(Some(user)) => user,
        Ok(None) => return (StatusCode::UNAUTHORIZED, "Log in first.").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Ok(after) = after_param(query.as_deref()) else {
        return (StatusCode::BAD_REQUEST, "after must be an event id.").into_response();
    };
    let session_id = session.id().map(|id| id.to_string()).unwrap_or_default();
    let tz = viewer::time_zone_in(&headers);
    ws.max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| serve(state, socket, user, session_id, tz, after))
}

/// Why a socket stops.
enum Stop {
    /// The client went away (or the connection broke): nothing to say.
    Gone,
    /// Close with this code.
    Close(u16),
}

struct Conn<'a> {
    state: &'a AppState,
    socket: WebSocket,
    closer: Arc<Closer>,
    ephemeral: Arc<Ephemeral>,
    /// This socket's id in the hub.
    id: u64,
    user: i64,
    name: String,
    tz: Tz,
    /// The newest event id this socket has sent (or skipped as not its).
    cursor: i64,
    typing_sent: HashMap<String, Instant>,
}

async fn serve(
    state: AppState,
    socket: WebSocket,
    user: i64,
    session: String,
    tz: Tz,
    after: Option<i64>,
) {
    let joined = state.hub.join(user, &session, tz);
    // Whatever happens from here, the socket leaves the hub exactly once,
    // also if this future is dropped at an `.await`.
    let _membership = Membership {
        state: state.clone(),
        user,
        conn: joined.conn,
    };
    // The set-up and the replay run once, in boxes of their own: inline,
    // their database futures would size every socket's task for as long
    // as it stays open (see `the_socket_task_stays_small`).
    let name = Box::pin(arrive(&state, user, joined.announce, &joined.ephemeral)).await;
    let mut conn = Conn {
        state: &state,
        socket,
        closer: joined.closer,
        ephemeral: joined.ephemeral,
        id: joined.conn,
        user,
        name,
        tz,
        cursor: 0,
        typing_sent: HashMap::new(),
    };
    let stop = match Box::pin(conn.replay(after)).await {
        Ok(()) => conn.live(joined.rx).await,
        Err(stop) => stop,
    };
    if let Stop::Close(code) = stop {
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(""),
        }));
        // A client that stopped reading may never take the close frame.
        let _ = tokio::time::timeout(Duration::from_secs(1), conn.socket.send(frame)).await;
    }
}

/// Announces `user` online (if co-members were not told) and, for a
/// moderator, queues the open report count; returns their username.
async fn arrive(state: &AppState, user: i64, announce: bool, ephemeral: &Ephemeral) -> String {
    match &state.cluster {
        // Presence is the cluster's to settle: sockets on other nodes count.
        Some(cluster) => cluster.set_connected(state, user, true).await,
        None if announce => announce_online(state, user).await,
        None => {}
    }
    let me = users::by_id(&state.db, user).await.ok().flatten();
    if me.as_ref().is_some_and(users::UserRow::is_moderator) {
        // A moderator's count may have changed while they were away.
        match super::notices::report_count_frame(state).await {
            Ok(text) => ephemeral.put(Subject::Reports, text),
            Err(e) => tracing::warn!("live: counting open reports: {e}"),
        }
    }
    me.map(|u| u.username).unwrap_or_default()
}

/// A socket's place in the hub: dropping it leaves the hub and, if that
/// was the user's last socket, tells co-members they left once the grace
/// period passes with no socket opened or closed meanwhile.
struct Membership {
    state: AppState,
    user: i64,
    conn: u64,
}

impl Drop for Membership {
    fn drop(&mut self) {
        let Some(generation) = self.state.hub.leave(self.user, self.conn) else {
            return;
        };
        let (state, user) = (self.state.clone(), self.user);
        // No runtime: the process is ending, and nobody is left to tell.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::time::sleep(OFFLINE_GRACE).await;
                match state.cluster.clone() {
                    Some(cluster) if state.hub.still_gone(user, generation) => {
                        cluster.set_connected(&state, user, false).await;
                    }
                    Some(_) => {}
                    None => announce_offline(&state, user, generation).await,
                }
            });
        }
    }
}

impl Conn<'_> {
    async fn send(&mut self, text: Utf8Bytes) -> Result<(), Stop> {
        tokio::select! {
            sent = self.socket.send(Message::Text(text)) => sent.map_err(|_| Stop::Gone),
            code = self.closer.closed() => Err(Stop::Close(code)),
        }
    }

    async fn send_frame(&mut self, frame: &ServerFrame) -> Result<(), Stop> {
        self.send(Utf8Bytes::from(frame.to_json())).await
    }

    /// Sends every event after `after` this user may see, then `ready`; or
    /// `reload` when the log no longer reaches back that far (then the
    /// events after its cursor). While this runs the hub queues no events
    /// for this socket: it reads the log to its end, goes live, and reads
    /// again what committed in between, so nothing is missed or doubled
    /// (the live loop skips ids at or below the cursor).
    async fn replay(&mut self, after: Option<i64>) -> Result<(), Stop> {
        let pool = &self.state.db;
        let (newest, pruned) =
            match tokio::try_join!(events::newest(pool), events::pruned_through(pool)) {
                Ok(v) => v,
                Err(e) => {
                    tracing::error!("live: reading the log for a replay: {e}");
                    return Err(Stop::Close(1011));
                }
            };
        let reload = match after {
            Some(after) if after < pruned || after > newest => true,
            Some(after) => {
                self.cursor = after;
                false
            }
            None => {
                self.cursor = newest;
                false
            }
        };
        if reload {
            self.cursor = newest;
            let cursor = self.cursor;
            self.send_frame(&ServerFrame::Reload { cursor }).await?;
        } else {
            self.catch_up().await?;
        }
        self.state.hub.go_live(self.user, self.id);
        self.catch_up().await?;
        // Events of other people's threads up to `newest` are not this
        // user's; the live queue may skip them too.
        self.cursor = self.cursor.max(newest);
        if reload {
            return Ok(());
        }
        let cursor = self.cursor;
        self.send_frame(&ServerFrame::Ready { cursor }).await
    }

    /// Sends every event after the cursor this user may see, to the end of
    /// the log, in batches.
    async fn catch_up(&mut self) -> Result<(), Stop> {
        let pool = &self.state.db;
        loop {
            let batch = events::after_for_user(pool, self.cursor, self.user, REPLAY_BATCH).await;
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!("live: replaying after {}: {e}", self.cursor);
                    return Err(Stop::Close(1011));
                }
            };
            // The pump prunes while a replay runs (a slow reader's replay
            // can take minutes). Checked after the batch was read: if the
            // log was pruned past our cursor, events this batch should have
            // started with may be gone, and carrying on would skip them in
            // silence. Cut the socket off instead, as a slow reader; the
            // client resumes from its cursor and is told to reload.
            match events::pruned_through(pool).await {
                Ok(pruned) if pruned > self.cursor => return Err(Stop::Close(close::TOO_SLOW)),
                Ok(_) => {}
                Err(e) => {
                    tracing::error!("live: reading the pruned point: {e}");
                    return Err(Stop::Close(1011));
                }
            }
            if batch.is_empty() {
                return Ok(());
            }
            let loaded = match frames::load(pool, &batch).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!("live: loading a replay batch: {e}");
                    return Err(Stop::Close(1011));
                }
            };
            let now = chrono::Utc::now();
            for e in &batch {
                if let Some(text) = loaded.text(e, self.tz, now, self.user) {
                    self.send(text).await?;
                }
                self.cursor = e.id;
            }
        }
    }

    /// Forwards live frames and answers the client until one side stops.
    async fn live(&mut self, mut rx: super::queue::QueueReceiver) -> Stop {
        let settings = self.state.hub.settings();
        let mut heartbeat = tokio::time::interval(settings.heartbeat);
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        loop {
            let step = tokio::select! {
                code = self.closer.closed() => Err(Stop::Close(code)),
                out = rx.recv() => match out {
                    Some(out) => self.forward(out, &mut rx).await,
                    // The hub dropped this socket (it fell behind).
                    None => Err(Stop::Close(close::TOO_SLOW)),
                },
                _ = self.ephemeral.ready() => self.send_ephemeral().await,
                msg = self.socket.recv() => match msg {
                    Some(Ok(msg)) => {
                        last_heard = Instant::now();
                        // Boxed: typing reads the database, and inline
                        // that future would size the task for good.
                        Box::pin(self.heard(msg)).await
                    }
                    Some(Err(e)) => Err(read_failed(e)),
                    None => Err(Stop::Gone),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > settings.idle {
                        Err(Stop::Close(close::IDLE))
                    } else {
                        self.socket
                            .send(Message::Ping(Default::default()))
                            .await
                            .map_err(|_| Stop::Gone)
                    }
                }
            };
            if let Err(stop) = step {
                return stop;
            }
        }
    }

    /// Writes `first` and whatever else is already queued (up to
    /// [`WRITE_RUN`] frames), skipping what the replay sent, then flushes
    /// once: a burst costs one write to the kernel per socket, not one per
    /// frame.
    async fn forward(
        &mut self,
        first: super::hub::Outgoing,
        rx: &mut super::queue::QueueReceiver,
    ) -> Result<(), Stop> {
        use futures_util::SinkExt;
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(out) = next.take() {
            if out.event > self.cursor {
                self.cursor = out.event;
                let feed = self.socket.feed(Message::Text(out.text));
                tokio::select! {
                    done = feed => done.map_err(|_| Stop::Gone)?,
                    code = self.closer.closed() => return Err(Stop::Close(code)),
                }
                fed += 1;
            }
            if fed < WRITE_RUN {
                next = rx.try_recv();
            }
        }
        if fed == 0 {
            return Ok(());
        }
        tokio::select! {
            done = self.socket.flush() => done.map_err(|_| Stop::Gone),
            code = self.closer.closed() => Err(Stop::Close(code)),
        }
    }

    /// Sends the pending presence and typing frames.
    async fn send_ephemeral(&mut self) -> Result<(), Stop> {
        for text in self.ephemeral.take() {
            self.send(text).await?;
        }
        Ok(())
    }

    async fn heard(&mut self, msg: Message) -> Result<(), Stop> {
        let text = match msg {
            Message::Text(text) => text,
            Message::Close(_) => return Err(Stop::Gone),
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Binary(_) => return Err(Stop::Close(close::PROTOCOL)),
        };
        match serde_json::from_str::<ClientFrame>(text.as_str()) {
            Ok(ClientFrame::Ping) => self.send_frame(&ServerFrame::Pong).await,
            Ok(ClientFrame::Typing { thread }) => {
                self.typing(thread).await;
                Ok(())
            }
            Err(_) => Err(Stop::Close(close::PROTOCOL)),
        }
    }

    /// Passes "typing" on to the thread's other members, if this user is
    /// one (otherwise it is dropped without a word, like any unknown id).
    async fn typing(&mut self, thread: String) {
        let Ok(public_id) = parse_thread_id(&thread) else {
            return;
        };
        let now = Instant::now();
        if self
            .typing_sent
            .get(public_id)
            .is_some_and(|at| now.duration_since(*at) < TYPING_EVERY)
        {
            return;
        }
        let pool = &self.state.db;
        let Ok(Some(t)) = threads::for_member(pool, public_id, self.user).await else {
            return;
        };
        let Ok(members) = members::of_threads(pool, &[t.id]).await else {
            return;
        };
        if self.typing_sent.len() > 64 {
            self.typing_sent.clear();
        }
        self.typing_sent.insert(public_id.to_owned(), now);
        let frame = ServerFrame::Typing {
            thread: t.public_id,
            user: self.user,
            name: self.name.clone(),
        };
        let text = Utf8Bytes::from(frame.to_json());
        let others = super::notices::typing_recipients(self.state, members, self.user).await;
        let subject = Subject::Typing {
            thread: t.id,
            user: self.user,
        };
        self.state.hub.deliver_ephemeral(&others, subject, text);
        if let Some(cluster) = &self.state.cluster {
            cluster.typing(t.id, public_id, self.user, &self.name).await;
        }
    }
}

/// Why a read failed. Two failures leave a sound connection with a client
/// at fault, and it is told so with the code RFC 6455 gives (instead of a
/// dropped connection it would retry the same frame on):
/// - a frame over the size limit (refused before it is buffered): 1009;
/// - a text frame that is not valid UTF-8: 1007 (RFC 6455 §8.1: the
///   endpoint MUST fail the connection).
///
/// Any other failure is a broken connection with nobody left to tell.
fn read_failed(e: axum::Error) -> Stop {
    match e.into_inner().downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => Stop::Close(close::TOO_BIG),
        Some(tungstenite::Error::Utf8(_)) => Stop::Close(close::INVALID_TEXT),
        _ => Stop::Gone,
    }
}

/// Tells everyone who shares a thread with `user` that they came online,
/// and records the time; the hub sends it only if they were not told so
/// already.
async fn announce_online(state: &AppState, user: i64) {
    if let Some((others, text)) = presence_frame(state, user, true).await {
        state.hub.announce_online(user, &others, text);
    }
}

/// Tells co-members that `user` left, if no socket of theirs opened or
/// closed since the close that returned `generation`.
async fn announce_offline(state: &AppState, user: i64, generation: u64) {
    if let Some((others, text)) = presence_frame(state, user, false).await {
        state.hub.announce_offline(user, generation, &others, text);
    }
}

/// Records `user` as active now and writes the presence frame for their
/// co-members; `None` if they cannot be read.
async fn presence_frame(
    state: &AppState,
    user: i64,
    online: bool,
) -> Option<(Vec<i64>, Utf8Bytes)> {
    let now = chrono::Utc::now();
    if let Err(e) = users::touch_active(&state.db, user, now).await {
        tracing::warn!("live: recording presence: {e}");
    }
    let others = match users::co_member_ids(&state.db, user).await {
        Ok(others) => others,
        Err(e) => {
            tracing::warn!("live: reading co-members for presence: {e}");
            return None;
        }
    };
    let frame = ServerFrame::Presence {
        user,
        online,
        last_active_ms: Some(now.timestamp_millis()),
    };
    Some((others, Utf8Bytes::from(frame.to_json())))
}

#[cfg(test)]
mod tests {
    use super::after_param;

    #[test]
    fn after_is_a_non_negative_id() {
        assert_eq!(after_param(None), Ok(None));
        assert_eq!(after_param(Some("")), Ok(None));
        assert_eq!(after_param(Some("after=42")), Ok(Some(42)));
        assert_eq!(after_param(Some("x=1&after=0")), Ok(Some(0)));
        assert_eq!(after_param(Some("after=-1")), Err(()));
        assert_eq!(after_param(Some("after=abc")), Err(()));
        assert_eq!(after_param(Some("after=")), Err(()));
        assert_eq!(after_param(Some("other=1")), Err(()));
    }

    /// Every open socket's task is this future, for as long as it is open
    /// (DESIGN: ≤ 10 KB per idle socket). Its database calls (set-up,
    /// replay, typing) are boxed, so they take memory only while they run;
    /// inline they made it 3,016 bytes (debug build), now 1,776.
    #[test]
    fn the_socket_task_stays_small() {
        fn size<F, Fut>(_: &F) -> usize
        where
            F: FnOnce(
                super::AppState,
                super::WebSocket,
                i64,
                String,
                super::Tz,
                Option<i64>,
            ) -> Fut,
        {
            std::mem::size_of::<Fut>()
        }
        let bytes = size(&super::serve);
        assert!(bytes <= 2048, "the socket task's future is {bytes} bytes");
    }
}
