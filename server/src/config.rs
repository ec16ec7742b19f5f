use std::{net::SocketAddr, path::PathBuf};

use crate::StartError;

/// Everything the server reads from its environment, with the defaults that
/// let `make run` work with nothing set. Documented in README.md.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PARLEY_ADDR`, else `LEPTOS_SITE_ADDR` (set by cargo-leptos), else
    /// 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// `DATABASE_URL`, default `sqlite://data/parley.db`.
    pub database_url: String,
    /// `LEPTOS_SITE_ROOT`, default `target/site` (the built wasm/css/assets).
    pub site_root: PathBuf,
    /// `PARLEY_PUBLIC_URL`: the URL users reach Parley at. When it is
    /// https, the session cookie is marked `Secure`.
    pub public_url: Option<String>,
    /// `LEPTOS_RELOAD_PORT`, set by `cargo leptos watch` (default 3001):
    /// where the live-reload script connects in development.
    pub reload_port: u32,
    /// Serve the bundle from a snapshot taken at start-up, precompressed;
    /// off when `LEPTOS_WATCH` is set, where it is served from disk as it
    /// is rebuilt (see `assets`).
    pub precompress_assets: bool,
    /// `PARLEY_DEMO=1` (or `true`): fill an empty database with demo users
    /// and chats at start-up (see [`crate::demo`]). Off by default.
    pub demo: bool,
    /// Live sockets: `PARLEY_LIVE_QUEUE` (frames a socket may have waiting
    /// before it is cut off as too slow, default 256) and
    /// `PARLEY_EVENTS_KEPT` (events kept for resuming clients, default
    /// 100,000).
    pub live: app::server::live::LiveSettings,
    /// `PARLEY_WRITE_BATCH`: the most writes one transaction commits
    /// together (group commit, `app::server::group_commit`; default
    /// [`MAX_BATCH`](app::server::group_commit::MAX_BATCH)); `1` gives
    /// every write a transaction of its own, as a benchmark's baseline.
    pub write_batch: usize,
    /// `PARLEY_OTTER_DELAY_MS`: how long Otter waits before each answer
    /// (default 0). For tests that stop the server between a question and
    /// its answer.
    pub otter_delay: std::time::Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, StartError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let addr_text = var("PARLEY_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr = addr_text
            .parse()
            .map_err(|e| StartError::Config(format!("PARLEY_ADDR {addr_text:?}: {e}")))?;
        Ok(Self {
            addr,
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/parley.db".to_owned()),
            site_root: var("LEPTOS_SITE_ROOT")
                .unwrap_or_else(|| "target/site".to_owned())
                .into(),
            public_url: var("PARLEY_PUBLIC_URL"),
            reload_port: var("LEPTOS_RELOAD_PORT")
                .and_then(|p| p.parse().ok())
                .unwrap_or(3001),
            precompress_assets: var("LEPTOS_WATCH").is_none(),
            demo: var("PARLEY_DEMO").is_some_and(|v| is_on(&v)),
            live: live_settings(&var)?,
            write_batch: positive(&var, "PARLEY_WRITE_BATCH")?
                .map_or(app::server::group_commit::MAX_BATCH, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                }),
            otter_delay: std::time::Duration::from_millis(
                var("PARLEY_OTTER_DELAY_MS")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0),
            ),
        })
    }

    /// Whether cookies must be `Secure` (served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"))
    }
}

fn live_settings(
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<app::server::live::LiveSettings, StartError> {
    let mut live = app::server::live::LiveSettings::default();
    if let Some(n) = positive(var, "PARLEY_LIVE_QUEUE")? {
        live.queue = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = positive(var, "PARLEY_EVENTS_KEPT")? {
        live.events_kept = n;
    }
    Ok(live)
}

/// The variable `k` as a number above zero; `None` when unset, an error
/// naming it when set to anything else.
fn positive(var: &dyn Fn(&str) -> Option<String>, k: &str) -> Result<Option<i64>, StartError> {
    var(k)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| StartError::Config(format!("{k} {v:?}: not a positive number")))
        })
        .transpose()
}

/// `1` or `true` (any case, spaces ignored) switch a flag on; anything else
/// leaves it off.
fn is_on(value: &str) -> bool {
    let v = value.trim();
    v == "1" || v.eq_ignore_ascii_case("true")
}

#[cfg(test)]
mod tests {
    use super::is_on;

    #[test]
    fn demo_flag_accepts_1_and_true_only() {
        for on in ["1", "true", "TRUE", " True "] {
            assert!(is_on(on), "{on:?}");
        }
        for off in ["0", "false", "yes", "", "2"] {
            assert!(!is_on(off), "{off:?}");
        }
    }
}
