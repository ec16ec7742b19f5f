# The two commands of the README, plus development helpers.
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run run-pg demo test tools dev fmt pg-start pg-stop bench-load bench-ssr bench-ssr-ir bench-live bench-floor bench-pg bench-login screenshots

## Build a release and serve Parley on SQLite at http://127.0.0.1:3000
run: tools
	cargo leptos build --release
	LEPTOS_SITE_ROOT=target/site ./target/release/parley

## Like `make run`, on the PostgreSQL of `make pg-start` (data/pg)
run-pg: tools
	cargo leptos build --release
	DATABASE_URL="$$(scripts/postgres.sh url data/pg)" LEPTOS_SITE_ROOT=target/site ./target/release/parley

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

## Development PostgreSQL in data/pg (Unix socket only, kept between runs;
## installs Debian's postgresql if missing); prints its URL
pg-start:
	@scripts/postgres.sh start data/pg

## Stop the development PostgreSQL of `make pg-start`
pg-stop:
	@scripts/postgres.sh stop data/pg

## Time to interactive of the release build in Chromium (prints figures):
## /login 30 times cold and warm, then the chat window with 200 messages 5
## times with 4x CPU throttling and Fast 3G
bench-load: tools
	scripts/install-test-tools.sh
	cargo leptos build --release
	cd end2end && node bench/load.mjs 30

## Server-side rendering of a 200-message chat vs its JSON, release build
## (prints figures; more requests: make bench-ssr ARGS="--requests 1000";
## /rooms with 1,000 public rooms: ARGS="--page rooms")
# Same flags as the shipped build (always-erase-components), so it measures
# that code and reuses its compiled dependencies.
bench-ssr:
	RUSTFLAGS="--cfg erase_components" cargo run --release -p bench --bin bench_ssr -- $(ARGS)

## The same three requests counted in instructions (valgrind's callgrind):
## one figure that does not move with whatever else the machine runs.
## Prints instructions per round (one request of each), from the
## difference between a run of 60 rounds and one of 10 (set-up cancels).
bench-ssr-ir:
	RUSTFLAGS="--cfg erase_components" cargo build --release -p bench --bin bench_ssr
	@bin="$${CARGO_TARGET_DIR:-target}/release/bench_ssr"; \
	count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$$bin" --requests "$$1" $(ARGS) 2>&1 \
	  | awk '/Collected :/ { print $$NF }'; }; \
	few=$$(count 10); many=$$(count 60); \
	[ -n "$$few" ] && [ -n "$$many" ] || { echo "bench-ssr-ir: valgrind gave no count" >&2; exit 1; }; \
	echo "bench_ssr: $$(( (many - few) / 50 )) instructions per round of the three requests ($$few for 10 rounds, $$many for 60)"

## Live sockets, release build: send→deliver latency in a 1,000-member
## group at 10 then 100 msg/s, server memory per idle socket at 5,000, and
## a restart with all 1,000 connected (prints figures; quick run:
## make bench-live ARGS="--members 50 --idle 200 --seconds 3 --restart-seconds 4";
## one part: ARGS="--only restart"; a 5,000-member public room with 1,000
## of them connected: ARGS="--room --members 5000 --connected 1000
## --rates 10 --only latency"; beside the floor: ARGS="--compare", as
## make bench-floor runs it)
# Runs the parley binary built here as a separate process (its RSS is read
# from /proc). Every socket is a descriptor in the bench and in the server,
# so the open-files limit is raised to the hard limit first.
bench-live:
	RUSTFLAGS="--cfg erase_components" cargo build --release -p server --bin parley -p bench --bin bench_live --bin floor
	ulimit -n "$$(ulimit -Hn)" && "$${CARGO_TARGET_DIR:-target}/release/bench_live" $(ARGS)

