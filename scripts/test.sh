#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), core unit
# tests, API tests on SQLite and on PostgreSQL, and browser tests in headless
# Chromium against the real server serving the real Trunk release build.
# Installs what is missing first (trunk, wasm-bindgen, wasm-opt, Chromium, PostgreSQL).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

ensure_web_toolchain
ensure_browser
ensure_postgres

say "cargo fmt --check"
cargo fmt --all --check

say "clippy (native, every target)"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "clippy (wasm32: the web app and core)"
cargo clippy -p orgdesk-web -p orgdesk-core --target wasm32-unknown-unknown --locked -- -D warnings

build_web
cargo build -p orgdesk-server --locked
precompress_web "$ROOT/target/debug/orgdesk"

say "tests: core, server (API on SQLite), web unit tests, browser tests"
cargo test --workspace --locked -- --test-threads=2

say "API tests again on PostgreSQL ($TEST_DATABASE_URL)"
drop_test_databases
cargo test -p orgdesk-server --test api --locked
drop_test_databases

say "all checks passed in $((SECONDS - started)) s"
