#!/usr/bin/env bash
# Re-creates vendor/tachys: tachys as published on crates.io at VERSION
# (default: the vendored one) with vendor/tachys.patch applied. Run it
# after a Leptos upgrade moves tachys (cargo then warns that the patch
# in Cargo.toml "was not used"), and fix the patch if it no longer applies.
#   scripts/vendor-tachys.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(awk -F'"' '/^version = / { print $2; exit }' vendor/tachys/Cargo.toml)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

curl -fsSL "https://static.crates.io/crates/tachys/tachys-$version.crate" | tar -xz -C "$work"
patch -d "$work/tachys-$version" -p1 < vendor/tachys.patch
rm -rf vendor/tachys
mv "$work/tachys-$version" vendor/tachys
echo "vendor/tachys is tachys $version with vendor/tachys.patch"
