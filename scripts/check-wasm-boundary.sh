#!/usr/bin/env bash
# The browser build of `app` must compile for wasm32 and must not pull in
# server crates: they would bloat the bundle or fail to run in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo check -p app --no-default-features --features hydrate --target wasm32-unknown-unknown

forbidden='^(sqlx|sqlx-core|tokio|argon2|axum|tower-sessions|leptos_axum|chrono-tz|exmex) '
found=$(cargo tree -p app --no-default-features --features hydrate \
  --target wasm32-unknown-unknown -e normal --prefix none | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "server-only crates in the wasm dependency graph:" >&2
  echo "$found" >&2
  exit 1
fi
echo "wasm boundary ok: no sqlx, tokio, argon2, axum, sessions, chrono-tz or exmex in app[hydrate]"
