//! Orgdesk's shared core: the JSON contract between the web app and the server
//! ([`api`]) and the pure business rules both sides apply ([`email`], [`agent`]).
//!
//! Nothing here does IO, so the same code compiles to wasm (instant validation in
//! the browser) and to native (the server, which always decides finally).

pub mod agent;
pub mod api;
pub mod contact;
pub mod customer;
pub mod domain;
pub mod duplicates;
pub mod email;
pub mod error;
pub mod hierarchy;
pub mod import;
pub mod limits;
pub mod paging;
pub mod portal;
pub mod properties;
pub mod query_string;
pub mod routing;
pub mod search;
pub mod text;
pub mod tickets;
pub mod word;

pub use error::{ErrorCode, FieldErrors};
