//! Who is connected, what their co-members were told about them, and
//! handing them frames.
//!
//! - **Events** (logged changes) go on each socket's bounded queue. The hub
//!   only ever `try_send`s: a full queue means the client is not keeping
//!   up, so it is told to go (close code 4000) and resumes from its cursor
//!   on a fresh socket. A slow reader therefore costs at most one queue of
//!   memory and never delays anyone else, and because the log is the source
//!   of truth it loses nothing.
//! - A socket that is still **replaying** gets no events queued: it could
//!   not have read them yet, and it reads them from the log when its replay
//!   catches up ([`Hub::go_live`]). So a burst of reconnects (a restart)
//!   cannot cut off sockets that are busy replaying.
//! - **Ephemeral frames** (presence, typing) are not logged and not queued:
//!   each socket keeps the newest frame per subject ([`Ephemeral`]), so a
//!   thousand people arriving at once is at most one pending frame per
//!   person, never a reason to cut anyone off.
//! - **Presence** is derived from per-user state kept under the registry's
//!   lock: the user's sockets, what co-members were last told, and a
//!   generation that every open and close bumps. Announcing checks and
//!   updates that state under the same lock it delivers under, so any
//!   sequence of opens and closes yields exactly one announcement per real
//!   change (a reload is no change at all).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use chrono_tz::Tz;
use tokio::sync::Notify;

use super::queue::{self, QueueReceiver, QueueSender, SendError};

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

/// An event frame on its way to one socket; `event` is the log id it
/// carries, so the socket can skip what its replay already sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub event: i64,
    pub text: Utf8Bytes,
}

/// What an ephemeral frame is about: a newer frame on the same subject
/// replaces one not yet sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A user came online or left.
    Presence { user: i64 },
    /// A user is typing in a thread.
    Typing { thread: i64, user: i64 },
    /// The open report count (moderators only).
    Reports,
    /// The viewer's own block list.
    Blocked,
}

/// Most ephemeral frames one socket holds; past it the oldest typing frame
/// goes (typing repeats every two seconds while it lasts). Presence
/// frames are bounded by the number of co-members.
const EPHEMERAL_TYPING_CAP: usize = 256;

/// A socket's ephemeral frames not yet sent, newest per subject, in the
/// order their subjects first arrived.
#[derive(Debug, Default)]
pub struct Ephemeral {
    pending: Mutex<Vec<(Subject, Utf8Bytes)>>,
    notify: Notify,
}

impl Ephemeral {
    fn pending(&self) -> MutexGuard<'_, Vec<(Subject, Utf8Bytes)>> {
        // Every change is one push, replace or remove: a poisoned lock
        // still holds a valid list.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds `text` for sending, replacing a pending frame on the same subject.
    pub fn put(&self, subject: Subject, text: Utf8Bytes) {
        let mut pending = self.pending();
        match pending.iter_mut().find(|(s, _)| *s == subject) {
            Some(slot) => slot.1 = text,
            None => {
                let typing = |s: &Subject| matches!(s, Subject::Typing { .. });
                if typing(&subject)
                    && pending.iter().filter(|(s, _)| typing(s)).count() >= EPHEMERAL_TYPING_CAP
                {
                    if let Some(oldest) = pending.iter().position(|(s, _)| typing(s)) {
                        pending.remove(oldest);
                    }
                }
                pending.push((subject, text));
            }
        }
        drop(pending);
        self.notify.notify_one();
    }

