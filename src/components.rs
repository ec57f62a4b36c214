//! Reusable views, one public component per file.

pub mod connection_banner;
pub mod text_field;
pub mod top_bar;
