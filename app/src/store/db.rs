//! The two backends behind the one store API: SQLite (the default, one
//! file) and PostgreSQL (several nodes sharing one database).
//!
//! Why an enum and not `sqlx::Any` or a generic `DB: Database`: `Any` does
//! not carry chrono types, and a store generic over the database needs a
//! wall of executor and encode bounds on every function. Here each store
//! function is written once: the [`on_db!`] and [`on_tx!`] macros expand
//! its sqlx call once per backend (the same tokens compile against
//! `SqlitePool` and `PgPool`), and the SQL is shared wherever the dialects
//! agree (`$1` placeholders, `ON CONFLICT`, `RETURNING` and `COALESCE` work
//! in both). Where they differ, a function picks its text by
//! [`Db::is_postgres`]; the schema differs only in types (migrations/sqlite,
//! migrations/postgres).

use std::sync::Arc;

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A connection pool on one of the two backends. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

/// A SQLite pool and this process's gate to its write lock.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub pool: SqlitePool,
    /// Held by the one writer that may wait for SQLite's write lock (see
    /// [`Db::begin_write`]).
    writer: Arc<Mutex<()>>,
}

impl SqliteDb {
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            writer: Arc::default(),
        }
    }
}

impl Db {
    /// A SQLite database on `pool` (its write gate is made here: make one
    /// `Db` per pool and clone it).
    pub fn sqlite(pool: SqlitePool) -> Self {
        Db::Sqlite(SqliteDb::new(pool))
    }
}

/// A PostgreSQL pool and this process's gate to its write slot.
#[derive(Clone, Debug)]
pub struct PgDb {
    pub pool: PgPool,
    /// Held by this node's one writer that may wait for the database's
    /// write lock (see [`Db::begin_write`]).
    writer: Arc<Mutex<()>>,
}

impl PgDb {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            writer: Arc::default(),
        }
    }
}

/// An open transaction on one of the two backends. Dropping it without
/// [`Tx::commit`] rolls it back.
#[derive(Debug)]
pub enum Tx {
    /// With this process's write gate when it is a write (released with it).
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
    /// With this node's write gate when it is a write (released with it).
    Postgres(Transaction<'static, Postgres>, Option<OwnedMutexGuard<()>>),
}

/// The key of the PostgreSQL advisory lock every write transaction holds
/// until it commits ("parley" in ASCII). See [`Db::begin_write`].
pub const WRITE_LOCK: i64 = 0x7061_726c_6579;

/// Runs `$body` with `$c` bound to `$db`'s pool, whichever backend it is.
/// The body is compiled once per backend, so one sqlx call serves both.
macro_rules! on_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite(s) => {
                let $c = &s.pool;
                $body
            }
            $crate::store::Db::Postgres(pg) => {
                let $c = &pg.pool;
                $body
            }
        }
    };
}

/// Like [`on_db!`], with `$c` bound to the connection of the transaction
/// `$tx` (a `&mut` connection: pass it to sqlx as `&mut *$c`).
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t, _) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

pub(crate) use {on_db, on_tx};

impl Db {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// Begins a write transaction that holds the database's one write slot
    /// until it commits or rolls back.
    ///
    /// - SQLite: `BEGIN IMMEDIATE` takes the write lock up front (a
    ///   transaction that reads before it writes waits for the busy
    ///   timeout instead of failing on upgrade).
    /// - PostgreSQL: `pg_advisory_xact_lock(WRITE_LOCK)`, released by the
    ///   commit only after the commit is visible. So on both backends,
    ///   writers commit one at a time, in the order they take ids: a reader
    ///   that has seen event (or message) id `n` can never later see a
    ///   smaller id appear, and `id > cursor` never skips anything (the
    ///   gap-free cursor; see ARCHITECTURE.md). Writes are short (a few
    ///   statements), so serialising them costs little; reads never wait.
    ///   A node's writers first queue on a gate of its own, so at most one
    ///   of its pooled connections ever waits for the lock: the others stay
    ///   free for reads and the live pump (without it, a burst of writers
    ///   held every connection while they waited, and delivery stalled).
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(s) => {
                // Waiting for SQLite's lock is its busy handler's sleeps
                // (1, 2, 5, 10 … ms), so writers that collide lose whole
                // milliseconds each: they queue here instead, in order, and
                // only the first asks SQLite.
                let gate = s.writer.clone().lock_owned().await;
                let tx = s.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::Sqlite(tx, Some(gate)))
            }
            Db::Postgres(pg) => {
                let gate = pg.writer.clone().lock_owned().await;
                let mut tx = begin_pg(&pg.pool, "BEGIN").await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(Tx::Postgres(tx, Some(gate)))
            }
        }
    }

    /// Begins a read-only transaction that sees one snapshot throughout
    /// (PostgreSQL's default, READ COMMITTED, would give every statement
    /// its own: a cursor and a list read in it could disagree).
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(s) => Ok(Tx::Sqlite(s.pool.begin().await?, None)),
            Db::Postgres(pg) => Ok(Tx::Postgres(
                begin_pg(&pg.pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
                None,
            )),
        }
    }

    /// Closes every connection (the pool refuses new ones afterwards).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// Begins a transaction with `begin` (a `BEGIN …` statement) on a pooled
/// PostgreSQL connection, on a task of its own.
///
/// Why: sqlx counts a PostgreSQL transaction only once the server has
/// answered its `BEGIN`. A caller dropped while the `BEGIN` is on the wire
/// (a client that vanished) left nothing to roll it back, and the pool
/// took the connection back inside the transaction, where the next
/// statement on it ran uncommitted. The task always runs to the end; if
/// its caller has left, the transaction it made is dropped there, which
/// rolls it back before the connection is pooled again. Costs one task
/// spawn per transaction. Errors: the pool's or the server's, or
/// [`sqlx::Error::WorkerCrashed`] if the task panicked.
pub(crate) async fn begin_pg(
    pool: &PgPool,
    begin: &'static str,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(begin).await })
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}

impl Tx {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(..))
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx, _gate) => tx.commit().await,
            Tx::Postgres(tx, _gate) => tx.commit().await,
        }
    }

    /// Opens the savepoint the first write of a batch runs in
    /// ([`crate::server::group_commit`]).
    pub async fn savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.run_plain("SAVEPOINT write").await
    }

    /// Keeps what the write in the savepoint wrote and opens a new
    /// savepoint for the next write, in one round trip.
    pub async fn next_savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.run_plain("RELEASE SAVEPOINT write; SAVEPOINT write")
            .await
    }

    /// Undoes what was written since the savepoint (on PostgreSQL this also
    /// clears an error that aborted the transaction). The savepoint stays
    /// open, as it was when made: the next write runs in it, or the commit
    /// closes it.
    pub async fn undo_to_savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.run_plain("ROLLBACK TO SAVEPOINT write").await
    }

    /// Runs fixed SQL: a plain `&str` goes by PostgreSQL's simple protocol,
    /// which takes several statements at once and prepares nothing.
    async fn run_plain(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        on_tx!(self, c => sqlx::Executor::execute(&mut *c, sql).await.map(drop))
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx, _gate) => tx.rollback().await,
            Tx::Postgres(tx, _gate) => tx.rollback().await,
        }
    }
}
