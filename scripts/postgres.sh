#!/usr/bin/env bash
# A private PostgreSQL cluster in a directory of our own: no system service,
# no TCP (the server listens only on a Unix socket inside DIR), so a test run
# or a developer can own, start and throw away a real server.
#
#   postgres.sh install                 install Debian's postgresql if missing
#   postgres.sh start DIR [PORT] [-- SERVER_OPTION...]
#                                       initdb DIR/data if needed, start it if
#                                       not running, print its URL (one line)
#   postgres.sh stop DIR                stop it (no error if not running)
#   postgres.sh url DIR                 print the URL of the cluster in DIR
#
# SERVER_OPTIONs go to the server for this start only (e.g. -c fsync=off);
# they must not contain spaces. They are not applied if it is already running.
# Everything but the URL goes to stderr, so `url=$(postgres.sh start DIR)` works.
set -euo pipefail

usage() {
  echo "usage: $0 install | start DIR [PORT] [-- SERVER_OPTION...] | stop DIR | url DIR" >&2
  exit 2
}
die() { echo "postgres.sh: $*" >&2; exit 1; }

# Debian installs the binaries under /usr/lib/postgresql/<major>/bin, not on
# PATH; take the newest major if several are installed.
pg_bin() {
  local initdb
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  [ -x "$initdb" ] || return 1
  dirname "$initdb"
}

install_pg() {
  pg_bin >/dev/null && return 0
  echo "postgres.sh: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when the install fails without it (no
  # lists yet, or stale ones pointing at files the mirror no longer has).
  if ! apt-get install -y -qq postgresql >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
  pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

# initdb and postgres refuse to run as root; as root (sessions, CI) run them
# as the postgres user that Debian's package creates.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sets $dir to DIR made absolute (the socket directory and the URL need an
# absolute path). Only plain characters: DIR goes unquoted into pg_ctl's
# server options and unencoded into the URL's query string.
set_dir() {
  [ -n "${1:-}" ] || usage
  dir=$(realpath -m -- "$1")
  case "$dir" in
    *[!A-Za-z0-9/._-]*) die "DIR may only contain letters, digits and / . _ - (got $dir)" ;;
  esac
}

url_for() { echo "postgres://parley@localhost/postgres?host=$dir&port=$1"; }

# 0 when the server of $dir/data is running (pg_ctl status: 0 running,
# 3 not running, 4 no data directory).
running() {
  [ -f "$dir/data/PG_VERSION" ] || return 1
  as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# Serialises start and stop on the same DIR (two callers at once would both
# see "not running" and both try to start). The lock lives in DIR; the
# server must not inherit its descriptor, hence the 9>&- on pg_ctl below.
lock_dir() {
  exec 9>"$dir/.postgres.sh.lock"
  flock 9
}

start() {
  set_dir "${1:-}"
  shift
  local port="" opts=()
  if [ $# -gt 0 ] && [ "$1" != "--" ]; then port=$1; shift; fi
  if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || usage
    shift
    opts=("$@")
  fi
  if [ -n "$port" ] && ! { [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ]; }; then
    die "PORT must be a number from 1024 to 65535 (got $port)"
  fi

  # The socket is $dir/.s.PGSQL.<port>; sun_path holds 108 bytes and
  # PostgreSQL refuses longer socket paths. Checked before creating DIR.
  local socket="$dir/.s.PGSQL.65535"
  [ "${#socket}" -lt 100 ] || die "DIR too long for a Unix socket path (${#socket} chars): $socket"

  install_pg
  bin=$(pg_bin)
  mkdir -p "$dir"
  lock_dir

  if running; then
    # Already up: report it as it is; a different PORT would need a restart.
    local current
    current=$(cat "$dir/port")
    [ -z "$port" ] || [ "$port" = "$current" ] ||
      die "already running in $dir on port $current (asked for $port); stop it first"
    url_for "$current"
    return
  fi

  # The port only names the socket file ($dir/.s.PGSQL.PORT and its lock),
  # and both live in $dir, so clusters in different directories cannot
  # collide whatever their numbers (no TCP listener; PostgreSQL >= 12 keys
  # its shared memory on the data directory, not the port). Derive a stable
  # number from the path anyway, so the URL of a directory does not change
  # between starts and two clusters are easy to tell apart in `ps`.
  if [ -z "$port" ]; then
    if [ -f "$dir/port" ]; then
      port=$(cat "$dir/port")
    else
      port=$((20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 10000))
    fi
  fi
  # As root the server runs as postgres, which must own DIR (initdb, the
  # socket, the log) and be able to reach it through every parent.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    chmod 755 "$dir"
    as_pg test -w "$dir" -a -x "$dir" ||
      die "the postgres user cannot reach $dir (a parent directory is not traversable)"
  fi
  # PostgreSQL tools change back to the working directory, which postgres
  # may not be allowed to read (e.g. under /root).
  cd "$dir"

  if [ ! -f "$dir/data/PG_VERSION" ]; then
    # UTF-8 whatever the caller's locale (an unset LANG would give SQL_ASCII);
    # the C locale sorts by code point, the same on every machine.
    # trust: only local users who can reach the socket in DIR can connect.
    if ! as_pg "$bin/initdb" -D "$dir/data" -A trust -U parley -E UTF8 --locale=C \
      >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      die "initdb failed in $dir/data"
    fi
  fi

  echo "$port" >"$dir/port"
  # -w: wait until the server accepts connections (or fails).
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-k $dir -p $port -c listen_addresses='' ${opts[*]:-}" start >/dev/null 2>&1 9>&-; then
    tail -n 20 "$dir/log" >&2 || true
    die "the server in $dir/data did not start (log: $dir/log)"
  fi
  url_for "$port"
}

stop() {
  set_dir "${1:-}"
  [ -f "$dir/data/PG_VERSION" ] || return 0
  bin=$(pg_bin) || return 0
  cd "$dir"
  lock_dir
  if running; then
    # fast: disconnect clients and stop now (smart would wait for them).
    as_pg "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null
  fi
}

url() {
  set_dir "${1:-}"
  [ -f "$dir/port" ] || die "no cluster started in $dir"
  url_for "$(cat "$dir/port")"
}

case "${1:-}" in
  install) [ $# -eq 1 ] || usage; install_pg ;;
  start) [ $# -ge 2 ] || usage; shift; start "$@" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  url) [ $# -eq 2 ] || usage; url "$2" ;;
  *) usage ;;
esac
