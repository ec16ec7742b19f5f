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
        assert_eq!(avatar_initial(""), "?");
    }
}
