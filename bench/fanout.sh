#!/usr/bin/env bash
# A fleet upgrade: `retort upgrade --targets FILE` on N databases of one PostgreSQL cluster,
# with `--jobs 1` and `--jobs 8`, each database from base to head through M migrations. The
# cluster runs with the default, durable settings (fsync on), started here for the run and
# removed after.
#
#   bench/fanout.sh [N] [M] [ROUNDS]      (defaults 50 5 3)
#
# Each round downgrades every target to base (not timed), then times the upgrade; the
# figure is the median wall time of the rounds. Not part of the test run.
set -euo pipefail
n=${1:-50}
m=${2:-5}
rounds=${3:-3}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
bin=$(dirname "$(readlink -f "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
dir=$(mktemp -d /tmp/retort-bench-pg.XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-cli --bin retort
retort="${CARGO_TARGET_DIR:-$root/target}/release/retort"

# The project: M migrations, each a table with an index and a few rows.
project="$dir/project"
mkdir -p "$project/migrations"
prev=none
for i in $(seq -w 1 "$m"); do
  cat > "$project/migrations/${i}_t${i}.sql" <<EOF
-- revision: $i
-- down_revision: $prev
-- message: Table $i

-- migrate:up
CREATE TABLE t$i (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL DEFAULT now());
CREATE INDEX t${i}_name ON t$i (name);
INSERT INTO t$i (id, name) SELECT g, 'n' || g FROM generate_series(1, 100) g;

-- migrate:down
DROP TABLE t$i;
EOF
  prev=$i
done

# The fleet.
: > "$project/targets.txt"
for i in $(seq 1 "$n"); do
  "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE fleet_$i" >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/fleet_$i" >> "$project/targets.txt"
done

cd "$project"
echo "fan-out: $n databases, $m migrations each, $(nproc) cores, PostgreSQL $("$bin/postgres" --version | awk '{print $3}')"
for jobs in 1 8; do
  times=()
  for _ in $(seq 1 "$rounds"); do
    "$retort" downgrade base --targets targets.txt --jobs 8 >/dev/null
    start=$(date +%s.%N)
    "$retort" upgrade --targets targets.txt --jobs "$jobs" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf 'upgrade --jobs %s: median %.2f s (rounds: %s)\n' "$jobs" "$median" "${times[*]}"
done
