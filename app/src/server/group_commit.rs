//! Group commit: this node's writes queue here and commit in batches, one
//! transaction per batch.
//!
//! Why: every write holds the database's one write slot from its `BEGIN`
//! to its `COMMIT` (the gap-free cursor: [`crate::store::Db::begin_write`]).
//! One transaction per write pays that slot's fixed costs one write after
//! another: the `BEGIN` (and on PostgreSQL the advisory-lock round trip),
//! the `COMMIT`, SQLite's write of the touched pages to its WAL, and on
//! PostgreSQL the WAL flush every commit waits for with the slot held. So
//! writes wait in one queue, and each batch takes all that are waiting (up
//! to [`MAX_BATCH`]) into one transaction: each write runs in a savepoint of
//! its own, so a write that fails is rolled back alone and its caller gets
//! its own error, and the batch's one commit makes the others durable
//! together. Writes that arrive while a batch commits form the next one;
//! under no load a batch is one write, run without a savepoint, which is
//! exactly the transaction it would have had alone.
//!
//! A savepoint costs a round trip to the database per write (SQLite's
//! worker thread, PostgreSQL's socket) with the write slot held, as much
//! as a send's one statement. So a write that refuses only before it has
//! written anything ([`GroupCommit::write_atomic`]: a read position's
//! move; a send) runs without one: its refusal leaves nothing to undo.
//! Sends go one step further ([`GroupCommit::send`]): the messages of the
//! sends that wait next to each other are stored by one statement, so a
//! batch of sends is one round trip, not one each (issue 13). A database error in such a write may have left its statement
//! half-done (on PostgreSQL it aborts the transaction), so it fails its
//! whole batch instead: rolled back, every other caller answered
//! [`AppError::Unavailable`] (nothing of theirs stored; sends retry by
//! client id). Database errors are faults here, not refusals, so this
//! trades a rare batch failure for half the slot's round trips.
//!
//! The guarantees are the ones a transaction per write gave: a caller's
//! answer comes only after its write is committed (or with its error);
//! writes commit in the order they were queued; ids are taken in commit
//! order, so cursors stay gap-free; and a caller that goes away (its
//! future dropped at any `.await`) drops only its wait, never the write.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::live::Hub;
use super::ResultExt;
use crate::error::AppError;
use crate::store::messages::{self, MemberSend, Sent};
use crate::store::{Db, Tx};

/// The most writes one transaction takes by default (`PARLEY_WRITE_BATCH`).
/// A batch holds the write slot for all of them (a few statements each,
/// tens of microseconds apiece on SQLite), so this bounds how long the
/// first write of a batch waits for the last.
pub const MAX_BATCH: usize = 64;

/// The work of one write transaction: borrows the transaction's connection
/// for as long as it runs.
pub type TxFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'c>>;

/// This node's write queue (a handle: cheap to clone, all clones share one
/// queue and one committing task).
#[derive(Clone, Debug)]
pub struct GroupCommit {
    queue: mpsc::UnboundedSender<Box<dyn Job>>,
    /// Transactions committed so far (each one batch).
    commits: Arc<AtomicU64>,
}

impl GroupCommit {
    /// Starts the committing task, taking up to `max_batch` writes a
    /// transaction (at least 1). It ends when the last handle is dropped,
    /// after the writes already queued. After each commit it wakes `hub`
    /// (the live pump and Otter).
    ///
    /// On SQLite the task runs on a thread of its own (a current-thread
    /// Tokio runtime); on PostgreSQL, and if that thread cannot be made, on
    /// the current runtime. Why: a batch is a chain of hand-offs to the
    /// write connection's worker thread and back, one per statement, with
    /// the write slot held throughout. On the shared runtime each answer
    /// queued behind the request tasks before the chain went on; on a
    /// thread of its own the task runs as soon as the answer comes (durable
    /// sends 3,832 → 4,726/s on two cores, `bench_live --only sends`,
    /// issue 13). PostgreSQL stays on the shared runtime because its
    /// connections are sockets bound to the runtime that opened them, and
    /// the pool would open some from the batch's thread.
    pub fn start(db: Db, hub: Arc<Hub>, max_batch: usize) -> Self {
        let (queue, waiting) = mpsc::unbounded_channel();
        let commits = Arc::new(AtomicU64::new(0));
        let own_thread = !db.is_postgres();
        let committing = commit_batches(db, hub, waiting, max_batch.max(1), commits.clone());
        if !own_thread {
            tokio::spawn(committing);
            return Self { queue, commits };
        }
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => {
                let spawned = std::thread::Builder::new()
                    .name("parley-commit".into())
                    .spawn(move || runtime.block_on(committing));
                if let Err(e) = spawned {
                    // Its queue is closed with it: writes answer Unavailable.
                    tracing::error!(error = %e, "starting the write queue's thread");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the write queue runs on the shared runtime");
                tokio::spawn(committing);
            }
        }
        Self { queue, commits }
    }

