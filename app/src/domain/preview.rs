//! The navigation list's one-line summary of a thread's last message.
//!
//! Both the server render and the browser's live updates produce it, so the
//! rules (what a deleted message or a sticker shows, where long text is cut)
//! live in one place and never depend on the viewer's platform.

use super::text;

/// What a message is, as stored and sent over the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
// The wire form matches `as_str`, so logs, the database and JSON agree.
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Text,
    Sticker,
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Sticker => "sticker",
            Self::System => "system",
        }
    }

    /// Exact, lower-case match only: the values come from our own database,
    /// so anything else is a bug to surface, not input to be forgiving about.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "sticker" => Some(Self::Sticker),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

pub const DELETED: &str = "[message deleted]";
/// What a message removed by a moderator shows, to everyone (F21).
pub const REMOVED: &str = "[removed by a moderator]";
/// What a message from someone the viewer blocks shows until Show (F21).
pub const BLOCKED: &str = "Message from someone you blocked";
pub const STICKER_PREVIEW: &str = "🖼️";
/// The preview's length in characters as a reader counts them
/// ([`text::count`]); the cut lands on a grapheme boundary, so it never
/// splits an emoji sequence or a letter from its accent.
pub const PREVIEW_CHARS: usize = 80;

/// The navigation list's one-line preview of a thread's last message.
pub fn preview(kind: MessageKind, body: &str, deleted: bool) -> String {
    // A deleted message's body may still be a sticker id or the old text;
    // neither must leak into the list.
    if deleted {
        return DELETED.to_owned();
    }
    match kind {
        MessageKind::Sticker => STICKER_PREVIEW.to_owned(),
        MessageKind::Text | MessageKind::System => one_line(body),
    }
}

/// "You" when the viewer sent it, else the sender's username.
pub fn sender_label(sender_id: i64, viewer_id: i64, username: &str) -> String {
    if sender_id == viewer_id {
        "You".to_owned()
    } else {
        username.to_owned()
    }
}

/// The list row is a single line, so line breaks and runs of spaces would
/// only waste its width.
fn one_line(body: &str) -> String {
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    text::truncate(&collapsed, PREVIEW_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_round_trips_through_str_and_serde() -> Result<(), serde_json::Error> {
        for kind in [MessageKind::Text, MessageKind::Sticker, MessageKind::System] {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind)?;
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<MessageKind>(&json)?, kind);
        }
        assert_eq!(MessageKind::parse("Text"), None);
        assert_eq!(MessageKind::parse(""), None);
        assert_eq!(MessageKind::parse("image"), None);
        Ok(())
    }

    #[test]
    fn short_text_unchanged() {
        assert_eq!(
            preview(MessageKind::Text, "hello there", false),
            "hello there"
        );
    }

    #[test]
    fn system_text_previewed_like_text() {
        assert_eq!(
            preview(MessageKind::System, "  ana  joined\nthe chat ", false),
            "ana joined the chat"
        );
    }

    #[test]
    fn whitespace_and_newlines_collapsed() {
        assert_eq!(
            preview(
                MessageKind::Text,
                "\n  first line\r\n\n\tsecond   line  \n",
                false
            ),
            "first line second line"
        );
        assert_eq!(preview(MessageKind::Text, " \n\t ", false), "");
    }

    #[test]
    fn deleted_wins_over_every_kind() {
        assert_eq!(preview(MessageKind::Text, "secret", true), DELETED);
        assert_eq!(preview(MessageKind::Sticker, "otter", true), DELETED);
        assert_eq!(preview(MessageKind::System, "ana left", true), DELETED);
    }

    #[test]
    fn sticker_shows_picture_not_id() {
        assert_eq!(
            preview(MessageKind::Sticker, "otter", false),
            STICKER_PREVIEW
        );
    }

    #[test]
    fn exactly_limit_is_not_cut() {
        let body = "a".repeat(PREVIEW_CHARS);
        assert_eq!(preview(MessageKind::Text, &body, false), body);
    }

    #[test]
    fn one_over_limit_is_cut_with_ellipsis() {
        let body = "a".repeat(PREVIEW_CHARS + 1);
        let expected = format!("{}…", "a".repeat(PREVIEW_CHARS));
        assert_eq!(preview(MessageKind::Text, &body, false), expected);
    }

    #[test]
    fn limit_counts_collapsed_text() {
        // 80 visible chars once the newlines collapse, so no cut.
        let body = format!("{}\n\n\n\n{}", "a".repeat(40), "b".repeat(39));
        let out = preview(MessageKind::Text, &body, false);
        assert_eq!(out.chars().count(), PREVIEW_CHARS);
        assert!(!out.ends_with('…'));
    }

    #[test]
    fn emoji_at_cut_kept_whole() {
        // 79 ASCII then emoji (4 bytes each): the 80th char is the first emoji.
        let body = format!("{}😀😀😀", "x".repeat(PREVIEW_CHARS - 1));
        let out = preview(MessageKind::Text, &body, false);
        assert_eq!(out, format!("{}😀…", "x".repeat(PREVIEW_CHARS - 1)));
    }

    #[test]
    fn an_emoji_sequence_at_the_cut_is_kept_whole_or_dropped_whole() {
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
        let a79 = "a".repeat(PREVIEW_CHARS - 1);
        // The family is the 80th character: it fits, whole.
        let body = format!("{a79}{family}");
        assert_eq!(preview(MessageKind::Text, &body, false), body);
        let body = format!("{a79}{family} and more");
        assert_eq!(
            preview(MessageKind::Text, &body, false),
            format!("{a79}{family}…")
        );
        // The 81st: cut before it, not inside it.
        let body = format!("{a79}b{family}");
        assert_eq!(preview(MessageKind::Text, &body, false), format!("{a79}b…"));
        let flags = "🇳🇴".repeat(PREVIEW_CHARS + 1);
        assert_eq!(
            preview(MessageKind::Text, &flags, false),
            format!("{}…", "🇳🇴".repeat(PREVIEW_CHARS))
        );
    }

    #[test]
    fn cjk_cut_by_chars_not_bytes() {
        let body = "漢".repeat(PREVIEW_CHARS + 5);
        let out = preview(MessageKind::Text, &body, false);
        assert_eq!(out.chars().count(), PREVIEW_CHARS + 1);
        assert_eq!(out, format!("{}…", "漢".repeat(PREVIEW_CHARS)));
        // 80 CJK chars are 240 bytes and must not be cut at all.
        let exact = "字".repeat(PREVIEW_CHARS);
        assert_eq!(preview(MessageKind::Text, &exact, false), exact);
    }

    #[test]
    fn space_before_cut_dropped() {
        let body = format!("{} tail", "a".repeat(PREVIEW_CHARS - 1));
        assert_eq!(
            preview(MessageKind::Text, &body, false),
            format!("{}…", "a".repeat(PREVIEW_CHARS - 1))
        );
    }

    #[test]
    fn sender_label_you_or_name() {
        assert_eq!(sender_label(7, 7, "ana"), "You");
        assert_eq!(sender_label(7, 8, "ana"), "ana");
    }
}
