//! `make bench-ssr`: how long the server takes to render a chat page with
//! 200 messages, next to the JSON of the same thread.
//!
//! Starts Parley in-process on 127.0.0.1:0 with a fresh SQLite file in a
//! temporary folder, registers two people over HTTP, has them exchange 200
//! messages of varied lengths in a direct chat, then times (sequentially,
//! after 20 warm-ups each) `GET /chat/<thread>` as a browser asks for it —
//! once with all 200 messages unread (the page renders all of them), once
//! read (the newest page of 50) — and `POST /api/open_thread` as the
//! hydrated app calls it. Times are
//! from sending the request to the last byte of the answer, on loopback,
//! without compression (the client asks for none).
//!
//! Usage: `bench_ssr [--requests N]` (default 300).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use reqwest::{cookie::Jar, header, redirect, Client, StatusCode};
use serde_json::Value;
use server::{Application, Config};
use tracing_subscriber::EnvFilter;

const MESSAGES: usize = 200;
const WARM_UPS: usize = 20;
const DEFAULT_REQUESTS: usize = 300;
const PASSWORD: &str = "bench password";
/// The text of the last message, which the page should show.
const LAST_MESSAGE: &str = "Last message of the bench, number 200";

#[tokio::main]
async fn main() -> Result<()> {
    // Quiet unless asked: the figures are the output.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();

    let requests = requests_arg(std::env::args().skip(1))?;
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let config = Config {
        addr: "127.0.0.1:0".parse().context("parsing the address")?,
        database_url: db_url.clone(),
        // Pages render without the bundle; nothing is served from here.
        site_root: dir.path().join("site"),
        public_url: None,
        reload_port: 3001,
        precompress_assets: false,
        demo: false,
        live: Default::default(),
        otter_delay: Default::default(),
    };
    let app = Application::build(config)
        .await
        .context("starting the server")?;
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let result = bench(&base, &db_url, requests).await;
    let _ = stop.send(());
    server
        .await
        .context("joining the server task")?
        .context("serving")?;
    result
}

/// `--requests N` or `--requests=N`; anything else is refused.
fn requests_arg(mut args: impl Iterator<Item = String>) -> Result<usize> {
    let mut requests = DEFAULT_REQUESTS;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--requests" | "-n" => args.next().context("--requests needs a number")?,
            other => match other.strip_prefix("--requests=") {
                Some(v) => v.to_owned(),
                None if other == "--help" || other == "-h" => {
                    println!("usage: bench_ssr [--requests N]   (default {DEFAULT_REQUESTS})");
                    std::process::exit(0);
                }
                None => bail!("unknown argument {other:?} (usage: bench_ssr [--requests N])"),
            },
        };
        requests = value
            .parse()
            .with_context(|| format!("--requests {value:?} is not a number"))?;
        ensure!(requests > 0, "--requests must be at least 1");
    }
    Ok(requests)
}

fn client() -> Result<Client> {
    Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .redirect(redirect::Policy::none())
        .build()
        .context("building an HTTP client")
}

/// Calls a server function like the hydrated app (form in, JSON out).
async fn call(client: &Client, base: &str, name: &str, form: &[(&str, &str)]) -> Result<String> {
    let res = client
        .post(format!("{base}/api/{name}"))
        .form(form)
        .send()
        .await
        .with_context(|| format!("POST /api/{name}"))?;
    let status = res.status();
    let body = res
        .text()
        .await
        .with_context(|| format!("reading /api/{name}"))?;
    ensure!(
        status == StatusCode::OK,
        "POST /api/{name}: {status}: {body}"
    );
    Ok(body)
}

async fn get_page(client: &Client, url: &str) -> Result<String> {
    let res = client
        .get(url)
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .context("GET /chat/<thread>")?;
    let status = res.status();
    let html = res.text().await.context("reading the page")?;
    ensure!(status == StatusCode::OK, "GET /chat/<thread>: {status}");
    ensure!(!html.is_empty(), "GET /chat/<thread>: empty page");
    Ok(html)
}

