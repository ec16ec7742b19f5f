//! The text of system lines: what a group's history says about changes to
//! its membership and name ("ana added bo").

/// "bo", "bo and cy", "bo, cy and dee".
pub fn list_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub fn created_group(actor: &str, added: &[&str]) -> String {
    format!("{actor} created the group with {}", list_names(added))
}

pub fn added(actor: &str, added: &[&str]) -> String {
    format!("{actor} added {}", list_names(added))
}

pub fn removed(actor: &str, removed: &str) -> String {
    format!("{actor} removed {removed}")
}

pub fn left(who: &str) -> String {
    format!("{who} left")
}

/// Someone joined a room by its link or the rooms list.
pub fn joined(who: &str) -> String {
    format!("{who} joined")
}

/// Someone made a room ("ana created the room").
pub fn created_room(who: &str) -> String {
    format!("{who} created the room")
}

pub fn renamed(actor: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!("{actor} named the group \u{201c}{t}\u{201d}"),
        None => format!("{actor} removed the group name"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_like_sentences() {
        assert_eq!(
            created_group("ana", &["bo", "cy"]),
            "ana created the group with bo and cy"
        );
        assert_eq!(added("ana", &["bo"]), "ana added bo");
        assert_eq!(
            added("ana", &["bo", "cy", "dee"]),
            "ana added bo, cy and dee"
        );
        assert_eq!(removed("ana", "bo"), "ana removed bo");
        assert_eq!(left("bo"), "bo left");
        assert_eq!(
            renamed("ana", Some("Otters")),
            "ana named the group “Otters”"
        );
        assert_eq!(renamed("ana", None), "ana removed the group name");
        assert_eq!(list_names(&[]), "");
    }
}
