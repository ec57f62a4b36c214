//! API tests: the real app on a real port with a fresh real database per test
//! (SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set).

mod support;

mod agents;
mod audit;
mod auth;
mod authorization;
mod backup;
mod bulk_items;
mod connections;
mod conversations;
mod customer_profile;
mod customers;
mod deleted_organizations;
mod duplicates;
mod errors;
mod faults;
mod import;
mod limits;
mod merge;
mod openapi;
mod organizations;
mod outbox;
mod passwords;
mod portal;
mod portal_accounts;
mod portal_items;
mod portal_policy;
mod projects;
mod races;
mod routing;
mod search;
mod search_cache;
mod search_under_moves;
mod security_headers;
mod seed;
mod sharing;
mod static_files;
mod tickets;
mod unassigned;
mod usergroups;