async fn bench(base: &str, db_url: &str, requests: usize) -> Result<()> {
    let (ana, bo) = (client()?, client()?);
    call(
        &bo,
        base,
        "register",
        &[("username", "bench_bob"), ("password", PASSWORD)],
    )
    .await?;
    call(
        &ana,
        base,
        "register",
        &[("username", "bench_ana"), ("password", PASSWORD)],
    )
    .await?;
    let started: Value = serde_json::from_str(
        &call(&ana, base, "start_chat", &[("usernames[0]", "bench_bob")]).await?,
    )
    .context("reading start_chat's answer")?;
    let thread = started["id"]
        .as_str()
        .context("start_chat's answer has no id")?
        .to_owned();

    let started_at = Instant::now();
    for i in 1..=MESSAGES {
        let who = sender(i);
        let client = if who == 0 { &ana } else { &bo };
        let body = message_body(i);
        let client_id = format!("bench-{i:04}");
        call(
            client,
            base,
            "send_message",
            &[
                ("thread", &thread),
                ("body", &body),
                ("client_id", &client_id),
            ],
        )
        .await?;
    }
    println!(
        "setup: 2 users, 1 direct chat, {MESSAGES} messages sent in {:.2} s",
        started_at.elapsed().as_secs_f64()
    );

    let page_url = format!("{base}/chat/{thread}");
    let (ana, page_url, thread) = (&ana, page_url.as_str(), thread.as_str());
    // The reader's first visit: everything unread, so the page reaches
    // back to the first unread message and renders all 200. Resetting the
    // read position is not part of the timed request.
    let db = sqlx::SqlitePool::connect(db_url)
        .await
        .context("opening the bench database")?;
    let db = &db;
    let unread = time_prepared(
        requests,
        move || async move {
            sqlx::query(
                "UPDATE thread_members SET last_read_message_id = 0
                 WHERE user_id = (SELECT id FROM users WHERE username = 'bench_ana')",
            )
            .execute(db)
            .await
            .context("resetting the read position")?;
            Ok(())
        },
        move || get_page(ana, page_url),
    )
    .await?;
    let rendered = unread.last_body.matches("data-testid=\"message\"").count();
    report(
        &format!("SSR /chat/<thread>, all {MESSAGES} unread ({rendered} messages rendered)"),
        &unread,
    );
    ensure!(
        rendered >= MESSAGES - 2,
        "the unread page rendered {rendered} messages, expected about {MESSAGES}"
    );

    let page = time(requests, move || get_page(ana, page_url)).await?;
    let rendered = page.last_body.matches("data-testid=\"message\"").count();
    report(
        &format!(
            "SSR /chat/<thread>, {MESSAGES} messages, read ({rendered} rendered: the newest page)"
        ),
        &page,
    );
    anyhow::ensure!(
        page.last_body.contains(LAST_MESSAGE),
        "the page does not contain the last message ({LAST_MESSAGE:?})"
    );

    let data = time(requests, move || async move {
        call(ana, base, "open_thread", &[("thread", thread)]).await
    })
    .await?;
    report("JSON POST /api/open_thread (same thread)", &data);
    ensure!(
        data.last_body.contains(LAST_MESSAGE),
        "open_thread's answer lacks the last message"
    );
    Ok(())
}

/// Who sends message `i` (0 or 1), in runs of 1 to 4: bursts like a chat.
fn sender(i: usize) -> usize {
    // Run lengths cycle through 3, 1, 4, 2, 1, 2.
    const RUNS: [usize; 6] = [3, 1, 4, 2, 1, 2];
    let mut left = i - 1;
    let mut who = 0;
    for run in RUNS.iter().cycle() {
        if left < *run {
            return who;
        }
        left -= run;
        who = 1 - who;
    }
    who
}

