//! Text as people see it: the one place that says what a line break is,
//! how long a text is, where it may be cut, and whether it shows anything.
//!
//! Every limit, counter and cut in the app goes through here, on the server
//! and in the browser alike, so the composer's counter, the server's refusal
//! and the navigation preview can never disagree:
//!
//! - **Line breaks** are `\n`. A browser posting a `<textarea>` as a plain
//!   form sends `\r\n` (HTML's form encoding), while the DOM's `value` and
//!   `fetch` give `\n`; [`normalize_newlines`] makes both one text.
//! - **Length** is counted in grapheme clusters (Unicode's extended
//!   grapheme clusters, UAX #29): what a reader sees as one character. 😀,
//!   é as `e` + U+0301, a flag 🇳🇴 and the family 👨‍👩‍👧‍👦 (seven code points)
//!   are each 1. Not UTF-16 units (`maxlength`, JavaScript's `length`), not
//!   `char`s, not bytes.
//! - **Cuts** land on grapheme boundaries, so a cut never splits an emoji
//!   sequence or strips an accent from its letter.
//! - **Blank** means nothing visible: whitespace, but also the invisible
//!   code points (zero-width space and joiners, word joiner, BOM, Hangul
//!   fillers, variation selectors, bidi controls, tags, …), see
//!   [`is_invisible`].
//!
//! A grapheme can carry any number of combining marks, so a count alone
//! does not bound size: every limit also has a byte cap,
//! [`BYTES_PER_CHARACTER`] per allowed character, far above honest text.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

/// Bytes of UTF-8 allowed per character of a limit: a text of at most
/// `max` characters must also be at most `max × 16` bytes.
///
/// Honest text stays far below: ASCII is 1 byte a character, most scripts
/// 2–3, an emoji 4, an emoji with a skin tone or a flag 8, a Devanagari
/// conjunct about 12. Only long emoji ZWJ sequences (the family 👨‍👩‍👧‍👦 is 25
/// bytes) go above 16, and a text made only of them hits the cap at
/// 2,560 of them instead of 4,000. What the cap stops is a "character" with
/// hundreds of stacked combining marks. It also keeps a full message within
/// the server's 256 KiB request limit even form-encoded (4,000 × 16 bytes,
/// percent-encoded at 3 bytes each, is 192,000 bytes), so an over-long text
/// is answered by its field rather than by a bare 413.
pub const BYTES_PER_CHARACTER: usize = 16;

/// Why a text does not fit a limit of `max` characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLong {
    /// More than `max` characters; the count, for the message.
    Characters(usize),
    /// Within `max` characters but over `max × BYTES_PER_CHARACTER` bytes.
    Bytes,
}

/// The text with every line break as `\n`: `\r\n` and a lone `\r` become
/// `\n`. Borrows when there is nothing to change (always, for text from
/// the DOM).
pub fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// How many characters a reader sees: grapheme clusters, not `char`s,
/// UTF-16 units or bytes. (`\r\n` is one, like `\n`.)
pub fn count(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Whether `text` fits in `max` characters and `max ×`
/// [`BYTES_PER_CHARACTER`] bytes. Stops counting one past the limit, so a
/// huge text costs no more than a full one.
pub fn check_length(text: &str, max: usize) -> Result<(), TooLong> {
    if text.len() > max.saturating_mul(BYTES_PER_CHARACTER) {
        return Err(TooLong::Bytes);
    }
    // Fewer bytes than the limit means fewer characters: no need to count.
    if text.len() <= max {
        return Ok(());
    }
    match text.graphemes(true).nth(max) {
        None => Ok(()),
        Some(_) => Err(TooLong::Characters(count(text))),
    }
}

/// At most `max` characters of `text`, cut on a grapheme boundary and
/// ended with "…" when something was dropped (the "…" is one character
/// more). Whitespace right before the cut is dropped, so it never reads
/// "word …".
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    match text.grapheme_indices(true).nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", text[..cut].trim_end())),
    }
}

/// Whether `text` shows nothing: empty, or only whitespace and invisible
/// code points ([`is_invisible`]). One visible character anywhere makes
/// it not blank.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_invisible)
}

/// `text` without blank characters at either end (see [`is_blank`]),
/// removed whole grapheme by grapheme: a variation selector or joiner that
/// belongs to a visible character stays with it (`"❤️"` keeps its U+FE0F).
pub fn trim_blank(text: &str) -> &str {
    let start = text
        .grapheme_indices(true)
        .find(|(_, g)| !is_blank(g))
        .map_or(text.len(), |(i, _)| i);
    let end = text
        .grapheme_indices(true)
        .rev()
        .find(|(_, g)| !is_blank(g))
        .map_or(start, |(i, g)| i + g.len());
    &text[start..end.max(start)]
}

