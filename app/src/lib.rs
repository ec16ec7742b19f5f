//! Parley's application crate: the Leptos components that render on the
//! server and hydrate in the browser, the types both sides share, and the
//! server functions that carry every mutation.
//!
//! # Layout
//! - [`app`]: the root component, routes and the HTML shell.
//! - [`pages`]: one component per route; [`components`]: pieces they share.
//! - [`api`]: server functions, one area per file (`/api/<name>`).
//! - [`domain`]: input parsing (`Username`, `MessageBody`, …) and the pure
//!   logic of the window (grouping, previews, time labels), all unit-tested.
//! - [`model`]: what server functions return to the components.
//! - [`error`]: the one error type and its HTTP status mapping.
//! - `server` and `store` (feature `ssr` only): state, sessions, password
//!   hashing, and the data-access layer. They never reach the wasm build.

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod bot;
pub mod chat;
pub mod components;
pub mod domain;
pub mod error;
pub mod model;
pub mod pages;
pub mod protocol;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

pub use app::{shell, App};
