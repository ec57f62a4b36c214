//! Property tests of the CSV path: any bytes are read without a panic, and any rows
//! written as CSV read back as they were, with every delimiter. Brief: a few hundred
//! cases each, well under a couple of seconds.

use orgdesk_core::api::import::Delimiter;
use orgdesk_core::import::{decode, detect_delimiter, guess_mapping, write_row, Records};
use proptest::prelude::*;

fn delimiter() -> impl Strategy<Value = Delimiter> {
    prop_oneof![Just(Delimiter::Comma), Just(Delimiter::Semicolon), Just(Delimiter::Tab)]
}

/// Cells drawn mostly from the characters that matter to CSV.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z\",;\t\r\n =+@é€ -]{0,12}", any::<String>().prop_map(|s| s.chars().take(20).collect()),]
}

fn rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(
        prop::collection::vec(cell(), 1..6).prop_filter("blank rows are skipped", |r| r.iter().any(|c| !c.is_empty())),
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(decoded) = decode(&bytes) {
            let d = detect_delimiter(&decoded.text);
            let records: Vec<_> = Records::new(&decoded.text, d).collect();
            let mut last_line = 0;
            for r in records.iter().flatten() {
                prop_assert!(r.line > last_line, "lines only grow");
                last_line = r.line;
            }
            if let Some(Ok(header)) = records.first() {
                let preview: Vec<Vec<String>> = records.iter().skip(1).flatten().map(|r| r.fields.clone()).collect();
                let mapping = guess_mapping(&header.fields, &preview, &[]);
                prop_assert_eq!(mapping.len(), header.fields.len());
            }
        }
    }

    #[test]
    fn csv_like_text_is_read_without_panic(text in "[a-z\",;\t\r\n@ ]{0,200}", d in delimiter()) {
        for r in Records::new(&text, d).flatten() {
            prop_assert!(!r.fields.is_empty());
        }
    }

    #[test]
    fn written_rows_read_back(rows in rows(), d in delimiter()) {
        let mut text = String::new();
        for r in &rows {
            write_row(&mut text, r, d);
        }
        let back: Vec<Vec<String>> = Records::new(&text, d).map(|r| r.map(|r| r.fields)).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(back, rows);
    }
}
