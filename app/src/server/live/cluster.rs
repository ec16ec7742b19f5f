//! Several nodes on one PostgreSQL: how they hear each other.
//!
//! PostgreSQL is the only thing the nodes share; there is no node-to-node
//! protocol of our own. Every node LISTENs on one channel
//! ([`crate::store::CLUSTER_CHANNEL`]) and reacts to three [`Signal`]s:
//!
//! - **Events**: a commit appended to the event log (sent by
//!   `store::events::append`, delivered at commit). The node's pump reads
//!   the log from its own cursor, so a signal carries no ids or text, a
//!   lost one costs at most the pump's poll interval, and after a lost
//!   listener connection the pump simply reads on from its cursor.
//! - **Typing**: sent by the node of the typing socket, delivered by every
//!   other node to its sockets of the thread's members (not logged).
//! - **Presence**: a user's cluster-wide presence changed. Each node keeps
//!   a row per user it has sockets of, beats every few seconds, and
//!   settles a user's presence in a transaction under a per-user lock that
//!   compares "sockets on live nodes" with what co-members were last told
//!   (`store::presence`). So a tab on node 1 and one on node 2 keep a user
//!   online until both close, a killed node's users go offline once it
//!   misses its beats, and every real change is announced exactly once.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};

use super::hub::Subject;
use crate::protocol::ServerFrame;
use crate::server::AppState;
use crate::store::{self, members, presence, users};

/// How often a node says it is alive and looks for dead nodes' users.
const BEAT_EVERY: Duration = Duration::from_secs(5);

/// What nodes tell each other (JSON, well under NOTIFY's 8,000 bytes:
/// ids and a username at most, never message text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Signal {
    /// New events were committed.
    Events,
    /// `user` (`name`) is typing in `thread` (`public_id`), on `node`.
    Typing {
        node: String,
        thread: i64,
        public_id: String,
        user: i64,
        name: String,
    },
    /// `user` came online or left, cluster-wide.
    Presence {
        user: i64,
        online: bool,
        last_active_ms: i64,
    },
    /// A report was filed or decided: every node tells its moderators the
    /// open count.
    Reports,
    /// `user` blocked or unblocked someone: their nodes tell their tabs.
    Blocked { user: i64 },
}

