#!/usr/bin/env bash
# Builds Orgdesk (release) and starts it on the embedded SQLite database with demo data.
# Installs what is missing first. Settings: see README (ORGDESK_ADDR, DATABASE_URL, ...).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_web_toolchain
build_web
say "building the server (cargo build --release)"
cargo build --release -p orgdesk-server
precompress_web "$ROOT/target/release/orgdesk"

export ORGDESK_ADMIN_EMAIL="${ORGDESK_ADMIN_EMAIL:-admin@orgdesk.local}"
export ORGDESK_ADMIN_PASSWORD="${ORGDESK_ADMIN_PASSWORD:-orgdesk-admin}"
export ORGDESK_DIST="$ROOT/dist"
say "starting Orgdesk (Ctrl+C stops it)"
echo "First sign-in: $ORGDESK_ADMIN_EMAIL / $ORGDESK_ADMIN_PASSWORD (only on a new database; Orgdesk then asks for a new password, so this public one stops working)"
echo "Customer portal: /portal on the same address; demo customers ava.adams@acme.com (manager of Acme) and isla.lopez@acme.com, password orgdesk-demo"
exec "$ROOT/target/release/orgdesk" --demo "$@"
