//! CSV import, the pure part: reading a file's bytes (encoding and delimiter
//! detection, an RFC 4180 parser with bounded fields and rows), guessing what each
//! column holds from its header, turning one row into checked values with the same
//! rules as the forms, and writing CSV back (the rejected rows, with formula-looking
//! cells neutralised). The wire types are in [`crate::api::import`]; the server
//! decides what a row does against the database.

pub mod csv;
pub mod guess;
pub mod row;

pub use csv::{
    decode, decode_owned, detect_delimiter, neutralise_formula, write_row, CsvError, Decoded, Record, Records,
};
pub use guess::guess_mapping;
pub use row::{check_mapping, parse_manager, read_row, PropertyDef, RowValues};
