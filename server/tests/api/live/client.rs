//! A WebSocket client of `/api/live` as the browser is one: the session
//! cookie and a same-site `Origin`, JSON frames parsed into the protocol's
//! own types, and reads that give up after a while instead of hanging.

use std::time::{Duration, Instant};

use app::protocol::{ClientFrame, Event, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Error as WsError, Message},
    WebSocketStream,
};

use crate::chat_helpers::User;

/// How long a frame that must come may take. Generous: the suite runs many
/// servers at once on two cores.
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How long to listen to show that nothing (more) comes. The pump is woken
/// by every commit, so a frame that is coming arrives well within this.
pub const QUIET: Duration = Duration::from_millis(800);

/// What to dial: everything a browser would send, each part optional so
/// the refusals can be tested.
pub struct Dial<'a> {
    pub host: &'a str,
    pub cookie: Option<String>,
    pub origin: Option<String>,
    /// The query string, `after=12` or empty.
    pub query: String,
    /// A tiny receive buffer (bytes) makes a reader that never reads fill
    /// up after a few frames instead of megabytes.
    pub recv_buffer: Option<u32>,
}

impl<'a> Dial<'a> {
    /// `user`'s browser on this site: their cookie, a same-site Origin.
    pub fn as_user(user: &'a User) -> Self {
        Self {
            host: user.host(),
            cookie: user.session_cookie(),
            origin: Some(format!("http://{}", user.host())),
            query: String::new(),
            recv_buffer: None,
        }
    }

    pub fn after(mut self, cursor: i64) -> Self {
        self.query = format!("after={cursor}");
        self
    }

    /// Connects; the HTTP status when the server refuses to upgrade.
    pub async fn connect(self) -> Result<Live, StatusCode> {
        let url = match self.query.as_str() {
            "" => format!("ws://{}/api/live", self.host),
            q => format!("ws://{}/api/live?{q}", self.host),
        };
        let mut req = url.into_client_request().unwrap();
        for (name, value) in [("cookie", &self.cookie), ("origin", &self.origin)] {
            if let Some(v) = value {
                req.headers_mut()
                    .insert(name, HeaderValue::from_str(v).unwrap());
            }
        }
        let socket = TcpSocket::new_v4().unwrap();
        if let Some(bytes) = self.recv_buffer {
            socket.set_recv_buffer_size(bytes).unwrap();
        }
        let tcp = socket.connect(self.host.parse().unwrap()).await.unwrap();
        match tokio_tungstenite::client_async(req, tcp).await {
            Ok((ws, _)) => Ok(Live {
                ws,
                texts: Vec::new(),
            }),
            Err(WsError::Http(res)) => Err(StatusCode::from_u16(res.status().as_u16()).unwrap()),
            Err(e) => panic!("live socket handshake failed: {e}"),
        }
    }
}

/// How a socket ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// A close frame with this code.
    Closed(u16),
    /// The connection ended without a close frame (EOF or reset).
    Dropped,
}

/// An open live socket.
pub struct Live {
    ws: WebSocketStream<TcpStream>,
    /// Every text frame received, verbatim (to show a text never arrived).
    pub texts: Vec<String>,
}

impl Live {
    /// `user`'s socket starting from now; returns it after its `ready`.
    pub async fn open(user: &User) -> (Live, i64) {
        let mut live = Dial::as_user(user).connect().await.unwrap();
        let cursor = live.ready().await;
        (live, cursor)
    }

