//! Routed screens.

pub mod admin;
pub mod customers;
pub mod login;
pub mod not_found;
pub mod organization;
pub mod projects;
pub mod tickets;
