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
pgdir=""
# However the run ends (a failing test included), stop the test PostgreSQL
# if it was started and remove its directory; an interrupt or kill goes
# through exit, so through this trap too.
cleanup() {
  if [ -n "$pgdir" ]; then
    scripts/postgres.sh stop "$pgdir" || true
    rm -rf "$pgdir"
  fi
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, server build (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p bench --all-targets -- -D warnings

step "clippy, browser build (hydrate, wasm32)"
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

step "wasm boundary: no server crates in the browser build"
scripts/check-wasm-boundary.sh

step "PostgreSQL for the tests (a private cluster in a temp dir)"
# Under /tmp rather than $TMPDIR: the server's Unix socket lives in this
# directory and its path must stay under ~100 characters.
pgdir=$(mktemp -d /tmp/parley-pg.XXXXXX)
# A throwaway cluster: durability is not under test there, so no fsync and
# no full-page writes (each test creates its own database, and those writes
# dominate); 300 connections for many tests' pools at once. shared_buffers
# stays at its modest default (128MB).
pg_url=$(scripts/postgres.sh start "$pgdir" -- \
  -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off)
echo "PostgreSQL: $pg_url"

step "Rust unit and integration tests (SQLite)"
cargo test -p app --features ssr 2>&1 | tee -a "$log"
cargo test -p server --lib --bins --test api 2>&1 | tee -a "$log"
# The benchmarks' own unit tests (flags, frame parsing) and the floor's.
cargo test -p bench 2>&1 | tee -a "$log"
# The binary as an operator runs it: SQLite unless a test says otherwise
# (start-up errors against the cluster, for one).
PARLEY_TEST_POSTGRES="$pg_url" cargo test -p server --test binary 2>&1 | tee -a "$log"

# The same integration suite, every test, on PostgreSQL: the helpers give
# each test server a database of its own on this cluster.
step "Rust integration tests again on PostgreSQL"
PARLEY_TEST_POSTGRES="$pg_url" cargo test -p server --test api 2>&1 | tee -a "$log"

step "release build (cargo leptos build --release)"
cargo leptos build --release

step "Playwright (Debian Chromium) against the release build"
(cd end2end && PARLEY_E2E_POSTGRES="$pg_url" npx playwright test) 2>&1 | tee -a "$log"

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
