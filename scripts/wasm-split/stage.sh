#!/bin/sh
# Trunk's post_build hook: puts the lazy chunks that scripts/wasm-split/link.sh split off
# into the app being staged. Each chunk is optimized like the main module (release) and named
# with a hash of its content, as Trunk names its own files, so browsers may keep them for a
# year (the server's `is_hashed_asset`); the loader `__wasm_split.js` gets a hashed name too,
# the main module's JS imports it under that name (its integrity hash in index.html is
# updated), and index.html preloads it beside the main JS.
set -eu
cd "$TRUNK_SOURCE_DIR"
root="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$TRUNK_PROFILE/wasm-split"
stage="$TRUNK_STAGING_DIR"
html="$stage/index.html"
hash16() { sha256sum "$1" | cut -c1-16; }
# wasm-opt as Trunk runs it on the main module: the page's data-wasm-opt level and params.
opt_level="$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")"
opt_params="$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")"

for js in "$stage"/*.js; do
  [ -f "$js" ] || continue
  grep -q '__wasm_split\.js' "$js" || continue
  base="$(basename "$js" .js)"
  bin="$(printf '%s' "${base%-*}" | tr - _)"
  dir="$root/$bin"
  if [ ! -f "$dir/__wasm_split.js" ]; then
    echo "stage.sh: $js imports __wasm_split.js but $dir has no split output" >&2
    exit 1
  fi
  work="$(mktemp -d)"
  sed "s#\"\./main\.js\"#\"./$base.js\"#" "$dir/__wasm_split.js" > "$work/link.js"
  for wasm in "$dir"/*.wasm; do
    [ -f "$wasm" ] || continue
    name="$(basename "$wasm" .wasm)"
    if [ "$TRUNK_PROFILE" = release ] && [ -n "$opt_level" ]; then
      # shellcheck disable=SC2086 # the params are several words
      wasm-opt "-O$opt_level" $opt_params "$wasm" -o "$work/$name.wasm"
    else
      cp "$wasm" "$work/$name.wasm"
    fi
    hashed="$(printf '%s' "$name" | tr _ -)-$(hash16 "$work/$name.wasm").wasm"
    cp "$work/$name.wasm" "$stage/$hashed"
    sed -i "s#\"\./$name\.wasm\"#\"./$hashed\"#" "$work/link.js"
  done
  link="__wasm-split-$(hash16 "$work/link.js").js"
  cp "$work/link.js" "$stage/$link"
  # Only the import statement: the imports object keeps the module name the wasm asks for.
  sed -i "s#\(from [\"']\)\./__wasm_split\.js\([\"']\)#\1./$link\2#" "$js"
  if grep -q "$base.js\"[^>]*integrity=" "$html"; then
    sri="sha384-$(openssl dgst -sha384 -binary "$js" | base64 -w0)"
    sed -i "s#\(href=\"[^\"]*$base\.js\"[^>]*integrity=\"\)[^\"]*\"#\1$sri\"#" "$html"
  fi
  sed -i "s#</head>#<link rel=\"modulepreload\" href=\"$TRUNK_PUBLIC_URL$link\"></head>#" "$html"
  rm -rf "$work"
done
