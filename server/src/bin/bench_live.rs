//! `make bench-live`: how long a group message takes to reach every
//! member's live socket, and how much server memory an idle live socket
//! costs.
//!
//! Runs the real `parley` release binary as a child process (the one built
//! next to this bench, or `--server-bin PATH`) on 127.0.0.1:0 with a fresh
//! SQLite file in a temporary folder, three times on the same database, so
//! that each figure comes from a process that did nothing else:
//!
//! 1. Set-up: registers `--members` people over HTTP (`/api/register`, which
//!    also logs them in: one Argon2 hash each, as in production). The
//!    registration limit is per client IP (100 at once), so the bench sends
//!    them from different loopback addresses (127.0.0.2, 127.0.0.3, …: every
//!    127/8 address is the local machine on Linux), 50 per address; nothing
//!    in the server is relaxed. The first member starts a group with the
//!    next 99 (`start_chat`) and adds the rest 100 at a time
//!    (`add_members`). Sessions live in the database, so the cookies stay
//!    valid in the next two processes.
//! 2. Delivery latency: every member opens one socket (`GET /api/live`, with
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
//!    printed per phase, per frame the sockets received.
//! 3. Memory: after a warm-up (a few sockets opened and closed), the
//!    server's VmRSS (`/proc/<pid>/status`) with no socket open; then
//!    `--idle` sockets are opened, spread round-robin over the members'
//!    sessions (each member's first socket announces them online to the
//!    group, as a real arrival does), all `ready` frames awaited (closed
//!    ones reopened, as above), the presence traffic left to settle, and
//!    VmRSS read again. Prints
//!    (after − before) / sockets.
//!
//! The bench and the server each hold one descriptor per socket: raise the
//! limit first (`ulimit -n`; the Makefile recipe does).
//!
//! Usage: `bench_live [--members N] [--idle N] [--rates 10,100]
//! [--seconds 20,10] [--senders N] [--server-bin PATH]`.

use std::{
    io::{BufRead, BufReader},
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        mpsc, Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use futures_util::{stream, StreamExt, TryStreamExt};
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

#[derive(Debug, Clone, PartialEq)]
struct Args {
    members: usize,
    idle: usize,
    rates: Vec<f64>,
    /// One duration per rate.
    seconds: Vec<f64>,
    senders: usize,
    server_bin: Option<PathBuf>,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            members: 1000,
            idle: 5000,
            rates: vec![10.0, 100.0],
            seconds: vec![20.0, 10.0],
            senders: 4,
            server_bin: None,
        }
    }
}

const USAGE: &str = "usage: bench_live [--members N] [--idle N] [--rates R1,R2,..] \
[--seconds S | S1,S2,..] [--senders N] [--server-bin PATH]
  --members N      people in the group, one live socket each (default 1000)
  --idle N         idle sockets for the memory figure, 0 to skip (default 5000)
  --rates R,..     messages per second, one phase each (default 10,100)
  --seconds S,..   length of each phase; one value for all (default 20,10)
  --senders N      members who send, in turn (default 4)
  --server-bin P   the parley binary (default: next to this one)";

/// Parses the flags (`--flag value` or `--flag=value`); `None` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>> {
    let mut parsed = Args::default();
    let mut seconds_given = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let known = [
            "--members",
            "--idle",
            "--rates",
            "--seconds",
            "--senders",
            "--server-bin",
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
            "--idle" => parsed.idle = count(&value)?,
            "--senders" => parsed.senders = count(&value)?,
            "--rates" => parsed.rates = numbers(&flag, &value)?,
            "--seconds" => {
                parsed.seconds = numbers(&flag, &value)?;
                seconds_given = true;
            }
            _ => parsed.server_bin = Some(PathBuf::from(value)),
        }
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
    ensure!(!parsed.rates.is_empty(), "--rates needs at least one rate");
    for (rate, secs) in parsed.rates.iter().zip(&parsed.seconds) {
        ensure!(
            messages_in(*rate, *secs) >= 1,
            "{rate} msg/s for {secs} s sends no message"
        );
    }
    Ok(Some(parsed))
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

#[tokio::main]
async fn main() -> Result<()> {
    let Some(args) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let needed = args.members.max(args.idle) + 256;
    let limit = open_files_limit()?;
    ensure!(
        limit >= needed,
        "this process may open {limit} files, and {needed} are needed (one per socket, \
         in the bench and in the server): raise the limit first, e.g. `ulimit -n {needed}` \
         (make bench-live does)"
    );
    let bin = server_bin(&args)?;
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).context("creating an empty site folder")?;
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let env = ServerEnv { bin, db_url, site };
    println!(
        "bench_live: server {}, {} cores, load average {}",
        env.bin.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    let base = Instant::now();

    let mut server = Server::start(&env).context("starting parley for the set-up")?;
    let setup = set_up(&server, &args).await;
    server.stop()?;
    let (members, group) = setup?;

    // Both parts run even if the first fails; the bench fails at the end.
    let mut server = Server::start(&env).context("starting parley for the latency run")?;
    let latency = delivery(&server, &members, &group, &args, base).await;
    let stopped = server.stop();
    server.report_log();
    if let Err(e) = &latency {
        println!("\nFAILED: {e:#}");
    }

    let mut memory = Ok(());
    if args.idle > 0 {
        let mut server = Server::start(&env).context("starting parley for the memory run")?;
        memory = idle_memory(&server, &members, args.idle, base).await;
        server.stop()?;
        server.report_log();
    }
    println!("load average at the end: {}", load_average());
    latency?;
    stopped?;
    memory?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The server process

/// How every run starts the server.
struct ServerEnv {
    bin: PathBuf,
    db_url: String,
    site: PathBuf,
}

/// `parley` next to this binary, unless `--server-bin` says otherwise.
fn server_bin(args: &Args) -> Result<PathBuf> {
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .context("finding this program")?
            .parent()
            .context("this program has no folder")?
            .join("parley"),
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

/// What the server logged that matters here.
#[derive(Default)]
struct ServerLog {
    slow_cut_off: AtomicUsize,
    warnings: AtomicUsize,
}

struct Server {
    child: Child,
    pid: u32,
    addr: String,
    log: Arc<ServerLog>,
}

impl Server {
    /// Starts the binary and waits for its "listening on" line.
    fn start(env: &ServerEnv) -> Result<Self> {
        let mut child = Command::new(&env.bin)
            .env("PARLEY_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", &env.db_url)
            .env("LEPTOS_SITE_ROOT", &env.site)
            .env("RUST_LOG", "warn,parley=info,app::server::live=info")
            .env("NO_COLOR", "1")
            .env_remove("LEPTOS_SITE_ADDR")
            .env_remove("PARLEY_DEMO")
            .env_remove("PARLEY_PUBLIC_URL")
            .env_remove("LEPTOS_WATCH")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running {}", env.bin.display()))?;
        let pid = child.id();
        let log = Arc::new(ServerLog::default());
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().context("taking parley's stderr")?;
        let counts = log.clone();
        std::thread::spawn(move || watch_log(stderr, &counts, &tx));
        let mut server = Self {
            child,
            pid,
            addr: String::new(),
            log,
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => {
                eprintln!("bench_live: parley (pid {pid}) listening on {addr}");
                server.addr = addr;
            }
            Err(_) => bail!("parley did not say where it listens within 30 s"),
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
        if self
            .child
            .try_wait()
            .context("checking on parley")?
            .is_some()
        {
            bail!("parley exited before the bench stopped it");
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().context("waiting for parley")? {
                ensure!(status.success(), "parley stopped with {status}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        bail!("parley did not stop within 15 s of SIGTERM")
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

/// Reads parley's stderr: sends the address once, counts what matters, and
/// passes warnings on.
fn watch_log(stderr: impl std::io::Read, log: &ServerLog, addr: &mpsc::Sender<String>) {
    const LISTENING: &str = "listening on http://";
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Some(at) = line.find(LISTENING) {
            let _ = addr.send(line[at + LISTENING.len()..].trim().to_owned());
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
            eprintln!("parley: {line}");
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

/// CPU used by the server and by the bench over a stretch of wall time.
struct CpuMeter {
    server: String,
    started: Instant,
    server_cpu: Option<Duration>,
    bench_cpu: Option<Duration>,
}

impl CpuMeter {
    fn start(server: &Server) -> Self {
        let server = server.pid.to_string();
        Self {
            server_cpu: cpu_time(&server),
            bench_cpu: cpu_time("self"),
            server,
            started: Instant::now(),
        }
    }

    /// "server 143% of a core (7.1 µs per frame), bench client 41% (…)",
    /// `frames` being what the sockets received meanwhile.
    fn report(&self, frames: usize) -> String {
        let wall = self.started.elapsed().as_secs_f64();
        let used = |before: Option<Duration>, pid: &str| match (before, cpu_time(pid)) {
            (Some(b), Some(a)) => Some(a.saturating_sub(b).as_secs_f64()),
            _ => None,
        };
        let share = |cpu: Option<f64>| match cpu {
            Some(c) if wall > 0.0 => format!("{:.0}%", c / wall * 100.0),
            _ => "?".to_owned(),
        };
        let per_frame = |cpu: Option<f64>| match cpu {
            Some(c) if frames > 0 => format!("{:.1} µs", c / frames as f64 * 1e6),
            _ => "?".to_owned(),
        };
        let (server, bench) = (
            used(self.server_cpu, &self.server),
            used(self.bench_cpu, "self"),
        );
        format!(
            "server {} of a core ({} per frame), bench client {} ({} per frame); \
             {frames} frames in {wall:.1} s",
            share(server),
            per_frame(server),
            share(bench),
            per_frame(bench),
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

/// Registers the members (logged in by registering) and makes the group;
/// returns them and the group's id.
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

    let http = client(None)?;
    let owner = &members[0];
    let first: Vec<(String, String)> = members[1..members.len().min(GROUP_STEP)]
        .iter()
        .enumerate()
        .map(|(i, m)| pair(format!("usernames[{i}]"), &m.name))
        .collect();
    let (_, body) = call(&http, &base, Some(&owner.cookie), "start_chat", &first).await?;
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
        call(&http, &base, Some(&owner.cookie), "add_members", &form).await?;
    }
    println!(
        "set-up: {} members registered and logged in over HTTP in {:.1} s (from {addresses} \
         loopback addresses), one group of {} made in {:.1} s",
        members.len(),
        registered.as_secs_f64(),
        members.len(),
        (started.elapsed() - registered).as_secs_f64(),
    );
    Ok((members, group))
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
}

struct Socket {
    cookie: String,
    recv: Arc<Mutex<Recv>>,
    task: JoinHandle<()>,
}

fn lock(recv: &Mutex<Recv>) -> MutexGuard<'_, Recv> {
    // A reader task that panicked left its counters as they were.
    recv.lock().unwrap_or_else(|p| p.into_inner())
}

fn nanos_since(base: Instant) -> u64 {
    u64::try_from(base.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Opens a live socket as `cookie`'s browser would and starts reading it.
async fn open_socket(
    addr: &str,
    cookie: String,
    slots: usize,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Receiver<bool>,
) -> Result<Socket> {
    let mut req = format!("ws://{addr}/api/live")
        .into_client_request()
        .context("building the socket request")?;
    let headers = req.headers_mut();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(&cookie).context("a session cookie")?,
    );
    headers.insert(
        ORIGIN,
        HeaderValue::from_str(&format!("http://{addr}")).context("an origin")?,
    );
    // Tungstenite zero-fills its whole read buffer (128 KiB by default)
    // before every read: with a small one the bench's own reading costs
    // less of the CPU the server shares. Frames here are under 1 KiB.
    let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true)
        .await
        .context("opening /api/live")?;
    let recv = Arc::new(Mutex::new(Recv {
        at: vec![0; slots],
        ..Recv::default()
    }));
    let task = tokio::spawn(read_socket(ws, recv.clone(), base, totals, stop));
    Ok(Socket { cookie, recv, task })
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads frames until the bench says stop (then closes) or the socket ends.
/// Reading also answers the server's pings (tungstenite does it).
async fn read_socket(
    mut ws: Ws,
    recv: Arc<Mutex<Recv>>,
    base: Instant,
    totals: Arc<Totals>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            msg = ws.next() => {
                let ended = match msg {
                    Some(Ok(Message::Text(text))) => {
                        let now = nanos_since(base);
                        take_frame(&recv, &totals, text.as_str(), now);
                        continue;
                    }
                    Some(Ok(Message::Close(Some(frame)))) => {
                        format!("closed by the server with code {}", u16::from(frame.code))
                    }
                    Some(Ok(Message::Close(None))) => "closed by the server".to_owned(),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => format!("broken: {e}"),
                    None => "ended".to_owned(),
                };
                let mut r = lock(&recv);
                r.ended = Some(ended);
                r.ended_at = nanos_since(base);
                return;
            }
            _ = stop.changed() => {
                let _ = tokio::time::timeout(Duration::from_secs(2), async {
                    let _ = ws.close(None).await;
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
                return;
            }
        }
    }
}

/// Records one frame.
fn take_frame(recv: &Mutex<Recv>, totals: &Totals, text: &str, now: u64) {
    totals.frames.fetch_add(1, Ordering::Relaxed);
    match classify(text) {
        Frame::Ready => {
            lock(recv).ready = true;
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
            match message.map(message_number) {
                None => {}
                Some(Some(n)) if n < r.at.len() => {
                    if r.at[n] == 0 {
                        r.at[n] = now.max(1);
                        totals.delivered.fetch_add(1, Ordering::Relaxed);
                    } else {
                        r.duplicates += 1;
                    }
                }
                Some(_) => r.foreign += 1,
            }
        }
        Frame::Other => {}
    }
}

#[derive(Debug, PartialEq)]
enum Frame<'a> {
    Ready,
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
    if text.starts_with(r#"{"t":"ready","#) {
        return Frame::Ready;
    }
    if text.starts_with(r#"{"t":"presence","#) {
        return Frame::Presence;
    }
    let Some(rest) = text.strip_prefix(r#"{"t":"event","id":"#) else {
        return Frame::Other;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(id) = rest[..digits].parse() else {
        return Frame::Other;
    };
    let message = if rest.contains(r#""change":{"kind":"message_created","#) {
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
    addr: String,
    /// Messages each socket keeps arrival times for.
    slots: usize,
    base: Instant,
    totals: Arc<Totals>,
    stop: watch::Sender<bool>,
    open: Vec<Socket>,
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
    fn new(addr: &str, slots: usize, base: Instant) -> Self {
        Self {
            addr: addr.to_owned(),
            slots,
            base,
            totals: Arc::new(Totals::default()),
            stop: watch::channel(false).0,
            open: Vec::new(),
        }
    }

    /// Opens one socket per cookie, [`CONNECTING`] handshakes at a time.
    async fn connect(&self, cookies: Vec<String>) -> Result<Vec<Socket>> {
        stream::iter(cookies)
            .map(|cookie| {
                let totals = self.totals.clone();
                let stop = self.stop.subscribe();
                open_socket(&self.addr, cookie, self.slots, self.base, totals, stop)
            })
            .buffered(CONNECTING)
            .try_collect()
            .await
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
        let mut fresh = self.connect(cookies).await?;
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
                match joined.cut_off.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, n)) => *n += 1,
                    None => joined.cut_off.push((reason, 1)),
                }
            }
            let cookies = dead.iter().map(|&i| self.open[i].cookie.clone()).collect();
            let reopened = self.connect(cookies).await?;
            for (i, socket) in dead.into_iter().zip(reopened) {
                self.open[i] = socket;
            }
        }
        bail!("sockets were still being closed after {ROUNDS} rounds of reopening")
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
}

/// One rate's figures, for [`report_phase`].
struct Phase<'a> {
    rate: f64,
    secs: f64,
    range: &'a std::ops::Range<usize>,
    sent: &'a Sent,
    cpu: &'a str,
}

async fn delivery(
    server: &Server,
    members: &[Member],
    group: &str,
    args: &Args,
    base: Instant,
) -> Result<()> {
    let phases: Vec<(f64, f64, usize)> = args
        .rates
        .iter()
        .zip(&args.seconds)
        .map(|(&rate, &secs)| (rate, secs, messages_in(rate, secs)))
        .collect();
    let slots: usize = phases.iter().map(|p| p.2).sum();
    let mut sockets = Sockets::new(&server.addr, slots, base);
    let joined = sockets
        .join(members.iter().map(|m| m.cookie.clone()).collect())
        .await?;
    let n = sockets.open.len();
    println!(
        "live sockets: {}; {} presence frames",
        joined.describe(n),
        sockets.totals.presence.load(Ordering::Relaxed)
    );

    let http = client(None)?;
    let send_at: Arc<Vec<AtomicU64>> = Arc::new((0..slots).map(|_| AtomicU64::new(0)).collect());
    let senders: Vec<&Member> = members.iter().take(args.senders).collect();
    let mut first = 0;
    let mut stored = 0;
    let mut failed = None;
    for &(rate, secs, count) in &phases {
        let range = first..first + count;
        first += count;
        let cpu = CpuMeter::start(server);
        let frames_before = sockets.totals.frames.load(Ordering::Relaxed);
        let sent = send_phase(
            &http,
            &server.base(),
            &senders,
            group,
            range.clone(),
            rate,
            &send_at,
            base,
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
        let outcome = report_phase(
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
        if let Err(e) = outcome {
            failed = Some(e);
            break;
        }
    }
    sockets.close().await;
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Sends messages `range` at `rate` a second, in turn from `senders`, each
/// at its scheduled time whatever the previous ones are doing.
#[allow(clippy::too_many_arguments)]
async fn send_phase(
    http: &Client,
    base_url: &str,
    senders: &[&Member],
    group: &str,
    range: std::ops::Range<usize>,
    rate: f64,
    send_at: &Arc<Vec<AtomicU64>>,
    base: Instant,
) -> Sent {
    let period = Duration::from_secs_f64(1.0 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(range.len());
    for (i, n) in range.enumerate() {
        tokio::time::sleep_until(start + period.mul_f64(i as f64)).await;
        let sender = senders[i % senders.len()];
        let form = [
            pair("thread", group),
            pair("body", message_body(n)),
            pair("client_id", client_id(n)),
        ];
        let (http, base_url, cookie) = (http.clone(), base_url.to_owned(), sender.cookie.clone());
        let send_at = send_at.clone();
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            send_at[n].store(nanos_since(base).max(1), Ordering::Relaxed);
            let result = call(&http, &base_url, Some(&cookie), "send_message", &form).await;
            (n, began, began.elapsed(), result.err())
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    let mut failures = Vec::new();
    let (mut first, mut last): (Option<Instant>, Option<Instant>) = (None, None);
    for task in tasks {
        match task.await {
            Ok((n, began, took, error)) => {
                first = Some(first.map_or(began, |f| f.min(began)));
                last = Some(last.map_or(began, |l| l.max(began)));
                answers.push(took);
                if let Some(e) = error {
                    failures.push((n, format!("{e:#}")));
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
    let mut text = format!("Live bench message {n}:");
    for w in 0..12 {
        text.push(' ');
        text.push_str(WORDS[(n * 5 + w * 7) % WORDS.len()]);
    }
    text
}

/// Prints the figures of one phase, then fails unless every socket got
/// every message exactly once, in order.
fn report_phase(
    phase: Phase<'_>,
    sockets: &Sockets,
    send_at: &[AtomicU64],
    complete: bool,
) -> Result<()> {
    let Phase {
        rate,
        secs,
        range,
        sent,
        cpu,
    } = phase;
    let count = range.len();
    let mut latencies = Vec::with_capacity(count * sockets.open.len());
    let (mut missing, mut duplicates, mut out_of_order, mut foreign) = (0, 0, 0, 0);
    let mut short_sockets = 0;
    for s in &sockets.open {
        let r = lock(&s.recv);
        let before = missing;
        for n in range.clone() {
            if sent.failures.iter().any(|(f, _)| *f == n) {
                continue;
            }
            let sent_at = send_at[n].load(Ordering::Relaxed);
            match r.at[n] {
                0 => missing += 1,
                at => latencies.push(Duration::from_nanos(at.saturating_sub(sent_at))),
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
    println!("  CPU from the first send to the last delivery: {cpu}");
    let (closed, reasons) = sockets.ended();
    let exact = missing == 0 && duplicates == 0 && out_of_order == 0 && foreign == 0;
    if exact && complete && closed == 0 && sent.failures.is_empty() {
        println!("  exactly once: yes, every socket got every message once, in event order");
        return Ok(());
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
// Part 2: memory per idle socket

async fn idle_memory(
    server: &Server,
    members: &[Member],
    idle: usize,
    base: Instant,
) -> Result<()> {
    // Round-robin: the first pass gives every member (up to `idle`) their
    // first socket, the next passes add sockets to the same sessions.
    let cookies = |n: usize| -> Vec<String> {
        (0..n)
            .map(|k| members[k % members.len()].cookie.clone())
            .collect()
    };

    // Warm-up: a few sockets come and go (allocator, runtime, statements),
    // then their owners' offline announcements run out.
    let mut warm = Sockets::new(&server.addr, 0, base);
    warm.join(cookies(idle.min(20))).await?;
    warm.close().await;
    tokio::time::sleep(OFFLINE_GRACE).await;
    let (before, _) = server.memory()?;
    let fds_before = server.open_fds()?;

    let mut sockets = Sockets::new(&server.addr, 0, base);
    let joined = sockets.join(cookies(idle)).await?;
    tokio::time::sleep(SETTLE).await;
    let (after, peak) = server.memory()?;
    let fds_after = server.open_fds()?;
    let presence = sockets.totals.presence.load(Ordering::Relaxed);
    let (closed, reasons) = sockets.ended();
    sockets.close().await;
    ensure!(closed == 0, "{closed} idle sockets ended: {reasons:?}");

    let kib = |k: u64| k as f64;
    let per_socket = (kib(after) - kib(before)) / idle as f64;
    println!(
        "\nidle sockets ({:.1} per member session, {} sessions): {}; {presence} presence \
         frames",
        idle as f64 / members.len().min(idle) as f64,
        members.len().min(idle),
        joined.describe(idle),
    );
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
    Ok(())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
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
                    kind: MessageKind::Text,
                    body: Some(body.into()),
                    at_ms: 1,
                    day: "2026-11-21".into(),
                    day_label: "Today".into(),
                    time: "3:04 PM".into(),
                    full_time: "Sat, Nov 21, 2026, 3:04 PM".into(),
                    reactions: vec![],
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
            change: Change::MessageDeleted { message_id: 5 },
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
            Frame::Ready
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
    fn bodies_and_ids_are_valid_input() -> Result<()> {
        for n in [0, 1, 99, 123_456] {
            app::domain::MessageBody::parse(&message_body(n))?;
            app::domain::parse_client_id(&client_id(n))?;
        }
        assert_ne!(message_body(1), message_body(2));
        Ok(())
    }
}
