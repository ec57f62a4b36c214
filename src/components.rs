//! Reusable views, one public component per file.

pub mod add_customer_dialog;
pub mod connection_banner;
pub mod customer_settings;
pub mod dialog;
pub mod edit_customer_dialog;
pub mod move_dialog;
pub mod organization_dialog;
pub mod text_field;
pub mod toast;
pub mod top_bar;
