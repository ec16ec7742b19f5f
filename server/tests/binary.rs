//! The `parley` binary as an operator runs it: defaults, signals, and
//! start-up failures that must stop it with a clear message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    io::{BufRead, BufReader, Read, Write},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

fn parley(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parley"));
    cmd.current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("LEPTOS_SITE_ADDR")
        .env("PARLEY_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Starts the binary and waits for its "listening" line; returns the child,
/// the address, and a channel with the rest of its stderr.
fn start(cwd: &Path) -> (Child, String, mpsc::Receiver<String>) {
    start_command(parley(cwd))
}

/// [`start`] with a command of the caller's (its own environment).
fn start_command(mut cmd: Command) -> (Child, String, mpsc::Receiver<String>) {
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if let Some(at) = line.find("listening on http://") {
                let addr = line[at + "listening on http://".len()..].trim().to_owned();
                return (child, addr, rx);
            }
        }
    }
    child.kill().ok();
    child.wait().ok();
    panic!("parley did not report listening");
}

fn wait_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("parley did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn first_start_creates_data_folder_and_sigterm_stops_it_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, _logs) = start(dir.path());
    assert!(
        dir.path().join("data/parley.db").exists(),
        "default database file"
    );

    // It answers HTTP.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = wait_exit(&mut child, Duration::from_secs(10));
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn a_bad_listen_address_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = parley(dir.path())
        .env("PARLEY_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("PARLEY_ADDR \"not-an-address\""),
        "{stderr}"
    );
}

/// The `parley: …` line a failed start ends with, after at most `within`.
fn start_failure(cmd: &mut Command, within: Duration) -> String {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(started.elapsed() < within, "took {:?}", started.elapsed());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("parley: "))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {stderr}");
    lines[0].to_owned()
}

#[test]
fn an_unreachable_or_wrong_database_url_is_a_one_line_start_up_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = vec![
        // Nothing listens on port 1: refused at once.
        (
            "postgres://parley:s3cret@127.0.0.1:1/parley".to_owned(),
            "connecting to postgres://parley:***@127.0.0.1:1/parley",
        ),
        (
            "mysql://root@localhost/parley".to_owned(),
            "expected sqlite://… or postgres://…",
        ),
        (
            "postgres://parley@localhost:notaport/x".to_owned(),
            "DATABASE_URL",
        ),
    ];
    // A real server, a database that is not there.
    if let Ok(cluster) = std::env::var("PARLEY_TEST_POSTGRES") {
        let (base, query) = cluster.split_once('?').unwrap();
        let slash = base.rfind('/').unwrap();
        cases.push((
            format!("{}/no_such_database?{query}", &base[..slash]),
            "\"no_such_database\" does not exist",
        ));
    }
    for (url, says) in cases {
        let line = start_failure(
            parley(dir.path()).env("DATABASE_URL", &url),
            Duration::from_secs(30),
        );
        assert!(line.contains(says), "{url}: {line}");
        assert!(
            !line.contains("s3cret"),
            "the password is never shown: {line}"
        );
    }
}

#[test]
fn a_failing_migration_stops_the_binary_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _addr, _logs) = start(dir.path());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    wait_exit(&mut child, Duration::from_secs(10));

    // Pretend an applied migration changed after the fact.
    let db = dir.path().join("data/parley.db");
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::tamper_with_applied_migrations(&db));

    let out = parley(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a database migration failed"), "{stderr}");
}

/// A running `parley` that is killed if the test ends early, so a failed
/// assertion leaves no server behind.
struct Running {
    child: Child,
    addr: String,
    /// Kept open: the server's log lines go here, and a closed pipe would
    /// fail its writes.
    _logs: mpsc::Receiver<String>,
}

