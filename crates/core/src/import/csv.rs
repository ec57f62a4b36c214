//! Reading and writing CSV: the file's encoding (UTF-8 with or without a byte order
//! mark, else Windows-1252), its delimiter (comma, semicolon or tab), and an RFC 4180
//! parser over the decoded text that yields one record at a time (quoted fields may
//! hold delimiters, line breaks and doubled quotes; CRLF, LF or CR line ends), with
//! every field, row and column count bounded.

use std::borrow::Cow;
use std::fmt;

use crate::api::import::{Delimiter, Encoding, MAX_COLUMNS, MAX_FIELD_CHARS, MAX_ROW_BYTES};

/// A file's text and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
}

/// Why a file cannot be read as CSV; `Display` is the message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    Empty,
    Binary,
    Utf16,
    UnclosedQuote { line: usize },
    FieldTooLong { line: usize },
    RowTooLong { line: usize },
    TooManyColumns { line: usize },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::Empty => f.write_str("The file is empty."),
            CsvError::Binary => {
                f.write_str("This is not a CSV file: it holds binary data. Save the sheet as CSV and upload that.")
            }
            CsvError::Utf16 => f.write_str("The file is UTF-16 text. Save it as CSV UTF-8 and upload that."),
            CsvError::UnclosedQuote { line } => {
                write!(f, "Line {line}: a quoted field is never closed (a \" is missing).")
            }
            CsvError::FieldTooLong { line } => {
                write!(f, "Line {line}: a field is longer than {MAX_FIELD_CHARS} characters.")
            }
            CsvError::RowTooLong { line } => {
                write!(f, "Line {line}: the row is longer than {} KiB.", MAX_ROW_BYTES / 1024)
            }
            CsvError::TooManyColumns { line } => write!(f, "Line {line}: more than {MAX_COLUMNS} columns."),
        }
    }
}

impl std::error::Error for CsvError {}

/// Windows-1252's characters for the bytes 0x80 to 0x9F (the five bytes it leaves
/// undefined map to the C1 control characters, as browsers decode them).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
    '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}',
    '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}',
    '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// One byte of Windows-1252 as its character.
pub fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Reads a file's bytes as text: UTF-8 (a leading byte order mark is dropped), else
/// Windows-1252. Refuses an empty file, UTF-16, and binary data (a NUL byte, or many
/// control characters in the first 8 KiB).
pub fn decode(bytes: &[u8]) -> Result<Decoded, CsvError> {
    decode_owned(bytes.to_vec())
}

/// [`decode`] of bytes the caller gives up: UTF-8 text keeps their buffer (no copy
/// of a large file).
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<Decoded, CsvError> {
    check_text_bytes(&bytes)?;
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if bom {
        bytes.drain(..3);
    }
    let decoded = match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, encoding: if bom { Encoding::Utf8Bom } else { Encoding::Utf8 } },
        Err(e) => {
            Decoded { text: e.as_bytes().iter().map(|&b| cp1252_char(b)).collect(), encoding: Encoding::Windows1252 }
        }
    };
    if decoded.text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(decoded)
}

/// Refuses UTF-16 and binary data (a NUL byte, or many control characters in the
/// first 8 KiB).
fn check_text_bytes(bytes: &[u8]) -> Result<(), CsvError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(CsvError::Utf16);
    }
    if bytes.contains(&0) {
        return Err(CsvError::Binary);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0C | 0x1A)).count();
    if controls * 100 > head.len() {
        return Err(CsvError::Binary);
    }
    Ok(())
}

/// The delimiter of a file: of comma, semicolon and tab, the one counted (outside
/// quotes) on the header line and the same number of times on most of the next lines
/// (up to 20 lines are read); the header's count breaks ties, then that order. A file
/// with none of them has one column: comma.
pub fn detect_delimiter(text: &str) -> Delimiter {
    let mut lines: Vec<[usize; 3]> = Vec::new();
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && lines.len() < 20 {
        let b = bytes[i];
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            match b {
                b',' => counts[0] += 1,
                b';' => counts[1] += 1,
                b'\t' => counts[2] += 1,
                b'\n' | b'\r' => {
                    if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    lines.push(counts);
                    counts = [0; 3];
                }
                _ => {}
            }
        }
        i += 1;
    }
    if lines.len() < 20 && counts.iter().any(|&c| c > 0) {
        lines.push(counts);
    }
    let Some(header) = lines.first() else { return Delimiter::Comma };
    let mut best: Option<(usize, usize, Delimiter)> = None;
    for (k, delimiter) in Delimiter::ALL.into_iter().enumerate() {
        if header[k] == 0 {
            continue;
        }
        let consistent = lines[1..].iter().filter(|l| l[k] == header[k]).count();
        let score = (consistent, header[k]);
        if best.is_none_or(|(c, h, _)| score > (c, h)) {
            best = Some((score.0, score.1, delimiter));
        }
    }
    best.map_or(Delimiter::Comma, |(_, _, d)| d)
}

