#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), core unit
# tests (also as the browser builds core), API tests on SQLite and on PostgreSQL,
# and browser tests in headless Chromium against the real server serving the real
# Trunk release build.
# Installs what is missing first (trunk, wasm-bindgen, wasm-opt, Chromium, PostgreSQL).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

ensure_web_toolchain
ensure_browser
ensure_axe
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

# ensure_postgres exported TEST_DATABASE_URL; keep it for the PostgreSQL run only, so that
# this run's API tests use SQLite, the default database (the harness prints which one it used).
postgres_url="$TEST_DATABASE_URL"
say "tests: core, server (API on SQLite), web unit tests, browser tests"
env -u TEST_DATABASE_URL cargo test --workspace --locked -- --test-threads=2

# The workspace run builds core with the server's features (idna, openapi); the browser
# builds it with none, so its tests run once more in exactly that configuration.
say "core tests as the browser builds core (no idna, no openapi)"
cargo test -p orgdesk-core --no-default-features --locked

say "API tests again on PostgreSQL ($postgres_url)"
drop_test_databases
TEST_DATABASE_URL="$postgres_url" cargo test -p orgdesk-server --test api --locked
drop_test_databases

# The API fuzzed against its own OpenAPI document, on each database (with
# the debug binary just built).
ensure_schemathesis
ORGDESK_BIN="$ROOT/target/debug/orgdesk" bash "$ROOT/scripts/schemathesis.sh" sqlite
TEST_DATABASE_URL="$postgres_url" ORGDESK_BIN="$ROOT/target/debug/orgdesk" bash "$ROOT/scripts/schemathesis.sh" postgres

say "all checks passed in $((SECONDS - started)) s"
