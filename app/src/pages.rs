//! One component per route.

mod auth_forms;
mod chat;
mod home;
mod not_found;
mod rooms;

pub use auth_forms::{LoginPage, RegisterPage};
pub use chat::ChatPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use rooms::{RoomLinkPage, RoomsPage};
