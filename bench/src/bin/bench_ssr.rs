//! `make bench-ssr`: how long the server takes to render a chat page with
//! 200 messages, next to the JSON of the same thread; with `--page rooms`,
//! the rooms list (`/rooms`) with 1,000 public rooms.
//!
//! Starts Parley in-process on 127.0.0.1:0 with a fresh SQLite file in a
//! temporary folder and registers two people over HTTP. Then:
//!
//! - `--page chat` (the default): they exchange 200 messages of varied
//!   lengths in a direct chat, then the bench times (sequentially, after 20
//!   warm-ups each) `GET /chat/<thread>` as a browser asks for it — once
//!   with all 200 messages unread (the page renders all of them), once
//!   read (the newest page of 50) — and `POST /api/open_thread` as the
//!   hydrated app calls it.
//! - `--page rooms`: `--rooms` public rooms (default 1,000) are written
//!   straight through the store in one transaction, as `create_room` writes
//!   each (the room, its creator as owner, the "created the room" line):
//!   the two people create them in turn, every third room also has the
//!   other one, names and topics vary in length, and their last activity
//!   is spread over the past weeks (so the list says "Joined" on some and
//!   shows times, weekdays and dates). Creating them
//!   over HTTP would take one person hours: `create_room` is rate-limited
//!   per user. Then it times `GET /rooms` (the newest
//!   [`app::api::rooms::ROOMS_SHOWN`] are rendered), `GET /rooms?q=…` (a
//!   filter that matches a few rooms: it reads every room's name) and
//!   `POST /api/rooms` (the same list as JSON).
//!
//! Times are from sending the request to the last byte of the answer, on
//! loopback, without compression (the client asks for none).
//!
//! Usage: `bench_ssr [--requests N] [--page chat|rooms] [--rooms N]`
//! (defaults 300, chat, 1000); e.g.
//! `make bench-ssr ARGS="--page rooms"`.

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
/// Rooms `--page rooms` makes unless `--rooms` says otherwise.
const DEFAULT_ROOMS: usize = 1000;
/// What the filtered list looks for: in the names of one room in
/// [`FILTER_EVERY`].
const FILTER: &str = "heron";
const FILTER_EVERY: usize = 97;

/// The page `--page` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// `/chat/<thread>` with 200 messages.
    Chat,
    /// `/rooms` with `--rooms` public rooms.
    Rooms,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Args {
    requests: usize,
    page: Page,
    rooms: usize,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            requests: DEFAULT_REQUESTS,
            page: Page::Chat,
            rooms: DEFAULT_ROOMS,
        }
    }
}

const USAGE: &str = "usage: bench_ssr [--requests N] [--page chat|rooms] [--rooms N]
  --requests N   timed requests of each kind (default 300)
  --page P       chat: a 200-message chat and its JSON (default);
                 rooms: /rooms with --rooms public rooms, and its JSON
  --rooms N      public rooms for --page rooms (default 1000)";

#[tokio::main]
async fn main() -> Result<()> {
    // Quiet unless asked: the figures are the output.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();

    let Some(args) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
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
        write_batch: app::server::group_commit::MAX_BATCH,
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

    let result = match args.page {
        Page::Chat => bench(&base, &db_url, args.requests).await,
        Page::Rooms => bench_rooms(&base, &db_url, args.requests, args.rooms).await,
    };
    let _ = stop.send(());
    server
        .await
        .context("joining the server task")?
        .context("serving")?;
    result
}

/// The flags (`--flag value` or `--flag=value`); `None` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        ensure!(
            ["--requests", "-n", "--page", "--rooms"].contains(&flag.as_str()),
            "unknown argument {arg:?}\n{USAGE}"
        );
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))?,
        };
        let count = |v: &str| -> Result<usize> {
            let n: usize = v
                .trim()
                .parse()
                .with_context(|| format!("{flag} {v:?} is not a number"))?;
            ensure!(n > 0, "{flag} must be at least 1");
            Ok(n)
        };
        match flag.as_str() {
            "--page" => {
                parsed.page = match value.trim() {
                    "chat" => Page::Chat,
                    "rooms" => Page::Rooms,
                    other => bail!("--page {other:?} is not chat or rooms"),
                }
            }
            "--rooms" => parsed.rooms = count(&value)?,
            _ => parsed.requests = count(&value)?,
        }
    }
    Ok(Some(parsed))
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
        .with_context(|| format!("GET {url}"))?;
    let status = res.status();
    let html = res.text().await.context("reading the page")?;
    ensure!(status == StatusCode::OK, "GET {url}: {status}");
    ensure!(!html.is_empty(), "GET {url}: empty page");
    Ok(html)
}

