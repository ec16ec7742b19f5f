//! Server-only plumbing used by server functions: the shared state, the
//! session, flood limits, password hashing, and error context. Compiled only with the
//! `ssr` feature.

pub mod access;
pub mod client_ip;
pub mod context;
pub mod group_commit;
pub mod limits;
pub mod live;
pub mod otter;
pub mod password_hash;
pub mod session;
pub mod state;
pub mod viewer;
pub mod views;

pub use context::ResultExt;
pub use state::{state, AppState};
