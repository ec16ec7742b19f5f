//! A real `parley` process for the tests that must kill one (SIGKILL) or
//! restart it: the binary this package builds, on a given database.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use crate::live::client::PATIENCE;

/// A `parley` process, SIGKILLed when dropped so a failed assertion leaves
/// no server behind.
pub(crate) struct Node {
    child: Child,
    pub(crate) addr: String,
    /// Kept open: the server logs here, and a closed pipe fails its writes.
    _logs: mpsc::Receiver<String>,
}

impl Node {
    /// Starts `parley` on `database_url` and waits for its "listening" line.
    pub(crate) async fn start(database_url: &str, cwd: &Path) -> Self {
        Self::start_with(database_url, cwd, &[]).await
    }

    /// [`Node::start`] with more environment variables.
    pub(crate) async fn start_with(database_url: &str, cwd: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_parley"))
            .current_dir(cwd)
            .envs(env.iter().copied())
            .env_remove("LEPTOS_SITE_ADDR")
            .env("DATABASE_URL", database_url)
            .env("PARLEY_ADDR", "127.0.0.1:0")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
        // The lines come through blocking reads.
        let (addr, rx) = tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + PATIENCE;
            while Instant::now() < deadline {
                if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                    if let Some(at) = line.find("listening on http://") {
                        let addr = line[at + "listening on http://".len()..].trim();
                        return (Some(addr.to_owned()), rx);
                    }
                }
            }
            (None, rx)
        })
        .await
        .unwrap();
        let mut node = Self {
            child,
            addr: String::new(),
            _logs: rx,
        };
        node.addr = addr.expect("parley reports listening");
        node
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
