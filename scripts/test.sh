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
# Every cargo command below selects the whole workspace (`--workspace`), so that features
# resolve the same way each time and nothing is compiled twice (`-p orgdesk-server` alone
# turns off features other members turn on, which rebuilt hyper, syn and every crate above
# them). Building the tests also builds target/debug/orgdesk (the API tests run it).
# Examples are not built: clippy above checked them.
# The one selection every test run below uses; the PostgreSQL pass depends on it being the same.
tests=(--workspace --lib --bins --tests --locked)
say "building the tests"
cargo test "${tests[@]}" --no-run
precompress_web "$ROOT/target/debug/orgdesk"

# ensure_postgres exported TEST_DATABASE_URL; keep it for the PostgreSQL run only, so that
# this run's API tests use SQLite, the default database (the harness prints which one it used).
postgres_url="$TEST_DATABASE_URL"
say "tests: core, server (API on SQLite), web unit tests, browser tests"
env -u TEST_DATABASE_URL cargo test "${tests[@]}" -- --test-threads=2

say "API tests again on PostgreSQL ($postgres_url)"
# The API tests' executable from the build above, run as cargo runs it (from its package's
# directory): any other cargo command (`--test api` too) resolves features anew and rebuilt
# syn, tokio and every crate above them, 2 min 38 s.
api_tests="$(cargo test "${tests[@]}" --no-run --message-format=json |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "api" and m.get("executable"):
        print(m["executable"])')"
[ -x "$api_tests" ] || { echo "no API test executable found" >&2; exit 1; }
drop_test_databases
(cd "$ROOT/crates/server" && TEST_DATABASE_URL="$postgres_url" "$api_tests")
drop_test_databases

# The workspace run builds core with the server's features (idna, openapi); the browser
# builds it with none, so its tests run once more in exactly that configuration.
say "core tests as the browser builds core (no idna, no openapi)"
cargo test -p orgdesk-core --no-default-features --locked

# The API fuzzed against its own OpenAPI document, on each database (with the debug
# binary just built), both at once: each is one client and one server, about one core.
ensure_schemathesis
fuzz_log="$(mktemp -d)"
ORGDESK_BIN="$ROOT/target/debug/orgdesk" bash "$ROOT/scripts/schemathesis.sh" sqlite >"$fuzz_log/sqlite" 2>&1 &
sqlite_fuzz=$!
TEST_DATABASE_URL="$postgres_url" ORGDESK_BIN="$ROOT/target/debug/orgdesk" bash "$ROOT/scripts/schemathesis.sh" postgres \
  >"$fuzz_log/postgres" 2>&1 &
postgres_fuzz=$!
fuzz_status=0
wait "$sqlite_fuzz" || fuzz_status=1
wait "$postgres_fuzz" || fuzz_status=1
cat "$fuzz_log/sqlite" "$fuzz_log/postgres"
rm -rf "$fuzz_log"
[ "$fuzz_status" = 0 ] || { echo "schemathesis found problems (above)" >&2; exit 1; }

say "all checks passed in $((SECONDS - started)) s"
