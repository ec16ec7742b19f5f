//! Components shared by several pages.

mod field;
mod require_user;

pub use field::Field;
pub use require_user::RequireUser;
