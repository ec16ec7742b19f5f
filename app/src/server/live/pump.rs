//! Reads the event log in id order and hands each event to the sockets of
//! the users who may see it when it is delivered (membership is read again
//! with every membership event, so a removed member stops receiving at
//! once; see [`MemberCache`]).
//!
//! Server functions wake the pump after they commit; it also polls, so
//! writes by another process on the same database are delivered too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::store::Db;

use super::{frames, Hub};
use crate::store::{events, members};

/// Events read per round trip at most; see [`batch_size`].
const BATCH: i64 = 500;

/// Events per batch: at most half a socket queue, so one batch can never
/// fill a healthy socket's queue by itself (a 500-event batch into
/// 256-frame queues cut every socket off at once under load); the pump
/// yields between batches, so sockets drain before the next.
fn batch_size(queue: usize) -> i64 {
    i64::try_from(queue / 2).unwrap_or(BATCH).clamp(1, BATCH)
}
/// The longest an event waits when nobody woke the pump.
const POLL: Duration = Duration::from_millis(500);

/// Runs until the task is aborted. Errors (a locked database, a dropped
/// file) are logged and retried on the next round: nothing is skipped,
/// since the cursor only moves past events that were delivered.
pub async fn run(pool: Db, hub: Arc<Hub>) {
    let mut cursor = loop {
        match events::newest(&pool).await {
            Ok(id) => break id,
            Err(e) => {
                tracing::error!("live: cannot read the event log: {e}");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    let mut pruned = events::pruned_through(&pool).await.unwrap_or(0);
    let mut cache = MemberCache::default();
    loop {
        tokio::select! {
            _ = hub.woken() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        let batch = batch_size(hub.settings().queue);
        loop {
            match deliver_batch(&pool, &hub, &mut cache, cursor, batch).await {
                // A short batch reached the end of the log as it stood.
                // Anything committed since woke the hub after its commit
                // (a stored permit), so the outer loop reads it without
                // a query here that would find nothing.
                Ok(Some((next, read))) if read < batch => {
                    cursor = next;
                    break;
                }
                Ok(Some((next, _))) => {
                    cursor = next;
                    tokio::task::yield_now().await;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!("live: delivering events after {cursor}: {e}");
                    break;
                }
            }
        }
        pruned = prune(&pool, &hub, cursor, pruned).await;
    }
}

/// The members of the threads the pump delivers to, kept between batches:
/// a 1,000-member group's list was read again for every message. A list is
/// read afresh whenever a batch holds a membership event of its thread
/// (every join, removal and departure is one: `store::members`), so each
/// event goes to the members as they are when it is delivered, as before.
#[derive(Default)]
pub struct MemberCache {
    by_thread: HashMap<i64, Arc<[i64]>>,
}

/// Threads whose member lists are kept at most; past it the cache starts
/// over (a busy site's lists are read again once, not kept for ever).
const CACHED_THREADS: usize = 10_000;

impl MemberCache {
    /// The member lists of `threads`, reading those not kept and those in
    /// `changed` (membership changed in this batch).
    async fn lists(
        &mut self,
        pool: &Db,
        threads: &[i64],
        changed: &[i64],
    ) -> Result<(), sqlx::Error> {
        let stale: Vec<i64> = threads
            .iter()
            .copied()
            .filter(|t| changed.contains(t) || !self.by_thread.contains_key(t))
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        if self.by_thread.len() + stale.len() > CACHED_THREADS {
            self.by_thread.clear();
        }
        let mut read: HashMap<i64, Vec<i64>> = stale.iter().map(|t| (*t, Vec::new())).collect();
        for (thread, user) in members::of_threads(pool, &stale).await? {
            read.entry(thread).or_default().push(user);
        }
        for (thread, users) in read {
            self.by_thread.insert(thread, users.into());
        }
        Ok(())
    }

    fn of(&self, thread: i64) -> Arc<[i64]> {
        self.by_thread
            .get(&thread)
            .cloned()
            .unwrap_or_else(|| Arc::new([]))
    }
}

/// Delivers the next batch after `cursor`: the new cursor and how many
/// events the batch held, or `None` when there was nothing new.
async fn deliver_batch(
    pool: &Db,
    hub: &Hub,
    cache: &mut MemberCache,
    cursor: i64,
    size: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let batch = events::after(pool, cursor, size).await?;
    let Some(last) = batch.last().map(|e| e.id) else {
        return Ok(None);
    };
    let loaded = frames::load(pool, &batch).await?;
    let mut threads: Vec<i64> = batch.iter().map(|e| e.thread_id).collect();
    threads.sort_unstable();
    threads.dedup();
    let changed: Vec<i64> = batch
        .iter()
        .filter(|e| e.kind.starts_with("member_"))
        .map(|e| e.thread_id)
        .collect();
    cache.lists(pool, &threads, &changed).await?;
    let now = chrono::Utc::now();
    for e in &batch {
        let members = cache.of(e.thread_id);
        // Whoever was removed or left hears of it (their tabs drop the
        // thread), and nothing after.
        let gone = match e.kind.as_str() {
            "member_removed" | "member_left" => e.user_id,
            _ => None,
        };
        let to = members.iter().copied().chain(gone);
        match (e.kind.as_str(), e.user_id) {
            // The reader's own count goes to the reader's tabs only (see
            // `Loaded::frame`); everyone else shares one rendering.
            ("read_moved", Some(reader)) => {
                hub.deliver([reader], e.id, |tz| loaded.text(e, tz, now, reader));
                hub.deliver(to.filter(|u| *u != reader), e.id, |tz| {
                    loaded.text(e, tz, now, 0)
                });
            }
            _ => hub.deliver(to, e.id, |tz| loaded.text(e, tz, now, 0)),
        }
    }
    Ok(Some((last, batch.len() as i64)))
}

/// Keeps the newest `events_kept` events; a client resuming from before
/// the pruned point is told to reload. Pruned in steps of a tenth so the
/// delete is occasional, not per batch.
async fn prune(pool: &Db, hub: &Hub, cursor: i64, pruned: i64) -> i64 {
    let keep = hub.settings().events_kept.max(1);
    let through = cursor - keep;
    if through <= pruned + keep / 10 {
        return pruned;
    }
    match events::prune(pool, through).await {
        Ok(()) => through,
        Err(e) => {
            tracing::warn!("live: pruning the event log: {e}");
            pruned
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_never_fills_half_a_queue_past() {
        assert_eq!(batch_size(256), 128);
        assert_eq!(batch_size(4), 2);
        assert_eq!(batch_size(1), 1);
        assert_eq!(batch_size(0), 1);
        assert_eq!(batch_size(100_000), BATCH);
    }
}
