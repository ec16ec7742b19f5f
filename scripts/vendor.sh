#!/usr/bin/env bash
# Re-creates vendor/CRATE: CRATE as published on crates.io at VERSION
# (default: the vendored one) with vendor/CRATE.patch applied. Run it
# after a Leptos upgrade moves the crate (cargo then warns that the patch
# in Cargo.toml "was not used"), and fix the patch if it no longer applies.
#   scripts/vendor.sh tachys|hydration_context [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."

crate=${1:?usage: scripts/vendor.sh CRATE [VERSION]}
[ -f "vendor/$crate.patch" ] || { echo "no vendor/$crate.patch" >&2; exit 2; }
version=${2:-$(awk -F'"' '/^version = / { print $2; exit }' "vendor/$crate/Cargo.toml")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

curl -fsSL "https://static.crates.io/crates/$crate/$crate-$version.crate" | tar -xz -C "$work"
patch -d "$work/$crate-$version" -p1 < "vendor/$crate.patch"
rm -rf "vendor/$crate"
mv "$work/$crate-$version" "vendor/$crate"
echo "vendor/$crate is $crate $version with vendor/$crate.patch"
