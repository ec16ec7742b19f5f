//! The Parley server: configuration, database start-up, the axum router
//! around the Leptos app, and graceful shutdown. `main.rs` only calls in.
//!
//! # Layout
//! - [`assets`]: the built wasm/JS/CSS, read once at start-up and served
//!   precompressed from memory, with ETags.
//! - [`cli`]: the binary's commands besides serving (`parley moderator`).
//! - [`config`]: environment variables and their defaults.
//! - [`db`]: opening SQLite (WAL, busy timeout) and running migrations.
//! - [`demo`]: demo users and chats for an empty database (`PARLEY_DEMO=1`).
//! - [`heap`]: giving freed heap back to the OS after a burst of arrivals.
//! - [`startup`]: the router (sessions, Origin check, Leptos routes and
//!   server functions, static files) and [`Application`].
//! - [`origin`]: refusing cross-site state-changing requests.
//! - [`security_headers`]: the Content-Security-Policy (with the nonce of
//!   the page's scripts) and `Cache-Control: no-store` on user data.
//! - [`sessions`]: the database-backed session layer.
//! - [`error_status`]: HTTP statuses for server-function errors.
//! - [`utf8_input`]: refusing form fields and query strings that are not
//!   valid UTF-8.
//! - [`telemetry`]: `tracing` set-up.

pub mod assets;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error_status;
pub mod heap;
pub mod origin;
pub mod security_headers;
pub mod sessions;
pub mod startup;
pub mod telemetry;
pub mod utf8_input;

pub use config::Config;
pub use startup::{shutdown_signal, Application, StartError};
