# Shared set-up for scripts/run.sh and scripts/test.sh: installs what is missing,
# skips what is present. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "need root to run: $*" >&2; return 1
  fi
}

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing $* (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "Rust is required: install rustup from https://rustup.rs" >&2; exit 1; }
  command -v cc >/dev/null || apt_install build-essential
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
}

ensure_wasm_target() {
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  }
}

ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (takes about 10 minutes once)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

# Trunk only uses a wasm-bindgen CLI whose version equals the crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "installing wasm-bindgen-cli $want (takes about 3 minutes once)"
    # Not --locked: its lock file names a version the registry does not serve.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Debian's binaryen (108) produces wasm that crashes in the browser; use binaryen from npm.
ensure_wasm_opt() {
  if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    command -v npm >/dev/null || apt_install nodejs npm
    say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm) into .tools/"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

# axe-core (the accessibility engine the browser tests run on every main screen), pinned,
# from npm into .tools/axe (its own prefix: an npm install into .tools would prune binaryen).
AXE_CORE_VERSION="4.11.0"
ensure_axe() {
  if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$TOOLS/axe/node_modules/axe-core/package.json"; then
    command -v npm >/dev/null || apt_install nodejs npm
    say "installing axe-core $AXE_CORE_VERSION (npm) into .tools/axe"
    mkdir -p "$TOOLS/axe"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/axe" "axe-core@$AXE_CORE_VERSION" >/dev/null
  fi
}

# wasm-split-cli: scripts/wasm-split/link.sh (the wasm32 linker) splits the agents' app's
# lazy-loaded parts off with it.
WASM_SPLIT_VERSION="0.2.4"
ensure_wasm_split() {
  if ! grep -qs "^wasm_split_cli_support $WASM_SPLIT_VERSION " "$TOOLS/wasm-split/.crates.toml" ||
    [ ! -x "$TOOLS/wasm-split/bin/wasm-split-cli" ]; then
    say "installing wasm-split-cli $WASM_SPLIT_VERSION into .tools/wasm-split (takes about 2 minutes once)"
    cargo install --locked --root "$TOOLS/wasm-split" wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
  fi
}

ensure_web_toolchain() {
  ensure_rust
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_wasm_split
}

# The release build of the web apps: the agents' app into dist/ (which Trunk empties
# first), then the customer portal's own smaller app into dist/portal/ (served for /portal/*).
# precompress_web writes the .br and .gz copies.
# scripts/wasm-split/bin comes first on PATH: its wasm-bindgen keeps the exports the lazy chunks need.
build_web() {
  say "building the web app (trunk build --release)"
  (cd "$ROOT" && PATH="$ROOT/scripts/wasm-split/bin:$PATH" trunk build index.html --offline --release)
  say "building the customer portal (trunk build --release portal.html)"
  (cd "$ROOT" && PATH="$ROOT/scripts/wasm-split/bin:$PATH" trunk build portal.html --dist dist/portal --public-url /portal/ --offline --release)
}

precompress_web() {
  local orgdesk="$1"
  "$orgdesk" precompress "$ROOT/dist"
}

ensure_browser() {
  command -v chromium >/dev/null && command -v chromedriver >/dev/null || apt_install chromium chromium-driver
}

# Starts a local PostgreSQL (installing it if needed) and exports TEST_DATABASE_URL,
# unless TEST_DATABASE_URL is already set.
ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return 0; fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql; fi
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | grep "^$version main" | grep -q online; then
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster "$version" main start
  fi
  local port
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
  as_root su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'orgdesk_test'\"" | grep -q 1 ||
    as_root su postgres -c "psql -p $port -qc \"CREATE ROLE orgdesk_test LOGIN CREATEDB PASSWORD 'orgdesk_test'\""
  export TEST_DATABASE_URL="postgres://orgdesk_test:orgdesk_test@127.0.0.1:$port/postgres"
}

# Drops the databases the API tests created on TEST_DATABASE_URL (one per test,
# named orgdesk_test_*), so repeated runs do not fill the disk. Only call it while
# no test runs against that server.
drop_test_databases() {
  command -v psql >/dev/null || return 0
  local db
  psql "$TEST_DATABASE_URL" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'orgdesk\_test\_%'" |
    while read -r db; do
      psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
    done
}

# Schemathesis (the OpenAPI fuzzer the test command runs against the real server), pinned,
# in a virtualenv under .tools/ so nothing touches the system Python.
SCHEMATHESIS_VERSION="4.32.5"
ensure_schemathesis() {
  local venv="$TOOLS/schemathesis"
  if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    command -v python3 >/dev/null || apt_install python3
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    say "installing schemathesis $SCHEMATHESIS_VERSION into .tools/schemathesis"
    mkdir -p "$TOOLS"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  export PATH="$venv/bin:$PATH"
}