    /// How many transactions this queue has committed (each a batch of one
    /// or more writes; batches whose every write failed are not counted).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `work` in a write transaction (shared with other writes of its
    /// batch, in a savepoint of its own) and answers once it is committed.
    ///
    /// - `work` returning `Err` rolls back everything it wrote; that error
    ///   is the answer, and the other writes of the batch are unaffected.
    /// - A failed commit answers every write of the batch with the error
    ///   ([`AppError::Unavailable`] when the database cannot be reached,
    ///   else [`AppError::Internal`], the cause logged with `what`).
    /// - Dropping the returned future drops only the wait: the write still
    ///   commits or rolls back in full.
    pub async fn write<T, F>(&self, what: &'static str, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
    {
        self.enqueue(what, |reply| {
            Box::new(Queued {
                what,
                atomic: false,
                work,
                reply,
            })
        })
        .await
    }

    /// [`write`](Self::write) for work that refuses only before it writes:
    /// every `Err` it returns other than [`AppError::Internal`] and
    /// [`AppError::Unavailable`] must come before its first change (a
    /// read position's move: one update, checked in its own statement).
    /// It runs without a savepoint (the module doc says why), so:
    ///
    /// - a refusal (any other `Err`) is that error, the batch unaffected;
    /// - an `Internal` or `Unavailable` error (a database failure, which
    ///   may have left part of the work behind) rolls back the whole batch:
    ///   this caller gets its error, every other write of the batch
    ///   [`AppError::Unavailable`], and nothing of the batch is stored.
    pub async fn write_atomic<T, F>(&self, what: &'static str, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
    {
        self.enqueue(what, |reply| {
            Box::new(Queued {
                what,
                atomic: true,
                work,
                reply,
            })
        })
        .await
    }

    /// Stores a member's message (`message`, by [`messages::send_many`])
    /// and then runs `then` with what became of it, answering once the
    /// batch is committed. The sends that wait next to each other in the
    /// queue are stored by one statement (one round trip with the write
    /// slot held, not one each); each `then` runs after it, in queue order.
    ///
    /// `then` must refuse only before it writes: it runs as
    /// [`write_atomic`](Self::write_atomic)'s work does, with the same
    /// contract. A database error in the shared statement fails the whole
    /// batch: every caller hears [`AppError::Unavailable`] (or the error
    /// itself), nothing of the batch is stored, and sends retry by client
    /// id.
    pub async fn send<T, F>(&self, message: MemberSend, then: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx, Sent) -> TxFuture<'c, T> + Send + 'static,
    {
        let what = "committing a message";
        self.enqueue(what, |reply| {
            Box::new(QueuedSend {
                what,
                message,
                then,
                reply,
            })
        })
        .await
    }

    async fn enqueue<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce(oneshot::Sender<Result<T, AppError>>) -> Box<dyn Job>,
    ) -> Result<T, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(job(reply)).map_err(|_| {
            tracing::error!("{what}: the write queue is closed");
            AppError::Unavailable
        })?;
        answer.await.unwrap_or_else(|_| {
            // The batch's task panicked (a bug in some write's work): the
            // batch was rolled back when its transaction was dropped.
            tracing::error!("{what}: the write's batch failed before it answered");
            Err(AppError::Internal)
        })
    }
}

/// A queued write with its result type erased, so one queue holds them all.
trait Job: Send {
    /// Runs the work on `tx`; the result waits in [`Ran`] for the commit.
    /// `sent` is what became of a send's message ([`Job::message`]),
    /// stored just before with the sends beside it.
    fn run<'c>(
        self: Box<Self>,
        tx: &'c mut Tx,
        sent: Option<Sent>,
    ) -> Pin<Box<dyn Future<Output = Ran> + Send + 'c>>;
    /// Answers with `error` without running (the batch could not start).
    fn fail(self: Box<Self>, error: AppError);
    fn what(&self) -> &'static str;
    /// Made by [`GroupCommit::write_atomic`] or [`GroupCommit::send`]:
    /// runs without a savepoint.
    fn atomic(&self) -> bool;
    /// A send's message ([`GroupCommit::send`]), to be stored with the
    /// sends next to it before its work runs.
    fn message(&self) -> Option<&MemberSend> {
        None
    }
}