/// One record of a file: its first line (1-based) and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// The records of a text, one at a time. Blank rows (every field empty) are skipped.
/// After an error the iterator ends.
pub struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delimiter: u8,
    failed: bool,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, delimiter: Delimiter) -> Records<'a> {
        Records { text, pos: 0, line: 1, delimiter: delimiter.byte(), failed: false }
    }

    /// The end of an unquoted stretch: the next delimiter or line end, or the text's end.
    fn stretch_end(&self, from: usize) -> usize {
        let d = self.delimiter;
        self.text.as_bytes()[from..]
            .iter()
            .position(|&b| b == d || b == b'\n' || b == b'\r')
            .map_or(self.text.len(), |i| from + i)
    }

    fn record(&mut self) -> Result<Record, CsvError> {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let start_line = self.line;
        let row_start = self.pos;
        let mut fields = Vec::new();
        loop {
            let mut field = String::new();
            if self.pos < len && bytes[self.pos] == b'"' {
                self.pos += 1;
                loop {
                    let Some(i) = self.text[self.pos..].find('"') else {
                        return Err(CsvError::UnclosedQuote { line: start_line });
                    };
                    let chunk = &self.text[self.pos..self.pos + i];
                    self.line += line_breaks(chunk);
                    field.push_str(chunk);
                    self.pos += i + 1;
                    if self.pos - row_start > MAX_ROW_BYTES {
                        return Err(CsvError::RowTooLong { line: start_line });
                    }
                    if bytes.get(self.pos) == Some(&b'"') {
                        field.push('"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                // Text after the closing quote is kept as it is (lenient, like spreadsheets).
                let end = self.stretch_end(self.pos);
                field.push_str(&self.text[self.pos..end]);
                self.pos = end;
            } else {
                let end = self.stretch_end(self.pos);
                field.push_str(&self.text[self.pos..end]);
                self.pos = end;
            }
            if self.pos - row_start > MAX_ROW_BYTES {
                return Err(CsvError::RowTooLong { line: start_line });
            }
            if !crate::limits::within_chars(&field, MAX_FIELD_CHARS) {
                return Err(CsvError::FieldTooLong { line: start_line });
            }
            fields.push(field);
            if fields.len() > MAX_COLUMNS {
                return Err(CsvError::TooManyColumns { line: start_line });
            }
            match bytes.get(self.pos) {
                None => break,
                Some(&b) if b == self.delimiter => self.pos += 1,
                Some(b'\r') => {
                    self.pos += 1;
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                    break;
                }
                Some(_) => {
                    // '\n'
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
            }
        }
        Ok(Record { line: start_line, fields })
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.pos < self.text.len() {
            match self.record() {
                Ok(r) if r.fields.iter().all(String::is_empty) => continue,
                Ok(r) => return Some(Ok(r)),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// Line breaks in a text: LF, CRLF and lone CR each count once.
fn line_breaks(text: &str) -> usize {
    let b = text.as_bytes();
    (0..b.len()).filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))).count()
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return first), prefixed with `'` so it shows as text.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Appends one row to `out`, fields quoted when they hold the delimiter, a quote or a
/// line break (quotes doubled), ended by CRLF.
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S], delimiter: Delimiter) {
    let d = char::from(delimiter.byte());
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(d);
        }
        let field = field.as_ref();
        if field.contains([d, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, d: Delimiter) -> Vec<(usize, Vec<String>)> {
        Records::new(text, d).map(|r| r.map(|r| (r.line, r.fields))).collect::<Result<_, _>>().unwrap()
    }

    fn v(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_encoding_is_utf8_with_or_without_bom_else_windows_1252() {
        let cases: &[(&[u8], Encoding, &str)] = &[
            (b"email\na@b.test", Encoding::Utf8, "email\na@b.test"),
            (b"\xEF\xBB\xBFemail", Encoding::Utf8Bom, "email"),
            ("Zürich".as_bytes(), Encoding::Utf8, "Zürich"),
            (b"Z\xfcrich \x80 \x93q\x94 \x9f \x81", Encoding::Windows1252, "Zürich € “q” Ÿ \u{81}"),
        ];
        for (bytes, encoding, text) in cases {
            let d = decode(bytes).unwrap();
            assert_eq!((d.encoding, d.text.as_str()), (*encoding, *text));
        }
    }

    #[test]
    fn every_high_windows_1252_byte_decodes() {
        let all: Vec<u8> = (0x80..=0xFF).collect();
        let d = decode(&all).unwrap();
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert_eq!(d.text.chars().count(), 128);
        assert_eq!(d.text.chars().nth(0x8A - 0x80), Some('Š'));
        assert_eq!(d.text.chars().nth(0x96 - 0x80), Some('–'));
        assert_eq!(d.text.chars().nth(0xE9 - 0x80), Some('é'));
    }

    #[test]
    fn empty_binary_and_utf16_files_are_refused() {
        assert_eq!(decode(b""), Err(CsvError::Empty));
        assert_eq!(decode(b" \r\n\n"), Err(CsvError::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF"), Err(CsvError::Empty));
        assert_eq!(decode(b"PK\x03\x04\x00\x00"), Err(CsvError::Binary));
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\x01\x02\x03\x04\x05\x06\x07\x08"), Err(CsvError::Binary));
        assert_eq!(decode(b"\xFF\xFEe\x00m\x00"), Err(CsvError::Utf16));
    }

    #[test]
    fn the_delimiter_is_detected_outside_quotes() {
        let cases = [
            ("email,name\na@b.test,Ann\n", Delimiter::Comma),
            ("email;name\na@b.test;Ann\n", Delimiter::Semicolon),
            ("email\tname\na@b.test\tAnn", Delimiter::Tab),
            ("email;name\n\"a,b,c\";Ann\n", Delimiter::Semicolon),
            ("\"Name, with comma\";Email;Company\nx;y;z\nx;y;z\n", Delimiter::Semicolon),
            ("email\na@b.test\n", Delimiter::Comma),
            // Decimal commas in a semicolon file: the consistent one wins.
            ("a;b;c\n1,5;2,5;3\n1;2;3,75\n", Delimiter::Semicolon),
        ];
        for (text, d) in cases {
            assert_eq!(detect_delimiter(text), d, "{text:?}");
        }
    }

    #[test]
    fn quoted_fields_hold_delimiters_line_breaks_and_doubled_quotes() {
        let text = "a,b,c\r\n\"x,1\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\nlast,,\n";
        assert_eq!(
            parse(text, Delimiter::Comma),
            vec![(1, v(&["a", "b", "c"])), (2, v(&["x,1", "line1\nline2", "say \"hi\""])), (4, v(&["last", "", ""])),]
        );
    }

    #[test]
    fn line_ends_may_be_crlf_lf_or_cr_and_blank_rows_are_skipped() {
        let text = "h1;h2\r\n\r\na;b\rc;d\n;\ne;f";
        assert_eq!(
            parse(text, Delimiter::Semicolon),
            vec![(1, v(&["h1", "h2"])), (3, v(&["a", "b"])), (4, v(&["c", "d"])), (6, v(&["e", "f"]))]
        );
    }

    #[test]
    fn text_after_a_closing_quote_and_stray_quotes_are_kept() {
        assert_eq!(parse("\"ab\"c,d\"e\n", Delimiter::Comma), vec![(1, v(&["abc", "d\"e"]))]);
    }

    #[test]
    fn an_unclosed_quote_names_its_line_and_ends_the_records() {
        let mut records = Records::new("a\nb\n\"open\nstill", Delimiter::Comma);
        assert!(records.next().unwrap().is_ok());
        assert!(records.next().unwrap().is_ok());
        assert_eq!(records.next(), Some(Err(CsvError::UnclosedQuote { line: 3 })));
        assert_eq!(records.next(), None);
    }

    #[test]
    fn fields_rows_and_columns_are_bounded() {
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        assert_eq!(
            Records::new(&format!("a\n{long}"), Delimiter::Comma).nth(1),
            Some(Err(CsvError::FieldTooLong { line: 2 }))
        );
        let wide = vec!["x"; MAX_COLUMNS + 1].join(",");
        assert_eq!(Records::new(&wide, Delimiter::Comma).next(), Some(Err(CsvError::TooManyColumns { line: 1 })));
        let row = vec!["y".repeat(10_000); 30].join(",");
        assert_eq!(Records::new(&row, Delimiter::Comma).next(), Some(Err(CsvError::RowTooLong { line: 1 })));
        let quoted = format!("\"{}\"", "z".repeat(MAX_ROW_BYTES + 10));
        assert_eq!(Records::new(&quoted, Delimiter::Comma).next(), Some(Err(CsvError::RowTooLong { line: 1 })));
    }

    #[test]
    fn formula_looking_cells_are_neutralised() {
        for (cell, out) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("ann@acme.test", "ann@acme.test"),
            ("", ""),
        ] {
            assert_eq!(neutralise_formula(cell), out);
        }
    }

    #[test]
    fn written_rows_read_back() {
        let rows = vec![v(&["a", "b,c", "say \"hi\""]), v(&["multi\nline", "", "x;y"])];
        for d in Delimiter::ALL {
            let mut out = String::new();
            for r in &rows {
                write_row(&mut out, r, d);
            }
            let back: Vec<Vec<String>> = parse(&out, d).into_iter().map(|(_, f)| f).collect();
            assert_eq!(back, rows, "{d:?}");
        }
    }
}
