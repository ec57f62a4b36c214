//! Reading and writing `key=value&...` query strings, for the typed filters that
//! travel in URLs (the API's and the web app's own).

/// Percent-encodes everything but unreserved characters (commas stay readable).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (a space); a malformed escape stays as written.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `(key, value)` pairs of a query string (with or without its `?`), in order.
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_text_decodes_to_itself() {
        for s in ["printer jam", "#12", "a&b=c", "100% ü", "new,open", ""] {
            assert_eq!(decode(&encode(s)), s, "{s}");
        }
        assert_eq!(encode("a b,c"), "a%20b,c");
    }

    #[test]
    fn plus_is_a_space_and_a_bad_escape_stays() {
        assert_eq!(decode("a+b"), "a b");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }

    #[test]
    fn pairs_keep_their_order_and_decode() {
        assert_eq!(
            pairs("?q=a%20b&status=new,open&flag"),
            [("q".into(), "a b".into()), ("status".into(), "new,open".into()), ("flag".into(), String::new())]
        );
        assert!(pairs("").is_empty());
    }
}