/// A write that has run and waits for its batch's commit.
struct Ran {
    /// Whether its work succeeded (else it is rolled back to its savepoint).
    ok: bool,
    /// An atomic write that failed with a database error: what it wrote
    /// cannot be told apart from the rest, so the batch is rolled back.
    fault: bool,
    /// Sends the answer, given how the commit went.
    answer: Box<dyn FnOnce(Result<(), AppError>) + Send>,
}

struct Queued<T, F> {
    what: &'static str,
    atomic: bool,
    work: F,
    reply: oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Job for Queued<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx) -> TxFuture<'c, T> + Send + 'static,
{
    fn run<'c>(
        self: Box<Self>,
        tx: &'c mut Tx,
        _sent: Option<Sent>,
    ) -> Pin<Box<dyn Future<Output = Ran> + Send + 'c>> {
        let Queued {
            work,
            reply,
            atomic,
            ..
        } = *self;
        let done = work(tx);
        Box::pin(async move { ran(done.await, atomic, reply) })
    }

    fn fail(self: Box<Self>, error: AppError) {
        let _ = self.reply.send(Err(error));
    }

    fn what(&self) -> &'static str {
        self.what
    }

    fn atomic(&self) -> bool {
        self.atomic
    }
}

/// A write's outcome `out`, waiting for its batch's commit to answer.
fn ran<T: Send + 'static>(
    out: Result<T, AppError>,
    atomic: bool,
    reply: oneshot::Sender<Result<T, AppError>>,
) -> Ran {
    Ran {
        ok: out.is_ok(),
        fault: atomic && matches!(out, Err(AppError::Internal | AppError::Unavailable)),
        // Its own error wins: a failed write was rolled back whatever
        // became of the batch. A closed reply (the caller left) is nothing
        // to report.
        answer: Box::new(move |committed| {
            let _ = reply.send(out.and_then(|value| committed.map(|()| value)));
        }),
    }
}

/// A queued send ([`GroupCommit::send`]).
struct QueuedSend<T, F> {
    what: &'static str,
    message: MemberSend,
    then: F,
    reply: oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Job for QueuedSend<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx, Sent) -> TxFuture<'c, T> + Send + 'static,
{
    fn run<'c>(
        self: Box<Self>,
        tx: &'c mut Tx,
        sent: Option<Sent>,
    ) -> Pin<Box<dyn Future<Output = Ran> + Send + 'c>> {
        let QueuedSend { then, reply, .. } = *self;
        let Some(sent) = sent else {
            // `commit` stores every send's message before running it.
            tracing::error!("a send ran without its message stored");
            return Box::pin(async move { ran(Err(AppError::Internal), true, reply) });
        };
        let done = then(tx, sent);
        Box::pin(async move { ran(done.await, true, reply) })
    }

    fn fail(self: Box<Self>, error: AppError) {
        let _ = self.reply.send(Err(error));
    }

    fn what(&self) -> &'static str {
        self.what
    }

    fn atomic(&self) -> bool {
        true
    }

    fn message(&self) -> Option<&MemberSend> {
        Some(&self.message)
    }
}

/// The committing task: waits for a write, takes the write slot, then
/// takes every write waiting by then (up to `max_batch`), commits them as
/// one batch, wakes the hub, and goes on until the queue is closed and
/// empty.
///
/// The batch is formed *after* the slot is taken, so writes queued while
/// another transaction held the slot join it rather than wait for the
/// next one; forming it before made the batch hinge on whether this task
/// (on a thread of its own) woke before or after the next write was queued.
async fn commit_batches(
    db: Db,
    hub: Arc<Hub>,
    mut waiting: mpsc::UnboundedReceiver<Box<dyn Job>>,
    max_batch: usize,
    commits: Arc<AtomicU64>,
) {
    let mut jobs = Vec::new();
    while waiting.recv_many(&mut jobs, max_batch).await > 0 {
        let began = db
            .begin_write()
            .await
            .context("starting a write transaction");
        while jobs.len() < max_batch {
            match waiting.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let batch = std::mem::take(&mut jobs);
        let tx = match began {
            Ok(tx) => tx,
            Err(e) => {
                for job in batch {
                    job.fail(e.clone());
                }
                continue;
            }
        };
        // On a task of its own, so a panic in one write's work fails its
        // batch (each caller hears an error, the dropped transaction rolls
        // back), not every later write.
        let done = tokio::spawn(commit(tx, hub.clone(), commits.clone(), batch));
        if let Err(e) = done.await {
            tracing::error!(error = %e, "a write batch panicked");
        }
    }
}

/// Where the batch's one savepoint (`write`) stands, for the next write
/// that needs one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// None is open yet.
    Closed,
    /// Open, and nothing has been written since it was made.
    Current,
    /// Open, but writes have succeeded since: it must be moved on before
    /// it can guard the next write.
    Behind,
}

