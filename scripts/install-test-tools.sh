#!/usr/bin/env bash
# Installs what the test suite needs beyond the build tools (idempotent):
# rustfmt and clippy, and Debian's Chromium for Playwright (Playwright's
# own browser download is not reachable here).
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"

rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

if [ ! -x /usr/bin/chromium ]; then
  printf '\033[1m==> installing Debian chromium\033[0m\n'
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