/// Message `i`: short replies, sentences, paragraphs, a few multi-line;
/// the same text on every run. The last one is [`LAST_MESSAGE`].
fn message_body(i: usize) -> String {
    if i == MESSAGES {
        return LAST_MESSAGE.to_owned();
    }
    const WORDS: [&str; 16] = [
        "otter",
        "river",
        "weir",
        "morning",
        "bridge",
        "saw",
        "two",
        "fishing",
        "quiet",
        "photo",
        "later",
        "meetup",
        "boathouse",
        "torch",
        "really",
        "maybe",
    ];
    // Lengths in words: mostly short, sometimes long (up to ~120 words).
    const LENGTHS: [usize; 10] = [2, 5, 1, 12, 3, 30, 7, 1, 60, 120];
    let len = LENGTHS[i % LENGTHS.len()];
    let mut text = format!("#{i}");
    for w in 0..len {
        let sep = if len > 20 && w % 25 == 24 { "\n" } else { " " };
        text.push_str(sep);
        text.push_str(WORDS[(i * 7 + w * 3) % WORDS.len()]);
    }
    text
}

/// Timings of one kind of request, plus the last answer.
struct Timed {
    samples: Vec<Duration>,
    last_body: String,
}

async fn time<F, Fut>(requests: usize, request: F) -> Result<Timed>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    time_prepared(requests, || async { Ok(()) }, request).await
}

/// Like [`time`], running untimed `prepare` before each request.
async fn time_prepared<P, PFut, F, Fut>(
    requests: usize,
    mut prepare: P,
    mut request: F,
) -> Result<Timed>
where
    P: FnMut() -> PFut,
    PFut: std::future::Future<Output = Result<()>>,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    for _ in 0..WARM_UPS {
        prepare().await?;
        request().await?;
    }
    let mut samples = Vec::with_capacity(requests);
    let mut last_body = String::new();
    for _ in 0..requests {
        prepare().await?;
        let start = Instant::now();
        last_body = request().await?;
        samples.push(start.elapsed());
    }
    samples.sort();
    Ok(Timed { samples, last_body })
}

/// Nearest-rank percentile of sorted samples, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted
        .get(index)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

fn report(label: &str, t: &Timed) {
    let s = &t.samples;
    println!(
        "{label}: {n} requests, median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, \
         min {:.2} ms, max {:.2} ms, {} bytes",
        percentile(s, 50.0),
        percentile(s, 90.0),
        percentile(s, 99.0),
        percentile(s, 0.0),
        percentile(s, 100.0),
        t.last_body.len(),
        n = s.len(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_alternate_in_runs() {
        let who: Vec<usize> = (1..=13).map(sender).collect();
        assert_eq!(who, [0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1]);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms: Vec<Duration> = (1..=10).map(Duration::from_millis).collect();
        assert_eq!(percentile(&ms, 50.0), 5.0);
        assert_eq!(percentile(&ms, 90.0), 9.0);
        assert_eq!(percentile(&ms, 0.0), 1.0);
        assert_eq!(percentile(&ms, 100.0), 10.0);
    }

    #[test]
    fn bodies_vary_and_fit_a_message() {
        let lens: Vec<usize> = (1..=MESSAGES).map(|i| message_body(i).len()).collect();
        assert!(lens.iter().all(|&l| (1..=4000).contains(&l)));
        assert!(lens.iter().max() > Some(&500));
        assert!(lens.iter().min() < Some(&10));
        assert_eq!(message_body(MESSAGES), LAST_MESSAGE);
    }

    #[test]
    fn parses_the_request_count() -> Result<()> {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(requests_arg(args(&[]).into_iter())?, DEFAULT_REQUESTS);
        assert_eq!(requests_arg(args(&["--requests", "50"]).into_iter())?, 50);
        assert_eq!(requests_arg(args(&["--requests=7"]).into_iter())?, 7);
        assert!(requests_arg(args(&["--requests", "0"]).into_iter()).is_err());
        assert!(requests_arg(args(&["--bogus"]).into_iter()).is_err());
        Ok(())
    }
}
