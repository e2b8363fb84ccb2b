#!/usr/bin/env bash
# Applying N generated migrations with retort vs `psql -X -1 -f`, on a PostgreSQL cluster
# with the default, durable settings (fsync on), started here for the run and removed after.
#
#   bench/apply-bench.sh [N] [ROUNDS]      (defaults 1000 3)
#
# The test clusters run with fsync off; this one does not, so a commit costs what it costs in
# production. `max_locks_per_transaction` is raised to 1024 so that the single-transaction run can
# hold N = 10,000 migrations' locks (as bench/peers/run.sh does). Not part of the test run.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
bin=$(dirname "$(readlink -f "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
dir=$(mktemp -d /tmp/retort-bench-pg.XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_locks_per_transaction=1024" start >/dev/null
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin apply
export PATH="$bin:$PATH"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" "$root/target/release/apply" "${1:-1000}" "${2:-3}"
