#!/usr/bin/env bash
# Installs what the test suite needs beyond the build tools (idempotent):
# rustfmt and clippy, and Debian's Chromium, an emoji font and sqlite3 for Playwright (Playwright's
# own browser download is not reachable here).
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"

rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

# The colour emoji font: reactions, the sticker button and previews are
# emoji, and screenshots (docs/) should show them rather than boxes.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
# Specs date messages into the past through the database file.
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
  printf '\033[1m==> installing %s (Debian)\033[0m\n' "${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
