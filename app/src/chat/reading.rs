//! Following the newest messages while reading a thread (F15, F17): a new
//! message keeps the reader's place unless they are at the bottom, and
//! looking at the newest messages moves the read position (debounced), so
//! "Seen" appears for the sender and badges clear in every tab.

use leptos::{html, prelude::*};

use super::thread::ThreadState;

/// How close to the bottom (px) still counts as "at the newest".
const AT_BOTTOM_PX: i32 = 40;
/// Reading is reported this long after it settles.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const READ_DEBOUNCE_MS: u32 = 400;

// The server never reads: marking read happens in the browser only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy)]
pub struct Reading {
    thread: ThreadState,
    scroller: NodeRef<html::Div>,
    me: i64,
    /// Was at the bottom at the last look (before the list changed).
    at_bottom: StoredValue<bool>,
    /// The list's height at the last look.
    height: StoredValue<i32>,
    /// The newest message id at the last look.
    newest: StoredValue<i64>,
    /// The read position asked of the server last.
    asked: StoredValue<i64>,
}

impl Reading {
    pub fn new(thread: ThreadState, scroller: NodeRef<html::Div>, me: i64) -> Self {
        Self {
            thread,
            scroller,
            me,
            at_bottom: StoredValue::new(true),
            height: StoredValue::new(0),
            newest: StoredValue::new(0),
            asked: StoredValue::new(0),
        }
    }

    /// The reader scrolled: remember where they are, maybe mark read.
    pub fn scrolled(&self) {
        if let Some(el) = self.scroller.get_untracked() {
            // Bottom-up list: scrollTop is 0 at the bottom, negative above.
            self.at_bottom.set_value(el.scroll_top() > -AT_BOTTOM_PX);
            self.height.set_value(el.scroll_height());
        }
        self.mark_read();
    }

    /// After each change of the list: keep the reader's place if they were
    /// reading older messages, and mark read if they see the newest.
    pub fn follow(self) {
        Effect::new(move |_| {
            let newest = self.thread.messages.with(|l| l.last().map_or(0, |m| m.id));
            let Some(el) = self.scroller.get() else {
                return;
            };
            let grew = el.scroll_height() - self.height.get_value();
            if newest > self.newest.get_value() && !self.at_bottom.get_value() && grew > 0 {
                // Content added below pushes a bottom-anchored view up by
                // its height: scroll the same amount back.
                el.set_scroll_top(el.scroll_top() - grew);
            }
            self.newest.set_value(newest);
            self.height.set_value(el.scroll_height());
            self.mark_read();
        });
        #[cfg(feature = "hydrate")]
        {
            let handle =
                window_event_listener_untyped("visibilitychange", move |_| self.mark_read());
            on_cleanup(move || handle.remove());
        }
    }

    /// Moves the read position to the newest message if the reader can see
    /// it (page visible, list at the bottom), after a short pause.
    fn mark_read(&self) {
        #[cfg(feature = "hydrate")]
        {
            let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
            if !visible || !self.at_bottom.get_value() {
                return;
            }
            let me = self.me;
            let newest = self
                .thread
                .messages
                .with_untracked(|l| l.last().map_or(0, |m| m.id));
            let read = self
                .thread
                .reads
                .with_untracked(|r| r.get(&me).copied().unwrap_or(0));
            if newest <= read || newest <= self.asked.get_value() {
                return;
            }
            let this = *self;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(READ_DEBOUNCE_MS).await;
                // The thread may have been closed or replaced meanwhile:
                // then there is nothing left to mark.
                let Some(newest) = this
                    .thread
                    .messages
                    .try_with_untracked(|l| l.last().map_or(0, |m| m.id))
                else {
                    return;
                };
                let (Some(asked), Some(id)) =
                    (this.asked.try_get_value(), this.thread.id.try_get_value())
                else {
                    return;
                };
                if newest <= asked {
                    return;
                }
                this.asked.set_value(newest);
                match crate::api::threads::mark_read(id, newest).await {
                    Ok(()) => this.thread.read_up_to(me, newest),
                    // Asked again at the next change.
                    Err(_) => {
                        let _ = this.asked.try_set_value(0);
                    }
                }
            });
        }
    }
}