/// Runs `batch` in `tx` (the write transaction just begun) and commits it;
/// then, if anything was committed, counts it and wakes `hub`, and answers
/// every write.
async fn commit(mut tx: Tx, hub: Arc<Hub>, commits: Arc<AtomicU64>, batch: Vec<Box<dyn Job>>) {
    let what = batch.first().map_or("a write", |job| job.what());
    // A lone write needs no savepoint: its transaction is its own. Else
    // one savepoint is opened before the first write that needs one, and
    // moved on (one round trip) only before a later write that needs it
    // and only if something was written since; the commit closes it.
    // Atomic writes never need it (see `GroupCommit::write_atomic`).
    let alone = batch.len() == 1;
    let mut savepoint = Savepoint::Closed;
    let mut ran: Vec<Ran> = Vec::with_capacity(batch.len());
    // Taken out one by one; a run of sends reads its neighbours' messages.
    let mut batch: Vec<Option<Box<dyn Job>>> = batch.into_iter().map(Some).collect();
    // What became of the messages of the current run of sends, in order.
    let mut stored: VecDeque<Sent> = VecDeque::new();
    for i in 0..batch.len() {
        let Some(job) = batch[i].take() else {
            continue;
        };
        let what = job.what();
        let guarded = !alone && !job.atomic();
        // The first send of a run stores the whole run's messages in one
        // statement; each then runs with its own outcome.
        let first_of_run = job.message().is_some() && stored.is_empty();
        let rest: Vec<&MemberSend> = if first_of_run {
            batch[i + 1..]
                .iter()
                .map_while(|next| next.as_deref().and_then(|n| n.message()))
                .collect()
        } else {
            Vec::new()
        };
        let step = async {
            let mut sent = None;
            if let Some(first) = job.message() {
                if first_of_run {
                    let run: Vec<&MemberSend> = std::iter::once(first).chain(rest).collect();
                    match messages::send_many(&mut tx, &run).await.context(what) {
                        Ok(outcomes) => stored = outcomes.into(),
                        Err(e) => {
                            job.fail(e.clone());
                            return Err(e);
                        }
                    }
                }
                sent = stored.pop_front();
            }
            if guarded {
                match savepoint {
                    Savepoint::Closed => tx.savepoint().await.context(what)?,
                    Savepoint::Behind => tx.next_savepoint().await.context(what)?,
                    Savepoint::Current => {}
                }
                savepoint = Savepoint::Current;
            }
            let done = job.run(&mut tx, sent).await;
            if guarded && !done.ok {
                // Back to where the savepoint was made: it stays current.
                tx.undo_to_savepoint().await.context(what)?;
            } else if done.ok && savepoint == Savepoint::Current {
                savepoint = Savepoint::Behind;
            }
            Ok::<_, AppError>(done)
        };
        let failed = match step.await {
            Ok(done) if done.fault => {
                tracing::warn!(
                    "{what}: a database error in an atomic write; its batch is rolled back"
                );
                ran.push(done);
                AppError::Unavailable
            }
            Ok(done) => {
                ran.push(done);
                continue;
            }
            // The connection failed mid-batch.
            Err(e) => e,
        };
        // Nothing of the batch commits, and every write hears so (a write's
        // own error wins over `failed`).
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "{what}: rolling back a failed batch");
        }
        for done in ran {
            (done.answer)(Err(failed.clone()));
        }
        for job in batch.into_iter().flatten() {
            job.fail(failed.clone());
        }
        return;
    }
    let any = ran.iter().any(|done| done.ok);
    let committed = if any {
        tx.commit().await.context(what)
    } else {
        // Every write failed and was undone: nothing to make durable.
        tx.rollback().await.context(what)
    };
    if any && committed.is_ok() {
        commits.fetch_add(1, Ordering::Relaxed);
        hub.wake();
    }
    for done in ran {
        (done.answer)(committed.clone());
    }
}