/// Whether `c` draws nothing by itself: Unicode whitespace, control
/// characters, and the code points fonts render as nothing.
///
/// Those are Unicode's `Default_Ignorable_Code_Point` set (DerivedCoreProperties.txt:
/// soft hyphen, combining grapheme joiner, zero-width space, joiners and
/// marks, bidi controls, word joiner and invisible operators, Hangul
/// fillers, variation selectors, BOM, tags, Mongolian free variation
/// selectors and vowel separator, …) plus the Braille blank U+2800, which
/// is drawn as an empty cell and is a favourite "invisible" character.
/// A hand-written list rather than a table crate keeps the wasm small; the
/// set changes rarely and only by additions in unassigned ranges.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

    #[test]
    fn line_breaks_become_lf() {
        assert_eq!(normalize_newlines("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(normalize_newlines("\r\r\n\n"), "\n\n\n");
        assert!(matches!(normalize_newlines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_crlf_text_and_its_lf_form_count_the_same() {
        let lines = vec!["x".repeat(99); 40];
        let (crlf, lf) = (lines.join("\r\n"), lines.join("\n"));
        assert_eq!(count(&crlf), 3999);
        assert_eq!(count(&lf), 3999);
        assert_eq!(count(&normalize_newlines(&crlf)), 3999);
    }

    #[test]
    fn counts_what_a_reader_sees() {
        assert_eq!(count(""), 0);
        assert_eq!(count("abc"), 3);
        assert_eq!(count("😀"), 1);
        assert_eq!(count(FAMILY), 1);
        assert_eq!(FAMILY.chars().count(), 7);
        assert_eq!(count("🇳🇴🇸🇪"), 2, "two flags");
        assert_eq!(count("e\u{0301}"), 1, "e + combining acute");
        assert_eq!(count("👍🏽"), 1, "skin tone");
        assert_eq!(count("❤️"), 1, "with its variation selector");
        assert_eq!(count("漢字"), 2);
    }

    #[test]
    fn limits_count_graphemes_and_cap_bytes() {
        assert_eq!(check_length(&"😀".repeat(4000), 4000), Ok(()));
        assert_eq!(
            check_length(&"😀".repeat(4001), 4000),
            Err(TooLong::Characters(4001))
        );
        assert_eq!(check_length(&FAMILY.repeat(80), 80), Err(TooLong::Bytes));
        assert_eq!(check_length(&FAMILY.repeat(51), 80), Ok(()));
        assert_eq!(check_length("", 0), Ok(()));
        // One grapheme of many combining marks: 1 character, too many bytes.
        let zalgo = format!("a{}", "\u{0301}".repeat(40));
        assert_eq!(count(&zalgo), 1);
        assert_eq!(check_length(&zalgo, 1), Err(TooLong::Bytes));
        assert_eq!(check_length(&zalgo, 6), Ok(()));
    }

    #[test]
    fn cuts_land_on_grapheme_boundaries() {
        let a79 = "a".repeat(79);
        // 80 characters: nothing to cut, the family stays whole.
        let whole = format!("{a79}{FAMILY}");
        assert_eq!(truncate(&whole, 80), whole.as_str());
        let over = format!("{a79}{FAMILY}bbb");
        assert_eq!(truncate(&over, 80), format!("{a79}{FAMILY}…"));
        let before = format!("{a79}b{FAMILY}");
        assert_eq!(truncate(&before, 80), format!("{a79}b…"));
        assert_eq!(truncate("🇳🇴🇸🇪🇩🇰", 2), "🇳🇴🇸🇪…");
        assert_eq!(truncate("e\u{0301}e\u{0301}", 1), "e\u{0301}…");
        assert_eq!(truncate("word tail", 5), "word…");
        assert_eq!(truncate("short", 80), "short");
    }

    #[test]
    fn each_invisible_code_point_alone_is_blank() {
        let invisible = [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2060}',
            '\u{2061}',
            '\u{2064}',
            '\u{206F}',
            '\u{FEFF}',
            '\u{180E}',
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{FE0F}',
            '\u{FE00}',
            '\u{034F}',
            '\u{202A}',
            '\u{202E}',
            '\u{061C}',
            '\u{00AD}',
            '\u{E0001}',
            '\u{E0067}',
            '\u{E007F}',
            '\u{E0100}',
            '\u{2800}',
            '\u{17B4}',
            '\u{1D173}',
            '\u{00A0}',
            '\u{3000}',
            '\u{2028}',
            '\u{0085}',
            '\u{0000}',
            '\u{007F}',
            ' ',
            '\t',
            '\n',
            '\r',
        ];
        for c in invisible {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
            assert!(is_blank(&c.to_string()), "U+{:04X}", c as u32);
            assert!(is_blank(&format!(" {c}{c}\n")), "U+{:04X}", c as u32);
        }
        assert!(is_blank(""));
        assert!(is_blank("\u{200B}\u{2060}"));
    }

    #[test]
    fn one_visible_character_is_not_blank() {
        for text in [
            "a",
            "\u{200B}a\u{200B}",
            "\u{3164}.",
            "😀",
            FAMILY,
            "❤\u{FE0F}",
            "\u{0301}",
            "漢",
            "🇳🇴",
            "\u{2060}\u{2060}x",
        ] {
            assert!(!is_blank(text), "{text:?}");
        }
    }

    #[test]
    fn trimming_blank_keeps_what_belongs_to_a_visible_character() {
        assert_eq!(trim_blank("  Otters  "), "Otters");
        assert_eq!(trim_blank("\u{200B}Otters\u{2060}\u{FEFF}"), "Otters");
        assert_eq!(trim_blank(" I ❤️ "), "I ❤️");
        assert_eq!(trim_blank(&format!("\u{3164}{FAMILY}\u{200B}")), FAMILY);
        assert_eq!(trim_blank("a \u{200B} b"), "a \u{200B} b");
        assert_eq!(trim_blank("\u{200B}\u{2060}"), "");
        assert_eq!(trim_blank(""), "");
    }
}
