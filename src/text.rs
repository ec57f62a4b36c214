//! Counting in words: the sentences the app shows about how many of something there are.

/// "1 customer" / "3 customers".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Sent to 3 members." / "Sent to 1 follower." / "Saved. No followers to notify.".
pub fn notified_text(n: i64, who: &str) -> String {
    match n {
        0 => format!("Saved. No {who}s to notify."),
        1 => format!("Sent to 1 {who}."),
        n => format!("Sent to {n} {who}s."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count_of(1, "customer", "customers"), "1 customer");
        assert_eq!(count_of(0, "customer", "customers"), "0 customers");
        assert_eq!(count_of(12, "match", "matches"), "12 matches");
    }

    #[test]
    fn notifications_are_counted_in_words() {
        assert_eq!(notified_text(3, "member"), "Sent to 3 members.");
        assert_eq!(notified_text(1, "member"), "Sent to 1 member.");
        assert_eq!(notified_text(0, "follower"), "Saved. No followers to notify.");
    }
}
