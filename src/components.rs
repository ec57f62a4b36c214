//! Reusable views, one public component per file.

pub mod add_customer_dialog;
pub mod confirm_dialog;
pub mod connection_banner;
pub mod conversation_form;
pub mod customer_settings;
pub mod debounce;
pub mod dialog;
pub mod edit_customer_dialog;
pub mod move_dialog;
pub mod new_item_dialog;
pub mod organization_dialog;
pub mod paged_list;
pub mod pager;
pub mod project_dialog;
pub mod property_definitions;
pub mod search_picker;
pub mod select_field;
pub mod text_area;
pub mod text_field;
pub mod timestamp;
pub mod toast;
pub mod top_bar;
