#!/usr/bin/env bash
# Benchmarks (documented figures in README.md). First the side-by-side table (issue #17):
# every list and search endpoint and the writes, on SQLite and PostgreSQL at 100k customers,
# 10k organizations and 1M items, 32 clients, against a raw axum + sqlx baseline on the same
# database (`bench_compare` seeds, starts `orgdesk` and `baseline` and drives both from its own
# process). Then the Customers app in headless Chromium (first load, drop to persisted, first
# load on emulated 4G), the
# Tickets API at 1M items, the Customers search, the 200-client load test and item creation
# with routing rules. `BENCH_ONLY=compare` stops after the table.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_postgres
cargo build --release -p orgdesk-server --bin orgdesk --example bench_compare --example baseline
"$ROOT/target/release/examples/bench_compare"
[ "${BENCH_ONLY:-}" = compare ] && exit 0

ensure_web_toolchain
ensure_browser
build_web
cargo build --release -p orgdesk-server --bin orgdesk
cargo build --release -p orgdesk-browser-tests --example bench_customers
precompress_web "$ROOT/target/release/orgdesk"
"$ROOT/target/release/examples/bench_customers"
# First load on emulated 4G (9 Mbps, 150 ms round trip): cold and warm, agents' app and portal.
cargo build --release -p orgdesk-browser-tests --example bench_first_load
"$ROOT/target/release/examples/bench_first_load"

# The Tickets API at 1,000,000 items (10k organizations, 100k customers), on a fresh
# SQLite file and on a fresh PostgreSQL database (local cluster, or TEST_DATABASE_URL).
cargo build --release -p orgdesk-server --example bench_items
"$ROOT/target/release/examples/bench_items"

# The Customers search (substring, trigram-indexed) at 100k customers, 32 clients, on a fresh
# SQLite file and a fresh PostgreSQL database, against a release `orgdesk` process.
cargo build --release -p orgdesk-server --bin orgdesk --example bench_search
"$ROOT/target/release/examples/bench_search"

# The load test: a separate load-generator process against `orgdesk` server processes.
cargo build --release -p orgdesk-server --bin orgdesk --example load
"$ROOT/target/release/examples/load"

# Item creation with routing rules: p50/p99 from 32 clients, without rules and with 20
# matching rules on the organization (a separate load-generator process, SQLite then PostgreSQL).
cargo build --release -p orgdesk-server --bin orgdesk --example bench_routing
"$ROOT/target/release/examples/bench_routing"