## The floor beside Parley in one run, release build: a bare
## tokio-tungstenite broadcast server (bench/src/bin/floor.rs) and Parley
## on SQLite get the same 1,000 members (one group), 10 publishers and
## 100-byte messages; prints each one's highest rate with p99 < 250 ms and
## nothing lost, p50/p99 and server CPU-s per million deliveries at
## 100 msg/s, and RSS per idle socket at 2,000, then a table with Parley's
## ratios to the floor (quick run: make bench-floor ARGS="--members 200
## --seconds 3 --idle 400"; PostgreSQL too: make bench-floor PG=1; the
## 10,000-socket memory figure: ARGS="--idle 10000")
# The server runs on one core and the bench on the other(s) (it says so).
# With PG=1 a private PostgreSQL cluster in a fresh folder, as bench-pg's,
# stopped and removed on the way out.
bench-floor:
	RUSTFLAGS="--cfg erase_components" cargo build --release -p server --bin parley -p bench --bin bench_live --bin floor
	@set -euo pipefail; \
	ulimit -n "$$(ulimit -Hn)"; \
	bench="$${CARGO_TARGET_DIR:-target}/release/bench_live"; \
	if [ -n "$(PG)" ]; then \
	  dir="$$(mktemp -d /tmp/parley-bench-floor.XXXXXX)"; \
	  trap 'scripts/postgres.sh stop "$$dir"; rm -rf "$$dir"' EXIT; \
	  url="$$(scripts/postgres.sh start "$$dir")"; \
	  "$$bench" --compare --database "$$url" $(ARGS); \
	else \
	  "$$bench" --compare $(ARGS); \
	fi

## SQLite vs PostgreSQL (one node, then two with the sockets and senders
## split), release build: durable sends/s (100 closed-loop senders) and
## send→deliver p50/p99 in a 1,000-member group at 100 msg/s, side by side
## (prints a table; quick run: make bench-pg ARGS="--members 50 --seconds 3")
# A private cluster in a fresh folder with PostgreSQL's default durability
# (every commit waits for its WAL flush: no fsync=off here), stopped and
# removed on the way out whatever happens. ARGS go to all three runs.
bench-pg:
	RUSTFLAGS="--cfg erase_components" cargo build --release -p server --bin parley -p bench --bin bench_live
	@set -euo pipefail; \
	ulimit -n "$$(ulimit -Hn)"; \
	bench="$${CARGO_TARGET_DIR:-target}/release/bench_live"; \
	dir="$$(mktemp -d /tmp/parley-bench-pg.XXXXXX)"; \
	trap 'scripts/postgres.sh stop "$$dir"; rm -rf "$$dir"' EXIT; \
	url="$$(scripts/postgres.sh start "$$dir")"; \
	run() { \
	  echo; echo "==== $$1"; \
	  "$$bench" --only sends,latency --members 1000 --rates 100 "$${@:3}" $(ARGS) | tee "$$dir/$$2.log"; \
	}; \
	run "SQLite" sqlite; \
	run "PostgreSQL, 1 node" pg1 --database "$$url"; \
	run "PostgreSQL, 2 nodes" pg2 --database "$$url" --nodes 2; \
	echo; \
	printf '%-22s%10s%10s%10s%10s%10s\n' "" "sends/s" "send p50" "send p99" "deliv p50" "deliv p99"; \
	for row in "SQLite:sqlite" "PostgreSQL, 1 node:pg1" "PostgreSQL, 2 nodes:pg2"; do \
	  printf '%-22s%s\n' "$${row%%:*}" "$$(sed -n 's/^figures: //p' "$$dir/$${row##*:}.log")"; \
	done; \
	echo "(sends/s: acknowledged durable sends a second; times in ms)"

## Server memory after 200 concurrent logins for made-up names (each from
## its own loopback address, so all are hashed), release build (prints
## figures; more: make bench-login ARGS="--logins 500")
bench-login:
	RUSTFLAGS="--cfg erase_components" cargo build --release -p server --bin parley -p bench --bin bench_login
	"$${CARGO_TARGET_DIR:-target}/release/bench_login" $(ARGS)

## Retake the README's screenshots of the demo chat window (docs/chat-*.png)
screenshots: tools
	scripts/install-test-tools.sh
	cargo leptos build --release
	cd end2end && node bench/screenshots.mjs
