#!/usr/bin/env bash
# Installs what building Parley needs, only where missing (idempotent):
# the wasm32 target, cargo-leptos 0.3.10, wasm-bindgen-cli at exactly the
# Cargo.lock version, and npm packages in end2end/ (binaryen's wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 0.3.11 needs rustc >= 1.96; 0.3.10 is the newest that builds on 1.95.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 15-20 minutes the first time)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

# The CLI must equal the wasm-bindgen crate exactly (it checks a schema
# version). Without it on PATH cargo-leptos tries to download one and fails.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version"
  # --locked fails for 0.2.130 (a locked dependency left the index).
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# npm's binaryen supplies wasm-opt; Debian's (v108) silently breaks hydration.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi
