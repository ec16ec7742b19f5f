//! `make bench-live`: how long a group message takes to reach every
//! member's live socket, how many durable sends a second the server takes,
//! and how much server memory an idle live socket costs. `make bench-pg`
//! runs the sends and the latency on SQLite and on PostgreSQL with one and
//! two nodes, side by side. With `--room` the members are in a public room
//! instead of a group, and with `--connected N` only N of them are online:
//! issue 11's figure, send→deliver in a 5,000-member room at 10 msg/s with
//! 1,000 connected, is
//! `make bench-live ARGS="--room --members 5000 --connected 1000 --rates 10
//! --seconds 20 --only latency"`.
//!
//! Runs the real `parley` release binary as a child process (the one built
//! next to this bench, or `--server-bin PATH`) on 127.0.0.1:0 with a fresh
//! SQLite file in a temporary folder, or with `--database URL` a fresh
//! database on that PostgreSQL cluster (created under a unique name,
//! dropped at the end), once per part on the same database, so that each
//! figure comes from a process that did nothing else. With `--nodes N`
//! (PostgreSQL only) the sends and the latency parts run N processes on the
//! database, each on its own port, with senders and sockets spread over them
//! round-robin; the other parts stay on one node:
//!
//! 1. Set-up: registers `--members` people over HTTP (`/api/register`, which
//!    also logs them in: one Argon2 hash each, as in production). The
//!    registration limit is per client IP (100 at once), so the bench sends
//!    them from different loopback addresses (127.0.0.2, 127.0.0.3, …: every
//!    127/8 address is the local machine on Linux), 50 per address; nothing
//!    in the server is relaxed. The first member starts a group with the
//!    next 99 (`start_chat`) and adds the rest 100 at a time
//!    (`add_members`); with `--room`, the first member creates a public
//!    room (`create_room`) and every other member joins it (`join_room`,
//!    each as themselves: a "joined" line and an event each, as in
//!    production). Sessions live in the database, so the cookies stay
//!    valid in the later processes.
//! 2. Delivery latency: every member (with `--connected N`, the first N:
//!    the others stay members, offline, whom every message's fan-out still
//!    reads) opens one socket (`GET /api/live`, with
//!    the session cookie and the page's `Origin`, 64 handshakes at a time),
//!    and the bench waits for every `ready` frame and for the presence
//!    frames of all those arrivals to die down. A socket the server closes
//!    meanwhile (too slow: its queue filled with presence frames while its
//!    replay ran) is reopened, as the browser would, and counted in the
//!    output. Then, for each of `--rates` in turn, `--senders` members
//!    post `send_message` over HTTP on a fixed schedule (open loop: a slow
//!    answer does not delay the next send) for `--seconds`. For every
//!    (message, socket) pair the latency is from just before the HTTP
//!    request is sent to the moment the socket's reader task gets the
//!    `message_created` frame (recognised by the client id the sender
//!    chose). Every socket must get every message exactly once, in event-id
//!    order, or the bench fails. The bench's own client runs on the same
//!    cores as the server, so these are loopback figures under the load
//!    the client itself adds; the CPU time each used (from `/proc`) is
//!    printed per phase, per frame the sockets received (with PostgreSQL on
//!    this machine, its processes' too). With several nodes the latency is
//!    also split by whether the socket is on the sender's node.
//!
//!    Durable sends (`sends`, run before the latency): [`SEND_THREADS`]
//!    direct chats between distinct pairs of members (fewer if there are
//!    not that many pairs), one sender in each, every sender posting
//!    `send_message` in a closed loop (the next send right after the
//!    answer) for `--seconds` (its first value). Prints acknowledged sends
//!    a second and the answer times; then counts the bench's messages in
//!    the database itself and fails unless exactly the acknowledged ones
//!    are stored. "Durable" is each backend's default: SQLite in WAL mode
//!    with `synchronous=NORMAL` (parley's setting: safe from a process
//!    crash, not from an OS crash), PostgreSQL as configured (by default
//!    every commit waits for its WAL flush); so the part also times
//!    fdatasync on this disk, the least such a commit waits.
//! 3. Memory: after a warm-up (a few sockets opened and closed), the
//!    server's VmRSS (`/proc/<pid>/status`) with no socket open; then
//!    `--idle` sockets are opened, spread round-robin over the members'
//!    sessions (each member's first socket announces them online to the
//!    group, as a real arrival does), all `ready` frames awaited (closed
//!    ones reopened, as above), the presence traffic left to settle, and
//!    VmRSS read again. Prints
//!    (after − before) / sockets.
//! 4. Restart: every member (the first `--connected`) opens one socket that
//!    comes back by itself, as
//!    the browser's does (on any close: wait [`reconnect::delay_ms`], the
//!    browser's full-jitter backoff, then reconnect with `after=<cursor>`,
//!    the last event id it got; the attempt count is reset by `ready`).
//!    When all are ready and quiet, a few messages are sent and delivered;
//!    then messages go on at [`RESTART_RATE`] for `--restart-seconds`, and
//!    [`RESTART_AFTER`] into that the bench SIGTERMs parley, waits for it
//!    to exit and starts it again on the same database and port. Sends
//!    that fail meanwhile are retried with the same client id (as the
//!    browser's outbox does), on the same backoff schedule. Prints how
//!    long after the SIGTERM every member had resumed (a socket opened to
//!    the new process got its `ready`; target ≤ 15 s), how many sockets
//!    the new process cut off with 4000 (target 0), and whether every
//!    member got every message exactly once, in event order, across the
//!    restart. Fails when a target is missed.
//!
//! With `--compare` (`make bench-floor`) it runs none of these parts but
//! sets Parley beside a floor, in one run: [`floor`](../floor/index.html),
//! the bare tokio-tungstenite broadcast server built next to this bench
//! (`--floor-bin PATH`), then Parley on SQLite and, with `--database URL`,
//! on PostgreSQL too. Each server in turn gets the same members (each one
//! socket; default 1,000, in one group for Parley), the same publishers
//! (`--senders`, default 10, the first members: on the floor a publisher
//! sends a text frame on its own socket, to Parley it posts
//! `send_message`), the same 100-byte messages (`Live bench message N: …`)
//! on the same open-loop schedule, and the same reader code; every member
//! socket, the publishers' own included (both servers echo to the sender),
//! must get every message exactly once. The rates step up (`--steps`,
//! default 25,50,100,150,200,300,400 msg/s, `--seconds` each, default 5)
//! until a step's p99 reaches [`P99_LIMIT`] or something is lost (a socket
//! cut off, a delivery missing [`STEP_GRACE`] after the last send, a
//! duplicate, a failed send) once 100 msg/s is past. Printed per server:
//! the highest rate with p99 under the limit and nothing lost (`≥` when
//! every step passed), p50/p99 at 100 msg/s, the server's CPU-seconds
//! (`/proc/<pid>/stat`) per million deliveries at 100 msg/s, and its RSS
//! per idle socket with `--idle` sockets open (default 2,000; the memory
//! part above, for the floor by the same method), then a table with each
//! Parley figure's ratio to the floor's. With two or more cores the server
//! runs on the first this process may use and the bench on the others
//! (`sched_setaffinity`; `--no-pin` to leave both free); the output says
//! which. A step whose bench used nearly all its cores is marked
//! generator-bound: the bench, not the server, ran out of CPU.
//!
//! The bench and the server each hold one descriptor per socket: raise the
//! limit first (`ulimit -n`; the Makefile recipe does).
//!
//! The last line, `figures: …`, has the sends and the latency of the last
//! rate in fixed-width columns (`make bench-pg` puts them in a table; `-`
//! where a part did not run).
//!
//! Usage: `bench_live [--members N] [--room] [--connected N] [--idle N]
//! [--rates 10,100] [--seconds 20,10] [--senders N] [--restart-seconds S]
//! [--only sends,latency,memory,restart] [--database URL] [--nodes N]
//! [--server-bin PATH] [--compare [--steps 25,50,..] [--floor-bin PATH]
//! [--no-pin]]`.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    net::{IpAddr, Ipv4Addr},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        mpsc, Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use app::protocol::{close, reconnect};
use futures_util::{stream, SinkExt, StreamExt, TryStreamExt};
use reqwest::{header::SET_COOKIE, Client, StatusCode};
use serde_json::Value;
use tokio::{sync::watch, task::JoinHandle};
use tokio_tungstenite::tungstenite::{
    client::IntoClientRequest,
    http::{
        header::{COOKIE, ORIGIN},
        HeaderValue,
    },
    protocol::WebSocketConfig,
    Message,
};

const PASSWORD: &str = "bench password";
/// Registrations sent from one loopback address (the server allows 100 at
/// once per address).
const PER_ADDRESS: usize = 50;
/// Registrations in flight (the server hashes 4 passwords at a time).
const REGISTERING: usize = 8;
/// The bench's read buffer per socket (see [`open_socket`]).
const CLIENT_READ_BUFFER: usize = 8 * 1024;
/// Socket handshakes in flight.
const CONNECTING: usize = 64;
/// People a group starts with, and people added per call (the server's
/// limit for both).
const GROUP_STEP: usize = 100;
/// `join_room` calls in flight (`--room`).
const JOINING: usize = 16;
/// The `--room` room's name and topic.
const ROOM_NAME: &str = "Bench room";
const ROOM_TOPIC: &str = "Where bench_live's members meet";
/// Client ids are UUIDs whose last group is the message's number.
const CLIENT_ID_PREFIX: &str = "00000000-0000-4000-8000-";
/// How long after the last send every frame must have arrived.
const DELIVERY_GRACE: Duration = Duration::from_secs(30);
/// Frames stopped for this long: the presence traffic is over.
const QUIET: Duration = Duration::from_secs(1);
/// Left to settle before the second RSS reading.
const SETTLE: Duration = Duration::from_secs(5);
/// The server marks a user offline this long after their last socket
/// closes (socket.rs), plus a margin.
const OFFLINE_GRACE: Duration = Duration::from_secs(5);
/// Messages a second while the server restarts (part 4).
const RESTART_RATE: f64 = 10.0;
/// Messages sent and delivered before the restart.
const RESTART_BEFORE: usize = 10;
/// How far into the restart phase's sending the server gets its SIGTERM.
const RESTART_AFTER: Duration = Duration::from_secs(1);
/// Every member must have resumed this long after the SIGTERM (the
/// hardening issue's target).
const RESUME_TARGET: Duration = Duration::from_secs(15);
/// How long the bench waits for every member to resume before it gives up.
const RESUME_LIMIT: Duration = Duration::from_secs(60);
/// A send that failed is retried (same client id) for this long.
const SEND_RETRY_LIMIT: Duration = Duration::from_secs(60);
/// A socket handshake that takes longer than this counts as failed.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);
/// Direct chats in the sends part, one closed-loop sender each.
const SEND_THREADS: usize = 100;
/// Client ids of the sends part: this, the chat's number, the send's.
/// Unlike [`client_id`]'s, they never collide with the latency part's
/// (a sender's id is stored once: reused, it would be taken for a retry).
const SENDS_PREFIX: &str = "sends-";
/// `--compare`: the rate whose latency and CPU are compared.
const REFERENCE_RATE: f64 = 100.0;
/// `--compare`: a step passes with its p99 under this (and nothing lost).
const P99_LIMIT: Duration = Duration::from_millis(250);
/// `--compare`: how long after a step's last send every delivery must have
/// arrived (later ones count as lost).
const STEP_GRACE: Duration = Duration::from_secs(10);
/// `--compare`: the rates stepped through unless `--steps` says otherwise.
const DEFAULT_STEPS: [f64; 7] = [25.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0];
/// `--compare` defaults: publishers, idle sockets, seconds per step.
const COMPARE_SENDERS: usize = 10;
const COMPARE_IDLE: usize = 2000;
const COMPARE_SECONDS: f64 = 5.0;
/// `--compare`: the size of every message, in bytes.
const PAYLOAD_BYTES: usize = 100;
/// The start of every message body (the floor's readers find the number
/// after it).
const BODY_PREFIX: &str = "Live bench message ";

#[derive(Debug, Clone, PartialEq)]
struct Args {
    members: usize,
    /// The members are in a public room instead of a group.
    room: bool,
    /// Members with a socket in the latency and restart parts; `None`: all.
    connected: Option<usize>,
    idle: usize,
    /// Seconds the idle sockets stay open with the server's RSS sampled
    /// (`--hold`); 0: read once after they settle.
    hold: f64,
    rates: Vec<f64>,
    /// One duration per rate.
    seconds: Vec<f64>,
    senders: usize,
    /// Length of the restart phase's sending; 0 skips it.
    restart_seconds: f64,
    only: Parts,
    /// A PostgreSQL cluster's URL; `None`: a fresh SQLite file.
    database: Option<String>,
    /// Processes on the database in the sends and latency parts.
    nodes: usize,
    server_bin: Option<PathBuf>,
    /// `--compare`: the floor beside Parley instead of the parts.
    compare: bool,
    /// `--compare`: the rates stepped through, ascending, with
    /// [`REFERENCE_RATE`] among them.
    steps: Vec<f64>,
    /// `--compare`: the floor binary (default: next to this one).
    floor_bin: Option<PathBuf>,
    /// `--compare`: pin the server and the bench to different cores.
    pin: bool,
}

impl Args {
    /// Members with a socket in the latency and restart parts.
    fn connected(&self) -> usize {
        self.connected.unwrap_or(self.members)
    }

    /// "a group of 1000 members, all connected", "a public room of 5000
    /// members, the first 1000 connected".
    fn describe_thread(&self) -> String {
        let kind = if self.room {
            "a public room"
        } else {
            "a group"
        };
        let connected = match self.connected {
            Some(n) if n < self.members => format!("the first {n} connected"),
            _ => "all connected".to_owned(),
        };
        format!("{kind} of {} members, {connected}", self.members)
    }
}

/// Which parts run (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts {
    sends: bool,
    latency: bool,
    memory: bool,
    restart: bool,
}

impl Parts {
    const ALL: Self = Self {
        sends: true,
        latency: true,
        memory: true,
        restart: true,
    };

    /// `sends,latency,memory,restart` or any of them.
    fn parse(value: &str) -> Result<Self> {
        let mut parts = Self {
            sends: false,
            latency: false,
            memory: false,
            restart: false,
        };
        for name in value.split(',').map(str::trim) {
            match name {
                "sends" => parts.sends = true,
                "latency" => parts.latency = true,
                "memory" => parts.memory = true,
                "restart" => parts.restart = true,
                _ => bail!("--only: {name:?} is not sends, latency, memory or restart"),
            }
        }
        Ok(parts)
    }
}

impl Default for Args {
    fn default() -> Self {
        Self {
            members: 1000,
            room: false,
            connected: None,
            idle: 5000,
            hold: 0.0,
            rates: vec![10.0, 100.0],
            seconds: vec![20.0, 10.0],
            senders: 4,
            restart_seconds: 10.0,
            only: Parts::ALL,
            database: None,
            nodes: 1,
            server_bin: None,
            compare: false,
            steps: DEFAULT_STEPS.to_vec(),
            floor_bin: None,
            pin: true,
        }
    }
}

const USAGE: &str = "usage: bench_live [--members N] [--room] [--connected N] [--idle N] \
[--hold S] [--rates R1,R2,..] [--seconds S | S1,S2,..] [--senders N] [--restart-seconds S] \
[--only PARTS] [--database URL] [--nodes N] [--server-bin PATH]
       bench_live --compare [--members N] [--senders N] [--idle N] [--steps R1,R2,..]
[--seconds S] [--only latency,memory] [--database URL] [--floor-bin PATH] [--no-pin]
  --members N      people in the group (or room), one live socket each (default 1000)
  --room           the members join a public room instead of a group
  --connected N    only the first N members open a socket in the latency and
                   restart parts (default all)
  --idle N         idle sockets for the memory figure, 0 to skip (default 5000)
  --hold S         keep them open S seconds, printing the server's RSS every
                   tenth of it (a flat curve: nothing grows per socket over time)
  --rates R,..     messages per second, one phase each (default 10,100)
  --seconds S,..   length of each phase; one value for all (default 20,10);
                   the sends part runs for the first
  --senders N      members who send, in turn (default 4)
  --restart-seconds S  sending while the server restarts, 0 to skip (default 10)
  --only PARTS     sends, latency, memory, restart, comma-separated (default all)
  --database URL   a PostgreSQL cluster (postgres://…): the bench creates a fresh
                   database on it (default: a fresh SQLite file)
  --nodes N        parley processes on the database in the sends and latency
                   parts, PostgreSQL only (default 1)
  --server-bin P   the parley binary (default: next to this one)
  --compare        the floor (a bare WebSocket broadcast server) and Parley side
                   by side in one run: highest rate with p99 < 250 ms and nothing
                   lost, p50/p99 and server CPU per million deliveries at 100 msg/s,
                   RSS per idle socket; with --database, PostgreSQL as well as SQLite
                   (defaults then: --senders 10 --idle 2000 --seconds 5)
  --steps R,..     --compare: the rates to step through (default
                   25,50,100,150,200,300,400; 100 is always among them)
  --floor-bin P    --compare: the floor binary (default: next to this one)
  --no-pin         --compare: leave the server and the bench on any core";

/// Parses the flags (`--flag value` or `--flag=value`); `None` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>> {
    let mut parsed = Args::default();
    let mut seconds_given = false;
    let mut given = Given::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        if arg == "--room" {
            parsed.room = true;
            continue;
        }
        if arg == "--compare" {
            parsed.compare = true;
            continue;
        }
        if arg == "--no-pin" {
            parsed.pin = false;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let known = [
            "--members",
            "--connected",
            "--idle",
            "--rates",
            "--seconds",
            "--senders",
            "--restart-seconds",
            "--hold",
            "--only",
            "--database",
            "--nodes",
            "--server-bin",
            "--steps",
            "--floor-bin",
        ];
        ensure!(
            known.contains(&flag.as_str()),
            "unknown argument {arg:?}\n{USAGE}"
        );
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))?,
        };
        let count = |v: &str| -> Result<usize> {
            v.trim()
                .parse()
                .with_context(|| format!("{flag} {v:?} is not a whole number"))
        };
        match flag.as_str() {
            "--members" => parsed.members = count(&value)?,
            "--connected" => parsed.connected = Some(count(&value)?),
            "--idle" => {
                parsed.idle = count(&value)?;
                given.idle = true;
            }
            "--senders" => {
                parsed.senders = count(&value)?;
                given.senders = true;
            }
            "--nodes" => parsed.nodes = count(&value)?,
            "--database" => parsed.database = Some(value),
            "--restart-seconds" | "--hold" => {
                let seconds = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .with_context(|| format!("{flag}: {value:?} is not a number of seconds"))?;
                if flag == "--hold" {
                    parsed.hold = seconds;
                } else {
                    parsed.restart_seconds = seconds;
                }
            }
            "--only" => parsed.only = Parts::parse(&value)?,
            "--rates" => {
                parsed.rates = numbers(&flag, &value)?;
                given.rates = true;
            }
            "--steps" => parsed.steps = numbers(&flag, &value)?,
            "--floor-bin" => parsed.floor_bin = Some(PathBuf::from(value)),
            "--seconds" => {
                parsed.seconds = numbers(&flag, &value)?;
                seconds_given = true;
            }
            _ => parsed.server_bin = Some(PathBuf::from(value)),
        }
    }
    if parsed.compare {
        compare_defaults(&mut parsed, &given, seconds_given)?;
    }
    if parsed.seconds.len() == 1 {
        parsed.seconds = vec![parsed.seconds[0]; parsed.rates.len()];
    } else if !seconds_given && parsed.seconds.len() != parsed.rates.len() {
        // Custom rates with the default lengths: the first default for all.
        parsed.seconds = vec![Args::default().seconds[0]; parsed.rates.len()];
    }
    ensure!(
        parsed.seconds.len() == parsed.rates.len(),
        "--seconds needs one value, or one per rate ({} rates)",
        parsed.rates.len()
    );
    ensure!(
        (3..=99_999).contains(&parsed.members),
        "--members must be between 3 and 99999 (a group needs 3)"
    );
    ensure!(
        (1..=parsed.members).contains(&parsed.senders),
        "--senders must be between 1 and --members"
    );
    ensure!(
        parsed
            .connected
            .is_none_or(|n| (1..=parsed.members).contains(&n)),
        "--connected must be between 1 and --members"
    );
    ensure!(!parsed.rates.is_empty(), "--rates needs at least one rate");
    if let Some(url) = &parsed.database {
        ensure!(
            url.starts_with("postgres://") || url.starts_with("postgresql://"),
            "--database must be a PostgreSQL URL (postgres://…); SQLite is the default"
        );
    }
    ensure!(
        (1..=16).contains(&parsed.nodes),
        "--nodes must be between 1 and 16"
    );
    ensure!(
        parsed.nodes == 1 || parsed.database.is_some(),
        "--nodes above 1 needs --database (nodes share a PostgreSQL database)"
    );
    ensure!(
        parsed.restart_seconds == 0.0
            || parsed.restart_seconds >= RESTART_AFTER.as_secs_f64() + 1.0,
        "--restart-seconds must be 0 or at least {} (the SIGTERM comes {} s in)",
        RESTART_AFTER.as_secs_f64() + 1.0,
        RESTART_AFTER.as_secs_f64()
    );
    for (rate, secs) in parsed.rates.iter().zip(&parsed.seconds) {
        ensure!(
            messages_in(*rate, *secs) >= 1,
            "{rate} msg/s for {secs} s sends no message"
        );
    }
    Ok(Some(parsed))
}

/// The flags given on the command line whose defaults `--compare` changes.
#[derive(Default)]
struct Given {
    senders: bool,
    idle: bool,
    rates: bool,
}

/// `--compare`'s own defaults where the flags did not say, and its checks:
/// one length for every step, [`REFERENCE_RATE`] among the steps, none of
/// the flags it does not use.
fn compare_defaults(parsed: &mut Args, given: &Given, seconds_given: bool) -> Result<()> {
    if !given.senders {
        parsed.senders = COMPARE_SENDERS.min(parsed.members);
    }
    if !given.idle {
        parsed.idle = COMPARE_IDLE;
    }
    if !seconds_given {
        parsed.seconds = vec![COMPARE_SECONDS];
    }
    ensure!(
        parsed.seconds.len() == 1,
        "--compare takes one --seconds value: the length of every step"
    );
    ensure!(!given.rates, "--compare steps through --steps, not --rates");
    ensure!(
        parsed.nodes == 1,
        "--compare runs one node (--nodes applies to the parts)"
    );
    ensure!(
        !parsed.only.sends && !parsed.only.restart || parsed.only == Parts::ALL,
        "--compare runs latency and memory only (--only latency,memory)"
    );
    if !parsed.steps.contains(&REFERENCE_RATE) {
        parsed.steps.push(REFERENCE_RATE);
    }
    parsed.steps.sort_by(f64::total_cmp);
    parsed.steps.dedup();
    for &step in &parsed.steps {
        ensure!(
            messages_in(step, parsed.seconds[0]) >= 1,
            "{step} msg/s for {} s sends no message",
            parsed.seconds[0]
        );
    }
    // The schedule of the parts stays valid (and unused).
    parsed.rates = vec![REFERENCE_RATE];
    Ok(())
}

/// A comma-separated list of positive numbers.
fn numbers(flag: &str, value: &str) -> Result<Vec<f64>> {
    value
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .with_context(|| format!("{flag}: {v:?} is not a positive number"))
        })
        .collect()
}

/// Messages in a phase of `secs` seconds at `rate` a second.
fn messages_in(rate: f64, secs: f64) -> usize {
    // Rounded, and both are small positive numbers: the cast is exact.
    (rate * secs).round().max(0.0) as usize
}

fn main() -> Result<()> {
    let Some(args) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    // Pinned before the runtime starts: its threads inherit the mask.
    let pinning = if args.compare && args.pin {
        Pinning::plan()?
    } else {
        None
    };
    if let Some(p) = &pinning {
        p.pin_this_process()?;
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(bench(args, pinning))
}

async fn bench(args: Args, pinning: Option<Pinning>) -> Result<()> {
    let needed = args.connected().max(args.idle) + 256;
    let limit = open_files_limit()?;
    ensure!(
        limit >= needed,
        "this process may open {limit} files, and {needed} are needed (one per socket, \
         in the bench and in the server): raise the limit first, e.g. `ulimit -n {needed}` \
         (make bench-live does)"
    );
    let bin = server_bin(&args)?;
    if args.compare {
        return compare(&args, bin, pinning).await;
    }
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).context("creating an empty site folder")?;
    let database = match &args.database {
        None => Database::Sqlite {
            url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        },
        Some(cluster) => Database::fresh_postgres(cluster).await?,
    };
    let env = ServerEnv {
        bin,
        db_url: database.url().to_owned(),
        site,
        cpu: None,
    };
    println!(
        "bench_live: server {}, {} cores, load average {}",
        env.bin.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    println!(
        "database: {}; {} node{} in the sends and latency parts",
        database.describe(),
        args.nodes,
        if args.nodes == 1 { "" } else { "s" }
    );
    let outcome = run(&env, &database, &args, dir.path()).await;
    let dropped = database.drop().await;
    outcome?;
    dropped
}

/// The parts `args` asks for, on `database`, with `scratch` a folder of
/// the bench's own; every part runs even if one before fails, and the bench
/// fails at the end.
async fn run(env: &ServerEnv, database: &Database, args: &Args, scratch: &Path) -> Result<()> {
    let base = Instant::now();
    let mut server = Server::start(env, ANY_PORT).context("starting parley for the set-up")?;
    let setup = set_up(&server, args).await;
    server.stop()?;
    let (members, thread) = setup?;
    let mut figures = Figures::default();

    let (mut sends, mut sends_stopped) = (Ok(()), Ok(()));
    if args.only.sends {
        let mut nodes =
            start_nodes(env, args.nodes).context("starting parley for the sends run")?;
        sends = durable_sends(&nodes, database, &members, args, scratch)
            .await
            .map(|f| figures.sends = Some(f));
        sends_stopped = stop_all(&mut nodes);
        nodes.iter().for_each(Server::report_log);
        if let Err(e) = &sends {
            println!("\nFAILED: {e:#}");
        }
    }

    let (mut latency, mut stopped) = (Ok(()), Ok(()));
    if args.only.latency {
        let mut nodes =
            start_nodes(env, args.nodes).context("starting parley for the latency run")?;
        latency = delivery(&nodes, database, &members, &thread, args, base)
            .await
            .map(|l| figures.latency = Some(l));
        stopped = stop_all(&mut nodes);
        nodes.iter().for_each(Server::report_log);
        if let Err(e) = &latency {
            println!("\nFAILED: {e:#}");
        }
    }

    let one_node = |part: &str| {
        if args.nodes > 1 {
            println!("\n({part} runs on one node: --nodes applies to sends and latency)");
        }
    };
    let mut memory = Ok(());
    if args.only.memory && args.idle > 0 {
        one_node("memory");
        let mut server =
            Server::start(env, ANY_PORT).context("starting parley for the memory run")?;
        memory = idle_memory(&server, &members, args.idle, args.hold, base)
            .await
            .map(|_| ());
        server.stop()?;
        server.report_log();
    }

    let mut restarted = Ok(());
    if args.only.restart && args.restart_seconds > 0.0 {
        one_node("restart");
        // Client ids go on from the latency run's (a sender's id is
        // stored once: reused, it would be taken for a retry).
        let first = args
            .rates
            .iter()
            .zip(&args.seconds)
            .map(|(&rate, &secs)| messages_in(rate, secs))
            .sum();
        restarted = restart(env, &members, &thread, args, first, base).await;
        if let Err(e) = &restarted {
            println!("\nFAILED: {e:#}");
        }
    }
    println!("load average at the end: {}", load_average());
    println!("{}", figures.line());
    sends?;
    sends_stopped?;
    latency?;
    stopped?;
    memory?;
    restarted?;
    Ok(())
}

/// The bench's headline figures, printed last on one line in fixed-width
/// columns for `make bench-pg`'s table: sends a second, their answer's p50
/// and p99 (ms), and send→frame p50 and p99 (ms) at the last rate.
#[derive(Default)]
struct Figures {
    sends: Option<SendFigures>,
    latency: Option<Percentiles>,
}

/// The p50 and p99 of some durations.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Percentiles {
    p50: Option<Duration>,
    p99: Option<Duration>,
}

impl Percentiles {
    /// Of sorted samples.
    fn of(sorted: &[Duration]) -> Self {
        Self {
            p50: percentile(sorted, 50.0),
            p99: percentile(sorted, 99.0),
        }
    }
}

impl Figures {
    /// `figures:` and five columns of 10 characters; `-` for a part that
    /// did not run (or a figure it could not give).
    fn line(&self) -> String {
        let cell = |v: Option<f64>| match v {
            Some(v) if v.is_finite() => format!("{v:>10.1}"),
            _ => format!("{:>10}", "-"),
        };
        let millis = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1000.0);
        let sends = self.sends.as_ref();
        format!(
            "figures: {}{}{}{}{}",
            cell(sends.map(|s| s.per_second)),
            cell(sends.and_then(|s| millis(s.answers.p50))),
            cell(sends.and_then(|s| millis(s.answers.p99))),
            cell(self.latency.and_then(|l| millis(l.p50))),
            cell(self.latency.and_then(|l| millis(l.p99))),
        )
    }
}

/// Where a run listens when the port does not matter.
const ANY_PORT: &str = "127.0.0.1:0";

// ---------------------------------------------------------------------------
// The server process

/// How every run starts the server.
#[derive(Clone)]
struct ServerEnv {
    bin: PathBuf,
    db_url: String,
    site: PathBuf,
    /// The core the server is pinned to (`--compare`), if any.
    cpu: Option<usize>,
}

/// Starts `n` processes on the database, each on a port of its own.
fn start_nodes(env: &ServerEnv, n: usize) -> Result<Vec<Server>> {
    (1..=n)
        .map(|k| Server::start(env, ANY_PORT).with_context(|| format!("starting node {k} of {n}")))
        .collect()
}

/// Stops every node (all of them, even after one fails); the first error.
fn stop_all(nodes: &mut [Server]) -> Result<()> {
    let mut outcome = Ok(());
    for node in nodes {
        let stopped = node.stop();
        if outcome.is_ok() {
            outcome = stopped;
        }
    }
    outcome
}

/// The database every run of the bench uses.
enum Database {
    /// A SQLite file in the bench's temporary folder.
    Sqlite { url: String },
    /// A database made for this bench on a PostgreSQL cluster.
    Postgres {
        /// The cluster's URL as given (its own database: where the bench
        /// creates and drops `name`).
        cluster: String,
        name: String,
        url: String,
        /// The cluster's postmaster, when it runs on this machine: its
        /// children's CPU time is read from /proc.
        postmaster: Option<u32>,
    },
}

impl Database {
    /// Creates a database with a unique name on `cluster`.
    async fn fresh_postgres(cluster: &str) -> Result<Self> {
        use sqlx::Connection;
        let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(cluster)
            .await
            .with_context(|| format!("connecting to {cluster}"))?;
        // The name is ours (letters, digits, _): nothing to quote.
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating the database {name}"))?;
        let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut admin)
            .await
            .context("asking for the backend's pid")?;
        // A backend's parent is the postmaster (if it is on this machine).
        let postmaster = u32::try_from(backend).ok().and_then(parent_pid);
        admin
            .close()
            .await
            .context("closing the admin connection")?;
        Ok(Self::Postgres {
            url: database_in(cluster, &name)?,
            cluster: cluster.to_owned(),
            name,
            postmaster,
        })
    }

    /// The server's `DATABASE_URL`.
    fn url(&self) -> &str {
        match self {
            Self::Sqlite { url } | Self::Postgres { url, .. } => url,
        }
    }

    fn postmaster(&self) -> Option<u32> {
        match self {
            Self::Sqlite { .. } => None,
            Self::Postgres { postmaster, .. } => *postmaster,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Sqlite { url } => format!("SQLite, a fresh file ({url})"),
            Self::Postgres {
                name, postmaster, ..
            } => format!(
                "PostgreSQL, a fresh database {name} ({})",
                match postmaster {
                    Some(pid) => format!("postmaster pid {pid}: its processes' CPU is measured"),
                    None => "not on this machine: its CPU is not measured".to_owned(),
                }
            ),
        }
    }

    /// Messages whose client id is `LIKE pattern`, read from the database
    /// itself (not through the server).
    async fn count_messages(&self, pattern: &str) -> Result<i64> {
        use sqlx::Connection;
        const COUNT: &str = "SELECT COUNT(*) FROM messages WHERE client_id LIKE $1";
        let count = match self {
            Self::Sqlite { url } => {
                let mut db = sqlx::SqliteConnection::connect(url).await?;
                sqlx::query_scalar(COUNT)
                    .bind(pattern)
                    .fetch_one(&mut db)
                    .await?
            }
            Self::Postgres { url, .. } => {
                let mut db = sqlx::PgConnection::connect(url).await?;
                sqlx::query_scalar(COUNT)
                    .bind(pattern)
                    .fetch_one(&mut db)
                    .await?
            }
        };
        Ok(count)
    }

    /// Drops the bench's PostgreSQL database (the SQLite file goes with the
    /// temporary folder).
    async fn drop(&self) -> Result<()> {
        use sqlx::Connection;
        let Self::Postgres { cluster, name, .. } = self else {
            return Ok(());
        };
        let mut admin = sqlx::PgConnection::connect(cluster)
            .await
            .with_context(|| format!("connecting to {cluster} to drop {name}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .with_context(|| format!("dropping the database {name}"))?;
        Ok(())
    }
}

/// `cluster`'s URL with its database swapped for `name` (the query, with
/// the socket folder and port, kept).
fn database_in(cluster: &str, name: &str) -> Result<String> {
    let (base, query) = cluster.split_once('?').unwrap_or((cluster, ""));
    let host_start = base.find("://").context("a URL without a scheme")? + 3;
    let path = base[host_start..].find('/').map(|at| host_start + at);
    let root = path.map_or(base, |at| &base[..at]);
    let sep = if query.is_empty() { "" } else { "?" };
    Ok(format!("{root}/{name}{sep}{query}"))
}

/// The parent of process `pid`, from /proc.
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (which may contain spaces): state, then ppid.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time so far of every child of `parent` (PostgreSQL's backends and
/// background processes, for its postmaster), by pid.
fn children_cpu(parent: u32) -> HashMap<u32, Duration> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_pid(pid) == Some(parent))
        .filter_map(|pid| Some((pid, cpu_time(&pid.to_string())?)))
        .collect()
}

/// `parley` next to this binary (both are built into the same
/// `target/release`), unless `--server-bin` says otherwise.
fn server_bin(args: &Args) -> Result<PathBuf> {
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => next_to_this("parley")?,
    };
    ensure!(
        bin.is_file(),
        "no parley binary at {} (build it: cargo build --release -p server --bin parley, \
         or pass --server-bin PATH)",
        bin.display()
    );
    if !bin.components().any(|c| c.as_os_str() == "release") {
        eprintln!(
            "bench_live: warning: {} does not look like a release build",
            bin.display()
        );
    }
    Ok(bin)
}

/// The program `name` in this program's folder.
fn next_to_this(name: &str) -> Result<PathBuf> {
    Ok(std::env::current_exe()
        .context("finding this program")?
        .parent()
        .context("this program has no folder")?
        .join(name))
}

/// `floor` next to this binary, unless `--floor-bin` says otherwise.
fn floor_bin(args: &Args) -> Result<PathBuf> {
    let bin = match &args.floor_bin {
        Some(p) => p.clone(),
        None => next_to_this("floor")?,
    };
    ensure!(
        bin.is_file(),
        "no floor binary at {} (build it: cargo build --release -p bench --bin floor, \
         or pass --floor-bin PATH)",
        bin.display()
    );
    Ok(bin)
}

/// What the server logged that matters here.
#[derive(Default)]
struct ServerLog {
    slow_cut_off: AtomicUsize,
    warnings: AtomicUsize,
}

struct Server {
    /// `parley` or `floor`, for messages.
    name: &'static str,
    child: Child,
    pid: u32,
    addr: String,
    log: Arc<ServerLog>,
}

impl Server {
    /// Starts the binary on `addr` (`127.0.0.1:0`: any free port) and
    /// waits for its "listening on" line.
    fn start(env: &ServerEnv, addr: &str) -> Result<Self> {
        let mut command = Command::new(&env.bin);
        command
            .env("PARLEY_ADDR", addr)
            .env("DATABASE_URL", &env.db_url)
            .env("LEPTOS_SITE_ROOT", &env.site)
            .env("RUST_LOG", "warn,parley=info,app::server::live=info")
            .env("NO_COLOR", "1")
            .env_remove("LEPTOS_SITE_ADDR")
            .env_remove("PARLEY_DEMO")
            .env_remove("PARLEY_PUBLIC_URL")
            .env_remove("LEPTOS_WATCH");
        Self::spawn("parley", command, env.cpu)
    }

    /// Starts the floor on any free port (on core `cpu`, if given) and
    /// waits for its "listening on" line.
    fn start_floor(bin: &Path, cpu: Option<usize>) -> Result<Self> {
        let mut command = Command::new(bin);
        command.args(["--addr", ANY_PORT]);
        Self::spawn("floor", command, cpu)
    }

    /// Runs `command` (on core `cpu`, if given) with its stderr watched
    /// and waits until it says where it listens.
    fn spawn(name: &'static str, mut command: Command, cpu: Option<usize>) -> Result<Self> {
        if let Some(cpu) = cpu {
            pin_child(&mut command, cpu);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running {}", command.get_program().to_string_lossy()))?;
        let pid = child.id();
        let log = Arc::new(ServerLog::default());
        let (tx, rx) = mpsc::channel();
        let stderr = child
            .stderr
            .take()
            .with_context(|| format!("taking {name}'s stderr"))?;
        let counts = log.clone();
        std::thread::spawn(move || watch_log(name, stderr, &counts, &tx));
        let mut server = Self {
            name,
            child,
            pid,
            addr: String::new(),
            log,
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => {
                eprintln!("bench_live: {name} (pid {pid}) listening on {addr}");
                server.addr = addr;
            }
            Err(_) => bail!("{name} did not say where it listens within 30 s"),
        }
        Ok(server)
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// VmRSS and VmHWM in KiB.
    fn memory(&self) -> Result<(u64, u64)> {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let field = |name: &str| -> Result<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {name} in {path}"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    fn open_fds(&self) -> Result<usize> {
        let path = format!("/proc/{}/fd", self.pid);
        Ok(std::fs::read_dir(&path)
            .with_context(|| format!("listing {path}"))?
            .count())
    }

    /// SIGTERM, then waits for a clean exit (killed after 15 s).
    fn stop(&mut self) -> Result<()> {
        let name = self.name;
        if self
            .child
            .try_wait()
            .with_context(|| format!("checking on {name}"))?
            .is_some()
        {
            bail!("{name} exited before the bench stopped it");
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .try_wait()
                .with_context(|| format!("waiting for {name}"))?
            {
                ensure!(status.success(), "{name} stopped with {status}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        bail!("{name} did not stop within 15 s of SIGTERM")
    }

    fn report_log(&self) {
        let slow = self.log.slow_cut_off.load(Ordering::Relaxed);
        let warnings = self.log.warnings.load(Ordering::Relaxed);
        if slow > 0 || warnings > 0 {
            println!("  server log: {slow} slow consumers cut off, {warnings} warnings/errors");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads the server's stderr: sends the address once (the word after
/// "listening on http://"), counts what matters, and passes warnings on.
fn watch_log(name: &str, stderr: impl std::io::Read, log: &ServerLog, addr: &mpsc::Sender<String>) {
    const LISTENING: &str = "listening on http://";
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Some(at) = line.find(LISTENING) {
            let rest = &line[at + LISTENING.len()..];
            let _ = addr.send(rest.split_whitespace().next().unwrap_or("").to_owned());
            continue;
        }
        // The first few of each are passed on; all are counted.
        let seen = if line.contains("slow consumer cut off") {
            log.slow_cut_off.fetch_add(1, Ordering::Relaxed)
        } else if line.contains(" WARN ") || line.contains(" ERROR ") {
            log.warnings.fetch_add(1, Ordering::Relaxed)
        } else {
            continue;
        };
        if seen < 10 {
            eprintln!("{name}: {line}");
        }
    }
}

/// The soft limit on open files of this process (the server inherits it).
fn open_files_limit() -> Result<usize> {
    let limits =
        std::fs::read_to_string("/proc/self/limits").context("reading /proc/self/limits")?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .context("no open-files line in /proc/self/limits")?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()
        .context("an empty open-files line")?;
    if soft == "unlimited" {
        return Ok(usize::MAX);
    }
    soft.parse()
        .with_context(|| format!("reading the open-files limit {soft:?}"))
}

/// Which cores the server and the bench run on (`--compare`).
struct Pinning {
    server: usize,
    bench: Vec<usize>,
}

impl Pinning {
    /// The first core this process may use for the server, the others for
    /// the bench; `None` with fewer than two.
    fn plan() -> Result<Option<Self>> {
        let cpus = allowed_cpus()?;
        Ok(match cpus.split_first() {
            Some((&server, rest)) if !rest.is_empty() => Some(Self {
                server,
                bench: rest.to_vec(),
            }),
            _ => None,
        })
    }

    /// Pins this process (its threads to come) to the bench's cores.
    fn pin_this_process(&self) -> Result<()> {
        let set = cpu_set(&self.bench);
        // SAFETY: `set` is a valid cpu_set_t of the size passed.
        let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
        ensure!(
            rc == 0,
            "sched_setaffinity: {}",
            std::io::Error::last_os_error()
        );
        Ok(())
    }

    fn describe(&self) -> String {
        let bench: Vec<String> = self.bench.iter().map(usize::to_string).collect();
        format!(
            "server pinned to CPU {}, bench (load generator) to CPU {} (sched_setaffinity)",
            self.server,
            bench.join(",")
        )
    }
}

/// The cores this process may run on.
fn allowed_cpus() -> Result<Vec<usize>> {
    // SAFETY: cpu_set_t is plain bits (all zero: the empty set).
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: the kernel writes at most the size passed into `set`.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) };
    ensure!(
        rc == 0,
        "sched_getaffinity: {}",
        std::io::Error::last_os_error()
    );
    let size = usize::try_from(libc::CPU_SETSIZE).unwrap_or(0);
    // SAFETY: every index is below CPU_SETSIZE, inside `set`.
    Ok((0..size)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// The set of `cpus`.
fn cpu_set(cpus: &[usize]) -> libc::cpu_set_t {
    // SAFETY: cpu_set_t is plain bits (all zero: the empty set).
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        // SAFETY: CPU_SET ignores indexes past the set's size.
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    set
}

/// Makes `command`'s process run on core `cpu` only (set in the child
/// before it runs the program; its threads inherit it).
fn pin_child(command: &mut Command, cpu: usize) {
    use std::os::unix::process::CommandExt;
    let set = cpu_set(&[cpu]);
    // SAFETY: between fork and exec the closure makes one system call
    // (async-signal-safe) on a set copied before the fork; it allocates
    // nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// CPU time (user + system, all threads) of a process so far; `None` if
/// /proc does not say.
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces): state is
    // field 3, utime and stime are fields 14 and 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// CPU used by the server's nodes, PostgreSQL's processes (if on this
/// machine) and the bench over a stretch of wall time.
struct CpuMeter {
    servers: Vec<String>,
    started: Instant,
    server_cpu: Option<Duration>,
    bench_cpu: Option<Duration>,
    /// PostgreSQL's postmaster, and its children's CPU time at the start.
    postgres: Option<(u32, HashMap<u32, Duration>)>,
}

impl CpuMeter {
    fn start(servers: &[Server]) -> Self {
        let servers: Vec<String> = servers.iter().map(|s| s.pid.to_string()).collect();
        Self {
            server_cpu: Self::servers_cpu(&servers),
            bench_cpu: cpu_time("self"),
            servers,
            started: Instant::now(),
            postgres: None,
        }
    }

    /// Also measures the children of `postmaster`, if there is one.
    fn with_postgres(mut self, postmaster: Option<u32>) -> Self {
        self.postgres = postmaster.map(|pm| (pm, children_cpu(pm)));
        self
    }

    /// The server nodes' CPU-seconds since the start.
    fn server_seconds(&self) -> Option<f64> {
        let now = Self::servers_cpu(&self.servers)?;
        Some(now.saturating_sub(self.server_cpu?).as_secs_f64())
    }

    /// The bench's CPU since the start as a share of `cores` cores' time.
    fn bench_share(&self, cores: usize) -> Option<f64> {
        let used = cpu_time("self")?.saturating_sub(self.bench_cpu?);
        let wall = self.started.elapsed().as_secs_f64() * cores.max(1) as f64;
        (wall > 0.0).then(|| used.as_secs_f64() / wall)
    }

    /// Summed over the nodes; `None` if /proc does not say for one.
    fn servers_cpu(pids: &[String]) -> Option<Duration> {
        pids.iter().map(|p| cpu_time(p)).sum()
    }

    /// "server 143% of a core (7.1 µs per frame), bench client 41% (…)",
    /// `frames` being what the sockets received meanwhile.
    fn report(&self, frames: usize) -> String {
        format!(
            "{}; {frames} frames in {:.1} s",
            self.report_per(frames, "frame"),
            self.started.elapsed().as_secs_f64()
        )
    }

    /// "server 143% of a core (7.1 µs per send), postgres 60% (…), bench
    /// client 41% (…)", per one of `count` things done meanwhile.
    fn report_per(&self, count: usize, what: &str) -> String {
        let wall = self.started.elapsed().as_secs_f64();
        let share = |cpu: Option<f64>| match cpu {
            Some(c) if wall > 0.0 => format!("{:.0}%", c / wall * 100.0),
            _ => "?".to_owned(),
        };
        let per = |cpu: Option<f64>| match cpu {
            Some(c) if count > 0 => format!("{:.1} µs per {what}", c / count as f64 * 1e6),
            _ => "?".to_owned(),
        };
        let since = |before: Option<Duration>, now: Option<Duration>| match (before, now) {
            (Some(b), Some(a)) => Some(a.saturating_sub(b).as_secs_f64()),
            _ => None,
        };
        let server = since(self.server_cpu, Self::servers_cpu(&self.servers));
        let bench = since(self.bench_cpu, cpu_time("self"));
        let nodes = match self.servers.len() {
            1 => "server".to_owned(),
            n => format!("{n} server nodes"),
        };
        let postgres = match &self.postgres {
            Some((pm, before)) => {
                // A process that started meanwhile used all its time in it.
                let used: Duration = children_cpu(*pm)
                    .iter()
                    .map(|(pid, now)| {
                        now.saturating_sub(before.get(pid).copied().unwrap_or_default())
                    })
                    .sum();
                let used = Some(used.as_secs_f64());
                format!(", postgres {} ({})", share(used), per(used))
            }
            None => String::new(),
        };
        format!(
            "{nodes} {} of a core ({}){postgres}, bench client {} ({})",
            share(server),
            per(server),
            share(bench),
            per(bench),
        )
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

// ---------------------------------------------------------------------------
// HTTP

struct Member {
    name: String,
    /// `parley_session=…`
    cookie: String,
}

fn client(local: Option<IpAddr>) -> Result<Client> {
    Client::builder()
        .local_address(local)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building an HTTP client")
}

/// Calls a server function like the hydrated app (form in, JSON out);
/// returns the session cookie it set, if any, and the body.
async fn call(
    client: &Client,
    base: &str,
    cookie: Option<&str>,
    name: &str,
    form: &[(String, String)],
) -> Result<(Option<String>, String)> {
    let mut req = client
        .post(format!("{base}/api/{name}"))
        .header(reqwest::header::ORIGIN, base)
        .form(form);
    if let Some(c) = cookie {
        req = req.header(reqwest::header::COOKIE, c);
    }
    let res = req
        .send()
        .await
        .with_context(|| format!("POST /api/{name}"))?;
    let status = res.status();
    let session = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("parley_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = res
        .text()
        .await
        .with_context(|| format!("reading /api/{name}"))?;
    ensure!(
        status == StatusCode::OK,
        "POST /api/{name}: {status}: {body}"
    );
    Ok((session, body))
}

fn pair(k: impl Into<String>, v: impl Into<String>) -> (String, String) {
    (k.into(), v.into())
}

/// Registers the members (logged in by registering) and makes the group
/// (with `--room`, the room); returns them and its id.
async fn set_up(server: &Server, args: &Args) -> Result<(Vec<Member>, String)> {
    let base = server.base();
    let started = Instant::now();
    let addresses = args.members.div_ceil(PER_ADDRESS);
    let clients: Vec<Client> = (0..addresses)
        .map(|k| {
            // 127.0.0.2, 127.0.0.3, …, 127.0.1.0, …: all loopback.
            let n = u32::try_from(k + 2).context("too many addresses")?;
            let ip = Ipv4Addr::from(0x7f00_0000 | n);
            client(Some(IpAddr::V4(ip)))
        })
        .collect::<Result<_>>()?;
    let members: Vec<Member> = stream::iter(0..args.members)
        .map(|i| {
            let (base, http) = (&base, &clients[i / PER_ADDRESS]);
            async move {
                let name = format!("live{i:05}");
                let form = [pair("username", &name), pair("password", PASSWORD)];
                let (cookie, _) = call(http, base, None, "register", &form)
                    .await
                    .with_context(|| format!("registering {name}"))?;
                let cookie = cookie.with_context(|| format!("no session cookie for {name}"))?;
                Ok::<_, anyhow::Error>(Member { name, cookie })
            }
        })
        .buffered(REGISTERING)
        .try_collect()
        .await?;
    let registered = started.elapsed();

    let (thread, made) = if args.room {
        (make_room(&base, &members).await?, "public room")
    } else {
        (make_group(&base, &members).await?, "group")
    };
    println!(
        "set-up: {} members registered and logged in over HTTP in {:.1} s (from {addresses} \
         loopback addresses), one {made} of {} made in {:.1} s",
        members.len(),
        registered.as_secs_f64(),
        members.len(),
        (started.elapsed() - registered).as_secs_f64(),
    );
    Ok((members, thread))
}

/// The first member starts a group with the next 99 and adds the rest 100
/// at a time; returns its id.
async fn make_group(base: &str, members: &[Member]) -> Result<String> {
    let http = client(None)?;
    let owner = &members[0];
    let first: Vec<(String, String)> = members[1..members.len().min(GROUP_STEP)]
        .iter()
        .enumerate()
        .map(|(i, m)| pair(format!("usernames[{i}]"), &m.name))
        .collect();
    let (_, body) = call(&http, base, Some(&owner.cookie), "start_chat", &first).await?;
    let answer: Value = serde_json::from_str(&body).context("reading start_chat's answer")?;
    let group = answer["id"]
        .as_str()
        .context("start_chat's answer has no id")?
        .to_owned();
    for chunk in members
        .get(GROUP_STEP..)
        .unwrap_or_default()
        .chunks(GROUP_STEP)
    {
        let mut form = vec![pair("thread", &group)];
        form.extend(
            chunk
                .iter()
                .enumerate()
                .map(|(i, m)| pair(format!("usernames[{i}]"), &m.name)),
        );
        call(&http, base, Some(&owner.cookie), "add_members", &form).await?;
    }
    Ok(group)
}

/// The first member creates a public room and every other member joins it
/// as themselves, [`JOINING`] at a time; returns its id.
async fn make_room(base: &str, members: &[Member]) -> Result<String> {
    let http = client(None)?;
    let form = [pair("name", ROOM_NAME), pair("topic", ROOM_TOPIC)];
    let (_, body) = call(&http, base, Some(&members[0].cookie), "create_room", &form).await?;
    let room: String = serde_json::from_str(&body).context("reading create_room's answer")?;
    stream::iter(&members[1..])
        .map(|m| {
            let (http, room) = (&http, &room);
            async move {
                let form = [pair("room", room)];
                call(http, base, Some(&m.cookie), "join_room", &form)
                    .await
                    .with_context(|| format!("{} joining the room", m.name))
            }
        })
        .buffer_unordered(JOINING)
        .try_for_each(|_| async { Ok(()) })
        .await?;
    Ok(room)
}

// ---------------------------------------------------------------------------
// Sockets

/// Counters over all sockets of a run.
#[derive(Default)]
struct Totals {
    frames: AtomicUsize,
    delivered: AtomicUsize,
    presence: AtomicUsize,
}

/// What one socket received.
#[derive(Default)]
struct Recv {
    /// Its `ready` frame came.
    ready: bool,
    /// When message `n` arrived, in ns since the bench started (0: not yet).
    at: Vec<u64>,
    duplicates: usize,
    /// Event frames whose id was not above the previous one.
    out_of_order: usize,
    last_event: i64,
    /// Message frames that are not the bench's.
    foreign: usize,
    /// Why the socket ended, if it did before the bench closed it.
    ended: Option<String>,
    /// When, in ns since the bench started.
    ended_at: u64,
    /// The close code the server sent when it ended, if any.
    ended_code: Option<u16>,
    /// The newest event id it got, or the cursor of its last `ready` or
    /// `reload` if newer: where a resuming socket reconnects after.
    cursor: Option<i64>,
    /// When the last `ready` came, in ns since the bench started.
    ready_at: u64,
    /// `reload` frames: replays the log could no longer give.
    reloads: usize,
    /// Resuming sockets: when the current connection opened (ns).
    opened_at: u64,
    /// Resuming sockets: every connection that ended, oldest first.
    ends: Vec<End>,
    /// Resuming sockets: handshakes that failed (the server was down).
    refused: usize,
}

/// One connection of a resuming socket that ended (times in ns since the
/// bench started).
#[derive(Debug, Clone, PartialEq)]
struct End {
    opened_at: u64,
    ended_at: u64,
    /// When it got `ready` (0: it did not).
    ready_at: u64,
    /// The server's close code (None: no close frame).
    code: Option<u16>,
    reason: String,
}

struct Socket {
    cookie: String,
    recv: Arc<Mutex<Recv>>,
    task: JoinHandle<()>,
    /// A floor socket's frames to send (its reader task writes them).
    publish: Option<Outgoing>,
}

/// Frames a floor socket's reader task sends for its publisher.
type Outgoing = tokio::sync::mpsc::UnboundedSender<Message>;

/// Which server a socket talks to: what it sends and how its frames read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `/api/live` with a session: the protocol's JSON frames.
    Parley,
    /// The floor: any path, no session; every frame is a message as a
    /// publisher sent it.
    Floor,
}

fn lock(recv: &Mutex<Recv>) -> MutexGuard<'_, Recv> {
    // A reader task that panicked left its counters as they were.
    recv.lock().unwrap_or_else(|p| p.into_inner())
}

fn nanos_since(base: Instant) -> u64 {
    u64::try_from(base.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Opens a live socket as `cookie`'s browser would and starts reading it;
/// with `resume`, a socket that comes back by itself (see
/// [`resume_socket`]), its jitter seeded with `resume`'s value.
async fn open_socket(
    addr: &str,
    cookie: String,
    slots: usize,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Receiver<bool>,
    resume: Option<u64>,
) -> Result<Socket> {
    let ws = handshake(addr, &cookie, None).await?;
    let recv = Arc::new(Mutex::new(Recv {
        at: vec![0; slots],
        opened_at: nanos_since(base),
        ..Recv::default()
    }));
    let task = match resume {
        None => tokio::spawn(read_socket(
            ws,
            recv.clone(),
            base,
            totals,
            stop,
            Kind::Parley,
            None,
        )),
        Some(seed) => {
            let resuming = Resuming {
                addr: addr.to_owned(),
                cookie: cookie.clone(),
                recv: recv.clone(),
                base,
                totals,
                stop,
                jitter: Jitter(seed),
            };
            tokio::spawn(resume_socket(ws, resuming))
        }
    };
    Ok(Socket {
        cookie,
        recv,
        task,
        publish: None,
    })
}

/// Opens a socket to the floor and starts reading it; it is ready at once
/// (the floor subscribes a socket before answering its handshake), and its
/// reader task also sends what its publisher hands it.
async fn open_floor_socket(
    addr: &str,
    slots: usize,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Receiver<bool>,
) -> Result<Socket> {
    let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
    let connecting =
        tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/"), Some(config), true);
    let (ws, _) = tokio::time::timeout(HANDSHAKE_LIMIT, connecting)
        .await
        .context("opening a floor socket: no answer")?
        .context("opening a floor socket")?;
    let now = nanos_since(base);
    let recv = Arc::new(Mutex::new(Recv {
        at: vec![0; slots],
        opened_at: now,
        ready: true,
        ready_at: now,
        ..Recv::default()
    }));
    let (publish, outgoing) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(read_socket(
        ws,
        recv.clone(),
        base,
        totals,
        stop,
        Kind::Floor,
        Some(outgoing),
    ));
    Ok(Socket {
        cookie: String::new(),
        recv,
        task,
        publish: Some(publish),
    })
}

/// The WebSocket handshake of `GET /api/live[?after=<cursor>]`, with the
/// session cookie and the page's `Origin`.
async fn handshake(addr: &str, cookie: &str, after: Option<i64>) -> Result<Ws> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut req = format!("ws://{addr}/api/live{query}")
        .into_client_request()
        .context("building the socket request")?;
    let headers = req.headers_mut();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(cookie).context("a session cookie")?,
    );
    headers.insert(
        ORIGIN,
        HeaderValue::from_str(&format!("http://{addr}")).context("an origin")?,
    );
    // Tungstenite zero-fills its whole read buffer (128 KiB by default)
    // before every read: with a small one the bench's own reading costs
    // less of the CPU the server shares. Frames here are under 1 KiB.
    let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
    let connecting = tokio_tungstenite::connect_async_with_config(req, Some(config), true);
    let (ws, _) = tokio::time::timeout(HANDSHAKE_LIMIT, connecting)
        .await
        .context("opening /api/live: no answer")?
        .context("opening /api/live")?;
    Ok(ws)
}

/// What a resuming socket needs between its connections.
struct Resuming {
    addr: String,
    cookie: String,
    recv: Arc<Mutex<Recv>>,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Receiver<bool>,
    jitter: Jitter,
}

/// Reads `ws`, and whenever a connection ends without the bench asking,
/// reconnects as the browser does (`chat/live/socket.rs`): after
/// [`reconnect::delay_ms`] for the attempt (full jitter from the first
/// attempt; reset by `ready`), resuming after the cursor. Every ended
/// connection and failed handshake is recorded in the socket's [`Recv`].
async fn resume_socket(ws: Ws, mut s: Resuming) {
    let mut ws = Some(ws);
    let mut attempt: u32 = 0;
    loop {
        if let Some(ws) = ws.take() {
            read_socket(
                ws,
                s.recv.clone(),
                s.base,
                s.totals.clone(),
                s.stop.clone(),
                Kind::Parley,
                None,
            )
            .await;
            let mut r = lock(&s.recv);
            let Some(reason) = r.ended.take() else {
                // The bench closed it.
                return;
            };
            if r.ready {
                attempt = 0;
            }
            let end = End {
                opened_at: r.opened_at,
                ended_at: r.ended_at,
                ready_at: if r.ready { r.ready_at } else { 0 },
                code: r.ended_code.take(),
                reason,
            };
            r.ends.push(end);
            r.ready = false;
        }
        if *s.stop.borrow() {
            return;
        }
        let delay = reconnect::delay_ms(attempt, s.jitter.next_unit());
        attempt = attempt.saturating_add(1);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(delay / 1000.0)) => {}
            _ = s.stop.changed() => return,
        }
        let cursor = lock(&s.recv).cursor;
        let opened = tokio::select! {
            opened = handshake(&s.addr, &s.cookie, cursor) => opened,
            _ = s.stop.changed() => return,
        };
        match opened {
            Ok(fresh) => {
                lock(&s.recv).opened_at = nanos_since(s.base);
                ws = Some(fresh);
            }
            Err(_) => lock(&s.recv).refused += 1,
        }
    }
}

/// The random numbers of one socket's reconnect jitter (SplitMix64: small,
/// fast and good enough to spread delays; a bench needs no more).
struct Jitter(u64);

impl Jitter {
    /// The next number, uniform in [0, 1).
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits: exactly representable, below 1.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads frames until the bench says stop (then closes) or the socket ends,
/// and sends what comes from `outgoing` (a floor publisher's frames).
/// Reading also answers the server's pings (tungstenite does it).
async fn read_socket(
    mut ws: Ws,
    recv: Arc<Mutex<Recv>>,
    base: Instant,
    totals: Arc<Totals>,
    mut stop: watch::Receiver<bool>,
    kind: Kind,
    mut outgoing: Option<tokio::sync::mpsc::UnboundedReceiver<Message>>,
) {
    /// What woke the reader.
    enum Woke {
        Send(Option<Message>),
        Read(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
        Stop,
    }
    let ended = loop {
        let to_send = async {
            match outgoing.as_mut() {
                Some(frames) => frames.recv().await,
                None => std::future::pending().await,
            }
        };
        let woke = tokio::select! {
            frame = to_send => Woke::Send(frame),
            msg = ws.next() => Woke::Read(msg),
            _ = stop.changed() => Woke::Stop,
        };
        match woke {
            Woke::Send(Some(frame)) => {
                if let Err(e) = ws.send(frame).await {
                    break format!("broken while sending: {e}");
                }
            }
            // The publisher is gone: nothing more to send.
            Woke::Send(None) => outgoing = None,
            Woke::Read(Some(Ok(Message::Text(text)))) => {
                let now = nanos_since(base);
                match kind {
                    Kind::Parley => take_frame(&recv, &totals, text.as_str(), now),
                    Kind::Floor => take_floor_frame(&recv, &totals, text.as_str(), now),
                }
            }
            Woke::Read(Some(Ok(Message::Close(Some(frame))))) => {
                let code = u16::from(frame.code);
                lock(&recv).ended_code = Some(code);
                break format!("closed by the server with code {code}");
            }
            Woke::Read(Some(Ok(Message::Close(None)))) => break "closed by the server".to_owned(),
            Woke::Read(Some(Ok(_))) => {}
            Woke::Read(Some(Err(e))) => break format!("broken: {e}"),
            Woke::Read(None) => break "ended".to_owned(),
            Woke::Stop => {
                let _ = tokio::time::timeout(Duration::from_secs(2), async {
                    let _ = ws.close(None).await;
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
                return;
            }
        }
    };
    let mut r = lock(&recv);
    r.ended = Some(ended);
    r.ended_at = nanos_since(base);
}

/// Records one frame.
fn take_frame(recv: &Mutex<Recv>, totals: &Totals, text: &str, now: u64) {
    totals.frames.fetch_add(1, Ordering::Relaxed);
    match classify(text) {
        Frame::Ready { cursor } => {
            let mut r = lock(recv);
            r.ready = true;
            r.ready_at = now;
            r.cursor = Some(r.cursor.map_or(cursor, |c| c.max(cursor)));
        }
        Frame::Reload { cursor } => {
            // Live from here, as after `ready`, but what came before the
            // cursor was not replayed.
            let mut r = lock(recv);
            r.reloads += 1;
            r.ready = true;
            r.ready_at = now;
            r.cursor = Some(cursor);
        }
        Frame::Presence => {
            totals.presence.fetch_add(1, Ordering::Relaxed);
        }
        Frame::Event { id, message } => {
            let mut r = lock(recv);
            if id <= r.last_event {
                r.out_of_order += 1;
            }
            r.last_event = id;
            r.cursor = Some(r.cursor.map_or(id, |c| c.max(id)));
            match message.map(message_number) {
                None => {}
                Some(n) => record(&mut r, totals, n, now),
            }
        }
        Frame::Other => {}
    }
}

/// Records message `n` (`None`: not the bench's) arriving at `now`.
fn record(r: &mut Recv, totals: &Totals, n: Option<usize>, now: u64) {
    match n {
        Some(n) if n < r.at.len() => {
            if r.at[n] == 0 {
                r.at[n] = now.max(1);
                totals.delivered.fetch_add(1, Ordering::Relaxed);
            } else {
                r.duplicates += 1;
            }
        }
        _ => r.foreign += 1,
    }
}

/// Records one floor frame: a message as its publisher sent it (the
/// floor keeps no order between publishers, so none is checked).
fn take_floor_frame(recv: &Mutex<Recv>, totals: &Totals, text: &str, now: u64) {
    totals.frames.fetch_add(1, Ordering::Relaxed);
    record(&mut lock(recv), totals, body_number(text), now);
}

/// The number of a message body made by [`message_body`] or [`payload`].
fn body_number(text: &str) -> Option<usize> {
    let rest = text.strip_prefix(BODY_PREFIX)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

#[derive(Debug, PartialEq)]
enum Frame<'a> {
    Ready {
        cursor: i64,
    },
    Reload {
        cursor: i64,
    },
    Presence,
    /// A logged event; `message` is the client id of a new message.
    Event {
        id: i64,
        message: Option<&'a str>,
    },
    Other,
}

/// Tells frames apart by their first bytes, without parsing the whole JSON
/// (100,000 frames a second go through here on the same cores as the
/// server). Serde writes the tag first and the fields in declaration order;
/// the tests check this against the protocol's own types.
fn classify(text: &str) -> Frame<'_> {
    if let Some(cursor) = number_after(text, r#"{"t":"ready","cursor":"#) {
        return Frame::Ready { cursor };
    }
    if let Some(cursor) = number_after(text, r#"{"t":"reload","cursor":"#) {
        return Frame::Reload { cursor };
    }
    if text.starts_with(r#"{"t":"presence","#) {
        return Frame::Presence;
    }
    let Some(id) = number_after(text, r#"{"t":"event","id":"#) else {
        return Frame::Other;
    };
    let message = if text.contains(r#""change":{"kind":"message_created","#) {
        // The client id is the change's last field, after the message
        // (whose text is escaped, so it cannot contain this pattern).
        const KEY: &str = r#","client_id":""#;
        text.rfind(KEY).and_then(|at| {
            let value = &text[at + KEY.len()..];
            value.find('"').map(|end| &value[..end])
        })
    } else {
        None
    };
    Frame::Event { id, message }
}

/// The whole number right after `prefix` at the start of `text`.
fn number_after(text: &str, prefix: &str) -> Option<i64> {
    let rest = text.strip_prefix(prefix)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

fn client_id(n: usize) -> String {
    format!("{CLIENT_ID_PREFIX}{n:012}")
}

/// The number in a client id made by [`client_id`].
fn message_number(client_id: &str) -> Option<usize> {
    client_id.strip_prefix(CLIENT_ID_PREFIX)?.parse().ok()
}

/// Waits until `done` holds, checking every 20 ms; false after `limit`.
async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until no frame arrived for [`QUIET`] (at most `limit`).
async fn wait_quiet(totals: &Totals, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut seen = totals.frames.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = totals.frames.load(Ordering::Relaxed);
        if now != seen {
            (seen, since) = (now, Instant::now());
        } else if since.elapsed() >= QUIET {
            return true;
        }
    }
    false
}

/// The sockets of one run: where they connect, what they record, and the
/// signal that closes them all.
struct Sockets {
    /// The nodes: socket `i` connects to `addrs[i % addrs.len()]`.
    addrs: Vec<String>,
    /// Messages each socket keeps arrival times for.
    slots: usize,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Sender<bool>,
    open: Vec<Socket>,
    /// Sockets reconnect by themselves (part 4), their jitter seeded from
    /// this and their number.
    resume: Option<u64>,
    /// Parley's sockets, or the floor's.
    kind: Kind,
}

/// How joining went.
struct Joined {
    /// Until every socket of the first attempt was ready or cut off.
    first_pass: Duration,
    /// Until everything was open, ready and quiet.
    settled: Duration,
    /// Sockets the server closed while joining (reopened), by reason.
    cut_off: Vec<(String, usize)>,
    rounds: usize,
}

impl Sockets {
    /// Sockets spread round-robin over the nodes at `addrs`.
    fn new(addrs: Vec<String>, slots: usize, base: Instant) -> Self {
        Self {
            addrs,
            slots,
            base,
            totals: Arc::new(Totals::default()),
            stop: watch::channel(false).0,
            open: Vec::new(),
            resume: None,
            kind: Kind::Parley,
        }
    }

    /// Sockets to the floor (their cookies are ignored).
    fn floor(mut self) -> Self {
        self.kind = Kind::Floor;
        self
    }

    /// Sockets that reconnect by themselves, as the browser's do (see
    /// [`resume_socket`]).
    fn resuming(mut self) -> Self {
        // Different delays in every run, and for every socket.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        self.resume = Some(seed);
        self
    }

    /// The node socket `i` connects to.
    fn node_of(&self, i: usize) -> usize {
        i % self.addrs.len()
    }

    /// Opens socket `i` for each `(i, cookie)` (on its node),
    /// [`CONNECTING`] handshakes at a time.
    async fn connect(&self, cookies: Vec<(usize, String)>) -> Result<Vec<Socket>> {
        stream::iter(cookies)
            .map(|(i, cookie)| {
                let totals = self.totals.clone();
                let stop = self.stop.subscribe();
                let resume = self.resume.map(|seed| {
                    // SplitMix64's own step apart: unrelated sequences.
                    seed.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                });
                let addr = &self.addrs[self.node_of(i)];
                async move {
                    match self.kind {
                        Kind::Parley => {
                            open_socket(addr, cookie, self.slots, self.base, totals, stop, resume)
                                .await
                        }
                        Kind::Floor => {
                            open_floor_socket(addr, self.slots, self.base, totals, stop).await
                        }
                    }
                }
            })
            .buffered(CONNECTING)
            .try_collect()
            .await
    }

    /// `cookies` numbered as the sockets after the open ones.
    fn after_open(&self, cookies: Vec<String>) -> Vec<(usize, String)> {
        let first = self.open.len();
        cookies
            .into_iter()
            .enumerate()
            .map(|(k, c)| (first + k, c))
            .collect()
    }

    /// Opens a socket per cookie and waits until every one is ready and the
    /// presence frames of the arrivals have died down. A socket the server
    /// closes meanwhile (a slow consumer while its replay runs or the
    /// presence burst goes by) is reopened, as the browser would, and
    /// counted.
    async fn join(&mut self, cookies: Vec<String>) -> Result<Joined> {
        const ROUNDS: usize = 10;
        let started = Instant::now();
        let limit = Duration::from_secs(60) + Duration::from_millis(20) * cookies.len() as u32;
        let mut fresh = self.connect(self.after_open(cookies)).await?;
        self.open.append(&mut fresh);
        let mut joined = Joined {
            first_pass: Duration::ZERO,
            settled: Duration::ZERO,
            cut_off: Vec::new(),
            rounds: 0,
        };
        for round in 1..=ROUNDS {
            let settled = wait_for(limit, || {
                self.open.iter().all(|s| {
                    let r = lock(&s.recv);
                    r.ready || r.ended.is_some()
                })
            })
            .await;
            ensure!(
                settled,
                "sockets neither got ready nor closed within {limit:?}"
            );
            if round == 1 {
                joined.first_pass = started.elapsed();
            }
            let quiet = wait_quiet(&self.totals, Duration::from_secs(120)).await;
            ensure!(quiet, "the presence frames of the arrivals never died down");
            let dead: Vec<usize> = (0..self.open.len())
                .filter(|&i| lock(&self.open[i].recv).ended.is_some())
                .collect();
            if dead.is_empty() {
                joined.settled = started.elapsed();
                joined.rounds = round;
                return Ok(joined);
            }
            for &i in &dead {
                let reason = lock(&self.open[i].recv).ended.clone().unwrap_or_default();
                tally(&mut joined.cut_off, &reason);
            }
            let cookies = dead
                .iter()
                .map(|&i| (i, self.open[i].cookie.clone()))
                .collect();
            let reopened = self.connect(cookies).await?;
            for (i, socket) in dead.into_iter().zip(reopened) {
                self.open[i] = socket;
            }
        }
        bail!("sockets were still being closed after {ROUNDS} rounds of reopening")
    }

    /// [`Self::join`] for resuming sockets: opens one per cookie and waits
    /// until every one is ready on its current connection and the presence
    /// frames have died down. Sockets the server closes meanwhile come back
    /// by themselves; they are counted.
    async fn join_resuming(&mut self, cookies: Vec<String>) -> Result<Joined> {
        const ROUNDS: usize = 10;
        let started = Instant::now();
        let limit = Duration::from_secs(60) + Duration::from_millis(20) * cookies.len() as u32;
        let mut fresh = self.connect(self.after_open(cookies)).await?;
        self.open.append(&mut fresh);
        let all_ready = |open: &[Socket]| open.iter().all(|s| lock(&s.recv).ready);
        let mut joined = Joined {
            first_pass: Duration::ZERO,
            settled: Duration::ZERO,
            cut_off: Vec::new(),
            rounds: 0,
        };
        for round in 1..=ROUNDS {
            let ready = wait_for(limit, || all_ready(&self.open)).await;
            ensure!(ready, "sockets were not all ready within {limit:?}");
            if round == 1 {
                joined.first_pass = started.elapsed();
            }
            let quiet = wait_quiet(&self.totals, Duration::from_secs(120)).await;
            ensure!(quiet, "the presence frames of the arrivals never died down");
            if all_ready(&self.open) {
                joined.settled = started.elapsed();
                joined.rounds = round;
                for s in &self.open {
                    for end in &lock(&s.recv).ends {
                        tally(&mut joined.cut_off, &end.reason);
                    }
                }
                return Ok(joined);
            }
        }
        bail!("sockets were still being closed after {ROUNDS} rounds of waiting")
    }

    /// Reopens every socket that ended on its own (a fresh socket, as a
    /// fresh page would open: what it missed stays missed) and waits until
    /// all are ready and quiet; how many were reopened.
    async fn reopen_ended(&mut self) -> Result<usize> {
        let dead: Vec<usize> = (0..self.open.len())
            .filter(|&i| lock(&self.open[i].recv).ended.is_some())
            .collect();
        if dead.is_empty() {
            return Ok(0);
        }
        let cookies = dead
            .iter()
            .map(|&i| (i, self.open[i].cookie.clone()))
            .collect();
        let reopened = self.connect(cookies).await?;
        for (&i, socket) in dead.iter().zip(reopened) {
            self.open[i] = socket;
        }
        let ready = wait_for(Duration::from_secs(60), || {
            self.open.iter().all(|s| lock(&s.recv).ready)
        })
        .await;
        ensure!(ready, "reopened sockets were not ready within 60 s");
        wait_quiet(&self.totals, Duration::from_secs(120)).await;
        Ok(dead.len())
    }

    /// Sockets that ended on their own, with the first few reasons.
    fn ended(&self) -> (usize, Vec<String>) {
        let reasons: Vec<String> = self
            .open
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                lock(&s.recv)
                    .ended
                    .clone()
                    .map(|e| format!("socket {i}: {e}"))
            })
            .collect();
        (reasons.len(), reasons.into_iter().take(5).collect())
    }

    /// Closes every socket and waits for the reader tasks.
    async fn close(self) {
        let _ = self.stop.send(true);
        for s in self.open {
            let _ = s.task.await;
        }
    }
}

/// Counts one more `reason`.
fn tally(counts: &mut Vec<(String, usize)>, reason: &str) {
    match counts.iter_mut().find(|(r, _)| r == reason) {
        Some((_, n)) => *n += 1,
        None => counts.push((reason.to_owned(), 1)),
    }
}

impl Joined {
    fn describe(&self, n: usize) -> String {
        let mut text = format!(
            "{n} open and ready in {:.2} s ({CONNECTING} handshakes at a time), quiet after {:.1} s",
            self.first_pass.as_secs_f64(),
            self.settled.as_secs_f64()
        );
        if !self.cut_off.is_empty() {
            let total: usize = self.cut_off.iter().map(|(_, n)| n).sum();
            let why: Vec<String> = self
                .cut_off
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect();
            text.push_str(&format!(
                "; {total} were cut off while joining and reopened ({}), {} rounds",
                why.join(", "),
                self.rounds
            ));
        }
        text
    }
}

// ---------------------------------------------------------------------------
// Part 1: delivery latency

/// How the sends of one phase went.
struct Sent {
    /// Answer times of `send_message`, sorted.
    answers: Vec<Duration>,
    /// From the first send's start to the last one's.
    span: Duration,
    /// Messages whose send failed, and why.
    failures: Vec<(usize, String)>,
    /// Sends that succeeded only when tried again.
    retried: usize,
    /// The node each message was sent to, by its place in the phase.
    via: Vec<usize>,
}

/// One rate's figures, for [`report_phase`].
struct Phase<'a> {
    rate: f64,
    secs: f64,
    range: &'a std::ops::Range<usize>,
    sent: &'a Sent,
    cpu: &'a str,
}

/// Part 1 on `nodes`, in `thread` (the group or the room), with the first
/// `--connected` members online; the send→frame percentiles at the last
/// rate.
async fn delivery(
    nodes: &[Server],
    database: &Database,
    members: &[Member],
    thread: &str,
    args: &Args,
    base: Instant,
) -> Result<Percentiles> {
    let phases: Vec<(f64, f64, usize)> = args
        .rates
        .iter()
        .zip(&args.seconds)
        .map(|(&rate, &secs)| (rate, secs, messages_in(rate, secs)))
        .collect();
    let slots: usize = phases.iter().map(|p| p.2).sum();
    let addrs = nodes.iter().map(|s| s.addr.clone()).collect();
    let mut sockets = Sockets::new(addrs, slots, base);
    let joined = sockets.join(connected_cookies(members, args)).await?;
    let n = sockets.open.len();
    println!("\nlatency: in {}", args.describe_thread());
    println!(
        "live sockets: {}; {} presence frames",
        joined.describe(n),
        sockets.totals.presence.load(Ordering::Relaxed)
    );

    let http = client(None)?;
    let send_at: Arc<Vec<AtomicU64>> = Arc::new((0..slots).map(|_| AtomicU64::new(0)).collect());
    let senders: Vec<&Member> = members.iter().take(args.senders).collect();
    let bases: Vec<String> = nodes.iter().map(Server::base).collect();
    let mut first = 0;
    let mut stored = 0;
    let mut outcome = Ok(Percentiles::of(&[]));
    for &(rate, secs, count) in &phases {
        let range = first..first + count;
        first += count;
        let cpu = CpuMeter::start(nodes).with_postgres(database.postmaster());
        let frames_before = sockets.totals.frames.load(Ordering::Relaxed);
        let sent = send_phase(
            &http,
            &bases,
            &senders,
            thread,
            range.clone(),
            rate,
            &send_at,
            base,
            false,
            message_body,
        )
        .await;
        // A message whose send failed may not exist: not waited for.
        stored += count - sent.failures.len();
        let expected = n * stored;
        let complete = wait_for(DELIVERY_GRACE, || {
            sockets.totals.delivered.load(Ordering::Relaxed) >= expected
        })
        .await;
        let cpu = cpu.report(sockets.totals.frames.load(Ordering::Relaxed) - frames_before);
        // Late duplicates would arrive right after the last frame.
        tokio::time::sleep(Duration::from_millis(200)).await;
        outcome = report_phase(
            Phase {
                rate,
                secs,
                range: &range,
                sent: &sent,
                cpu: &cpu,
            },
            &sockets,
            &send_at,
            complete,
        );
        if outcome.is_err() {
            break;
        }
    }
    sockets.close().await;
    outcome
}

/// The session cookies of the members who open a socket (`--connected`).
fn connected_cookies(members: &[Member], args: &Args) -> Vec<String> {
    members
        .iter()
        .take(args.connected())
        .map(|m| m.cookie.clone())
        .collect()
}

/// Sends messages `range` to `thread` at `rate` a second, in turn from
/// `senders`, each at its scheduled time whatever the previous ones are doing; sender `k`
/// sends to node `k % base_urls.len()`. With
/// `retry`, a failed send is tried again with the same client id, as the
/// browser's outbox does, after [`reconnect::delay_ms`] (for up to
/// [`SEND_RETRY_LIMIT`]).
#[allow(clippy::too_many_arguments)]
async fn send_phase(
    http: &Client,
    base_urls: &[String],
    senders: &[&Member],
    thread: &str,
    range: std::ops::Range<usize>,
    rate: f64,
    send_at: &Arc<Vec<AtomicU64>>,
    base: Instant,
    retry: bool,
    body: fn(usize) -> String,
) -> Sent {
    let mut via = Vec::with_capacity(range.len());
    let tasks = schedule(range, rate, |i, n| {
        let sender = senders[i % senders.len()];
        let node = (i % senders.len()) % base_urls.len();
        via.push(node);
        let form = [
            pair("thread", thread),
            pair("body", body(n)),
            pair("client_id", client_id(n)),
        ];
        let (http, base_url, cookie) =
            (http.clone(), base_urls[node].clone(), sender.cookie.clone());
        let send_at = send_at.clone();
        tokio::spawn(async move {
            let began = Instant::now();
            send_at[n].store(nanos_since(base).max(1), Ordering::Relaxed);
            let mut result = call(&http, &base_url, Some(&cookie), "send_message", &form).await;
            let mut attempt = 0;
            let mut jitter = Jitter(n as u64);
            while retry && result.is_err() && began.elapsed() < SEND_RETRY_LIMIT {
                let delay = reconnect::delay_ms(attempt, jitter.next_unit());
                tokio::time::sleep(Duration::from_secs_f64(delay / 1000.0)).await;
                attempt += 1;
                result = call(&http, &base_url, Some(&cookie), "send_message", &form).await;
            }
            (n, began, began.elapsed(), result.err(), attempt > 0)
        })
    })
    .await;
    collect_sent(tasks, via).await
}

/// What a publishing task returns: the message's number, when it began,
/// how long the send took, why it failed (if it did), whether it was
/// retried.
type Published = (usize, Instant, Duration, Option<anyhow::Error>, bool);

/// The bench's generator: starts messages `range` at `rate` a second, each
/// at its scheduled time whatever the previous ones are doing (open loop);
/// `publish(i, n)` starts message `n`, the phase's `i`th.
async fn schedule(
    range: std::ops::Range<usize>,
    rate: f64,
    mut publish: impl FnMut(usize, usize) -> JoinHandle<Published>,
) -> Vec<JoinHandle<Published>> {
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(range.len());
    for (i, n) in range.enumerate() {
        tokio::time::sleep_until(start + period.mul_f64(i as f64)).await;
        tasks.push(publish(i, n));
    }
    tasks
}

/// Publishes messages `range` on the floor at `rate` a second: each a text
/// frame of [`payload`] on the socket of publisher `i % publishers.len()`.
async fn floor_phase(
    publishers: &[Outgoing],
    range: std::ops::Range<usize>,
    rate: f64,
    send_at: &Arc<Vec<AtomicU64>>,
    base: Instant,
) -> Sent {
    let via = vec![0; range.len()];
    let tasks = schedule(range, rate, |i, n| {
        let publisher = publishers[i % publishers.len()].clone();
        let send_at = send_at.clone();
        tokio::spawn(async move {
            let began = Instant::now();
            send_at[n].store(nanos_since(base).max(1), Ordering::Relaxed);
            let sent = publisher
                .send(Message::text(payload(n)))
                .map_err(|_| anyhow::anyhow!("the publisher's socket is closed"));
            (n, began, began.elapsed(), sent.err(), false)
        })
    })
    .await;
    collect_sent(tasks, via).await
}

/// Waits for the publishing tasks and sums them up.
async fn collect_sent(tasks: Vec<JoinHandle<Published>>, via: Vec<usize>) -> Sent {
    let mut answers = Vec::with_capacity(tasks.len());
    let mut failures = Vec::new();
    let mut retried = 0;
    let (mut first, mut last): (Option<Instant>, Option<Instant>) = (None, None);
    for task in tasks {
        match task.await {
            Ok((n, began, took, error, again)) => {
                first = Some(first.map_or(began, |f| f.min(began)));
                last = Some(last.map_or(began, |l| l.max(began)));
                answers.push(took);
                match error {
                    Some(e) => failures.push((n, format!("{e:#}"))),
                    None if again => retried += 1,
                    None => {}
                }
            }
            // Cannot happen (the task does not panic); counted as a failure
            // of no particular message if it does.
            Err(e) => failures.push((usize::MAX, format!("a send task failed: {e}"))),
        }
    }
    answers.sort();
    let span = match (first, last) {
        (Some(f), Some(l)) => l - f,
        _ => Duration::ZERO,
    };
    Sent {
        answers,
        span,
        failures,
        retried,
        via,
    }
}

/// A chat message of about 100 characters, different every time.
fn message_body(n: usize) -> String {
    const WORDS: [&str; 12] = [
        "otter",
        "river",
        "weir",
        "morning",
        "bridge",
        "two",
        "fishing",
        "quiet",
        "photo",
        "meetup",
        "boathouse",
        "torch",
    ];
    let mut text = format!("{BODY_PREFIX}{n}:");
    for w in 0..12 {
        text.push(' ');
        text.push_str(WORDS[(n * 5 + w * 7) % WORDS.len()]);
    }
    text
}

/// Message `n` of `--compare`: [`message_body`] made exactly
/// [`PAYLOAD_BYTES`] long (cut, or filled out with dots).
fn payload(n: usize) -> String {
    let mut text = message_body(n);
    // ASCII: any byte is a character boundary.
    text.truncate(PAYLOAD_BYTES);
    while text.len() < PAYLOAD_BYTES {
        text.push('.');
    }
    text
}

/// Prints the figures of one phase, then fails unless every socket got
/// every message exactly once, in order; the send→frame percentiles.
fn report_phase(
    phase: Phase<'_>,
    sockets: &Sockets,
    send_at: &[AtomicU64],
    complete: bool,
) -> Result<Percentiles> {
    let Phase {
        rate,
        secs,
        range,
        sent,
        cpu,
    } = phase;
    let count = range.len();
    let mut latencies = Vec::with_capacity(count * sockets.open.len());
    // With several nodes: on the sender's node, and on another one.
    let (mut same_node, mut other_node) = (Vec::new(), Vec::new());
    let (mut missing, mut duplicates, mut out_of_order, mut foreign) = (0, 0, 0, 0);
    let mut short_sockets = 0;
    for (i, s) in sockets.open.iter().enumerate() {
        let r = lock(&s.recv);
        let before = missing;
        for n in range.clone() {
            if sent.failures.iter().any(|(f, _)| *f == n) {
                continue;
            }
            let sent_at = send_at[n].load(Ordering::Relaxed);
            match r.at[n] {
                0 => missing += 1,
                at => {
                    let latency = Duration::from_nanos(at.saturating_sub(sent_at));
                    latencies.push(latency);
                    if sockets.addrs.len() > 1 {
                        match sent.via.get(n - range.start) {
                            Some(&node) if node == sockets.node_of(i) => same_node.push(latency),
                            _ => other_node.push(latency),
                        }
                    }
                }
            }
        }
        if missing > before {
            short_sockets += 1;
        }
        duplicates += r.duplicates;
        out_of_order += r.out_of_order;
        foreign += r.foreign;
    }
    latencies.sort();
    same_node.sort();
    other_node.sort();
    let achieved = if sent.span.is_zero() {
        f64::NAN
    } else {
        (count.saturating_sub(1)) as f64 / sent.span.as_secs_f64()
    };
    println!(
        "\n{rate} msg/s for {secs} s: {count} messages to {} sockets",
        sockets.open.len()
    );
    println!(
        "  sent: {count} in {:.2} s = {achieved:.1} msg/s achieved; send_message answered in \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} failed",
        sent.span.as_secs_f64(),
        ms(percentile(&sent.answers, 50.0)),
        ms(percentile(&sent.answers, 99.0)),
        ms(percentile(&sent.answers, 100.0)),
        sent.failures.len()
    );
    println!(
        "  send → frame: {} deliveries, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 100.0)),
    );
    if sockets.addrs.len() > 1 {
        println!(
            "  by node: sockets on the sender's node p50 {:.1} ms, p99 {:.1} ms ({} \
             deliveries); on another node p50 {:.1} ms, p99 {:.1} ms ({})",
            ms(percentile(&same_node, 50.0)),
            ms(percentile(&same_node, 99.0)),
            same_node.len(),
            ms(percentile(&other_node, 50.0)),
            ms(percentile(&other_node, 99.0)),
            other_node.len(),
        );
    }
    println!("  CPU from the first send to the last delivery: {cpu}");
    let (closed, reasons) = sockets.ended();
    let exact = missing == 0 && duplicates == 0 && out_of_order == 0 && foreign == 0;
    if exact && complete && closed == 0 && sent.failures.is_empty() {
        println!("  exactly once: yes, every socket got every message once, in event order");
        return Ok(Percentiles::of(&latencies));
    }
    println!(
        "  exactly once: NO: {missing} deliveries of sent messages missing (on \
         {short_sockets} sockets), {duplicates} duplicates, {out_of_order} out of order, \
         {foreign} unknown messages; {closed} sockets ended; {} sends failed",
        sent.failures.len()
    );
    for r in &reasons {
        println!("    {r}");
    }
    let first_send = send_at[range.start].load(Ordering::Relaxed);
    let ended_at: Vec<u64> = sockets
        .open
        .iter()
        .filter_map(|s| {
            let r = lock(&s.recv);
            r.ended.as_ref().map(|_| r.ended_at)
        })
        .collect();
    if let (Some(a), Some(b)) = (ended_at.iter().min(), ended_at.iter().max()) {
        let secs = |t: u64| t.saturating_sub(first_send) as f64 / 1e9;
        println!(
            "    they ended {:.2} s to {:.2} s after the phase's first send",
            secs(*a),
            secs(*b)
        );
    }
    for (n, f) in sent.failures.iter().take(5) {
        println!("    message {n}: send failed: {f}");
    }
    if exact && complete && closed == 0 {
        bail!(
            "{} of {count} sends at {rate} msg/s failed",
            sent.failures.len()
        );
    }
    bail!("delivery at {rate} msg/s was not exactly once to every socket")
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn ms(d: Option<Duration>) -> f64 {
    d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

// ---------------------------------------------------------------------------
// Durable sends (the `sends` part)

/// How the sends part went, for the `figures:` line.
struct SendFigures {
    /// Acknowledged sends a second.
    per_second: f64,
    /// Answer times of `send_message`.
    answers: Percentiles,
}

/// What one closed-loop sender did.
#[derive(Default)]
struct SenderLoop {
    /// Answer times of the acknowledged sends.
    answers: Vec<Duration>,
    /// Why the others failed.
    failures: Vec<String>,
}

/// Makes a direct chat for each of [`send_pairs`], then has one member of
/// each send in a closed loop for the first `--seconds`, to the chat's node
/// (chat `k` is on node `k % nodes.len()`); fails unless every send was
/// acknowledged and the database holds exactly the acknowledged messages.
async fn durable_sends(
    nodes: &[Server],
    database: &Database,
    members: &[Member],
    args: &Args,
    scratch: &Path,
) -> Result<SendFigures> {
    let secs = args.seconds[0];
    let bases: Vec<String> = nodes.iter().map(Server::base).collect();
    let http = client(None)?;
    let pairs = send_pairs(members.len(), SEND_THREADS);
    let started = Instant::now();
    let chats: Vec<String> = stream::iter(pairs.iter().enumerate())
        .map(|(k, &(a, b))| {
            let (http, base) = (&http, &bases[k % bases.len()]);
            async move {
                let form = [pair("usernames[0]", &members[b].name)];
                let (_, body) =
                    call(http, base, Some(&members[a].cookie), "start_chat", &form).await?;
                let answer: Value =
                    serde_json::from_str(&body).context("reading start_chat's answer")?;
                answer["id"]
                    .as_str()
                    .map(str::to_owned)
                    .context("start_chat's answer has no id")
            }
        })
        .buffered(REGISTERING)
        .try_collect()
        .await?;
    println!(
        "\ndurable sends: {} direct chats made in {:.1} s; one member of each sends in a \
         closed loop (the next send when the answer comes) for {secs} s",
        chats.len(),
        started.elapsed().as_secs_f64()
    );

    // What one durable commit costs on this disk at least, when it waits
    // for its flush (PostgreSQL's default; SQLite's NORMAL in WAL mode does
    // not wait).
    let flush = flush_times(scratch).context("timing fdatasync")?;
    println!(
        "  this disk: fdatasync after an 8 KiB write (the bench's temporary folder) p50 \
         {:.2} ms, p99 {:.2} ms",
        ms(flush.p50),
        ms(flush.p99)
    );

    let cpu = CpuMeter::start(nodes).with_postgres(database.postmaster());
    let began = Instant::now();
    let until = began + Duration::from_secs_f64(secs);
    let loops: Vec<JoinHandle<SenderLoop>> = chats
        .into_iter()
        .enumerate()
        .map(|(k, chat)| {
            let http = http.clone();
            let base = bases[k % bases.len()].clone();
            let cookie = members[pairs[k].0].cookie.clone();
            tokio::spawn(async move {
                let mut done = SenderLoop::default();
                let mut n = 0;
                while Instant::now() < until {
                    let form = [
                        pair("thread", &chat),
                        pair("body", message_body(n)),
                        pair("client_id", sends_client_id(k, n)),
                    ];
                    n += 1;
                    let sent = Instant::now();
                    match call(&http, &base, Some(&cookie), "send_message", &form).await {
                        Ok(_) => done.answers.push(sent.elapsed()),
                        Err(e) => done.failures.push(format!("{e:#}")),
                    }
                }
                done
            })
        })
        .collect();
    let (mut answers, mut failures) = (Vec::new(), Vec::new());
    for task in loops {
        let done = task.await.context("a sender task failed")?;
        answers.extend(done.answers);
        failures.extend(done.failures);
    }
    let wall = began.elapsed();
    let cpu = cpu.report_per(answers.len(), "send");
    answers.sort();
    let figures = SendFigures {
        per_second: answers.len() as f64 / wall.as_secs_f64(),
        answers: Percentiles::of(&answers),
    };
    println!(
        "  {} acknowledged in {:.2} s = {:.1} sends/s; send_message answered in p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; {} failed",
        answers.len(),
        wall.as_secs_f64(),
        figures.per_second,
        ms(figures.answers.p50),
        ms(figures.answers.p99),
        ms(percentile(&answers, 100.0)),
        failures.len()
    );
    println!("  CPU: {cpu}");
    let stored = database
        .count_messages(&format!("{SENDS_PREFIX}%"))
        .await
        .context("counting the stored messages")?;
    let acknowledged = i64::try_from(answers.len()).unwrap_or(i64::MAX);
    println!(
        "  stored: {stored} of these messages in the database, {} acknowledged: {}",
        acknowledged,
        if stored == acknowledged {
            "the same"
        } else {
            "NOT the same"
        }
    );
    for f in failures.iter().take(5) {
        println!("    send failed: {f}");
    }
    ensure!(
        failures.is_empty(),
        "{} of {} sends failed",
        failures.len(),
        answers.len() + failures.len()
    );
    ensure!(
        stored == acknowledged,
        "{stored} messages stored, {acknowledged} sends acknowledged"
    );
    Ok(figures)
}

/// Times [`FLUSHES`] fdatasyncs, each after an 8 KiB write to a file in
/// `dir` (as a commit appends to a log and flushes it).
fn flush_times(dir: &Path) -> Result<Percentiles> {
    use std::io::Write;
    const FLUSHES: usize = 50;
    let path = dir.join("flush-test");
    let mut file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let block = [b'x'; 8192];
    let mut times = Vec::with_capacity(FLUSHES);
    for _ in 0..FLUSHES {
        let started = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        times.push(started.elapsed());
    }
    drop(file);
    std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    times.sort();
    Ok(Percentiles::of(&times))
}

/// `threads` different pairs of members (by index), fewer if `members`
/// have fewer pairs: neighbours first (0–1, 1–2, …, last–0), then members
/// two apart, and so on, so that with enough members each sender (the
/// pair's first) has one chat.
fn send_pairs(members: usize, threads: usize) -> Vec<(usize, usize)> {
    let mut pairs = Vec::with_capacity(threads);
    for apart in 1..=members / 2 {
        for a in 0..members {
            // With an even count the pairs half-way round come twice.
            if 2 * apart == members && a >= apart {
                break;
            }
            if pairs.len() == threads {
                return pairs;
            }
            pairs.push((a, (a + apart) % members));
        }
    }
    pairs
}

/// The client id of send `n` in chat `k` (see [`SENDS_PREFIX`]).
fn sends_client_id(k: usize, n: usize) -> String {
    format!("{SENDS_PREFIX}{k:04}-{n:08}")
}

// ---------------------------------------------------------------------------
// Part 2: memory per idle socket

/// Part 2 on `server`: its VmRSS per idle socket (KiB) with `idle` open,
/// spread over the `members`' sessions; on the floor (`members` empty) by
/// the same method, without sessions. With `hold` > 0 seconds the sockets
/// stay open that long and the RSS is printed ten times over it (the
/// figure is then the last sample: what the sockets cost after `hold`).
async fn idle_memory(
    server: &Server,
    members: &[Member],
    idle: usize,
    hold: f64,
    base: Instant,
) -> Result<f64> {
    // Round-robin: the first pass gives every member (up to `idle`) their
    // first socket, the next passes add sockets to the same sessions.
    let cookies = |n: usize| -> Vec<String> {
        (0..n)
            .map(|k| {
                members
                    .get(k % members.len().max(1))
                    .map_or_else(String::new, |m| m.cookie.clone())
            })
            .collect()
    };
    let sockets = || {
        let sockets = Sockets::new(vec![server.addr.clone()], 0, base);
        if members.is_empty() {
            sockets.floor()
        } else {
            sockets
        }
    };

    // Warm-up: a few sockets come and go (allocator, runtime, statements),
    // then their owners' offline announcements run out.
    let mut warm = sockets();
    warm.join(cookies(idle.min(20))).await?;
    warm.close().await;
    tokio::time::sleep(OFFLINE_GRACE).await;
    let (before, _) = server.memory()?;
    let fds_before = server.open_fds()?;

    let mut sockets = sockets();
    let joined = sockets.join(cookies(idle)).await?;
    tokio::time::sleep(SETTLE).await;
    let (mut after, mut peak) = server.memory()?;
    if hold > 0.0 {
        println!("\n  server VmRSS over {hold:.0} s with {idle} idle sockets:");
        println!(
            "  {:>8}  {:>10}  {:>14}",
            "seconds", "VmRSS", "KiB per socket"
        );
        let step = Duration::from_secs_f64(hold / 10.0);
        let held = Instant::now();
        for _ in 0..=10 {
            (after, peak) = server.memory()?;
            println!(
                "  {:>8.0}  {:>10}  {:>14.1}",
                held.elapsed().as_secs_f64(),
                mib(after),
                (after as f64 - before as f64) / idle as f64
            );
            if held.elapsed().as_secs_f64() + 0.5 >= hold {
                break;
            }
            tokio::time::sleep(step).await;
        }
    }
    let fds_after = server.open_fds()?;
    let presence = sockets.totals.presence.load(Ordering::Relaxed);
    let (closed, reasons) = sockets.ended();
    sockets.close().await;
    ensure!(closed == 0, "{closed} idle sockets ended: {reasons:?}");

    let kib = |k: u64| k as f64;
    let per_socket = (kib(after) - kib(before)) / idle as f64;
    if members.is_empty() {
        println!("\nidle sockets: {}", joined.describe(idle));
    } else {
        println!(
            "\nidle sockets ({:.1} per member session, {} sessions): {}; {presence} presence \
             frames",
            idle as f64 / members.len().min(idle) as f64,
            members.len().min(idle),
            joined.describe(idle),
        );
    }
    println!(
        "  server VmRSS: {} with 0 sockets (after warm-up) → {} with {idle} idle sockets \
         (peak {}): +{}",
        mib(before),
        mib(after),
        mib(peak),
        mib(after.saturating_sub(before)),
    );
    println!("  per idle socket: {per_socket:.1} KiB");
    println!("  server open files: {fds_before} → {fds_after}");
    Ok(per_socket)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

// ---------------------------------------------------------------------------
// Part 4: a restart with every member connected

/// What the SIGTERM and the new start took (ns since the bench started).
struct Restarted {
    sigterm_at: u64,
    exited_at: u64,
    listening_at: u64,
    /// The stopped process (its log is reported).
    old: Server,
    stopped: Result<()>,
    /// The new process on the same port and database, its CPU meter, and
    /// the frames the sockets had received when it started.
    new: Result<(Server, CpuMeter, usize)>,
}

async fn restart(
    env: &ServerEnv,
    members: &[Member],
    thread: &str,
    args: &Args,
    first: usize,
    base: Instant,
) -> Result<()> {
    let old = Server::start(env, ANY_PORT).context("starting parley for the restart run")?;
    let addr = old.addr.clone();
    let base_url = old.base();
    let before = first..first + RESTART_BEFORE;
    let during = before.end..before.end + messages_in(RESTART_RATE, args.restart_seconds);
    let mut sockets = Sockets::new(vec![addr.clone()], during.end, base).resuming();
    let joined = sockets
        .join_resuming(connected_cookies(members, args))
        .await?;
    let n = sockets.open.len();
    println!(
        "\nrestart: in {}; {} sockets that reconnect by themselves (full jitter from the \
         first attempt, resuming after their cursor): {}",
        args.describe_thread(),
        n,
        joined.describe(n)
    );

    let http = client(None)?;
    let send_at: Arc<Vec<AtomicU64>> =
        Arc::new((0..during.end).map(|_| AtomicU64::new(0)).collect());
    let senders: Vec<&Member> = members.iter().take(args.senders).collect();
    let sent = send_phase(
        &http,
        std::slice::from_ref(&base_url),
        &senders,
        thread,
        before.clone(),
        RESTART_RATE,
        &send_at,
        base,
        true,
        message_body,
    )
    .await;
    ensure!(
        sent.failures.is_empty(),
        "sends before the restart failed: {:?}",
        sent.failures.first()
    );
    let expected = n * before.len();
    let delivered = wait_for(DELIVERY_GRACE, || {
        sockets.totals.delivered.load(Ordering::Relaxed) >= expected
    })
    .await;
    ensure!(
        delivered,
        "the {} messages before the restart did not reach every socket",
        before.len()
    );

    // The restart runs on a blocking thread while the sends go on here on
    // their schedule.
    let restarting = {
        let env = env.clone();
        let addr = addr.clone();
        let totals = sockets.totals.clone();
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(RESTART_AFTER);
            let mut old = old;
            let sigterm_at = nanos_since(base);
            let stopped = old.stop();
            let exited_at = nanos_since(base);
            let new = Server::start(&env, &addr)
                .context("starting parley again on the same port")
                .map(|s| {
                    let cpu = CpuMeter::start(std::slice::from_ref(&s));
                    (s, cpu, totals.frames.load(Ordering::Relaxed))
                });
            Restarted {
                sigterm_at,
                exited_at,
                listening_at: nanos_since(base),
                old,
                stopped,
                new,
            }
        })
    };
    let sent = send_phase(
        &http,
        std::slice::from_ref(&base_url),
        &senders,
        thread,
        during.clone(),
        RESTART_RATE,
        &send_at,
        base,
        true,
        message_body,
    )
    .await;
    let restarted = restarting.await.context("the restart thread failed")?;
    restarted.old.report_log();
    restarted.stopped?;
    let (mut new, cpu, frames_before) = restarted.new?;
    let (sigterm_at, exited_at) = (restarted.sigterm_at, restarted.exited_at);

    let resumed = |open: &[Socket]| {
        open.iter().all(|s| {
            let r = lock(&s.recv);
            r.ready && r.opened_at >= exited_at
        })
    };
    let all_resumed = wait_for(RESUME_LIMIT, || resumed(&sockets.open)).await;
    let stored = during.len() - sent.failures.len();
    let expected = n * (before.len() + stored);
    let complete = wait_for(DELIVERY_GRACE, || {
        sockets.totals.delivered.load(Ordering::Relaxed) >= expected
    })
    .await;
    let cpu = format!(
        "{} (measured from the new process's start)",
        cpu.report(sockets.totals.frames.load(Ordering::Relaxed) - frames_before)
    );
    // Late duplicates would arrive right after the last frame.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let figures = {
        let guards: Vec<MutexGuard<'_, Recv>> =
            sockets.open.iter().map(|s| lock(&s.recv)).collect();
        let recvs: Vec<&Recv> = guards.iter().map(|g| &**g).collect();
        restart_figures(&recvs, sigterm_at, exited_at)
    };
    let secs = |ns: u64| ns as f64 / 1e9;
    println!(
        "  {} messages sent and delivered before the restart; then {RESTART_RATE} msg/s for \
         {} s, parley SIGTERMed {:.2} s after the first of those sends",
        before.len(),
        args.restart_seconds,
        secs(sigterm_at.saturating_sub(send_at[during.start].load(Ordering::Relaxed)))
    );
    println!(
        "  parley exited {:.2} s after the SIGTERM; started again on the same port and \
         database, it listened {:.2} s later",
        secs(exited_at - sigterm_at),
        secs(restarted.listening_at - exited_at)
    );
    println!(
        "  the old sockets ended: {}; {} handshakes refused meanwhile",
        describe_counts(&figures.old_ends),
        figures.refused
    );
    let within = figures.all_within();
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    match within {
        Some(all) => println!(
            "  resumed: all {n} within {:.2} s of the SIGTERM ({:.2} s after the new process \
             listened; p50 {:.2} s, p90 {:.2} s); target ≤ {} s: {}",
            secs(all),
            secs((sigterm_at + all).saturating_sub(restarted.listening_at)),
            secs(figures.percentile(50.0)),
            secs(figures.percentile(90.0)),
            RESUME_TARGET.as_secs(),
            met(Duration::from_nanos(all) <= RESUME_TARGET)
        ),
        None => println!(
            "  resumed: only {} of {n} within {} s; target ≤ {} s: NOT met",
            figures.resumed_after.iter().flatten().count(),
            RESUME_LIMIT.as_secs(),
            RESUME_TARGET.as_secs()
        ),
    }
    println!(
        "  cut off with 4000 by the new process: {} (target 0: {}); its other closes: {}; \
         reloads instead of a replay: {}",
        figures.cut_off,
        met(figures.cut_off == 0),
        describe_counts(&figures.new_ends),
        figures.reloads
    );
    if sent.retried > 0 {
        println!(
            "  {} of the {} sends were retried with their client id until the new process took them",
            sent.retried,
            during.len()
        );
    }
    new.report_log();
    let outcome = report_phase(
        Phase {
            rate: RESTART_RATE,
            secs: args.restart_seconds,
            range: &during,
            sent: &sent,
            cpu: &cpu,
        },
        &sockets,
        &send_at,
        complete,
    );
    sockets.close().await;
    let stopped = new.stop();
    outcome?;
    stopped?;
    ensure!(
        all_resumed && within.is_some_and(|t| Duration::from_nanos(t) <= RESUME_TARGET),
        "not every member resumed within {} s of the restart",
        RESUME_TARGET.as_secs()
    );
    ensure!(
        figures.cut_off == 0,
        "{} sockets were cut off with 4000 after the restart",
        figures.cut_off
    );
    ensure!(
        figures.reloads == 0,
        "{} sockets were told to reload instead of resuming",
        figures.reloads
    );
    Ok(())
}

/// "1000 closed by the server with code 1001, 3 broken: …", or "none".
fn describe_counts(counts: &[(String, usize)]) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The restart's figures, from every member's records.
#[derive(Debug, PartialEq)]
struct RestartFigures {
    /// Per member: how long after the SIGTERM its first connection to the
    /// new process got `ready` (ns), if it did.
    resumed_after: Vec<Option<u64>>,
    /// Connections to the new process it closed with 4000.
    cut_off: usize,
    /// How the connections to the old process ended, by reason.
    old_ends: Vec<(String, usize)>,
    /// How other connections to the new process ended, by reason.
    new_ends: Vec<(String, usize)>,
    /// Handshakes that failed (over the whole run: the server was down).
    refused: usize,
    reloads: usize,
}

impl RestartFigures {
    /// How long until the last member resumed, if all did.
    fn all_within(&self) -> Option<u64> {
        self.resumed_after
            .iter()
            .copied()
            .try_fold(0, |max, t| t.map(|t| max.max(t)))
    }

    /// Nearest-rank percentile of the resume times of those who resumed.
    fn percentile(&self, p: f64) -> u64 {
        let mut times: Vec<Duration> = self
            .resumed_after
            .iter()
            .flatten()
            .map(|&t| Duration::from_nanos(t))
            .collect();
        times.sort();
        percentile(&times, p).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

/// Works out [`RestartFigures`]: a connection opened at or after
/// `exited_at` (when the old process was gone) is one to the new process;
/// one opened before that and ended after `sigterm_at` was ended by the
/// restart (earlier ends were counted when the sockets joined).
fn restart_figures(recvs: &[&Recv], sigterm_at: u64, exited_at: u64) -> RestartFigures {
    let mut figures = RestartFigures {
        resumed_after: Vec::with_capacity(recvs.len()),
        cut_off: 0,
        old_ends: Vec::new(),
        new_ends: Vec::new(),
        refused: 0,
        reloads: 0,
    };
    for r in recvs {
        figures.refused += r.refused;
        figures.reloads += r.reloads;
        let mut first_ready: Option<u64> = None;
        let mut ready_at = |at: u64| {
            first_ready = Some(first_ready.map_or(at, |f| f.min(at)));
        };
        for end in &r.ends {
            if end.opened_at >= exited_at {
                if end.ready_at > 0 {
                    ready_at(end.ready_at);
                }
                if end.code == Some(close::TOO_SLOW) {
                    figures.cut_off += 1;
                } else {
                    tally(&mut figures.new_ends, &end.reason);
                }
            } else if end.ended_at >= sigterm_at {
                tally(&mut figures.old_ends, &end.reason);
            }
        }
        if r.ready && r.opened_at >= exited_at {
            ready_at(r.ready_at);
        }
        figures
            .resumed_after
            .push(first_ready.map(|t| t.saturating_sub(sigterm_at)));
    }
    figures
}

// ---------------------------------------------------------------------------
// --compare: the floor beside Parley

/// One server's figures in the comparison.
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    name: String,
    /// The highest step with p99 under [`P99_LIMIT`] and nothing lost, of
    /// those before the first that failed.
    best: Option<f64>,
    /// Every step passed: `best` is a lower bound.
    topped: bool,
    /// The ramp's first step, if it ran.
    lowest: Option<f64>,
    /// The step that set `best`'s limit (the first failure, or the last
    /// step) used nearly all the bench's cores.
    generator_bound: bool,
    /// p50 and p99 at [`REFERENCE_RATE`].
    reference: Option<Percentiles>,
    /// Server CPU-seconds per million deliveries at [`REFERENCE_RATE`].
    cpu_per_million: Option<f64>,
    /// VmRSS per idle socket, KiB.
    rss_per_socket: Option<f64>,
    /// Why a part could not measure, if one could not.
    failed: Vec<String>,
}

/// A step that used at least this share of the bench's cores was limited
/// by the generator.
const GENERATOR_BOUND: f64 = 0.9;

impl Row {
    fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// Takes the figures of a ramp.
    fn take_ramp(&mut self, steps: &[Step]) {
        let first_failure = steps.iter().position(|s| !s.passed);
        let passed = &steps[..first_failure.unwrap_or(steps.len())];
        self.best = passed.last().map(|s| s.rate);
        self.topped = first_failure.is_none() && !steps.is_empty();
        self.lowest = steps.first().map(|s| s.rate);
        let limiting = first_failure.map_or(steps.last(), |i| steps.get(i));
        self.generator_bound =
            limiting.is_some_and(|s| s.bench_share.is_some_and(|b| b >= GENERATOR_BOUND));
        if let Some(r) = steps.iter().find(|s| s.rate == REFERENCE_RATE) {
            self.reference = Some(r.latency);
            self.cpu_per_million = r
                .server_cpu
                .filter(|_| r.deliveries > 0)
                .map(|cpu| cpu / r.deliveries as f64 * 1e6);
        }
    }

    fn fail(&mut self, part: &str, error: &anyhow::Error) {
        println!("\nFAILED ({}, {part}): {error:#}", self.name);
        self.failed.push(format!("{part}: {error:#}"));
    }
}

/// One rate of a ramp.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    rate: f64,
    latency: Percentiles,
    /// (message, socket) pairs that arrived.
    deliveries: usize,
    /// Deliveries missing, duplicated, out of order or unknown, and sends
    /// that failed.
    lost: usize,
    /// Sockets that ended during the step.
    ended: usize,
    /// Server CPU-seconds from the first send to the last delivery.
    server_cpu: Option<f64>,
    /// Seconds from the first send to the last delivery.
    wall: f64,
    /// The bench's CPU meanwhile, as a share of its cores.
    bench_share: Option<f64>,
    passed: bool,
}

/// How a ramp publishes.
enum Publisher<'a> {
    /// The floor: the first `senders` sockets send text frames.
    Floor { senders: usize },
    /// Parley: the senders post `send_message` to `thread`.
    Parley {
        http: Client,
        base_url: String,
        senders: Vec<&'a Member>,
        thread: &'a str,
    },
}

impl Publisher<'_> {
    /// Publishes messages `range` at `rate` a second ([`schedule`]).
    async fn phase(
        &self,
        sockets: &Sockets,
        range: std::ops::Range<usize>,
        rate: f64,
        send_at: &Arc<Vec<AtomicU64>>,
    ) -> Sent {
        match self {
            Self::Floor { senders } => {
                // Taken again every step: a reopened socket has a new one.
                let publishers: Vec<Outgoing> = sockets
                    .open
                    .iter()
                    .take(*senders)
                    .filter_map(|s| s.publish.clone())
                    .collect();
                floor_phase(&publishers, range, rate, send_at, sockets.base).await
            }
            Self::Parley {
                http,
                base_url,
                senders,
                thread,
            } => {
                send_phase(
                    http,
                    std::slice::from_ref(base_url),
                    senders,
                    thread,
                    range,
                    rate,
                    send_at,
                    sockets.base,
                    false,
                    payload,
                )
                .await
            }
        }
    }
}

/// Counters over all sockets, to tell what one step added.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    duplicates: usize,
    out_of_order: usize,
    foreign: usize,
    ended: usize,
}

impl Tally {
    fn of(sockets: &Sockets) -> Self {
        let mut t = Self::default();
        for s in &sockets.open {
            let r = lock(&s.recv);
            t.duplicates += r.duplicates;
            t.out_of_order += r.out_of_order;
            t.foreign += r.foreign;
            t.ended += usize::from(r.ended.is_some());
        }
        t
    }
}

/// Messages a ramp sends at most (every step run).
fn ramp_slots(args: &Args) -> usize {
    args.steps
        .iter()
        .map(|&rate| messages_in(rate, args.seconds[0]))
        .sum()
}

/// Steps the rate up through `--steps` on `server`, whose `sockets` are
/// open and quiet, until a step fails once [`REFERENCE_RATE`] is past (a
/// failure below it: the ended sockets are reopened and the ramp goes on
/// to it, for its figures).
async fn ramp(
    server: &Server,
    sockets: &mut Sockets,
    publisher: &Publisher<'_>,
    bench_cores: usize,
    args: &Args,
) -> Result<Vec<Step>> {
    let secs = args.seconds[0];
    let send_at: Arc<Vec<AtomicU64>> =
        Arc::new((0..sockets.slots).map(|_| AtomicU64::new(0)).collect());
    let mut first = 0;
    let mut steps: Vec<Step> = Vec::new();
    for &rate in &args.steps {
        let failed = steps.iter().any(|s| !s.passed);
        if failed && rate > REFERENCE_RATE {
            break;
        }
        if failed {
            let reopened = sockets.reopen_ended().await?;
            if reopened > 0 {
                println!("  ({reopened} sockets that ended were reopened)");
            }
        }
        let count = messages_in(rate, secs);
        let range = first..first + count;
        first += count;
        let before = Tally::of(sockets);
        let delivered_before = sockets.totals.delivered.load(Ordering::Relaxed);
        let cpu = CpuMeter::start(std::slice::from_ref(server));
        let sent = publisher
            .phase(sockets, range.clone(), rate, &send_at)
            .await;
        let expected = sockets.open.len() * (count - sent.failures.len());
        wait_for(STEP_GRACE, || {
            sockets.totals.delivered.load(Ordering::Relaxed) - delivered_before >= expected
        })
        .await;
        let server_cpu = cpu.server_seconds();
        let bench_share = cpu.bench_share(bench_cores);
        let wall = cpu.started.elapsed().as_secs_f64();
        // Late duplicates would arrive right after the last frame.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let step = step_figures(rate, &range, &sent, sockets, &send_at, before);
        let step = Step {
            server_cpu,
            bench_share,
            wall,
            ..step
        };
        println!("{}", describe_step(&step, secs, &sent));
        steps.push(step);
    }
    Ok(steps)
}

/// The latency and losses of one step (its CPU left empty).
fn step_figures(
    rate: f64,
    range: &std::ops::Range<usize>,
    sent: &Sent,
    sockets: &Sockets,
    send_at: &[AtomicU64],
    before: Tally,
) -> Step {
    let mut latencies = Vec::with_capacity(range.len() * sockets.open.len());
    let mut missing = 0;
    for s in &sockets.open {
        let r = lock(&s.recv);
        for n in range.clone() {
            if sent.failures.iter().any(|(f, _)| *f == n) {
                continue;
            }
            match r.at.get(n).copied().unwrap_or(0) {
                0 => missing += 1,
                at => {
                    let sent_at = send_at[n].load(Ordering::Relaxed);
                    latencies.push(Duration::from_nanos(at.saturating_sub(sent_at)));
                }
            }
        }
    }
    latencies.sort();
    let after = Tally::of(sockets);
    let lost = missing
        + (after.duplicates - before.duplicates)
        + (after.out_of_order - before.out_of_order)
        + (after.foreign - before.foreign)
        + sent.failures.len();
    let ended = after.ended.saturating_sub(before.ended);
    let latency = Percentiles::of(&latencies);
    let passed = lost == 0 && ended == 0 && latency.p99.is_some_and(|p| p < P99_LIMIT);
    Step {
        rate,
        latency,
        deliveries: latencies.len(),
        lost,
        ended,
        server_cpu: None,
        wall: 0.0,
        bench_share: None,
        passed,
    }
}

/// "  100 msg/s for 5 s (100.0 achieved): p50 3.1 ms, p99 9.0 ms; 500000
/// deliveries, nothing lost; server 45% of a core, 4.5 CPU-s per million
/// deliveries; bench 80% of its cores: passed".
fn describe_step(step: &Step, secs: f64, sent: &Sent) -> String {
    let achieved = if sent.span.is_zero() {
        f64::NAN
    } else {
        sent.answers.len().saturating_sub(1) as f64 / sent.span.as_secs_f64()
    };
    let losses = if step.lost == 0 && step.ended == 0 {
        "nothing lost".to_owned()
    } else {
        format!(
            "{} lost ({} sends failed), {} sockets ended",
            step.lost,
            sent.failures.len(),
            step.ended
        )
    };
    let server = match step.server_cpu {
        Some(cpu) if step.deliveries > 0 && step.wall > 0.0 => format!(
            "server {:.0}% of a core, {:.1} CPU-s per million deliveries",
            cpu / step.wall * 100.0,
            cpu / step.deliveries as f64 * 1e6
        ),
        _ => "server CPU unknown".to_owned(),
    };
    let bench = step
        .bench_share
        .map_or("?".to_owned(), |b| format!("{:.0}%", b * 100.0));
    let verdict = if step.passed {
        "passed".to_owned()
    } else {
        let mut why = Vec::new();
        if step.latency.p99.is_none_or(|p| p >= P99_LIMIT) {
            why.push(format!("p99 ≥ {} ms", P99_LIMIT.as_millis()));
        }
        if step.lost > 0 || step.ended > 0 {
            why.push("loss".to_owned());
        }
        format!("FAILED ({})", why.join(", "))
    };
    format!(
        "  {} msg/s for {secs} s ({achieved:.1} achieved): p50 {:.1} ms, p99 {:.1} ms; {} \
         deliveries, {losses}; {server}; bench {bench} of its cores: {verdict}",
        step.rate,
        ms(step.latency.p50),
        ms(step.latency.p99),
        step.deliveries,
    )
}

/// `--compare`: the floor, then Parley on SQLite (and on PostgreSQL with
/// `--database`), each a row of the table printed at the end.
async fn compare(args: &Args, parley: PathBuf, pinning: Option<Pinning>) -> Result<()> {
    let floor = floor_bin(args)?;
    let cpu = pinning.as_ref().map(|p| p.server);
    // Once pinned, this process sees only its own cores.
    let cores = pinning.as_ref().map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |p| 1 + p.bench.len(),
    );
    let bench_cores = pinning.as_ref().map_or(cores, |p| p.bench.len());
    println!(
        "bench_live --compare: floor {}, parley {}; {} cores, load average {}",
        floor.display(),
        parley.display(),
        cores,
        load_average()
    );
    println!(
        "{} members (one group for Parley), {} with a socket, {} publishers, {PAYLOAD_BYTES}-byte \
         messages; steps {} msg/s, {} s each; {} idle sockets for memory",
        args.members,
        args.connected(),
        args.senders,
        args.steps
            .iter()
            .map(f64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        args.seconds[0],
        args.idle
    );
    let pinned = pinning.as_ref().map_or_else(
        || "not pinned (--no-pin, or fewer than two cores)".to_owned(),
        Pinning::describe,
    );
    println!("{pinned}");
    let base = Instant::now();

    println!("\n==== floor");
    let mut rows = vec![floor_row(&floor, cpu, bench_cores, args, base).await];
    let mut backends = vec![None];
    backends.extend(args.database.iter().map(Some));
    let mut dropped = Ok(());
    for cluster in backends {
        let dir = tempfile::tempdir().context("creating a temporary folder")?;
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).context("creating an empty site folder")?;
        let database = match cluster {
            None => Database::Sqlite {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
            },
            Some(cluster) => Database::fresh_postgres(cluster).await?,
        };
        let name = match database {
            Database::Sqlite { .. } => "Parley (SQLite)",
            Database::Postgres { .. } => "Parley (PostgreSQL)",
        };
        println!("\n==== {name}: {}", database.describe());
        let env = ServerEnv {
            bin: parley.clone(),
            db_url: database.url().to_owned(),
            site,
            cpu,
        };
        let mut row = Row::named(name);
        if let Err(e) = parley_row(&mut row, &env, args, bench_cores, base).await {
            row.fail("set-up", &e);
        }
        rows.push(row);
        let gone = database.drop().await;
        if dropped.is_ok() {
            dropped = gone;
        }
    }

    println!("\n{}", table(&rows, args.idle));
    println!(
        "(one run, same machine; {pinned}; Parley's figures with their ratio to the floor's; \
         Parley stores every message and reads session and membership for each, the floor \
         stores nothing)"
    );
    println!("load average at the end: {}", load_average());
    dropped?;
    let failed: Vec<String> = rows
        .iter()
        .flat_map(|r| r.failed.iter().map(|f| format!("{}: {f}", r.name)))
        .collect();
    ensure!(
        failed.is_empty(),
        "some parts failed: {}",
        failed.join("; ")
    );
    Ok(())
}

/// The floor's row: its ramp, then its memory on a fresh process.
async fn floor_row(
    bin: &Path,
    cpu: Option<usize>,
    bench_cores: usize,
    args: &Args,
    base: Instant,
) -> Row {
    let mut row = Row::named("floor (tokio-tungstenite)");
    if args.only.latency {
        let ramped = async {
            let mut server = Server::start_floor(bin, cpu)?;
            let mut sockets =
                Sockets::new(vec![server.addr.clone()], ramp_slots(args), base).floor();
            let joined = sockets.join(vec![String::new(); args.connected()]).await?;
            println!("live sockets: {}", joined.describe(sockets.open.len()));
            let publisher = Publisher::Floor {
                senders: args.senders,
            };
            let steps = ramp(&server, &mut sockets, &publisher, bench_cores, args).await;
            sockets.close().await;
            let stopped = server.stop();
            server.report_log();
            let steps = steps?;
            stopped?;
            Ok::<_, anyhow::Error>(steps)
        };
        match ramped.await {
            Ok(steps) => row.take_ramp(&steps),
            Err(e) => row.fail("latency", &e),
        }
    }
    if args.only.memory && args.idle > 0 {
        let measured = async {
            let mut server = Server::start_floor(bin, cpu)?;
            let per_socket = idle_memory(&server, &[], args.idle, args.hold, base).await;
            let stopped = server.stop();
            server.report_log();
            let per_socket = per_socket?;
            stopped?;
            Ok::<_, anyhow::Error>(per_socket)
        };
        match measured.await {
            Ok(kib) => row.rss_per_socket = Some(kib),
            Err(e) => row.fail("memory", &e),
        }
    }
    row
}

/// A Parley row: the set-up (members, the group), the ramp on a fresh
/// process, the memory on another; a part that fails is noted in `row`.
async fn parley_row(
    row: &mut Row,
    env: &ServerEnv,
    args: &Args,
    bench_cores: usize,
    base: Instant,
) -> Result<()> {
    let mut server = Server::start(env, ANY_PORT).context("starting parley for the set-up")?;
    let setup = set_up(&server, args).await;
    server.stop()?;
    let (members, thread) = setup?;
    if args.only.latency {
        let ramped = async {
            let mut server = Server::start(env, ANY_PORT)?;
            let mut sockets = Sockets::new(vec![server.addr.clone()], ramp_slots(args), base);
            let joined = sockets.join(connected_cookies(&members, args)).await?;
            println!(
                "live sockets in {}: {}; {} presence frames",
                args.describe_thread(),
                joined.describe(sockets.open.len()),
                sockets.totals.presence.load(Ordering::Relaxed)
            );
            let publisher = Publisher::Parley {
                http: client(None)?,
                base_url: server.base(),
                senders: members.iter().take(args.senders).collect(),
                thread: &thread,
            };
            let steps = ramp(&server, &mut sockets, &publisher, bench_cores, args).await;
            sockets.close().await;
            let stopped = server.stop();
            server.report_log();
            let steps = steps?;
            stopped?;
            Ok::<_, anyhow::Error>(steps)
        };
        match ramped.await {
            Ok(steps) => row.take_ramp(&steps),
            Err(e) => row.fail("latency", &e),
        }
    }
    if args.only.memory && args.idle > 0 {
        let measured = async {
            let mut server = Server::start(env, ANY_PORT)?;
            let per_socket = idle_memory(&server, &members, args.idle, args.hold, base).await;
            let stopped = server.stop();
            server.report_log();
            let per_socket = per_socket?;
            stopped?;
            Ok::<_, anyhow::Error>(per_socket)
        };
        match measured.await {
            Ok(kib) => row.rss_per_socket = Some(kib),
            Err(e) => row.fail("memory", &e),
        }
    }
    Ok(())
}

/// The comparison as a Markdown table: the first row (the floor) as
/// measured, every other figure followed by its ratio to the floor's.
fn table(rows: &[Row], idle: usize) -> String {
    let floor = rows.first();
    let ratio = |mine: Option<f64>, floor: Option<f64>, bound: &str| match (mine, floor) {
        (Some(m), Some(f)) if f > 0.0 && m.is_finite() => {
            let r = m / f;
            if r < 1.0 {
                format!(" ({bound}{r:.2}×)")
            } else {
                format!(" ({bound}{r:.1}×)")
            }
        }
        _ => String::new(),
    };
    fn millis(d: Option<Duration>) -> Option<f64> {
        d.map(|d| d.as_secs_f64() * 1000.0)
    }
    let mut out = format!(
        "| server (one run, same machine) | highest publish rate with p99 < {} ms, nothing \
         lost | p50 / p99 at {REFERENCE_RATE} msg/s | idle RSS per socket ({idle}) | server \
         CPU-s per million deliveries at {REFERENCE_RATE} msg/s |\n|---|---:|---:|---:|---:|",
        P99_LIMIT.as_millis()
    );
    for (i, row) in rows.iter().enumerate() {
        // The floor's own figures have no ratio.
        let against = if i == 0 { None } else { floor };
        let vs = |mine: Option<f64>, theirs: fn(&Row) -> Option<f64>, bound: &str| {
            against.map_or(String::new(), |f| ratio(mine, theirs(f), bound))
        };
        let rate = match row.best {
            Some(best) => {
                let at_least = if row.topped { "≥ " } else { "" };
                // A rate that topped out is a lower bound: so is a ratio
                // over it, or an upper bound when it is the floor's.
                let ratio = match against.map(|f| (f.topped, row.topped)) {
                    Some((true, true)) => String::new(),
                    Some((true, false)) => vs(Some(best), |f| f.best, "≤ "),
                    Some((false, true)) => vs(Some(best), |f| f.best, "≥ "),
                    _ => vs(Some(best), |f| f.best, ""),
                };
                format!(
                    "{at_least}{best} msg/s{ratio}{}",
                    if row.generator_bound {
                        " (generator-bound)"
                    } else {
                        ""
                    }
                )
            }
            None => row
                .lowest
                .map_or("-".to_owned(), |lowest| format!("< {lowest} msg/s")),
        };
        let latency = match row.reference {
            Some(p) => format!(
                "{:.1}{} / {:.1}{} ms",
                ms(p.p50),
                vs(
                    millis(p.p50),
                    |f| f.reference.and_then(|p| millis(p.p50)),
                    ""
                ),
                ms(p.p99),
                vs(
                    millis(p.p99),
                    |f| f.reference.and_then(|p| millis(p.p99)),
                    ""
                ),
            ),
            None => "-".to_owned(),
        };
        let rss = row.rss_per_socket.map_or("-".to_owned(), |kib| {
            format!("{kib:.1} KiB{}", vs(Some(kib), |f| f.rss_per_socket, ""))
        });
        let cpu = row.cpu_per_million.map_or("-".to_owned(), |c| {
            format!("{c:.1}{}", vs(Some(c), |f| f.cpu_per_million, ""))
        });
        out.push_str(&format!(
            "\n| {} | {rate} | {latency} | {rss} | {cpu} |",
            row.name
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::MessageKind;
    use app::model::MessageView;
    use app::protocol::{Change, Event, ServerFrame};

    fn args(a: &[&str]) -> Result<Option<Args>> {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() -> Result<()> {
        assert_eq!(args(&[])?, Some(Args::default()));
        let quick =
            args(&["--members", "50", "--idle=200", "--seconds", "3"])?.context("not help")?;
        assert_eq!(quick.members, 50);
        assert_eq!(quick.idle, 200);
        assert_eq!(quick.seconds, vec![3.0, 3.0]);
        let custom = args(&["--rates", "5,50,500", "--seconds", "1,2,3"])?.context("not help")?;
        assert_eq!(custom.rates, vec![5.0, 50.0, 500.0]);
        assert_eq!(custom.seconds, vec![1.0, 2.0, 3.0]);
        assert_eq!(
            args(&["--rates", "7"])?.context("not help")?.seconds,
            vec![20.0]
        );
        assert_eq!(args(&["--help"])?, None);
        assert!(args(&["--members", "2"]).is_err());
        assert!(args(&["--rates", "10,0"]).is_err());
        assert!(args(&["--seconds", "1,2,3"]).is_err());
        assert!(args(&["--senders", "0"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--idle"]).is_err());
        Ok(())
    }

    #[test]
    fn parses_the_room_flags() -> Result<()> {
        let plain = args(&[])?.context("not help")?;
        assert!(!plain.room);
        assert_eq!(plain.connected(), 1000);
        assert_eq!(
            plain.describe_thread(),
            "a group of 1000 members, all connected"
        );
        let room = args(&[
            "--room",
            "--members",
            "5000",
            "--connected=1000",
            "--rates",
            "10",
        ])?
        .context("not help")?;
        assert!(room.room);
        assert_eq!((room.members, room.connected()), (5000, 1000));
        assert_eq!(room.rates, vec![10.0]);
        assert_eq!(
            room.describe_thread(),
            "a public room of 5000 members, the first 1000 connected"
        );
        // `--room` takes no value: the next argument is a flag again.
        assert!(args(&["--room", "--idle", "0"])?.context("not help")?.room);
        assert!(args(&["--members", "50", "--connected", "51"]).is_err());
        assert!(args(&["--connected", "0"]).is_err());
        assert!(args(&["--connected"]).is_err());
        Ok(())
    }

    #[test]
    fn parses_the_restart_flags() -> Result<()> {
        let quick = args(&["--restart-seconds", "4", "--only", "restart"])?.context("not help")?;
        assert_eq!(quick.restart_seconds, 4.0);
        assert_eq!(
            quick.only,
            Parts {
                sends: false,
                latency: false,
                memory: false,
                restart: true
            }
        );
        assert_eq!(
            args(&["--only=latency,memory"])?.context("not help")?.only,
            Parts {
                sends: false,
                latency: true,
                memory: true,
                restart: false
            }
        );
        assert_eq!(
            args(&["--restart-seconds", "0"])?
                .context("not help")?
                .restart_seconds,
            0.0
        );
        // The SIGTERM comes a second in: a shorter phase sends nothing after.
        assert!(args(&["--restart-seconds", "1.5"]).is_err());
        assert!(args(&["--restart-seconds", "-3"]).is_err());
        assert!(args(&["--only", "latency,speed"]).is_err());
        Ok(())
    }

    #[test]
    fn parses_the_hold_flag() -> Result<()> {
        let held =
            args(&["--idle", "10000", "--hold", "600", "--only", "memory"])?.context("not help")?;
        assert_eq!((held.idle, held.hold), (10000, 600.0));
        assert_eq!(args(&[])?.context("not help")?.hold, 0.0);
        assert!(args(&["--hold", "-1"]).is_err());
        assert!(args(&["--hold", "soon"]).is_err());
        Ok(())
    }

    #[test]
    fn parses_the_database_flags() -> Result<()> {
        let cluster = "postgres://parley@localhost/postgres?host=/tmp/x&port=123";
        let pg = args(&[
            "--database",
            cluster,
            "--nodes=2",
            "--only",
            "sends,latency",
        ])?
        .context("not help")?;
        assert_eq!(pg.database.as_deref(), Some(cluster));
        assert_eq!(pg.nodes, 2);
        assert_eq!(
            pg.only,
            Parts {
                sends: true,
                latency: true,
                memory: false,
                restart: false
            }
        );
        assert_eq!(args(&[])?.context("not help")?.nodes, 1);
        // Nodes share a database: SQLite stays one process.
        assert!(args(&["--nodes", "2"]).is_err());
        assert!(args(&["--database", cluster, "--nodes", "0"]).is_err());
        assert!(args(&["--database", "sqlite://x.db"]).is_err());
        Ok(())
    }

    #[test]
    fn swaps_the_database_of_a_cluster_url() -> Result<()> {
        assert_eq!(
            database_in(
                "postgres://parley@localhost/postgres?host=/tmp/x&port=123",
                "bench_1"
            )?,
            "postgres://parley@localhost/bench_1?host=/tmp/x&port=123"
        );
        assert_eq!(
            database_in("postgresql://u:p@db:5432/app", "bench_2")?,
            "postgresql://u:p@db:5432/bench_2"
        );
        assert_eq!(
            database_in("postgres://db?sslmode=disable", "bench_3")?,
            "postgres://db/bench_3?sslmode=disable"
        );
        assert!(database_in("no scheme", "b").is_err());
        Ok(())
    }

    #[test]
    fn send_pairs_are_all_different() {
        let unordered = |pairs: &[(usize, usize)]| {
            let mut set: Vec<(usize, usize)> =
                pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
            set.sort();
            set.dedup();
            set.len()
        };
        // Enough members: every sender has a chat of its own.
        let big = send_pairs(1000, 100);
        assert_eq!(big.len(), 100);
        assert_eq!((big[0], big[99]), ((0, 1), (99, 100)));
        for (members, want) in [(50, 100), (4, 6), (5, 10), (3, 3), (15, 100)] {
            let pairs = send_pairs(members, 100);
            assert_eq!(pairs.len(), want, "{members} members");
            assert_eq!(unordered(&pairs), want, "{members} members");
            assert!(pairs
                .iter()
                .all(|&(a, b)| a != b && a < members && b < members));
        }
        assert!(app::domain::parse_client_id(&sends_client_id(99, 12_345_678)).is_ok());
        assert_ne!(sends_client_id(1, 23), sends_client_id(12, 3));
    }

    #[test]
    fn figures_line_up_in_columns() {
        let none = Figures::default().line();
        assert_eq!(
            none,
            format!("figures: {}", format!("{:>10}", "-").repeat(5))
        );
        let ms = Duration::from_millis;
        let all = Figures {
            sends: Some(SendFigures {
                per_second: 612.34,
                answers: Percentiles {
                    p50: Some(ms(12)),
                    p99: Some(ms(250)),
                },
            }),
            latency: Some(Percentiles {
                p50: Some(ms(3)),
                p99: None,
            }),
        }
        .line();
        assert_eq!(
            all,
            "figures:      612.3      12.0     250.0       3.0         -"
        );
        assert_eq!(all.len(), none.len());
    }

    #[test]
    fn jitter_is_uniform_in_the_unit_interval() {
        let mut j = Jitter(7);
        let draws: Vec<f64> = (0..10_000).map(|_| j.next_unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.48..0.52).contains(&mean), "mean {mean}");
        // Each tenth of the interval gets about a tenth of the draws.
        for k in 0..10 {
            let lo = f64::from(k) / 10.0;
            let share = draws.iter().filter(|d| (lo..lo + 0.1).contains(*d)).count();
            assert!((850..1150).contains(&share), "[{lo}, {lo}+0.1): {share}");
        }
        // Seeded: the same sequence again; another seed, another one.
        let mut again = Jitter(7);
        assert_eq!(again.next_unit(), draws[0]);
        assert_ne!(Jitter(8).next_unit(), draws[0]);
    }

    fn end(opened_at: u64, ended_at: u64, ready_at: u64, code: Option<u16>) -> End {
        End {
            opened_at,
            ended_at,
            ready_at,
            code,
            reason: code.map_or("broken".to_owned(), |c| format!("code {c}")),
        }
    }

    #[test]
    fn restart_figures_count_from_the_new_process() {
        // SIGTERM at 100, the old process gone at 150.
        let (sigterm, exited) = (100, 150);
        // Cut off while joining (before the SIGTERM), then closed by the
        // stop with 1001, then resumed on the new process at 180.
        let a = Recv {
            ends: vec![end(1, 5, 0, Some(4000)), end(6, 120, 8, Some(1001))],
            ready: true,
            ready_at: 180,
            opened_at: 170,
            refused: 2,
            ..Recv::default()
        };
        // Its connection broke; resumed at 160, cut off with 4000 by the new
        // process, ready again at 300: it resumed at 160.
        let b = Recv {
            ends: vec![end(2, 101, 3, None), end(155, 200, 160, Some(4000))],
            ready: true,
            ready_at: 300,
            opened_at: 250,
            ..Recv::default()
        };
        // Still on a connection to the new process that is not ready.
        let c = Recv {
            ends: vec![end(3, 110, 4, Some(1001))],
            ready: false,
            opened_at: 400,
            reloads: 1,
            ..Recv::default()
        };
        let f = restart_figures(&[&a, &b, &c], sigterm, exited);
        assert_eq!(f.resumed_after, vec![Some(80), Some(60), None]);
        assert_eq!(f.cut_off, 1);
        assert_eq!(
            f.old_ends,
            vec![("code 1001".to_owned(), 2), ("broken".to_owned(), 1)]
        );
        assert!(f.new_ends.is_empty());
        assert_eq!((f.refused, f.reloads), (2, 1));
        assert_eq!(f.all_within(), None);
        assert_eq!(f.percentile(50.0), 60);
        assert_eq!(f.percentile(100.0), 80);
        let f = restart_figures(&[&a, &b], sigterm, exited);
        assert_eq!(f.all_within(), Some(80));
    }

    fn message_frame(id: i64, body: &str, client_id: &str) -> String {
        ServerFrame::Event(Event {
            id,
            thread: "8e0c2b8e-0000-4000-8000-000000000001".into(),
            change: Change::MessageCreated {
                message: Box::new(MessageView {
                    id: 5,
                    sender_id: 2,
                    sender: "live00001".into(),
                    sender_avatar: None,
                    sender_bot: false,
                    kind: MessageKind::Text,
                    body: Some(body.into()),
                    at_ms: 1,
                    day: "2026-11-21".into(),
                    day_label: "Today".into(),
                    time: "3:04 PM".into(),
                    full_time: "Sat, Nov 21, 2026, 3:04 PM".into(),
                    reactions: vec![],
                    removed: false,
                    blocked: false,
                }),
                client_id: client_id.into(),
            },
        })
        .to_json()
    }

    #[test]
    fn classifies_the_protocols_frames() {
        let id = client_id(42);
        assert_eq!(message_number(&id), Some(42));
        assert_eq!(
            classify(&message_frame(17, "hello", &id)),
            Frame::Event {
                id: 17,
                message: Some(id.as_str())
            }
        );
        // A body quoting the pattern does not fool it: it is escaped.
        let sneaky = format!(r#"x","client_id":"{}"#, client_id(1));
        assert_eq!(
            classify(&message_frame(18, &sneaky, &id)),
            Frame::Event {
                id: 18,
                message: Some(id.as_str())
            }
        );
        let deleted = ServerFrame::Event(Event {
            id: 19,
            thread: "t".into(),
            change: Change::MessageDeleted {
                message_id: 5,
                removed: false,
            },
        });
        assert_eq!(
            classify(&deleted.to_json()),
            Frame::Event {
                id: 19,
                message: None
            }
        );
        assert_eq!(
            classify(&ServerFrame::Ready { cursor: 3 }.to_json()),
            Frame::Ready { cursor: 3 }
        );
        assert_eq!(
            classify(&ServerFrame::Reload { cursor: 41 }.to_json()),
            Frame::Reload { cursor: 41 }
        );
        let presence = ServerFrame::Presence {
            user: 1,
            online: true,
            last_active_ms: None,
        };
        assert_eq!(classify(&presence.to_json()), Frame::Presence);
        assert_eq!(classify(&ServerFrame::Pong.to_json()), Frame::Other);
    }

    #[test]
    fn records_each_message_once() {
        let recv = Mutex::new(Recv {
            at: vec![0; 4],
            ..Recv::default()
        });
        let totals = Totals::default();
        take_frame(&recv, &totals, &message_frame(1, "a", &client_id(2)), 10);
        take_frame(&recv, &totals, &message_frame(2, "b", &client_id(2)), 20);
        take_frame(&recv, &totals, &message_frame(2, "c", &client_id(9)), 30);
        let r = lock(&recv);
        assert_eq!(r.at, vec![0, 0, 10, 0]);
        assert_eq!((r.duplicates, r.out_of_order, r.foreign), (1, 1, 1));
        assert_eq!(totals.delivered.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let d: Vec<Duration> = (1..=10).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Some(Duration::from_millis(5)));
        assert_eq!(percentile(&d, 99.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn parses_the_compare_flags() -> Result<()> {
        let c = args(&["--compare"])?.context("not help")?;
        assert!(c.compare && c.pin);
        assert_eq!((c.members, c.senders, c.idle), (1000, 10, 2000));
        assert_eq!(c.seconds, vec![5.0]);
        assert_eq!(c.steps, DEFAULT_STEPS.to_vec());
        let small = args(&[
            "--compare",
            "--members",
            "200",
            "--seconds",
            "3",
            "--steps",
            "400,50",
            "--senders=4",
            "--idle",
            "300",
            "--no-pin",
            "--floor-bin",
            "/x/floor",
        ])?
        .context("not help")?;
        // Sorted, and the reference rate is always among them.
        assert_eq!(small.steps, vec![50.0, 100.0, 400.0]);
        assert_eq!(small.seconds, vec![3.0]);
        assert_eq!((small.members, small.senders, small.idle), (200, 4, 300));
        assert!(!small.pin);
        assert_eq!(small.floor_bin, Some(PathBuf::from("/x/floor")));
        // Fewer members than the default publishers: all of them publish.
        let few = args(&["--compare", "--members", "5"])?.context("not help")?;
        assert_eq!(few.senders, 5);
        assert!(args(&["--compare", "--only", "latency"])?.is_some());
        assert!(args(&["--compare", "--rates", "10"]).is_err());
        assert!(args(&["--compare", "--seconds", "1,2"]).is_err());
        assert!(args(&["--compare", "--only", "sends"]).is_err());
        assert!(args(&["--compare", "--steps", "0.01", "--seconds", "1"]).is_err());
        // Without --compare its defaults do not apply.
        let plain = args(&["--steps", "10"])?.context("not help")?;
        assert_eq!((plain.senders, plain.idle), (4, 5000));
        Ok(())
    }

    #[test]
    fn payloads_are_100_bytes_and_carry_their_number() -> Result<()> {
        for n in [0, 7, 99_999, 123_456_789] {
            let p = payload(n);
            assert_eq!(p.len(), PAYLOAD_BYTES);
            assert_eq!(body_number(&p), Some(n));
            app::domain::MessageBody::parse(&p)?;
        }
        assert_eq!(body_number(&message_body(42)), Some(42));
        assert_eq!(body_number("hello"), None);
        Ok(())
    }

    #[test]
    fn records_each_floor_frame_once() {
        let recv = Mutex::new(Recv {
            at: vec![0; 4],
            ..Recv::default()
        });
        let totals = Totals::default();
        take_floor_frame(&recv, &totals, &payload(3), 10);
        take_floor_frame(&recv, &totals, &payload(1), 20);
        take_floor_frame(&recv, &totals, &payload(3), 30);
        take_floor_frame(&recv, &totals, &payload(9), 40);
        take_floor_frame(&recv, &totals, "not the bench's", 50);
        let r = lock(&recv);
        assert_eq!(r.at, vec![0, 20, 0, 10]);
        // No order between publishers on the floor: 1 after 3 is fine.
        assert_eq!((r.duplicates, r.out_of_order, r.foreign), (1, 0, 2));
        assert_eq!(totals.delivered.load(Ordering::Relaxed), 2);
    }

    fn step(rate: f64, p99_ms: u64, passed: bool, bench: f64) -> Step {
        let ms = Duration::from_millis;
        Step {
            rate,
            latency: Percentiles {
                p50: Some(ms(p99_ms / 4)),
                p99: Some(ms(p99_ms)),
            },
            deliveries: 500_000,
            lost: 0,
            ended: 0,
            server_cpu: Some(rate / 50.0),
            wall: 5.0,
            bench_share: Some(bench),
            passed,
        }
    }

    #[test]
    fn rows_take_their_ramp_and_the_table_gives_ratios() {
        let mut floor = Row::named("floor");
        floor.take_ramp(&[
            step(25.0, 8, true, 0.2),
            step(100.0, 10, true, 0.5),
            step(150.0, 12, true, 0.95),
        ]);
        assert_eq!(floor.best, Some(150.0));
        assert!(floor.topped && floor.generator_bound);
        assert_eq!(floor.cpu_per_million, Some(4.0));
        floor.rss_per_socket = Some(6.0);

        let mut parley = Row::named("Parley (SQLite)");
        parley.take_ramp(&[
            step(25.0, 30, true, 0.2),
            step(50.0, 40, true, 0.3),
            step(100.0, 300, false, 0.4),
            step(150.0, 400, true, 0.4),
        ]);
        // The step after the first failure does not count.
        assert_eq!((parley.best, parley.topped), (Some(50.0), false));
        assert!(!parley.generator_bound);
        assert_eq!(parley.cpu_per_million, Some(4.0));
        parley.rss_per_socket = Some(12.0);

        let mut none = Row::named("Parley (PostgreSQL)");
        none.take_ramp(&[step(25.0, 300, false, 0.3), step(100.0, 900, false, 0.3)]);
        assert_eq!((none.best, none.lowest), (None, Some(25.0)));

        let table = table(&[floor, parley, none, Row::named("failed")], 2000);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines[0].contains("idle RSS per socket (2000)"));
        assert_eq!(
            lines[2],
            "| floor | ≥ 150 msg/s (generator-bound) | 2.0 / 10.0 ms | 6.0 KiB | 4.0 |"
        );
        assert_eq!(
            lines[3],
            "| Parley (SQLite) | 50 msg/s (≤ 0.33×) | 75.0 (37.5×) / 300.0 (30.0×) ms | \
             12.0 KiB (2.0×) | 4.0 (1.0×) |"
        );
        assert_eq!(
            lines[4],
            "| Parley (PostgreSQL) | < 25 msg/s | 225.0 (112.5×) / 900.0 (90.0×) ms | - | \
             4.0 (1.0×) |"
        );
        assert_eq!(lines[5], "| failed | - | - | - | - |");
        // Both topped out: no ratio between two lower bounds.
        let mut high = Row::named("Parley");
        high.take_ramp(&[step(100.0, 20, true, 0.5), step(400.0, 30, true, 0.5)]);
        let mut floor = Row::named("floor");
        floor.take_ramp(&[step(100.0, 10, true, 0.5), step(400.0, 20, true, 0.95)]);
        let both = super::table(&[floor, high], 10);
        assert!(both.contains("| Parley | ≥ 400 msg/s | "), "{both}");
    }

    #[test]
    fn bodies_and_ids_are_valid_input() -> Result<()> {
        for n in [0, 1, 99, 123_456] {
            app::domain::MessageBody::parse(&message_body(n))?;
            app::domain::parse_client_id(&client_id(n))?;
        }
        assert_ne!(message_body(1), message_body(2));
        Ok(())
    }
}
