//! `make bench-login`: what a flood of logins for made-up names costs the
//! server in memory, and how the limits answer it.
//!
//! Runs the real `parley` release binary as a child process (the one built
//! next to this bench, or `--server-bin PATH`) on 127.0.0.1:0 with a fresh
//! SQLite file, and reads its VmRSS and VmHWM from `/proc/<pid>/status`:
//!
//! 1. after start-up and one real registration (the first hash);
//! 2. after `--logins` (default 200) concurrent logins, each for a made-up
//!    username from its own loopback address (127.0.1.1, 127.0.1.2, …: every
//!    127/8 address is this machine on Linux), so the per-address limit
//!    lets each through and every one costs a full Argon2 verification;
//! 3. after the same number from one address: the per-address limit
//!    answers most of them 429 before any hashing.
//!
//! Each Argon2id verification needs 19 MiB. The target (hardening issue):
//! RSS under 150 MB after 200 concurrent bogus logins.
//!
//! Usage: `bench_login [--logins N] [--server-bin PATH]`.

use std::{
    io::{BufRead, BufReader},
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use reqwest::{Client, StatusCode};

struct Args {
    logins: usize,
    server_bin: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        logins: 200,
        server_bin: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--logins" => args.logins = value.parse().context("--logins")?,
            "--server-bin" => args.server_bin = Some(value.into()),
            _ => bail!("unknown flag {flag} (flags: --logins N, --server-bin PATH)"),
        }
    }
    ensure!(args.logins > 0 && args.logins < 60_000, "--logins 1..60000");
    Ok(args)
}

/// The `parley` child, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(bin: &PathBuf, db_url: &str) -> Result<Self> {
        let mut child = Command::new(bin)
            .env("PARLEY_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", db_url)
            .env("RUST_LOG", "warn,parley=info")
            .env("NO_COLOR", "1")
            .env_remove("PARLEY_DEMO")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running {}", bin.display()))?;
        let stderr = child.stderr.take().context("taking parley's stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            const LISTENING: &str = "listening on http://";
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find(LISTENING) {
                    let _ = tx.send(line[at + LISTENING.len()..].trim().to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .context("parley did not say where it listens within 30 s")?;
        Ok(Self {
            child,
            base: format!("http://{addr}"),
        })
    }

    /// VmRSS and VmHWM, MiB.
    fn memory(&self) -> Result<(f64, f64)> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let field = |name: &str| -> Result<f64> {
            let kib: f64 = status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {name} in {path}"))?;
            Ok(kib / 1024.0)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn login(base: &str, from: Option<IpAddr>, name: &str) -> Result<StatusCode> {
    let client = Client::builder()
        .local_address(from)
        .build()
        .context("building a client")?;
    let res = client
        .post(format!("{base}/api/login"))
        .header(reqwest::header::ORIGIN, base)
        .form(&[("username", name), ("password", "not the password")])
        .send()
        .await
        .context("POST /api/login")?;
    Ok(res.status())
}

/// Sends `n` logins at once; `from(i)` picks each one's source address.
/// Prints the answers by status and the time they took.
async fn flood(server: &Server, n: usize, from: impl Fn(usize) -> Option<IpAddr>) -> Result<()> {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (base, addr) = (server.base.clone(), from(i));
        tasks.push(tokio::spawn(async move {
            login(&base, addr, &format!("nobody{i}")).await
        }));
    }
    let (mut bad, mut limited, mut other) = (0, 0, 0);
    for t in tasks {
        match t.await.context("joining a login")?? {
            StatusCode::BAD_REQUEST => bad += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            _ => other += 1,
        }
    }
    println!(
        "  {n} logins in {:.1} s: {bad} refused after hashing (400), {limited} limited (429), {other} other",
        started.elapsed().as_secs_f64()
    );
    ensure!(other == 0, "{other} logins got an unexpected answer");
    Ok(())
}

fn server_bin(args: &Args) -> Result<PathBuf> {
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .context("finding this program")?
            .parent()
            .context("this program has no folder")?
            .join("parley"),
    };
    ensure!(bin.is_file(), "no parley binary at {}", bin.display());
    Ok(bin)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let bin = server_bin(&args)?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let db_url = format!("sqlite://{}/bench.db", dir.path().display());
    let server = Server::start(&bin, &db_url)?;

    // One real hash first, as any server that has had a visitor.
    let client = Client::new();
    let res = client
        .post(format!("{}/api/register", server.base))
        .header(reqwest::header::ORIGIN, &server.base)
        .form(&[("username", "ana"), ("password", "correct horse battery")])
        .send()
        .await
        .context("registering")?;
    ensure!(res.status() == StatusCode::OK, "register: {}", res.status());
    let (rss, _) = server.memory()?;
    println!("parley {} (release build expected)", bin.display());
    println!("after start-up and one registration: RSS {rss:.1} MiB");

    println!(
        "{} concurrent logins for made-up names, each from its own address:",
        args.logins
    );
    flood(&server, args.logins, |i| {
        let i = u32::try_from(i).unwrap_or(0);
        Some(IpAddr::V4(Ipv4Addr::from(0x7f00_0101 + i)))
    })
    .await?;
    let (rss, peak) = server.memory()?;
    println!("  RSS after: {rss:.1} MiB (peak {peak:.1} MiB; target < 150 MB)");

    println!(
        "{} concurrent logins for made-up names from one address:",
        args.logins
    );
    flood(&server, args.logins, |_| None).await?;
    let (rss, peak) = server.memory()?;
    println!("  RSS after: {rss:.1} MiB (peak {peak:.1} MiB)");
    Ok(())
}
