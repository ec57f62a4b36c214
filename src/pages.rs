//! Routed screens.

pub mod account;
pub mod admin;
pub mod choose_password;
pub mod customer_profile;
pub mod customers;
pub mod forgot_password;
pub mod login;
pub mod not_found;
pub mod organization;
pub mod organization_merge;
pub mod portal;
pub mod projects;
pub mod reset_password;
pub mod tickets;
