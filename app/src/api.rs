//! Server functions, one area per file. Each body parses its input into
//! domain types, checks membership (`server::access`), and calls the store;
//! the server maps the `AppError` it returns to an HTTP status in one place.
//! Endpoints have stable names (`/api/send_message`) because tests and
//! tools outside the app call them too.

pub mod auth;
pub mod blocks;
pub mod groups;
pub mod messages;
pub mod moderation;
pub mod rooms;
pub mod threads;
