//! Input parsing: every value that comes from outside becomes one of these
//! types through a `parse` that returns `Result`, so code past the boundary
//! never sees an invalid one.

mod next_path;
mod password;
mod username;

pub use next_path::{login_url, safe_next_path, with_next};
pub use password::Password;
pub use username::Username;
