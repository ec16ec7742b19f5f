//! Keeping "now"-relative labels true in an open page.
//!
//! Day separators ("Today", "Yesterday"), the list's stamps (a time today,
//! a date before) and days on the site are written by the server for the
//! viewer's day, in the viewer's zone (the wasm carries no zone database).
//! The list says when the viewer's next day starts
//! ([`NavList::relabel_at_ms`], worked out on the server by
//! `when::next_midnight`, DST and :30/:45 offsets included); when the
//! browser's clock reaches it, the page fetches the list and the open
//! thread again, passing its clock, so the server writes every label for
//! the new day. The clock is looked at least every `CHECK_EVERY_MS`, not
//! only when one long timer fires (`domain::day_change`): timers stand still while a laptop
//! sleeps, and its clock may have jumped days when it wakes.

use leptos::prelude::*;

use super::context::Revisions;
#[cfg(feature = "hydrate")]
use crate::domain::day_change::{next_look_in, relabel_due};
use crate::error::AppError;
use crate::model::NavList;

/// Re-labels the window when the viewer's day changes: watches `threads`
/// for the day's end and refetches both resources then. Browser only.
pub fn follow_the_day(threads: Resource<Result<NavList, AppError>>, revs: Revisions) {
    let relabel_at = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if let Some(Ok(list)) = threads.get() {
            relabel_at.set(Some(list.relabel_at_ms));
        }
    });
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let stopped = Arc::new(AtomicBool::new(false));
        let stop = stopped.clone();
        on_cleanup(move || stop.store(true, Ordering::Relaxed));
        leptos::task::spawn_local(async move {
            while !stopped.load(Ordering::Relaxed) {
                let now = js_sys::Date::now();
                let at = relabel_at.try_get_untracked().flatten();
                if at.is_some_and(|at| relabel_due(now, at)) {
                    // The refetched list brings the next day's end.
                    relabel_at.set(None);
                    revs.refresh_nav();
                    revs.refresh_thread();
                }
                gloo_timers::future::TimeoutFuture::new(next_look_in(now, at)).await;
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = revs;
}
