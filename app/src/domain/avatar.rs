/// The hue (0–359) of a generated avatar: stable for a username, so the
/// same person has the same colour everywhere, on the server and in the
/// browser alike (FNV-1a; no randomness, no platform-dependent hashing).
pub fn avatar_hue(username: &str) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for b in username.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % 360) as u16
}

/// Degrees between two avatar colours: [`avatar_hue_class`] names one of
/// `360 / HUE_STEP` classes, each defined in `style/main.css`.
pub const HUE_STEP: u16 = 15;

/// The class (`hue-0` … `hue-23`) that colours a generated avatar: the
/// name's hue rounded down to [`HUE_STEP`]. A class rather than an inline
/// `style` because the Content-Security-Policy allows no inline styles.
pub fn avatar_hue_class(username: &str) -> String {
    format!("hue-{}", avatar_hue(username) / HUE_STEP)
}

/// The letter shown in a generated avatar.
pub fn avatar_initial(username: &str) -> String {
    username
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_spread() {
        assert_eq!(avatar_hue("ana"), avatar_hue("ana"));
        assert_ne!(avatar_hue("ana"), avatar_hue("bo"));
        assert!(avatar_hue("anything-at-all") < 360);
        assert_eq!(avatar_initial("ana"), "A");
        assert_eq!(
            avatar_hue_class("ana"),
            format!("hue-{}", avatar_hue("ana") / 15)
        );
        assert_eq!(avatar_initial(""), "?");
    }

    /// Every class a name can get is one `style/main.css` defines.
    #[test]
    fn every_hue_class_is_in_the_stylesheet() {
        let css = include_str!("../../../style/main.css");
        for n in 0..360 / HUE_STEP {
            let rule = format!(".avatar.hue-{n} {{ --hue: {}; }}", n * HUE_STEP);
            assert!(css.contains(&rule), "style/main.css lacks `{rule}`");
        }
        assert!(!css.contains(&format!(".hue-{} ", 360 / HUE_STEP)));
    }
}
