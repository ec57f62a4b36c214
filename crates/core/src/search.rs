//! The Customers search as one rule for the browser and both databases: text is
//! folded (lower case, accents of Latin letters removed: "Zoë" = "zoe"), a search
//! of at least [`MIN_SUBSTRING`] characters matches anywhere in a text, a shorter
//! one at the start of a word.
//!
//! [`FOLDED_FROM`] / [`FOLDED_TO`] are the accent table; PostgreSQL's
//! `orgdesk_fold` (migration 0013) applies the same table with `translate`, and
//! SQLite's trigram index removes the same accents (`remove_diacritics 1`: letters
//! whose accent is a separate mark in Unicode; "ø", "ł" or "đ" keep theirs there
//! and here alike).

use std::ops::Range;

/// Searches at least this long (folded, in characters) match anywhere, as a trigram index answers them.
pub const MIN_SUBSTRING: usize = 3;

/// Accented Latin letters, upper and lower case, each folded to the letter at the
/// same position of [`FOLDED_TO`].
pub const FOLDED_FROM: &str = "àáâãäåāăąçćĉċčďèéêëēĕėęěĝğġģĥìíîïĩīĭįĵķĺļľñńņňòóôõöōŏőŕŗřśŝşšșţťțùúûüũūŭůűųŵýÿŷźżž\
ÀÁÂÃÄÅĀĂĄÇĆĈĊČĎÈÉÊËĒĔĖĘĚĜĞĠĢĤÌÍÎÏĨĪĬĮİĴĶĹĻĽÑŃŅŇÒÓÔÕÖŌŎŐŔŖŘŚŜŞŠȘŢŤȚÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ";

/// The letters [`FOLDED_FROM`] folds to, position by position.
pub const FOLDED_TO: &str = "aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiijklllnnnnoooooooorrrssssstttuuuuuuuuuuwyyyzzz\
aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiiijklllnnnnoooooooorrrssssstttuuuuuuuuuuwyyyzzz";

/// One character folded: its accent-free lower-case letter; characters whose
/// lower case is several characters stay as they are (so positions map 1:1).
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if let Some(i) = FOLDED_FROM.chars().position(|f| f == c) {
        return FOLDED_TO.chars().nth(i).unwrap_or(c);
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The text folded: lower case, Latin accents removed, one character for each of `text`'s.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// The search as the server and the browser use it: trimmed and folded.
pub fn normalize_query(q: &str) -> String {
    fold(q.trim())
}

/// Whether a (normalized) search matches anywhere (true) or only at word starts.
pub fn is_substring_search(normalized: &str) -> bool {
    normalized.chars().count() >= MIN_SUBSTRING
}

/// Where `query` matches in `text`, as byte ranges of `text` in order and not
/// overlapping, for highlighting: anywhere for a search of [`MIN_SUBSTRING`]
/// characters or more, at the start of `text` or of a word for a shorter one.
pub fn match_ranges(text: &str, query: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = normalize_query(query).chars().collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let anywhere = needle.len() >= MIN_SUBSTRING;
    // Each character's byte offset, folded.
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold_char(c))).collect();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i + needle.len() <= chars.len() {
        let word_start = i == 0 || !chars[i - 1].1.is_alphanumeric();
        if (anywhere || word_start) && chars[i..i + needle.len()].iter().map(|(_, c)| *c).eq(needle.iter().copied()) {
            let end = chars.get(i + needle.len()).map_or(text.len(), |(b, _)| *b);
            ranges.push(chars[i].0..end);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    ranges
}

/// `text` cut into pieces, each marked `true` when it is a match (see [`match_ranges`]).
pub fn highlight<'a>(text: &'a str, query: &str) -> Vec<(&'a str, bool)> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for r in match_ranges(text, query) {
        if r.start > at {
            pieces.push((&text[at..r.start], false));
        }
        pieces.push((&text[r.clone()], true));
        at = r.end;
    }
    if at < text.len() || pieces.is_empty() {
        pieces.push((&text[at..], false));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accent_table_pairs_every_letter() {
        assert_eq!(FOLDED_FROM.chars().count(), FOLDED_TO.chars().count());
        for (from, to) in FOLDED_FROM.chars().zip(FOLDED_TO.chars()) {
            assert!(to.is_ascii_lowercase(), "{from} -> {to}");
            assert!(!from.is_ascii(), "{from}");
        }
        let mut seen: Vec<char> = FOLDED_FROM.chars().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), FOLDED_FROM.chars().count(), "a letter is listed twice");
    }

    #[test]
    fn folding_removes_case_and_accents_and_keeps_one_character_per_character() {
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("ÉLODIE Müller-Škoda"), "elodie muller-skoda");
        assert_eq!(fold("İpek Ñandú"), "ipek nandu");
        assert_eq!(fold("Ærøskøbing"), "ærøskøbing", "letters without a separate accent keep it, as in SQLite");
        assert_eq!(fold("ΑΘΗΝΑ"), "αθηνα");
        for s in ["Zoë", "İpek", "ẞtraße", "ǅ"] {
            assert_eq!(fold(s).chars().count(), s.chars().count(), "{s}");
        }
    }

    #[test]
    fn a_search_of_three_characters_or_more_matches_anywhere() {
        assert!(!is_substring_search("ac"));
        assert!(is_substring_search("acm"));
        assert!(is_substring_search(&normalize_query("  Zoë ")));
        assert_eq!(match_ranges("zoe@acme.com", "acme.com"), vec![4..12]);
        assert_eq!(match_ranges("zoe@acme.com", "@ACME"), vec![3..8]);
        assert_eq!(match_ranges("Acme and acme", "acme"), vec![0..4, 9..13]);
        assert_eq!(match_ranges("aaaa", "aaa"), vec![0..3], "matches do not overlap");
    }

    #[test]
    fn a_shorter_search_matches_word_starts_only() {
        assert_eq!(match_ranges("Ann Banner", "an"), vec![0..2]);
        assert_eq!(match_ranges("Lee Ann", "an"), vec![4..6]);
        assert_eq!(match_ranges("ann@x.com", "co"), vec![6..8]);
    }

    #[test]
    fn ranges_are_bytes_of_the_original_text_with_its_accents() {
        let text = "Zoë Öberg";
        let ranges = match_ranges(text, "zoe");
        assert_eq!(ranges, vec![0..4]);
        assert_eq!(&text[ranges[0].clone()], "Zoë");
        assert_eq!(match_ranges(text, "OBERG").iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(), ["Öberg"]);
    }

    #[test]
    fn highlighting_cuts_the_text_into_marked_and_plain_pieces() {
        assert_eq!(highlight("zoe@acme.com", "acme"), vec![("zoe@", false), ("acme", true), (".com", false)]);
        assert_eq!(highlight("Acme", "acme"), vec![("Acme", true)]);
        assert_eq!(highlight("Globex", "acme"), vec![("Globex", false)]);
        assert_eq!(highlight("", "acme"), vec![("", false)]);
        assert_eq!(highlight("Globex", ""), vec![("Globex", false)]);
    }
}
