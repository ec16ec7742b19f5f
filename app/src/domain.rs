//! Input parsing and the pure logic behind the chat window. Every value that
//! comes from outside becomes one of these types through a `parse` that
//! returns `Result`, so code past the boundary never sees an invalid one;
//! grouping, previews and time labels are plain functions with unit tests,
//! called by the components and the server alike.

mod avatar;
mod chat_input;
pub mod day_change;
pub mod grouping;
mod html;
pub mod live;
mod message_body;
pub mod moderation;
mod next_path;
mod password;
pub mod preview;
pub mod room;
pub mod room_input;
pub mod safety;
pub mod system_lines;
pub mod text;
mod username;
#[cfg(feature = "ssr")]
pub mod when;

pub use avatar::{avatar_hue, avatar_hue_class, avatar_initial, HUE_STEP};
pub use chat_input::{
    parse_client_id, parse_group_title, parse_reaction, parse_report_reason, parse_sticker,
    parse_thread_id, sticker_url, GROUP_TITLE_MAX, REACTIONS, REPORT_DETAIL_MAX, REPORT_KINDS,
    STICKERS,
};
pub use html::{escape_html_text, safe_image_url};
pub use message_body::{can_send, counter, MessageBody};
pub use next_path::{login_url, safe_next_path, with_next};
pub use password::Password;
pub use preview::MessageKind;
pub use username::Username;