    /// Takes every pending frame, oldest subject first.
    pub fn take(&self) -> Vec<Utf8Bytes> {
        std::mem::take(&mut *self.pending())
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    /// Resolves once something may be pending (spurious wake-ups return
    /// an empty [`Ephemeral::take`]).
    pub async fn ready(&self) {
        self.notify.notified().await;
    }
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
    tx: QueueSender,
    closer: Arc<Closer>,
    ephemeral: Arc<Ephemeral>,
    /// Still replaying from the log: events are not queued (see the module doc).
    replaying: bool,
}

/// One user's sockets and what their co-members were last told.
#[derive(Default)]
struct Present {
    conns: Vec<Conn>,
    /// Co-members were last told this user is online.
    told_online: bool,
    /// Bumped by every open and close of one of the user's sockets.
    generation: u64,
}

impl Present {
    /// Kept while it has sockets or an "online" that must be taken back.
    fn needed(&self) -> bool {
        !self.conns.is_empty() || self.told_online
    }
}

/// What a socket gets when it joins.
pub struct Joined {
    pub conn: u64,
    pub rx: QueueReceiver,
    pub closer: Arc<Closer>,
    pub ephemeral: Arc<Ephemeral>,
    /// Co-members have not been told this user is online: call
    /// [`Hub::announce_online`].
    pub announce: bool,
}

#[derive(Default)]
pub struct Hub {
    settings: LiveSettings,
    by_user: Mutex<HashMap<i64, Present>>,
    next_conn: AtomicU64,
    wake: Notify,
    wake_bot: Notify,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("settings", &self.settings)
            .finish()
    }
}

