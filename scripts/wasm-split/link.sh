#!/usr/bin/env bash
# rustc's linker for wasm32 (set in .cargo/config.toml): rust-lld, plus the split of the
# agents' app into lazy-loaded parts. Trunk 0.21 has no step between cargo and wasm-bindgen;
# the linker is one.
#
# A `#[wasm_split]` function (src/app.rs) is an export (`__wasm_split_00…`) that its lazy
# caller reaches through an import from `__wasm_split_placeholder__`. The first link leaves
# those exports out, so a binary that never calls a lazy function (the customer portal) does
# not carry the agents' pages. When the result still imports the placeholder (the agents'
# app), it is linked again with them and with relocations, and wasm-split-cli splits it: the
# main module goes back where rustc expects its output (for Trunk's wasm-bindgen), the lazy
# chunks and their loader `__wasm_split.js` into
# `<target>/wasm32-unknown-unknown/<profile>/wasm-split/<bin>/`, which
# scripts/wasm-split/stage.sh (Trunk's post_build hook) puts into the app.
set -euo pipefail
host="$(rustc -vV | sed -n 's/^host: //p')"
lld="$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld"

# The output file, and the arguments without `--export __wasm_split_00…` pairs.
args=("$@")
out=""
filtered=()
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -o) out="${args[$((i + 1))]:-}" ;;
    @*) out="$(sed -n '/^-o$/{n;p;}' "${args[$i]#@}" | tail -n 1)" ;;
  esac
  if [ "${args[$i]}" = "--export" ] && [[ "${args[$((i + 1))]:-}" == __wasm_split_00* ]]; then
    i=$((i + 1))
    continue
  fi
  filtered+=("${args[$i]}")
done
"$lld" "${filtered[@]}"

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