    /// The next server frame, or `None` when none came within `within`.
    /// Panics if the socket ends: callers expecting that use [`Live::ending`].
    pub async fn try_next(&mut self, within: Duration) -> Option<ServerFrame> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()?;
            match msg {
                Some(Ok(Message::Text(text))) => {
                    self.texts.push(text.to_string());
                    return Some(
                        serde_json::from_str(text.as_str())
                            .unwrap_or_else(|e| panic!("not a server frame ({e}): {text}")),
                    );
                }
                // WebSocket-level heartbeats; tungstenite answers pings.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("the live socket ended unexpectedly: {other:?}"),
            }
        }
    }

    /// The next server frame; panics when none comes within [`PATIENCE`].
    pub async fn next(&mut self) -> ServerFrame {
        self.try_next(PATIENCE)
            .await
            .expect("a frame within the patience")
    }

    /// The next frame, which must be `ready`; its cursor.
    pub async fn ready(&mut self) -> i64 {
        match self.next().await {
            ServerFrame::Ready { cursor } => cursor,
            other => panic!("expected ready, got {other:?}"),
        }
    }

    /// The next logged event. Presence frames are skipped: co-members
    /// coming and going are announced whenever they do, which is not what
    /// event tests are about. Anything else is a failure.
    pub async fn next_event(&mut self) -> Event {
        loop {
            match self.next().await {
                ServerFrame::Event(e) => return e,
                ServerFrame::Presence { .. } => {}
                other => panic!("expected an event, got {other:?}"),
            }
        }
    }

    /// Every frame that arrives within `window` (the socket must stay open).
    pub async fn frames_within(&mut self, window: Duration) -> Vec<ServerFrame> {
        let deadline = Instant::now() + window;
        let mut frames = Vec::new();
        while let Some(f) = self
            .try_next(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            frames.push(f);
        }
        frames
    }

    /// Asserts no event arrives within [`QUIET`] (presence may).
    pub async fn assert_no_event(&mut self, who: &str) {
        let frames = self.frames_within(QUIET).await;
        assert!(
            frames
                .iter()
                .all(|f| matches!(f, ServerFrame::Presence { .. })),
            "{who} got more than expected: {frames:?}"
        );
    }

    /// Reads until the socket ends (within [`PATIENCE`]); the frames read
    /// on the way and how it ended.
    pub async fn ending(&mut self) -> (Vec<ServerFrame>, Ending) {
        let (frames, ending) = self.read_until(|_| false).await;
        (frames, ending.expect("the socket ended"))
    }

    /// Reads until a frame `stop` accepts (kept as the last frame read) or
    /// the socket ends, within [`PATIENCE`].
    pub async fn read_until(
        &mut self,
        stop: impl Fn(&ServerFrame) -> bool,
    ) -> (Vec<ServerFrame>, Option<Ending>) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut frames = Vec::new();
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("still open after {PATIENCE:?}; read {frames:?}"));
            match msg {
                Some(Ok(Message::Text(text))) => {
                    // A frame cut short when the server dropped the
                    // connection is not JSON; what did parse counts.
                    if let Ok(f) = serde_json::from_str(text.as_str()) {
                        let done = stop(&f);
                        frames.push(f);
                        if done {
                            return (frames, None);
                        }
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map(|f| u16::from(f.code)).unwrap_or(1005);
                    return (frames, Some(Ending::Closed(code)));
                }
                Some(Ok(_)) => {}
                Some(Err(WsError::Io(_) | WsError::Protocol(_))) | None => {
                    return (frames, Some(Ending::Dropped))
                }
                Some(Err(e)) => panic!("unexpected socket error: {e}"),
            }
        }
    }

    /// The close code the socket ends with, asserting nothing came first.
    pub async fn close_code(&mut self) -> Ending {
        let (frames, ending) = self.ending().await;
        let stray: Vec<_> = frames
            .iter()
            .filter(|f| !matches!(f, ServerFrame::Presence { .. }))
            .collect();
        assert!(stray.is_empty(), "frames before the close: {stray:?}");
        ending
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&serde_json::to_string(frame).unwrap()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// Sends a text frame whose payload is `bytes` as they are, valid
    /// UTF-8 or not (a browser cannot; a hostile client can).
    pub async fn send_raw_text(&mut self, bytes: &[u8]) {
        use tokio_tungstenite::tungstenite::protocol::frame::{
            coding::{Data, OpCode},
            Frame,
        };
        let frame = Frame::message(bytes.to_vec(), OpCode::Data(Data::Text), true);
        self.ws.send(Message::Frame(frame)).await.unwrap();
    }

    pub async fn send_binary(&mut self, bytes: &[u8]) {
        self.ws.send(Message::binary(bytes.to_vec())).await.unwrap();
    }

    /// Closes from the client's side, as a tab closing does, and waits for
    /// the server's answer so the server has seen it.
    pub async fn close(mut self) {
        self.ws.close(None).await.unwrap();
        let _ = self.ending().await;
    }
}
