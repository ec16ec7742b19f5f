//! Integration tests: the real server on 127.0.0.1:0 with a fresh SQLite
//! file each, spoken to over HTTP like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod demo;
mod floods;
mod helpers;
mod pages;
mod startup;
