//! Who is connected, and handing them frames.
//!
//! Each socket has a bounded queue. The hub only ever `try_send`s: a full
//! queue means the client is not keeping up, so it is told to go (close
//! code 4000) and resumes from its cursor on a fresh socket. A slow reader
//! therefore costs at most one queue of memory and never delays anyone
//! else, and because the log is the source of truth it loses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use chrono_tz::Tz;
use tokio::sync::{mpsc, Notify};

/// Tunables, from the server's configuration.
#[derive(Debug, Clone, Copy)]
pub struct LiveSettings {
    /// Frames a socket may have waiting before it is cut off.
    pub queue: usize,
    /// Events kept in the log for resuming clients.
    pub events_kept: i64,
    /// A socket that sends nothing for this long is closed.
    pub idle: Duration,
    /// How often the server pings.
    pub heartbeat: Duration,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            queue: 256,
            events_kept: 100_000,
            idle: Duration::from_secs(75),
            heartbeat: Duration::from_secs(25),
        }
    }
}

/// A frame on its way to one socket; `event` is the log id it carries, so
/// the socket can skip what its replay already sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub event: Option<i64>,
    pub text: Utf8Bytes,
}

/// Tells a socket's task to close, with which code.
#[derive(Debug, Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, code: u16) {
        // The first reason wins.
        let _ = self
            .code
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// Resolves once [`Closer::close`] was called; returns the code.
    pub async fn closed(&self) -> u16 {
        loop {
            let code = self.code.load(Ordering::SeqCst);
            if code != 0 {
                return code;
            }
            self.notify.notified().await;
        }
    }
}

struct Conn {
    id: u64,
    session: String,
    tz: Tz,
    tx: mpsc::Sender<Outgoing>,
    closer: Arc<Closer>,
}

/// What a socket gets when it joins.
pub struct Joined {
    pub conn: u64,
    pub rx: mpsc::Receiver<Outgoing>,
    pub closer: Arc<Closer>,
    /// This is the user's first open socket (they just came online).
    pub first: bool,
}

#[derive(Default)]
pub struct Hub {
    settings: LiveSettings,
    by_user: Mutex<HashMap<i64, Vec<Conn>>>,
    next_conn: AtomicU64,
    wake: Notify,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Hub {
    pub fn new(settings: LiveSettings) -> Self {
        Self {
            settings,
            ..Self::default()
        }
    }

    pub fn settings(&self) -> LiveSettings {
        self.settings
    }

    fn registry(&self) -> MutexGuard<'_, HashMap<i64, Vec<Conn>>> {
        // A panic while holding the lock cannot leave the map half-changed
        // (every change is one push or retain), so a poisoned lock is
        // still a valid map.
        self.by_user.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a socket. From here on it receives live frames (queued
    /// until its task reads them), so a replay read afterwards cannot miss
    /// anything in between.
    pub fn join(&self, user: i64, session: &str, tz: Tz) -> Joined {
        let (tx, rx) = mpsc::channel(self.settings.queue.max(1));
        let closer = Arc::new(Closer::default());
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let mut reg = self.registry();
        let conns = reg.entry(user).or_default();
        let first = conns.is_empty();
        conns.push(Conn {
            id,
            session: session.to_owned(),
            tz,
            tx,
            closer: closer.clone(),
        });
        Joined {
            conn: id,
            rx,
            closer,
            first,
        }
    }

    /// Unregisters a socket; `true` when it was the user's last one.
    pub fn leave(&self, user: i64, conn: u64) -> bool {
        let mut reg = self.registry();
        let Some(conns) = reg.get_mut(&user) else {
            return true;
        };
        conns.retain(|c| c.id != conn);
        let last = conns.is_empty();
        if last {
            reg.remove(&user);
        }
        last
    }

    pub fn is_online(&self, user: i64) -> bool {
        self.registry().contains_key(&user)
    }

    /// Open sockets in all.
    pub fn connections(&self) -> usize {
        self.registry().values().map(Vec::len).sum()
    }

    /// Closes every socket of a session (logout).
    pub fn end_session(&self, session: &str) {
        for conns in self.registry().values() {
            for c in conns.iter().filter(|c| c.session == session) {
                c.closer.close(crate::protocol::close::SESSION_ENDED);
            }
        }
    }

    /// Hands a frame to every socket of `users`. `render` writes it for a time zone; each zone is
    /// rendered once per call (`None`: nothing to send). A full queue cuts that socket off.
    pub fn deliver(
        &self,
        users: impl IntoIterator<Item = i64>,
        event: Option<i64>,
        mut render: impl FnMut(Tz) -> Option<Utf8Bytes>,
    ) {
        let mut by_zone: Vec<(Tz, Option<Utf8Bytes>)> = Vec::new();
        let mut reg = self.registry();
        let mut emptied = Vec::new();
        for user in users {
            let Some(conns) = reg.get_mut(&user) else {
                continue;
            };
            conns.retain(|c| {
                let text = match by_zone.iter().find(|(tz, _)| *tz == c.tz) {
                    Some((_, t)) => t.clone(),
                    None => {
                        let t = render(c.tz);
                        by_zone.push((c.tz, t.clone()));
                        t
                    }
                };
                // Nothing to say to this zone (the event's subject is gone).
                let Some(text) = text else {
                    return true;
                };
                match c.tx.try_send(Outgoing { event, text }) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::info!(user, conn = c.id, "live: slow consumer cut off");
                        c.closer.close(crate::protocol::close::TOO_SLOW);
                        false
                    }
                    // The socket's task has ended; it unregisters itself.
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
            if conns.is_empty() {
                emptied.push(user);
            }
        }
        for user in emptied {
            reg.remove(&user);
        }
    }

    /// Closes every socket (the server is stopping): clients reconnect
    /// and resume.
    pub fn close_all(&self, code: u16) {
        for conns in self.registry().values() {
            for c in conns {
                c.closer.close(code);
            }
        }
    }

    /// Says new events were committed; the pump reads them at once.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}