impl Signal {
    fn to_payload(&self) -> String {
        // A plain enum of strings and numbers always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// This node's part in a cluster (PostgreSQL only).
#[derive(Debug)]
pub struct Cluster {
    /// A random id per process: a restarted node is a new node.
    pub node: String,
    pool: PgPool,
}

impl Cluster {
    /// Joins the cluster: records this node as alive, so presence rows can
    /// refer to it. Errors if the database cannot be written.
    pub async fn join(pool: PgPool) -> Result<Arc<Self>, sqlx::Error> {
        let node = uuid::Uuid::new_v4().to_string();
        presence::beat(&pool, &node).await?;
        tracing::info!(node, "cluster: joined");
        Ok(Arc::new(Self { node, pool }))
    }

    /// Leaves the cluster (the server is stopping): this node's users no
    /// longer count, and the others settle their presence on their next
    /// beat.
    pub async fn leave(&self) {
        if let Err(e) = presence::forget_node(&self.pool, &self.node).await {
            tracing::warn!("cluster: leaving: {e}");
        }
    }

    /// Sends `signal` to every node, this one included (its listener
    /// hears its own notifications).
    pub async fn signal(&self, signal: &Signal) {
        if let Err(e) = presence::signal(&self.pool, &signal.to_payload()).await {
            tracing::warn!("cluster: sending {signal:?}: {e}");
        }
    }

    /// Tells the other nodes that `user` is typing in a thread.
    pub async fn typing(&self, thread: i64, public_id: &str, user: i64, name: &str) {
        let signal = Signal::Typing {
            node: self.node.clone(),
            thread,
            public_id: public_id.to_owned(),
            user,
            name: name.to_owned(),
        };
        if let Err(e) = presence::signal(&self.pool, &signal.to_payload()).await {
            tracing::warn!("cluster: sending typing: {e}");
        }
    }

    /// This node now has a socket of `user` (`true`) or, after the grace
    /// period, none (`false`): records it and announces the user's
    /// presence to every node if it changed cluster-wide.
    pub async fn set_connected(&self, state: &AppState, user: i64, connected: bool) {
        self.settle(state, user, Some(connected)).await;
    }

    async fn settle(&self, state: &AppState, user: i64, connected: Option<bool>) {
        let now = chrono::Utc::now();
        if let Err(e) = users::touch_active(&state.db, user, now).await {
            tracing::warn!("cluster: recording presence: {e}");
        }
        let payload = |told: presence::Told| {
            Signal::Presence {
                user,
                online: told == presence::Told::Online,
                last_active_ms: now.timestamp_millis(),
            }
            .to_payload()
        };
        if let Err(e) =
            presence::set_and_settle(&self.pool, &self.node, user, connected, payload).await
        {
            tracing::warn!(user, "cluster: settling presence: {e}");
        }
    }
}

/// Listens on the cluster channel until the task is aborted, handing each
/// signal to this node's sockets. A lost connection is re-made on the next
/// receive; the pump is woken then, so it reads anything committed while
/// nobody listened.
pub async fn listen(state: AppState, cluster: Arc<Cluster>) {
    loop {
        let mut listener = match PgListener::connect_with(&cluster.pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("cluster: cannot listen: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(store::CLUSTER_CHANNEL).await {
            tracing::error!("cluster: LISTEN failed: {e}");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever committed before this LISTEN took effect.
        state.hub.wake();
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => handle(&state, &cluster, n.payload()).await,
                // The connection was lost; the next call reconnects.
                Ok(None) => {
                    tracing::warn!("cluster: listener connection lost; reconnecting");
                    state.hub.wake();
                }
                Err(e) => {
                    tracing::error!("cluster: listening: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

async fn handle(state: &AppState, cluster: &Cluster, payload: &str) {
    let signal = match serde_json::from_str::<Signal>(payload) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cluster: unreadable signal {payload:?}: {e}");
            return;
        }
    };
    match signal {
        Signal::Events => state.hub.wake(),
        Signal::Typing {
            node,
            thread,
            public_id,
            user,
            name,
        } => {
            // This node's own sockets were served when the user typed.
            if node == cluster.node {
                return;
            }
            let Ok(members) = members::of_threads(&state.db, &[thread]).await else {
                return;
            };
            let others = super::notices::typing_recipients(state, members, user).await;
            let frame = ServerFrame::Typing {
                thread: public_id,
                user,
                name,
            };
            let subject = Subject::Typing { thread, user };
            state
                .hub
                .deliver_ephemeral(&others, subject, Utf8Bytes::from(frame.to_json()));
        }
        Signal::Reports => super::notices::tell_moderators(state).await,
        Signal::Blocked { user } => super::notices::tell_blocker(state, user).await,
        Signal::Presence {
            user,
            online,
            last_active_ms,
        } => {
            let others = match users::co_member_ids(&state.db, user).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!("cluster: reading co-members for presence: {e}");
                    return;
                }
            };
            let frame = ServerFrame::Presence {
                user,
                online,
                last_active_ms: Some(last_active_ms),
            };
            let text = Utf8Bytes::from(frame.to_json());
            state
                .hub
                .deliver_ephemeral(&others, Subject::Presence { user }, text);
        }
    }
}

/// Beats every [`BEAT_EVERY`] until aborted, and settles the users of
/// nodes that stopped beating (announcing them offline).
pub async fn keep_alive(state: AppState, cluster: Arc<Cluster>) {
    let mut every = tokio::time::interval(BEAT_EVERY);
    loop {
        every.tick().await;
        if let Err(e) = presence::beat(&cluster.pool, &cluster.node).await {
            tracing::warn!("cluster: beating: {e}");
            continue;
        }
        match presence::orphans(&cluster.pool).await {
            Ok(users) => {
                for user in users {
                    cluster.settle(&state, user, None).await;
                }
            }
            Err(e) => tracing::warn!("cluster: looking for dead nodes: {e}"),
        }
    }
}

/// Which of `users` co-members were told are online, cluster-wide.
pub async fn online_among(cluster: &Cluster, users: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    presence::online_among(&cluster.pool, users).await
}

#[cfg(test)]
mod tests {
    use super::Signal;

    #[test]
    fn the_events_signal_the_store_sends_is_read_as_events() -> serde_json::Result<()> {
        let s: Signal = serde_json::from_str(crate::store::EVENTS_SIGNAL)?;
        assert_eq!(s, Signal::Events);
        Ok(())
    }

    #[test]
    fn signals_round_trip_and_stay_far_below_the_notify_limit() -> serde_json::Result<()> {
        let typing = Signal::Typing {
            node: uuid::Uuid::new_v4().to_string(),
            thread: i64::MAX,
            public_id: "0".repeat(36),
            user: i64::MAX,
            name: "n".repeat(40),
        };
        let payload = typing.to_payload();
        assert!(payload.len() < 400, "{}", payload.len());
        assert_eq!(serde_json::from_str::<Signal>(&payload)?, typing);
        Ok(())
    }
}
