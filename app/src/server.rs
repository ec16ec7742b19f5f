//! Server-only plumbing used by server functions: the shared state, the
//! session, password hashing, and error context. Compiled only with the
//! `ssr` feature.

pub mod context;
pub mod password_hash;
pub mod session;
pub mod state;

pub use context::ResultExt;
pub use state::{state, AppState};
