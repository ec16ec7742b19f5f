# The two commands of the README, plus development helpers.
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run demo test tools dev fmt bench-load bench-ssr screenshots

## Build a release and serve Parley on SQLite at http://127.0.0.1:3000
run: tools
	cargo leptos build --release
	LEPTOS_SITE_ROOT=target/site ./target/release/parley

## Like `make run`, with demo people and chats in data/demo.db (log in as
## ana, bob, cyd, dee or eve, password parley-demo); filled on first start only
demo: tools
	cargo leptos build --release
	PARLEY_DEMO=1 DATABASE_URL=sqlite://data/demo.db LEPTOS_SITE_ROOT=target/site ./target/release/parley

## Every check and test (fmt, clippy ssr+hydrate, wasm boundary, Rust, Playwright)
test: tools
	scripts/install-test-tools.sh
	scripts/test.sh

## Install the build tools that are missing (idempotent)
tools:
	scripts/install-tools.sh

## Development server with live reload
dev: tools
	cargo leptos watch

fmt:
	cargo fmt --all

## Time to interactive of the release build in Chromium (prints figures)
bench-load: tools
	scripts/install-test-tools.sh
	cargo leptos build --release
	cd end2end && node bench/load.mjs 30

## Server-side rendering of a 200-message chat vs its JSON, release build
## (prints figures; more requests: make bench-ssr ARGS="--requests 1000")
# Same flags as the shipped build (always-erase-components), so it measures
# that code and reuses its compiled dependencies.
bench-ssr:
	RUSTFLAGS="--cfg erase_components" cargo run --release -p server --features bench --bin bench_ssr -- $(ARGS)

## Retake the README's screenshots of the demo chat window (docs/chat-*.png)
screenshots: tools
	scripts/install-test-tools.sh
	cargo leptos build --release
	cd end2end && node bench/screenshots.mjs
