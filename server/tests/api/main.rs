//! Integration tests: the real server on 127.0.0.1:0 with a fresh SQLite
//! file each, spoken to over HTTP like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod authz;
mod blocks;
mod cancellation;
mod chat_helpers;
mod cursor;
mod delete;
mod demo;
mod direct_chats;
mod events;
mod floods;
mod group_commit;
mod groups;
mod helpers;
mod html_safety;
mod live;
mod messages;
mod moderation;
mod nodes;
mod nojs;
mod otter;
mod pages;
mod paging;
mod plans;
mod process;
mod reactions;
mod relabel;
mod reports;
mod rooms;
mod security_headers;
mod startup;
mod text_limits;
mod unavailable;
mod utf8;