impl Running {
    async fn start(cwd: &Path) -> Self {
        let cwd = cwd.to_owned();
        // `start` waits on the child's output with blocking reads.
        let (child, addr, logs) = tokio::task::spawn_blocking(move || start(&cwd))
            .await
            .unwrap();
        Self {
            child,
            addr,
            _logs: logs,
        }
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: its own cookie jar.
fn browser() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (client, jar)
}

/// Calls a server function; its JSON answer (panics on anything but 200).
async fn call(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let res = client.post(url).form(form).send().await.unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {body}");
    serde_json::from_str(&body).unwrap()
}

/// Sends a message; the stored message's id if the server acknowledged it.
async fn send(
    client: &reqwest::Client,
    url: &str,
    thread: &str,
    client_id: &str,
    body: &str,
) -> Option<i64> {
    let form = [("thread", thread), ("body", body), ("client_id", client_id)];
    let res = client.post(url).form(&form).send().await.ok()?;
    if !res.status().is_success() {
        return None;
    }
    let message: serde_json::Value = res.json().await.ok()?;
    message["id"].as_i64()
}

/// Tabs sending at once in the fault test.
const TABS: usize = 8;

/// One send of a tab's loop.
#[derive(Debug)]
struct Attempt {
    tab: usize,
    client_id: String,
    body: String,
    /// The message id the server answered with; `None` if no answer came.
    acked: Option<i64>,
}

/// The message ids a live socket replays after `cursor`, up to `ready`.
async fn replayed_messages(server: &Running, jar: &reqwest::cookie::Jar, cursor: i64) -> Vec<i64> {
    use app::protocol::{Change, ServerFrame};
    use futures_util::StreamExt;
    use reqwest::cookie::CookieStore;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

    let url = format!("ws://{}/api/live?after={cursor}", server.addr);
    let mut req = url.into_client_request().unwrap();
    let cookies = jar.cookies(&server.url("/").parse().unwrap()).unwrap();
    req.headers_mut().insert("cookie", cookies);
    req.headers_mut()
        .insert("origin", server.url("").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let mut ids = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("replay within 20 s")
            .expect("socket open")
            .unwrap();
        let Message::Text(text) = msg else { continue };
        match serde_json::from_str::<ServerFrame>(text.as_str()).unwrap() {
            ServerFrame::Event(e) => {
                if let Change::MessageCreated { message, .. } = e.change {
                    ids.push(message.id);
                }
            }
            ServerFrame::Ready { .. } => return ids,
            other => panic!("expected a replay, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_send_loses_no_acknowledged_message_and_retries_store_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(dir.path()).await;
    let (ana, _) = browser();
    let (bob, bob_jar) = browser();
    for (client, name) in [(&ana, "ana"), (&bob, "bob")] {
        let form = [("username", name), ("password", "correct horse battery")];
        call(client, &server.url("/api/register"), &form).await;
    }
    let chat = call(
        &ana,
        &server.url("/api/start_chat"),
        &[("usernames[0]", "bob")],
    )
    .await;
    let thread = chat["id"].as_str().unwrap().to_owned();
    let cursor = call(&bob, &server.url("/api/threads"), &[]).await["cursor"]
        .as_i64()
        .unwrap();

    // ana's client sends from four tabs at once, in a loop, each message
    // with its own client id, so several sends are in flight when the
    // server dies; a tab stops after three sends in a row got no answer.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let tabs: Vec<_> = (0..TABS)
        .map(|tab| {
            let (ana, tx) = (ana.clone(), tx.clone());
            let (url, thread) = (server.url("/api/send_message"), thread.clone());
            tokio::spawn(async move {
                let mut failures = 0;
                for i in 0..10_000 {
                    let client_id = format!("fault-test-{tab}-{i:05}");
                    let body = format!("message {i} of tab {tab}");
                    let acked = send(&ana, &url, &thread, &client_id, &body).await;
                    failures = if acked.is_some() { 0 } else { failures + 1 };
                    let attempt = Attempt {
                        tab,
                        client_id,
                        body,
                        acked,
                    };
                    if tx.send(attempt).is_err() || failures == 3 {
                        break;
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut attempts: Vec<Attempt> = Vec::new();
    while attempts.iter().filter(|a| a.acked.is_some()).count() < 40 {
        attempts.push(rx.recv().await.expect("the tabs are sending"));
    }
    // A few random microseconds more, so the kill lands anywhere in a
    // send's course (now and then between its commit and its answer).
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_micros()
        % 3000;
    tokio::time::sleep(Duration::from_micros(u64::from(jitter))).await;
    server.kill();
    while let Some(a) = rx.recv().await {
        attempts.push(a);
    }
    for tab in tabs {
        tab.await.unwrap();
    }
    for tab in 0..TABS {
        let mine: Vec<bool> = attempts
            .iter()
            .filter(|a| a.tab == tab)
            .map(|a| a.acked.is_some())
            .collect();
        assert!(
            mine.windows(2).all(|w| w[0] || !w[1]),
            "tab {tab}: nothing is acknowledged once the server is dead"
        );
    }

    // Restarted on the same data: the cookies still work, and every send
    // that got no answer is retried with its client id (one may have been
    // stored before the kill, only its answer lost).
    let server = Running::start(dir.path()).await;
    let url = server.url("/api/send_message");
    for a in attempts.iter_mut().filter(|a| a.acked.is_none()) {
        let id = send(&ana, &url, &thread, &a.client_id, &a.body).await;
        a.acked = Some(id.expect("a retry after the restart is acknowledged"));
    }

    // Each attempt is exactly one message, with the id it was acknowledged
    // with, and there is nothing else.
    let db = dir.path().join("data/parley.db");
    let rows: Vec<(String, i64, String)> = {
        use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
        let mut conn = SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        sqlx::query_as("SELECT client_id, id, body FROM messages ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    let mut expected: Vec<(String, i64, String)> = attempts
        .iter()
        .map(|a| (a.client_id.clone(), a.acked.unwrap(), a.body.clone()))
        .collect();
    expected.sort_by_key(|m| m.1);
    assert_eq!(rows, expected);
    // ...and bob's socket, resuming from before it all, hears each once.
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(replayed_messages(&server, &bob_jar, cursor).await, ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_tells_every_open_live_socket_to_go_with_1001() {
    use futures_util::StreamExt;
    use reqwest::cookie::CookieStore;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(dir.path()).await;
    let (client, jar) = browser();
    call(
        &client,
        &server.url("/api/register"),
        &[("username", "ana"), ("password", "correct horse battery")],
    )
    .await;
    let mut sockets = Vec::new();
    for _ in 0..20 {
        let mut req = format!("ws://{}/api/live", server.addr)
            .into_client_request()
            .unwrap();
        let cookies = jar.cookies(&server.url("/").parse().unwrap()).unwrap();
        req.headers_mut().insert("cookie", cookies);
        req.headers_mut()
            .insert("origin", server.url("").parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        // Up to its `ready`: the socket is served.
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.as_str().contains("\"ready\"") => break,
                Some(Ok(_)) => {}
                other => panic!("socket ended before ready: {other:?}"),
            }
        }
        sockets.push(ws);
    }

    let pid = server.child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    // Every client is told to go (and so reconnects and resumes at once),
    // rather than seeing its connection reset when the process ends.
    for (i, mut ws) in sockets.into_iter().enumerate() {
        let code = loop {
            match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => {
                    break frame.map(|f| u16::from(f.code));
                }
                Ok(Some(Ok(_))) => {}
                other => panic!("socket {i} ended without a close frame: {other:?}"),
            }
        };
        assert_eq!(code, Some(1001), "socket {i}");
    }
}

/// `parley moderator …` (or any other arguments) on `database_url`, run to
/// its end: its exit code, stdout and stderr.
fn parley_command(cwd: &Path, database_url: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = parley(cwd);
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.args(args).stdout(Stdio::piped()).output().unwrap();
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new, empty database on the PostgreSQL cluster of
/// `PARLEY_TEST_POSTGRES` (never dropped: the cluster is thrown away).
async fn fresh_postgres(cluster: &str) -> String {
    use sqlx::Connection;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(cluster).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, query) = cluster.split_once('?').unwrap_or((cluster, ""));
    let slash = base.rfind('/').unwrap();
    let sep = if query.is_empty() { "" } else { "?" };
    format!("{}/{name}{sep}{query}", &base[..slash])
}

/// Starts `parley` on `database_url` (the default SQLite file in `cwd`
/// when `None`) and waits until it listens.
async fn serve_on(cwd: &Path, database_url: Option<&str>) -> Running {
    let (cwd, url) = (cwd.to_owned(), database_url.map(str::to_owned));
    let (child, addr, logs) = tokio::task::spawn_blocking(move || {
        let mut cmd = parley(&cwd);
        if let Some(url) = url {
            cmd.env("DATABASE_URL", url);
        }
        start_command(cmd)
    })
    .await
    .unwrap();
    Running {
        child,
        addr,
        _logs: logs,
    }
}

/// The status of a server function's answer.
async fn status_of(client: &reqwest::Client, url: &str) -> reqwest::StatusCode {
    client.post(url).send().await.unwrap().status()
}

/// What `parley moderator grant|revoke` does to a database that a running
/// server uses: the role shows at once (the queue answers, then does not),
/// each command says what it did, an unknown name fails naming it.
async fn moderator_commands_work_on(cwd: &Path, database_url: Option<&str>) {
    let server = serve_on(cwd, database_url).await;
    let (eve, _) = browser();
    for name in ["eve", "ana"] {
        let (client, _) = browser();
        let client = if name == "eve" { &eve } else { &client };
        let form = [("username", name), ("password", "correct horse battery")];
        call(client, &server.url("/api/register"), &form).await;
    }
    let queue = server.url("/api/moderation_queue");
    assert_eq!(
        status_of(&eve, &queue).await,
        reqwest::StatusCode::NOT_FOUND
    );

    let run = |args: &[&str]| parley_command(cwd, database_url, args);
    let (code, out, err) = run(&["moderator", "grant", "eve"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "eve is now a moderator.");
    assert_eq!(status_of(&eve, &queue).await, reqwest::StatusCode::OK);
    let answer = call(&eve, &queue, &[]).await;
    assert_eq!(answer["open"], 0, "{answer}");

    let (code, out, _) = run(&["moderator", "grant", "EVE"]);
    assert_eq!((code, out.trim()), (0, "eve is already a moderator."));

    let (code, out, err) = run(&["moderator", "revoke", "eve"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "eve is no longer a moderator.");
    assert_eq!(
        status_of(&eve, &queue).await,
        reqwest::StatusCode::NOT_FOUND
    );
    let (code, out, _) = run(&["moderator", "revoke", "eve"]);
    assert_eq!((code, out.trim()), (0, "eve was not a moderator."));

    // Someone who does not exist, and Otter (a bot, not a person).
    for name in ["zed", "otter"] {
        let (code, out, err) = run(&["moderator", "grant", name]);
        assert_eq!(code, 1, "{name}: {out} {err}");
        assert!(
            err.contains(&format!("parley: no user named \"{name}\"")),
            "{name}: {err}"
        );
        assert!(out.is_empty(), "{out}");
    }
    // ana was never touched.
    let (code, out, _) = run(&["moderator", "revoke", "ana"]);
    assert_eq!((code, out.trim()), (0, "ana was not a moderator."));
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderator_grant_and_revoke_work_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    moderator_commands_work_on(dir.path(), None).await;
    if let Ok(cluster) = std::env::var("PARLEY_TEST_POSTGRES") {
        let url = fresh_postgres(&cluster).await;
        let dir = tempfile::tempdir().unwrap();
        moderator_commands_work_on(dir.path(), Some(&url)).await;
    }
}

#[test]
fn a_moderator_command_on_a_fresh_database_migrates_it_and_names_the_unknown_user() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = parley_command(dir.path(), None, &["moderator", "grant", "Zed"]);
    assert_eq!(code, 1, "{out} {err}");
    assert!(err.contains("parley: no user named \"Zed\""), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(dir.path().join("data/parley.db").exists());
}

#[test]
fn a_bad_command_line_prints_the_usage_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["moderator"][..],
        &["moderator", "grant"],
        &["moderator", "promote", "eve"],
        &["moderator", "grant", "eve", "now"],
        &["serve"],
    ] {
        let (code, out, err) = parley_command(dir.path(), None, args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert!(
            err.contains("usage: parley [moderator grant|revoke <username>]"),
            "{args:?}: {err}"
        );
        assert!(out.is_empty(), "{args:?}: {out}");
    }
    // Nothing was started or created on the way.
    assert!(!dir.path().join("data").exists());
}
