#!/usr/bin/env bash
# Refreshes the API docs viewer that the binary serves at /api/docs (crates/server/assets/vendor/
# rapidoc/): RapiDoc's one-file build, taken from its npm package at the pinned version, with its
# licence beside it. The server embeds the file when it is compiled, so /api/docs needs no
# internet; only this script does. To move to another version, change VERSION and SHA256 (the
# checksum of dist/rapidoc-min.js) together and run it.
set -euo pipefail
VERSION=9.3.8
SHA256=affbd173a65e870e18f392cca963113bcdafb6e50e88cd2f6a834a65b22db94d
here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/crates/server/assets/vendor/rapidoc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "rapidoc@$VERSION" >/dev/null && tar xzf "rapidoc-$VERSION.tgz")
echo "$SHA256  $work/package/dist/rapidoc-min.js" | sha256sum --check --quiet
mkdir -p "$target"
cp "$work/package/dist/rapidoc-min.js" "$work/package/dist/rapidoc-min.js.LICENSE.txt" \
   "$work/package/LICENSE.txt" "$target/"
echo "rapidoc $VERSION vendored into $target"
