//! The live socket's protocol (`GET /api/live?after=<event id>`), shared by
//! the server and the browser so neither can drift from the other. Every
//! frame is one JSON text message tagged by `"t"`. The full description,
//! with examples and close codes, is in ARCHITECTURE.md ("Live updates").

use serde::{Deserialize, Serialize};

use crate::model::{MessageView, Reaction};

/// The largest frame a client may send; anything bigger closes the socket
/// (1009). Client frames are a few dozen bytes.
pub const MAX_CLIENT_FRAME: usize = 1024;

/// Close codes the server uses (4000–4999 are the application's).
pub mod close {
    /// The client did not keep up with its queue: reconnect and resume.
    pub const TOO_SLOW: u16 = 4000;
    /// The session ended (logout): do not reconnect.
    pub const SESSION_ENDED: u16 = 4001;
    /// Nothing heard from the client within the idle timeout.
    pub const IDLE: u16 = 4002;
    /// A frame the server cannot parse.
    pub const PROTOCOL: u16 = 4003;
    /// A frame over [`super::MAX_CLIENT_FRAME`] (the standard "message too
    /// big" code).
    pub const TOO_BIG: u16 = 1009;
    /// A text frame that is not valid UTF-8 (the standard "invalid frame
    /// payload data" code, RFC 6455 §7.4.1).
    pub const INVALID_TEXT: u16 = 1007;
}

/// When a closed live socket tries again: exponential backoff with full
/// jitter, so that after a server restart the clients of every open page
/// do not all come back in the same instant. The browser
/// (`chat/live/socket.rs`) and the live benchmark's clients (`bench_live`)
/// use this same schedule.
pub mod reconnect {
    /// The ceiling of the first attempt's delay, in ms; each failed
    /// attempt doubles it.
    pub const BASE_MS: f64 = 500.0;
    /// The largest ceiling, in ms.
    pub const CAP_MS: f64 = 30_000.0;

    /// The delay in ms before reconnect attempt `attempt` (0 = the first
    /// after a close, whatever its code, e.g. 1001 when the server stops):
    /// `random · min(CAP_MS, BASE_MS · 2^attempt)`, so uniform in
    /// `[0, ceiling)` for `random` uniform in `[0, 1)` (`Math.random()`).
    /// `random` outside `[0, 1]` is clamped into it (NaN counts as 0).
    pub fn delay_ms(attempt: u32, random: f64) -> f64 {
        // 2^16 · BASE_MS is far past the cap; the bound keeps powi finite.
        let ceiling = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
        let share = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        ceiling * share
    }
}

/// From the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientFrame {
    /// "I am typing in this thread" (sent at most every few seconds).
    Typing { thread: String },
    /// Liveness check; answered with [`ServerFrame::Pong`].
    Ping,
}

/// From the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ServerFrame {
    /// One logged change, in id order, exactly once per connection.
    Event(Event),
    /// Every missed event was replayed; what follows is live.
    Ready {
        cursor: i64,
    },
    /// The requested cursor is older than the kept log (or unknown): load
    /// the state afresh; events after `cursor` follow.
    Reload {
        cursor: i64,
    },
    /// Someone is typing (ephemeral, not logged, not replayed).
    Typing {
        thread: String,
        user: i64,
        name: String,
    },
    /// Someone who shares a thread with you came online or left.
    Presence {
        user: i64,
        online: bool,
        last_active_ms: Option<i64>,
    },
    /// To moderators only: how many reports are open now (sent when a
    /// report is filed or decided, and when a moderator's socket opens).
    Reports {
        open: i64,
    },
    /// To the blocker's own tabs only: the people they block now (sent
    /// when they block or unblock someone). Nobody else is ever told.
    Blocked {
        users: Vec<i64>,
    },
    Pong,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's id: the cursor to resume after.
    pub id: i64,
    /// The thread's public id.
    pub thread: String,
    pub change: Change,
}

/// What changed. Payloads are read from the tables at delivery, so a
/// message deleted since is delivered without its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Times are written in the recipient's zone; `client_id` lets the
    /// sender's tabs replace their pending copy.
    MessageCreated {
        message: Box<MessageView>,
        client_id: String,
    },
    /// Deleted by its author, or (`removed`) removed by a moderator: its
    /// text is gone either way.
    MessageDeleted {
        message_id: i64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        removed: bool,
    },
    /// The message's reactions as they now are (`mine` is for the
    /// recipient to work out from `user_ids`).
    ReactionChanged {
        message_id: i64,
        reactions: Vec<Reaction>,
    },
    MemberAdded {
        user: i64,
    },
    MemberRemoved {
        user: i64,
    },
    MemberLeft {
        user: i64,
    },
    ThreadRenamed {
        title: Option<String>,
    },
    /// `user` has read up to `message_id`; `unread` is what is left unread
    /// for that user (their other tabs set their badge from it).
    ReadMoved {
        user: i64,
        message_id: i64,
        unread: i64,
    },
}

impl ServerFrame {
    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail (no maps with
        // non-string keys, no custom serialisers).
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_json() -> Result<(), serde_json::Error> {
        let f: ClientFrame = serde_json::from_str(r#"{"t":"typing","thread":"abc"}"#)?;
        assert_eq!(
            f,
            ClientFrame::Typing {
                thread: "abc".into()
            }
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"t":"nope"}"#).is_err());
        let e = ServerFrame::Event(Event {
            id: 7,
            thread: "t".into(),
            change: Change::MessageDeleted {
                message_id: 3,
                removed: false,
            },
        });
        assert_eq!(
            e.to_json(),
            r#"{"t":"event","id":7,"thread":"t","change":{"kind":"message_deleted","message_id":3}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&e.to_json())?, e);
        Ok(())
    }

    #[test]
    fn reconnect_delays_are_fully_jittered_from_the_first_attempt() {
        use super::reconnect::{delay_ms, BASE_MS, CAP_MS};
        // The first attempt after a close may go at once or as late as the
        // base: a restart's clients spread over the whole window.
        assert_eq!(delay_ms(0, 0.0), 0.0);
        assert_eq!(delay_ms(0, 0.5), BASE_MS / 2.0);
        assert_eq!(delay_ms(0, 1.0), BASE_MS);
        // Each attempt doubles the ceiling, up to the cap.
        assert_eq!(delay_ms(1, 1.0), 2.0 * BASE_MS);
        assert_eq!(delay_ms(3, 0.25), 2.0 * BASE_MS);
        assert_eq!(delay_ms(6, 1.0), CAP_MS);
        assert_eq!(delay_ms(u32::MAX, 1.0), CAP_MS);
        assert_eq!(delay_ms(u32::MAX, 0.0), 0.0);
        // The delay grows with the random number, never past the ceiling.
        for attempt in 0..20 {
            let ceiling = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
            let mut previous = -1.0;
            for k in 0..=100 {
                let d = delay_ms(attempt, f64::from(k) / 100.0);
                assert!(d > previous && d <= ceiling, "attempt {attempt}, {k}%: {d}");
                previous = d;
            }
        }
        // Out of range or not a number: still a delay inside the window.
        assert_eq!(delay_ms(0, -1.0), 0.0);
        assert_eq!(delay_ms(0, 7.0), BASE_MS);
        assert_eq!(delay_ms(0, f64::NAN), 0.0);
    }
}
