#!/usr/bin/env bash
# Benchmarks (documented figures in README.md): the Customers app at 100k customers
# in 10k organizations, in headless Chromium and under 32 concurrent API clients.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_web_toolchain
ensure_browser
build_web
cargo build --release -p orgdesk-server -p orgdesk-browser-tests --example bench_customers
precompress_web "$ROOT/target/release/orgdesk"
"$ROOT/target/release/examples/bench_customers"
