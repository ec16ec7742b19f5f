//! One component per route.

mod auth_forms;
mod chat;
mod home;
mod moderation;
mod not_found;
mod rooms;
mod settings;

pub use auth_forms::{LoginPage, RegisterPage};
pub use chat::ChatPage;
pub use home::HomePage;
pub use moderation::{ModerationPage, ResolvedPage};
pub use not_found::NotFound;
pub use rooms::{RoomLinkPage, RoomsPage};
pub use settings::SettingsPage;