type Registry = HashMap<i64, Present>;

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

    fn registry(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the map half-changed
        // (every change is one push, retain or flag), so a poisoned lock
        // is still a valid map.
        self.by_user.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a socket, replaying: from here on it receives ephemeral
    /// frames, and events once it calls [`Hub::go_live`].
    pub fn join(&self, user: i64, session: &str, tz: Tz) -> Joined {
        let (tx, rx) = queue::bounded(self.settings.queue);
        let closer = Arc::new(Closer::default());
        let ephemeral = Arc::new(Ephemeral::default());
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let mut reg = self.registry();
        let present = reg.entry(user).or_default();
        present.generation += 1;
        present.conns.push(Conn {
            id,
            session: session.to_owned(),
            tz,
            tx,
            closer: closer.clone(),
            ephemeral: ephemeral.clone(),
            replaying: true,
        });
        Joined {
            conn: id,
            rx,
            closer,
            ephemeral,
            announce: !present.told_online,
        }
    }

    /// The socket's replay has read the log up to a point the caller will
    /// read past again: events are queued for it from now on.
    pub fn go_live(&self, user: i64, conn: u64) {
        let mut reg = self.registry();
        let conns = reg.get_mut(&user).map(|p| p.conns.iter_mut());
        if let Some(c) = conns.into_iter().flatten().find(|c| c.id == conn) {
            c.replaying = false;
        }
    }

    /// Unregisters a socket. When it was the user's last one, the
    /// generation to pass to [`Hub::announce_offline`] once the grace
    /// period is over.
    pub fn leave(&self, user: i64, conn: u64) -> Option<u64> {
        let mut reg = self.registry();
        let Entry::Occupied(mut present) = reg.entry(user) else {
            return None;
        };
        let p = present.get_mut();
        let before = p.conns.len();
        p.conns.retain(|c| c.id != conn);
        if p.conns.len() == before {
            return None;
        }
        p.generation += 1;
        let generation = p.generation;
        let last = p.conns.is_empty();
        if !p.needed() {
            present.remove();
        }
        last.then_some(generation)
    }

    /// Tells `others` that `user` is online, unless they were told so
    /// already or the user has no socket any more. `true` if it was sent.
    pub fn announce_online(&self, user: i64, others: &[i64], text: Utf8Bytes) -> bool {
        let mut reg = self.registry();
        match reg.get_mut(&user) {
            Some(p) if !p.told_online && !p.conns.is_empty() => p.told_online = true,
            _ => return false,
        }
        Self::put_ephemeral(&mut reg, others, Subject::Presence { user }, &text);
        true
    }

    /// Tells `others` that `user` left, if nothing happened since the
    /// close that returned `generation` (no socket opened or closed) and
    /// they were told the user was online. `true` if it was sent.
    pub fn announce_offline(
        &self,
        user: i64,
        generation: u64,
        others: &[i64],
        text: Utf8Bytes,
    ) -> bool {
        let mut reg = self.registry();
        let Entry::Occupied(present) = reg.entry(user) else {
            return false;
        };
        let p = present.get();
        if p.generation != generation || !p.conns.is_empty() || !p.told_online {
            return false;
        }
        present.remove();
        Self::put_ephemeral(&mut reg, others, Subject::Presence { user }, &text);
        true
    }

    /// No socket of `user` opened or closed here since the close that
    /// returned `generation`, and none is open (a cluster node uses it to
    /// settle the user's presence once the grace period is over).
    pub fn still_gone(&self, user: i64, generation: u64) -> bool {
        match self.registry().get(&user) {
            None => true,
            Some(p) => p.conns.is_empty() && p.generation == generation,
        }
    }

    /// Online as co-members were told: a socket open, or closed within
    /// the grace period.
    pub fn is_online(&self, user: i64) -> bool {
        self.registry().get(&user).is_some_and(Present::needed)
    }

    /// Open sockets in all.
    pub fn connections(&self) -> usize {
        self.registry().values().map(|p| p.conns.len()).sum()
    }

    /// Closes every socket of a session (logout).
    pub fn end_session(&self, session: &str) {
        for p in self.registry().values() {
            for c in p.conns.iter().filter(|c| c.session == session) {
                c.closer.close(crate::protocol::close::SESSION_ENDED);
            }
        }
    }

    /// Hands event `event` to every live socket of `users`. `render` writes
    /// it for a time zone; each zone is rendered once per call (`None`:
    /// nothing to send). A full queue cuts that socket off.
    pub fn deliver(
        &self,
        users: impl IntoIterator<Item = i64>,
        event: i64,
        mut render: impl FnMut(Tz) -> Option<Utf8Bytes>,
    ) {
        let mut by_zone: Vec<(Tz, Option<Utf8Bytes>)> = Vec::new();
        let reg = self.registry();
        for user in users {
            let Some(present) = reg.get(&user) else {
                continue;
            };
            for c in &present.conns {
                if c.replaying {
                    // It reads this event from the log when it catches up.
                    continue;
                }
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
                    continue;
                };
                if let Err(SendError::Full) = c.tx.try_send(Outgoing { event, text }) {
                    tracing::info!(user, conn = c.id, "live: slow consumer cut off");
                    c.closer.close(crate::protocol::close::TOO_SLOW);
                }
                // A closed queue: the socket's task has ended and is
                // leaving the hub.
            }
            // Sockets are only ever removed by their own task's `leave`,
            // so presence follows the socket tasks alone.
        }
    }

    /// Hands an ephemeral frame to every socket of `users`, replaying or
    /// not, replacing any pending frame on the same subject.
    pub fn deliver_ephemeral(&self, users: &[i64], subject: Subject, text: Utf8Bytes) {
        Self::put_ephemeral(&mut self.registry(), users, subject, &text);
    }

    fn put_ephemeral(reg: &mut Registry, users: &[i64], subject: Subject, text: &Utf8Bytes) {
        for user in users {
            for c in reg
                .get(user)
                .map(|p| p.conns.as_slice())
                .unwrap_or_default()
            {
                c.ephemeral.put(subject, text.clone());
            }
        }
    }

    /// Closes every socket (the server is stopping): clients reconnect
    /// and resume.
    pub fn close_all(&self, code: u16) {
        for p in self.registry().values() {
            for c in &p.conns {
                c.closer.close(code);
            }
        }
    }

    /// Says new events were committed; the pump reads them at once, and
    /// Otter's worker looks for questions.
    pub fn wake(&self) {
        self.wake.notify_one();
        self.wake_bot.notify_one();
    }

    /// Resolves after a [`Hub::wake`] (Otter's worker waits here).
    pub async fn bot_woken(&self) {
        self.wake_bot.notified().await;
    }

    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}