/// Registers the bench's two people, each with a client of their own.
async fn register_two(base: &str) -> Result<(Client, Client)> {
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
    Ok((ana, bo))
}

async fn bench(base: &str, db_url: &str, requests: usize) -> Result<()> {
    let (ana, bo) = register_two(base).await?;
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

/// `--page rooms`: makes `rooms` public rooms, then times `/rooms` as
/// a browser asks for it, a filtered `/rooms?q=…`, and the list as JSON.
async fn bench_rooms(base: &str, db_url: &str, requests: usize, rooms: usize) -> Result<()> {
    let (ana, _bo) = register_two(base).await?;
    let pool = sqlx::SqlitePool::connect(db_url)
        .await
        .context("opening the bench database")?;
    let started = Instant::now();
    make_rooms(&pool, rooms).await?;
    pool.close().await;
    println!(
        "setup: 2 users, {rooms} public rooms (and the home room) written through the store \
         in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let ana = &ana;
    let shown = usize::try_from(app::api::rooms::ROOMS_SHOWN).unwrap_or(usize::MAX);
    // The newest room heads the list; the oldest is past the first page
    // when there are more rooms than it shows.
    let newest = room_name(rooms - 1);
    let url = format!("{base}/rooms");
    let list = time(requests, || get_page(ana, &url)).await?;
    let rendered = list.last_body.matches("data-testid=\"room-row\"").count();
    report(
        &format!("SSR /rooms, {rooms} rooms ({rendered} rendered: the newest {shown})"),
        &list,
    );
    ensure!(
        list.last_body.contains(&newest),
        "/rooms does not show the newest room ({newest:?})"
    );

    let url = format!("{base}/rooms?q={FILTER}");
    let filtered = time(requests, || get_page(ana, &url)).await?;
    let matching = (0..rooms)
        .filter(|i| i.is_multiple_of(FILTER_EVERY))
        .count();
    let rendered = filtered
        .last_body
        .matches("data-testid=\"room-row\"")
        .count();
    report(
        &format!("SSR /rooms?q={FILTER}, {matching} of {rooms} rooms match ({rendered} rendered)"),
        &filtered,
    );
    ensure!(
        filtered.last_body.contains(&room_name(0)),
        "/rooms?q={FILTER} does not show the first room ({:?})",
        room_name(0)
    );

    let data = time(
        requests,
        || async move { call(ana, base, "rooms", &[]).await },
    )
    .await?;
    report("JSON POST /api/rooms (the same list)", &data);
    ensure!(
        data.last_body.contains(&newest),
        "list_rooms' answer lacks the newest room"
    );
    Ok(())
}

/// Writes `rooms` public rooms in one transaction, each as `create_room`
/// writes one (its row, its creator as owner, the "created the room"
/// line, and their events), bench_ana and bench_bob creating them in turn;
/// every third room also has the other one. Room `i` was last active
/// `rooms - i` times 41 minutes ago: the last one is the newest.
async fn make_rooms(pool: &sqlx::SqlitePool, rooms: usize) -> Result<()> {
    use app::domain::system_lines::{created_room, joined};
    use app::store;

    let mut people = Vec::new();
    for name in ["bench_ana", "bench_bob"] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(name)
            .fetch_one(pool)
            .await
            .with_context(|| format!("finding {name}"))?;
        people.push((id, name));
    }
    let db = store::Db::sqlite(pool.clone());
    let now = chrono::Utc::now();
    let mut tx = db.begin_write().await.context("beginning a write")?;
    for i in 0..rooms {
        let minutes = i64::try_from((rooms - i) * 41).context("too many rooms")?;
        let at = now - chrono::Duration::minutes(minutes);
        let (creator, creator_name) = people[i % 2];
        let (other, other_name) = people[(i + 1) % 2];
        let public_id = uuid::Uuid::new_v4().to_string();
        let thread = store::rooms::insert(
            &mut tx,
            &public_id,
            &room_name(i),
            room_topic(i).as_deref(),
            creator,
            at,
        )
        .await
        .context("creating a room")?;
        store::members::add(&mut tx, thread, creator, "owner", at)
            .await
            .context("adding a room's creator")?;
        store::messages::insert_system(&mut tx, thread, creator, &created_room(creator_name), at)
            .await
            .context("writing a room's first line")?;
        if i.is_multiple_of(3) {
            store::members::add(&mut tx, thread, other, "member", at)
                .await
                .context("adding a room's member")?;
            store::messages::insert_system(&mut tx, thread, other, &joined(other_name), at)
                .await
                .context("writing a join line")?;
        }
    }
    tx.commit().await.context("committing the rooms")?;
    Ok(())
}

/// Room `i`'s name: 1 to 6 words after its number, one in
/// [`FILTER_EVERY`] with [`FILTER`] among them; the same on every run.
fn room_name(i: usize) -> String {
    const WORDS: [&str; 12] = [
        "otters",
        "river",
        "weir",
        "morning",
        "bridge",
        "fishing",
        "quiet",
        "photo",
        "meetup",
        "boathouse",
        "torch",
        "kayaks",
    ];
    let mut name = format!("Room {i:04}");
    for w in 0..1 + i % 6 {
        name.push(' ');
        name.push_str(WORDS[(i * 5 + w * 7) % WORDS.len()]);
    }
    if i.is_multiple_of(FILTER_EVERY) {
        name.push(' ');
        name.push_str(FILTER);
    }
    name
}

/// Room `i`'s topic: none for one in four, else a sentence of up to about
/// 250 characters.
fn room_topic(i: usize) -> Option<String> {
    const SENTENCES: [&str; 4] = [
        "Sightings along the river, with photos when there are any.",
        "Weekend paddles from the boathouse; bring a torch in winter.",
        "Quiet chat about anything. Be kind.",
        "Meetups, lifts and gear swaps for the early morning group, \
         plus the tide tables and who has the key this week.",
    ];
    if i % 4 == 3 {
        return None;
    }
    let parts = 1 + i % 3;
    Some(
        (0..parts)
            .map(|k| SENTENCES[(i + k) % SENTENCES.len()])
            .collect::<Vec<_>>()
            .join(" "),
    )
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
    fn parses_the_flags() -> Result<()> {
        let args = |a: &[&str]| parse_args(a.iter().map(|s| s.to_string()));
        assert_eq!(args(&[])?, Some(Args::default()));
        assert_eq!(args(&["--requests", "50"])?.map(|a| a.requests), Some(50));
        assert_eq!(args(&["--requests=7"])?.map(|a| a.requests), Some(7));
        assert_eq!(args(&["-n", "9"])?.map(|a| a.requests), Some(9));
        let rooms = args(&["--page", "rooms", "--rooms=20"])?.context("not help")?;
        assert_eq!((rooms.page, rooms.rooms), (Page::Rooms, 20));
        assert_eq!(args(&["--page=rooms"])?.map(|a| a.rooms), Some(1000));
        assert_eq!(args(&["--page", "chat"])?.map(|a| a.page), Some(Page::Chat));
        assert_eq!(args(&["--help"])?, None);
        assert!(args(&["--requests", "0"]).is_err());
        assert!(args(&["--rooms", "0"]).is_err());
        assert!(args(&["--page", "thread"]).is_err());
        assert!(args(&["--requests"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        Ok(())
    }

    #[test]
    fn some_room_names_match_the_filter_and_all_are_valid() {
        let names: Vec<String> = (0..1000).map(room_name).collect();
        let matching = names.iter().filter(|n| n.contains(FILTER)).count();
        assert_eq!(matching, 11);
        for (i, name) in names.iter().enumerate() {
            assert!(
                app::domain::room_input::parse_room_name(name).is_ok(),
                "{name}"
            );
            let topic = room_topic(i).unwrap_or_default();
            assert!(
                app::domain::room_input::parse_room_topic(&topic).is_ok(),
                "{topic}"
            );
        }
        // Unique, so the newest can be found on the page.
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }
}
