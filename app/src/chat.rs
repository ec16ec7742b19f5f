//! The chat window (F3–F12, F20, F21): a navigation pane and a thread
//! pane (or, on their pages, the moderators' queue or the settings),
//! server-rendered in full and hydrated. Components here hold no logic a
//! test would want: grouping, labels and previews come from [`crate::domain`]
//! and arrive formatted from the server.

mod avatar;
mod block;
mod browser;
mod clock;
mod composer;
mod context;
mod group_panel;
mod live;
mod message;
mod message_actions;
mod message_list;
mod modal;
mod moderation;
mod nav;
mod new_chat;
mod reading;
mod settings;
mod thread;
mod user_picker;
mod window;

pub use window::{ChatData, ChatWindow, Pane};
