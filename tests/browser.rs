//! Browser tests: a person using Orgdesk in real headless Chromium, against the
//! real server serving the real Trunk build. One test binary, one module per app
//! or screen (in `browser/`); the shared set-up (a signed-in browser, typed API
//! fixtures) is in `support/lib.rs`.

mod browser {
    mod admin_audit;
    mod admin_routing;
    mod bundles;
    mod customers;
    mod delete_restore;
    mod dialogs;
    mod import;
    mod layout;
    mod merge;
    mod organization;
    mod passwords;
    mod portal_accounts;
    mod portal_items;
    mod portal_policy;
    mod profile;
    mod projects;
    mod routing;
    mod search;
    mod sections;
    mod security;
    mod session;
    mod sharing;
    mod tickets;
    mod tree;
    mod usergroups;
}
