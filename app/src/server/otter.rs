//! Otter's worker (F14): reads the messages of Otter's threads after its
//! cursor and answers each "Hey Otter," question once, as Otter, through
//! the store like any participant (so the answer is live, logged and
//! resumable). What to answer is `crate::bot`'s.
//!
//! - **After the commit, off the request path.** It wakes when any write
//!   commits ([`super::live::Hub::wake`], and on PostgreSQL when another
//!   node's commit is signalled) and polls every second besides.
//! - **Exactly one answer.** The answer's client id is `otter-<question
//!   id>`, and a sender's client ids are unique: a question read twice (a
//!   restart before the cursor moved, two nodes of a cluster both reading
//!   it) inserts one answer; the second insert changes nothing.
//! - **Restarts.** The cursor is stored (`bot_state`), moved in the same
//!   transaction as the answer it covers: a question left unanswered by a
//!   crash is read again, and answered, after the restart.
//! - **Reads only what is new.** Most messages are not in Otter's
//!   threads, and the stored cursor moves only with what Otter hears; so
//!   the worker also keeps, in memory, how far it has looked (the newest
//!   message id before a round that read everything after it). Without
//!   it every round read again every message since the last question
//!   anywhere, a cost that grew with each send (5.4 ms a round on
//!   PostgreSQL after 10,000 direct messages, 40% of the database's time
//!   in `bench_live --only sends`, issue 13). A restart begins again from
//!   the stored cursor, which only costs one longer read.
//! - **Floods.** One asker gets at most a few answers a minute (per node:
//!   see ARCHITECTURE.md); further questions are passed over quietly.

use std::num::NonZeroU32;
use std::time::Duration;

use chrono::Utc;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{access, AppState, ResultExt};
use crate::store::{bot, messages};

/// Messages read per round.
const BATCH: i64 = 100;
/// The longest a question waits when nothing woke the worker.
const POLL: Duration = Duration::from_secs(1);
/// Answers per asker: 5 at once, then one every 12 s.
const ANSWERS_PER_MINUTE: u32 = 5;

/// Runs until the task is aborted. `delay` is waited before each answer
/// (`PARLEY_OTTER_DELAY_MS`, 0 by default; the crash test uses it to stop
/// the server between a question and its answer).
pub async fn run(state: AppState, delay: Duration) {
    let otter = loop {
        match bot::otter(&state.db).await {
            Ok(Some(id)) => break id,
            Ok(None) => {
                tracing::warn!("otter: no bot user; Otter stays quiet");
                return;
            }
            Err(e) => {
                tracing::error!("otter: finding the bot: {e}");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    let per_minute = NonZeroU32::new(ANSWERS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
    let limits: DefaultKeyedRateLimiter<i64> = RateLimiter::keyed(Quota::per_minute(per_minute));
    let mut looked = 0;
    loop {
        match round(&state, otter, &limits, delay, &mut looked).await {
            // More may be waiting: read on at once.
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!("otter: {e}"),
        }
        tokio::select! {
            _ = state.hub.bot_woken() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        limits.retain_recent();
    }
}

/// Reads one batch after the stored cursor (or after `looked`, how far
/// earlier rounds have read, if that is further) and answers its
/// questions; `true` when the batch was full (more to read).
async fn round(
    state: &AppState,
    otter: i64,
    limits: &DefaultKeyedRateLimiter<i64>,
    delay: Duration,
    looked: &mut i64,
) -> Result<bool, crate::error::AppError> {
    // `newest` is read before the batch: every message up to it is
    // committed (ids are taken in commit order under the write slot), so a
    // batch read after it that was not full has seen all of them.
    let (cursor, newest) = bot::positions(&state.db)
        .await
        .context("reading Otter's cursor")?;
    let heard = bot::heard_after(&state.db, otter, cursor.max(*looked), BATCH)
        .await
        .context("reading Otter's threads")?;
    let full = heard.len() as i64 == BATCH;
    // Moved on only once the round has answered all it read: a failed
    // answer leaves it where it was, so the next round reads it again.
    let looked_now = next_look(*looked, newest, heard.last().map(|h| h.id), full);
    let Some(last) = heard.last().map(|h| h.id) else {
        *looked = looked_now;
        return Ok(false);
    };
    for h in &heard {
        let Some(question) = crate::bot::question(&h.body) else {
            continue;
        };
        if limits.check_key(&h.sender_id).is_err() {
            tracing::info!(
                asker = h.sender_id,
                "otter: too many questions, passed over"
            );
            continue;
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let tz = h
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
            .unwrap_or(chrono_tz::UTC);
        let now = Utc::now();
        let text = crate::bot::answer(question, now, tz);
        let (thread, question_id) = (h.thread_id, h.id);
        access::write_in(state.clone(), "committing Otter's answer", move |tx| {
            Box::pin(async move {
                let client_id = format!("otter-{question_id}");
                let answer = messages::NewMessage {
                    thread_id: thread,
                    sender_id: otter,
                    client_id: &client_id,
                    kind: "text",
                    body: &text,
                    at: now,
                };
                messages::insert(tx, &answer)
                    .await
                    .context("storing Otter's answer")?;
                bot::heard_through(tx, question_id)
                    .await
                    .context("moving Otter's cursor")
            })
        })
        .await?;
    }
    // Everything in the batch is heard (the questions' answers committed
    // above, each with its own cursor move).
    access::write_in(state.clone(), "moving Otter's cursor", move |tx| {
        Box::pin(async move {
            bot::heard_through(tx, last)
                .await
                .context("moving Otter's cursor")
        })
    })
    .await?;
    *looked = looked_now;
    Ok(full)
}

/// How far Otter has looked after a round: to the last message of a full
/// batch (more may follow it), else to `newest`, the newest message id
/// read before the batch (the batch saw everything up to it); never back.
fn next_look(looked: i64, newest: i64, last_heard: Option<i64>, full: bool) -> i64 {
    let reached = match (full, last_heard) {
        (true, Some(last)) => last,
        _ => newest.max(last_heard.unwrap_or(0)),
    };
    looked.max(reached)
}

#[cfg(test)]
mod tests {
    use super::next_look;

    #[test]
    fn looks_on_to_the_newest_message_unless_the_batch_was_full() {
        // Nothing in Otter's threads: on to the newest message.
        assert_eq!(next_look(10, 500, None, false), 500);
        // Some heard, not full: all up to `newest` was seen.
        assert_eq!(next_look(10, 500, Some(300), false), 500);
        // A full batch stops at its last message: more may follow it.
        assert_eq!(next_look(10, 500, Some(300), true), 300);
        // A message newer than `newest` heard (committed in between).
        assert_eq!(next_look(10, 500, Some(520), false), 520);
        // Never back.
        assert_eq!(next_look(900, 500, None, false), 900);
    }
}
