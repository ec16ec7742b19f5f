//! Reads the event log in id order and hands each event to the sockets of
//! the users who may see it *now* (membership is read at delivery, so a
//! removed member stops receiving at once).
//!
//! Server functions wake the pump after they commit; it also polls, so
//! writes by another process on the same database are delivered too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::store::Db;

use super::{frames, Hub};
use crate::store::{events, members};

/// Events read per round trip.
const BATCH: i64 = 500;
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
    loop {
        tokio::select! {
            _ = hub.woken() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        loop {
            match deliver_batch(&pool, &hub, cursor).await {
                Ok(Some(next)) => cursor = next,
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

/// Delivers the next batch after `cursor`; the new cursor, or `None` when
/// there was nothing new.
async fn deliver_batch(pool: &Db, hub: &Hub, cursor: i64) -> Result<Option<i64>, sqlx::Error> {
    let batch = events::after(pool, cursor, BATCH).await?;
    let Some(last) = batch.last().map(|e| e.id) else {
        return Ok(None);
    };
    let loaded = frames::load(pool, &batch).await?;
    let mut threads: Vec<i64> = batch.iter().map(|e| e.thread_id).collect();
    threads.sort_unstable();
    threads.dedup();
    let mut members_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (thread, user) in members::of_threads(pool, &threads).await? {
        members_of.entry(thread).or_default().push(user);
    }
    let now = chrono::Utc::now();
    for e in &batch {
        let mut to: Vec<i64> = members_of.get(&e.thread_id).cloned().unwrap_or_default();
        // Whoever was removed or left hears of it (their tabs drop the
        // thread), and nothing after.
        if matches!(e.kind.as_str(), "member_removed" | "member_left") {
            to.extend(e.user_id);
        }
        hub.deliver(to, e.id, |tz| loaded.text(e, tz, now));
    }
    Ok(Some(last))
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
