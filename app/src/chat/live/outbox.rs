//! Optimistic, idempotent sending (F18). A message shows at once as
//! pending; the outbox sends one at a time, in order, each with the id it
//! was made with, so a retry after a lost answer or a dropped connection
//! is the same message (the server keeps one row per client id). When the
//! network is gone the rest wait, and go in order when the socket is back;
//! a message the server refuses shows "Not sent" with Retry.

use leptos::prelude::*;

use super::Live;
use crate::domain::MessageKind;
use crate::error::AppError;
use crate::protocol::Change;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingState {
    /// Being sent, or next in line.
    Sending,
    /// The network was unreachable: sent again when the socket reconnects.
    Waiting,
    /// The server refused it (the reason is shown).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: String,
    pub thread: String,
    pub kind: MessageKind,
    /// The text, or the sticker's name.
    pub body: String,
    pub state: PendingState,
}

impl Live {
    /// Shows a message as pending and sends it.
    pub fn send(&self, thread: String, kind: MessageKind, body: String) {
        self.outbox.update(|o| {
            o.push(Pending {
                client_id: super::super::browser::new_client_id(),
                thread,
                kind,
                body,
                state: PendingState::Sending,
            })
        });
        self.drain();
    }

    /// Sends a waiting or refused message again (same id).
    pub fn retry(&self, client_id: &str) {
        self.outbox.update(|o| {
            for p in o.iter_mut().filter(|p| p.client_id == client_id) {
                p.state = PendingState::Sending;
            }
        });
        self.drain();
    }

    /// The connection is back: everything that waited goes, in order.
    pub fn retry_waiting(&self) {
        let any = self
            .outbox
            .with_untracked(|o| o.iter().any(|p| p.state == PendingState::Waiting));
        if any {
            self.outbox.update(|o| {
                for p in o.iter_mut().filter(|p| p.state == PendingState::Waiting) {
                    p.state = PendingState::Sending;
                }
            });
        }
        self.drain();
    }

    /// The server has the message (its answer or its event came).
    pub(super) fn confirmed(&self, client_id: &str) {
        if self
            .outbox
            .with_untracked(|o| o.iter().any(|p| p.client_id == client_id))
        {
            self.outbox
                .update(|o| o.retain(|p| p.client_id != client_id));
        }
    }

    /// Sends what is pending, oldest first, one at a time. Only one drain
    /// runs; a send while it runs is picked up by its loop.
    fn drain(&self) {
        if self.draining.get_value() {
            return;
        }
        self.draining.set_value(true);
        let live = *self;
        leptos::task::spawn_local(async move {
            while let Some(p) = live
                .outbox
                .with_untracked(|o| o.iter().find(|p| p.state == PendingState::Sending).cloned())
            {
                let sent = match p.kind {
                    MessageKind::Sticker => {
                        crate::api::messages::send_sticker(
                            p.thread.clone(),
                            p.body.clone(),
                            p.client_id.clone(),
                        )
                        .await
                    }
                    _ => {
                        crate::api::messages::send_message(
                            p.thread.clone(),
                            p.body.clone(),
                            p.client_id.clone(),
                        )
                        .await
                    }
                };
                match sent {
                    Ok(m) => {
                        live.confirmed(&p.client_id);
                        live.show_own(&p.thread, m, p.client_id);
                    }
                    Err(AppError::Transport(_)) => {
                        // Offline: this one and the rest wait for the socket.
                        live.outbox.update(|o| {
                            for q in o.iter_mut().filter(|q| q.state == PendingState::Sending) {
                                q.state = PendingState::Waiting;
                            }
                        });
                        break;
                    }
                    Err(e) => live.outbox.update(|o| {
                        if let Some(q) = o.iter_mut().find(|q| q.client_id == p.client_id) {
                            q.state = PendingState::Failed(
                                e.for_field("body").unwrap_or_else(|| e.to_string()),
                            );
                        }
                    }),
                }
            }
            live.draining.set_value(false);
        });
    }

    /// Puts your confirmed message in the open thread (its event will say
    /// the same, harmlessly, a moment later); nothing if `thread` is not
    /// the open one.
    pub fn show_own(&self, thread: &str, m: crate::model::MessageView, client_id: String) {
        let me = self.me();
        if let Some(t) = self
            .open
            .get_untracked()
            .filter(|t| t.id.with_value(|id| id == thread))
        {
            let change = Change::MessageCreated {
                message: Box::new(m),
                client_id,
            };
            // `try_`: the thread may be closing.
            let _ = t.messages.try_maybe_update(|list| {
                (
                    crate::domain::live::apply_to_messages(list, &change, me),
                    (),
                )
            });
        }
    }

    /// The open thread's pending messages, in order.
    pub fn pending_in(&self, thread: &str) -> Vec<Pending> {
        self.outbox
            .with(|o| o.iter().filter(|p| p.thread == thread).cloned().collect())
    }
}
