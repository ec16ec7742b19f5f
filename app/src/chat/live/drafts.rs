//! Composer drafts: what was typed in a thread and not sent outlives the
//! composer. The thread pane is rebuilt when its thread is fetched again
//! (a member added, the group renamed, a reconnect too far behind for a
//! replay, the day rolling over) and when the user opens another thread
//! and comes back; a real chat keeps the half-written message and, if the
//! field had the focus, the focus too.

use std::collections::HashMap;

use leptos::prelude::*;

use super::Live;

/// A thread's unsent text and whether its field had the focus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub text: String,
    pub focused: bool,
}

/// One page's drafts (never sent anywhere).
#[derive(Debug, Default)]
pub(super) struct Drafts {
    /// By thread id.
    by_thread: HashMap<String, Draft>,
    /// The thread whose composer mounted last.
    mounted: Option<String>,
}

/// What a composer that has just mounted does with its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Restore {
    /// Put this text in it: the field may still hold another thread's
    /// text, as the pane is rebuilt in place on navigation (same elements,
    /// new thread), or the thread's own draft from before a rebuild.
    Set(String),
    /// Leave the field as it is: the first composer of the page, whose
    /// field may hold what was typed before the wasm arrived.
    Keep,
}

impl Live {
    /// `thread`'s draft (empty if none).
    pub fn draft(&self, thread: &str) -> Draft {
        self.drafts
            .try_with_value(|d| d.by_thread.get(thread).cloned())
            .flatten()
            .unwrap_or_default()
    }

    /// Keeps `text` as `thread`'s draft (an empty text drops the text).
    pub fn keep_draft(&self, thread: &str, text: String) {
        self.edit_draft(thread, |draft| draft.text = text);
    }

    /// Records whether `thread`'s field has the focus.
    pub fn draft_focused(&self, thread: &str, focused: bool) {
        self.edit_draft(thread, |draft| draft.focused = focused);
    }

    /// Changes `thread`'s draft by `change`; one left empty is dropped.
    fn edit_draft(&self, thread: &str, change: impl FnOnce(&mut Draft)) {
        // `try_`: a late blur may come after the page's context is gone.
        self.drafts.try_update_value(|d| {
            let draft = d.by_thread.entry(thread.to_owned()).or_default();
            change(draft);
            if draft == &Draft::default() {
                d.by_thread.remove(thread);
            }
        });
    }

    /// A composer for `thread` has mounted: what to do with its field.
    pub fn composer_mounted(&self, thread: &str) -> Restore {
        self.drafts
            .try_update_value(|d| {
                let previous = d.mounted.replace(thread.to_owned());
                let text = d
                    .by_thread
                    .get(thread)
                    .map(|draft| draft.text.clone())
                    .unwrap_or_default();
                restore(previous.as_deref(), thread, text)
            })
            .unwrap_or(Restore::Keep)
    }
}

/// The rule behind [`Live::composer_mounted`]: a composer that follows
/// another thread's sets its field to its own draft, even an empty one
/// (else the other thread's text would be sent here); one that follows
/// its own thread's (a rebuild) gives back a draft; the page's first
/// keeps what is there.
fn restore(previous: Option<&str>, thread: &str, draft: String) -> Restore {
    match previous {
        Some(p) if p != thread => Restore::Set(draft),
        Some(_) if !draft.is_empty() => Restore::Set(draft),
        _ => Restore::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_threads_text_never_stays_in_the_field() {
        assert_eq!(
            restore(Some("a"), "b", String::new()),
            Restore::Set(String::new())
        );
        assert_eq!(
            restore(Some("a"), "b", "mine".into()),
            Restore::Set("mine".into())
        );
    }

    #[test]
    fn a_rebuild_gives_the_draft_back_and_the_first_composer_keeps_its_field() {
        assert_eq!(
            restore(Some("a"), "a", "half".into()),
            Restore::Set("half".into())
        );
        assert_eq!(restore(Some("a"), "a", String::new()), Restore::Keep);
        assert_eq!(restore(None, "a", String::new()), Restore::Keep);
        assert_eq!(restore(None, "a", "half".into()), Restore::Keep);
    }
}
