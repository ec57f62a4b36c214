//! Counting in words: the sentences the app shows about how many of something there are.

/// "1 customer" / "3 customers" / "10,003 organizations".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

/// `30120` as `30,120`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
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

/// "Members 51–100 of 240": which rows of a paged list are shown (`start` is the
/// offset of the first, `shown` how many there are).
pub fn range_of(things: &str, start: usize, shown: usize, total: usize) -> String {
    format!("{things} {}–{} of {total}", start + 1, start + shown)
}

/// "Entries 1–50 of 240, newest first.", or for a page past the end
/// "No entries on this page; 240 in all.": the summary of a log read newest first.
pub fn newest_first_summary(things: &str, start: usize, shown: usize, total: usize) -> String {
    if shown == 0 {
        format!("No {} on this page; {total} in all.", things.to_lowercase())
    } else {
        format!("{}, newest first.", range_of(things, start, shown, total))
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
        assert_eq!(count_of(10_003, "organization", "organizations"), "10,003 organizations");
    }

    #[test]
    fn notifications_are_counted_in_words() {
        assert_eq!(notified_text(3, "member"), "Sent to 3 members.");
        assert_eq!(notified_text(1, "member"), "Sent to 1 member.");
        assert_eq!(notified_text(0, "follower"), "Saved. No followers to notify.");
    }

    #[test]
    fn a_page_says_which_rows_it_shows() {
        assert_eq!(range_of("Members", 50, 50, 240), "Members 51–100 of 240");
        assert_eq!(newest_first_summary("Entries", 0, 4, 4), "Entries 1–4 of 4, newest first.");
        assert_eq!(newest_first_summary("Emails", 100, 0, 12), "No emails on this page; 12 in all.");
    }
}
