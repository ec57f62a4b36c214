#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis: every
# operation, every check, a fixed seed and a bounded number of examples, signed in as
# the admin, and the portal's routes as a demo customer (scripts/schemathesis/hooks.py adds
# the right session cookie and CSRF token).
# Fails on any finding.
#
#   bash scripts/schemathesis.sh sqlite             # a fresh SQLite file
#   bash scripts/schemathesis.sh postgres           # a fresh database on TEST_DATABASE_URL
#                                                   # (a local cluster is started if unset)
# Environment: ORGDESK_BIN (default: target/release/orgdesk if built, else target/debug/orgdesk),
# ST_MAX_EXAMPLES (default 60), ST_SEED (default 1), ST_WORKERS (default 1: one client, so a
# seed reproduces a run; races are the concurrency tests' subject).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

database="${1:-sqlite}"
ensure_schemathesis

bin="${ORGDESK_BIN:-}"
if [ -z "$bin" ]; then
  if [ -x target/release/orgdesk ]; then bin=target/release/orgdesk; else bin=target/debug/orgdesk; fi
fi
[ -x "$bin" ] || { echo "no server binary at $bin: cargo build -p orgdesk-server first" >&2; exit 1; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

work="$(mktemp -d)"
server_pid=""
pg_db=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    # Graceful shutdown waits for open connections; give it ten seconds.
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_db" ]; then psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$pg_db\"" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$database" in
  sqlite) database_url="sqlite://$work/orgdesk.db" ;;
  postgres)
    ensure_postgres
    pg_db="orgdesk_schemathesis_$$"
    psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE \"$pg_db\"" >/dev/null
    database_url="${TEST_DATABASE_URL%/*}/$pg_db"
    ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export ORGDESK_URL="http://127.0.0.1:$port"
export ORGDESK_ADMIN_EMAIL="admin@orgdesk.local"
# The first admin must choose a new password at first sign-in: the server starts with
# the first one, and the set-up below changes it to the one the hooks sign in with.
first_password="schemathesis-first-$$-$RANDOM"
export ORGDESK_ADMIN_PASSWORD="schemathesis-$$-$RANDOM"
# Started in the scratch directory, so it finds no ./dist: only the API is fuzzed.
(cd "$work" && DATABASE_URL="$database_url" RUST_LOG="${RUST_LOG:-warn}" ORGDESK_ADMIN_PASSWORD="$first_password" \
  exec "$bin" --addr "127.0.0.1:$port" --demo) >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$ORGDESK_URL/api/auth/me" 2>/dev/null)" = 401 ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

csrf="$(curl -fs -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ORGDESK_ADMIN_EMAIL\",\"password\":\"$first_password\"}" \
  "$ORGDESK_URL/api/auth/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')"
curl -fs -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d "{\"current_password\":\"$first_password\",\"new_password\":\"$ORGDESK_ADMIN_PASSWORD\"}" \
  "$ORGDESK_URL/api/auth/password" >/dev/null
# The document is served to signed-in agents only: fetch it once with the session.
curl -fs -b "$work/cookies" "$ORGDESK_URL/api/openapi.json" >"$work/openapi.json"

say "schemathesis on $database ($bin)"
started=$SECONDS
status=0
# Run in the scratch directory (schemathesis keeps a cache in its working directory),
# with no example database, so a run depends on the seed and the server alone.
(cd "$work" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/scripts/schemathesis" \
  st --config-file "$ROOT/scripts/schemathesis/schemathesis.toml" run "$work/openapi.json" --url "$ORGDESK_URL" \
  --checks all \
  --seed "${ST_SEED:-1}" \
  --max-examples "${ST_MAX_EXAMPLES:-60}" \
  --workers "${ST_WORKERS:-1}" \
  --request-timeout 30 \
  --generation-database none \
  --no-color \
  ${ST_EXTRA_ARGS:-}) || status=$?
say "schemathesis on $database: exit $status in $((SECONDS - started)) s"
if [ "$status" != 0 ]; then
  echo "--- last server log lines ---" >&2
  tail -n 30 "$work/server.log" >&2
fi
exit "$status"
