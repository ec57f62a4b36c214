#!/bin/sh
# rustc's linker for wasm32 (set in .cargo/config.toml): rust-lld, and for a wasm that has
# lazy-loaded parts (Leptos's `#[lazy]`, which imports from `__wasm_split_placeholder__`) a
# second link that keeps relocations, split by wasm-split-cli into the main module (put back
# where rustc expects its output, for Trunk's wasm-bindgen) and the lazy chunks with their
# loader `__wasm_split.js` in `<target>/wasm32-unknown-unknown/<profile>/wasm-split/<bin>/`,
# which scripts/wasm-split/stage.sh (Trunk's post_build hook) puts into the app.
# Trunk 0.21 has no step between cargo and wasm-bindgen; the linker is one.
set -eu
host="$(rustc -vV | sed -n 's/^host: //p')"
lld="$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld"
"$lld" "$@"

out=""
prev=""
for arg in "$@"; do
  case "$arg" in
    @*) out="$(sed -n '/^-o$/{n;p;}' "${arg#@}" | tail -n 1)" ;;
    *) if [ "$prev" = "-o" ]; then out="$arg"; fi ;;
  esac
  prev="$arg"
done
case "$out" in *.wasm) ;; *) exit 0 ;; esac
grep -q __wasm_split_placeholder__ "$out" || exit 0

here="$(cd "$(dirname "$0")" && pwd)"
splitter="${WASM_SPLIT_CLI:-$here/../../.tools/wasm-split/bin/wasm-split-cli}"
if [ ! -x "$splitter" ]; then
  echo "wasm-split-cli is missing ($splitter): run scripts/run.sh or scripts/test.sh, which install it" >&2
  exit 1
fi
"$lld" "$@" --emit-relocs
name="$(basename "$out" .wasm)"
name="${name%-*}"
dir="$(dirname "$out")/../wasm-split/$name"
rm -rf "$dir"
mkdir -p "$dir"
"$splitter" "$out" "$dir" --out-name main >&2
mv "$dir/main.wasm" "$out"
