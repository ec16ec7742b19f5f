#!/usr/bin/env bash
# Every check and test of Parley, in the order that fails fastest. Exits
# non-zero if anything fails or if no test ran; ends with a one-line total.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# A one-shot CI build gains nothing from incremental caches but their size
# (tens of GB across this project's feature combinations) and time.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, server build (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets --features bench -- -D warnings

step "clippy, browser build (hydrate, wasm32)"
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

step "wasm boundary: no server crates in the browser build"
scripts/check-wasm-boundary.sh

step "Rust unit and integration tests"
cargo test -p app --features ssr 2>&1 | tee -a "$log"
cargo test -p server 2>&1 | tee -a "$log"

step "release build (cargo leptos build --release)"
cargo leptos build --release

step "Playwright (Debian Chromium) against the release build"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

sum() { awk -v re="$1" '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ re) n += $i } END { print n + 0 }' "$log"; }
rust_passed=$(sum '^passed')
rust_failed=$(sum '^failed')
e2e_passed=$(grep -E '^\s+[0-9]+ passed' "$log" | tail -1 | awk '{print $1}')
e2e_passed=${e2e_passed:-0}
total=$((rust_passed + e2e_passed))

step "summary"
echo "Rust tests: $rust_passed passed; Playwright: $e2e_passed passed"
if [ "$total" -eq 0 ] || [ "$rust_passed" -eq 0 ] || [ "$e2e_passed" -eq 0 ]; then
  echo "no tests ran in at least one suite: failing" >&2
  exit 1
fi
echo "$total passed, $rust_failed failed"
