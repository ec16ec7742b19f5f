//! Server functions, one area per file. Each body parses its input into
//! domain types and calls the store; the server maps the `AppError` it
//! returns to an HTTP status in one place (`server::server_fns`). Endpoints
//! have stable names (`/api/login`) because tests and tools outside the app
//! call them too.

pub mod auth;
