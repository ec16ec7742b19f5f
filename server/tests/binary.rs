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
    let mut child = parley(cwd).spawn().unwrap();
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
