//! Words for people: counts with the right noun ("1 customer", "3 customers"),
//! lists joined with "and", and names cut short ("Ann Lee, Bob Stone and 3 more").

/// `n` with its noun, singular for exactly one: `count(1, "customer", "customers")`
/// is "1 customer", `count(0, ...)` is "0 customers".
pub fn count(n: i64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The verb that agrees with `n` things: `agree(1, "matches", "match")` is "matches".
pub fn agree<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_and<S: AsRef<str>>(parts: &[S]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// The first `shown` names, then "and N more" for the rest of `total` (which may
/// exceed the names known): "Ann Lee, Bob Stone and 3 more".
pub fn names_and_more<S: AsRef<str>>(names: &[S], total: i64, shown: usize) -> String {
    let listed: Vec<&str> = names.iter().take(shown).map(AsRef::as_ref).collect();
    let rest = total - listed.len() as i64;
    if rest <= 0 {
        return join_and(&listed);
    }
    if listed.is_empty() {
        return count(rest, "customer", "customers");
    }
    format!("{} and {rest} more", listed.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "customer", "customers"), "1 customer");
        assert_eq!(count(0, "customer", "customers"), "0 customers");
        assert_eq!(count(2, "customer", "customers"), "2 customers");
        assert_eq!(agree(1, "matches", "match"), "matches");
        assert_eq!(agree(3, "matches", "match"), "match");
    }

    #[test]
    fn lists_join_with_and() {
        assert_eq!(join_and::<&str>(&[]), "");
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn long_lists_of_names_end_with_how_many_more() {
        let names = ["Ann Lee", "Bob Stone", "Cy Young", "Di Ross", "Ed Wood"];
        assert_eq!(names_and_more(&names[..2], 2, 2), "Ann Lee and Bob Stone");
        assert_eq!(names_and_more(&names, 5, 2), "Ann Lee, Bob Stone and 3 more");
        assert_eq!(names_and_more(&names, 60, 3), "Ann Lee, Bob Stone, Cy Young and 57 more");
        assert_eq!(names_and_more::<&str>(&[], 4, 2), "4 customers");
    }
}
