#!/usr/bin/env bash
# Side by side: retort, sqlx, refinery and diesel_migrations, each embedding the same N
# generated migrations with its own macro (the peer crates beside this script).
#
#   bench/peers/run.sh [N ...]            (default: 100 1000 10000)
#
# Environment: ROUNDS (best of, default 3), TIMEOUT (seconds per cargo build, default 900),
# TOOLS (default "retort sqlx refinery diesel"), FSYNC (on or off, default on),
# RESULTS (file the tables are appended to, default target/peers/results.md), LABEL (a note
# for the tables' heading, such as the profile settings of the run).
#
# For each N, into target/peers/ (a copy of this workspace; nothing generated is committed):
#   1. `peers-gen` writes the same N migrations in each tool's layout, and the up sections as
#      one script for psql; every peer is built (dev profile), the first build timed;
#   2. touch rebuild: `touch src/main.rs && cargo build`, best of ROUNDS, tools interleaved,
#      with the peak memory (max RSS, /usr/bin/time) of that build;
#   3. new file: one more migration in each layout, no Rust touched, `cargo build` (timed:
#      for retort the cold build after adding a migration), then `peer count` must say N+1;
#   4. release build, stripped binary size;
#   5. apply: a fresh database each time, `psql -X -q -1 -f up.sql` and each `peer apply`,
#      timed from outside (process start and connection included), best of ROUNDS,
#      interleaved (the tools' order rotated each round), with the peak memory of the run;
#   6. no-op: `peer noop 20` on the database just migrated: the fastest of 20 start-up checks,
#      timed inside the process after connecting.
# A build that exceeds TIMEOUT is reported as "> TIMEOUT s" and the tool is skipped for the
# rest of that N. Load averages are printed with each N, since the machine may be shared.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work="$root/target/peers"
rounds=${ROUNDS:-3}
timeout_s=${TIMEOUT:-900}
tools=(${TOOLS:-retort sqlx refinery diesel})
results=${RESULTS:-$work/results.md}
mkdir -p "$work"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin peers-gen
gen="$root/target/release/peers-gen"
for d in Cargo.toml Cargo.lock common retort sqlx refinery diesel; do
  rm -rf "${work:?}/$d/src"
  cp -r "$root/bench/peers/$d" "$work/"
done
export CARGO_TARGET_DIR="$work/target"
cd "$work"

# A PostgreSQL cluster of its own, default settings (durable unless FSYNC=off).
pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
pgdir=$(mktemp -d /tmp/retort-peers-pg.XXXXXX)
chmod 755 "$pgdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$pgdir"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir -c fsync=${FSYNC:-on} -c max_locks_per_transaction=1024" start >/dev/null
url_for() { echo "postgres://postgres@127.0.0.1:$port/$1"; }
admin() { "$pgbin/psql" -X -q -d "$(url_for postgres)" -c "$1" >/dev/null; }
fresh_db() { admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; admin "CREATE DATABASE $1"; }

# measure OUT CMD...: runs CMD, writes "seconds max_rss_kib exit_status" to OUT.
measure() {
  local out=$1 start end status=0
  shift
  start=$(date +%s.%N)
  /usr/bin/time -f %M -o "$out.rss" "$@" >"$out.log" 2>&1 || status=$?
  end=$(date +%s.%N)
  echo "$(python3 -c "print(f'{$end - $start:.3f}')") $(tail -1 "$out.rss" | grep -Eo '^[0-9]+$' || echo 0) $status" >"$out"
}
build() { # build TOOL PROFILE-FLAG... ; times one cargo build with the timeout
  local tool=$1
  shift
  measure "$work/m" timeout "$timeout_s" cargo build -q -p "peer-$tool" "$@"
  read -r secs rss status <"$work/m"
  if [ "$status" = 124 ]; then echo "timeout"; elif [ "$status" != 0 ]; then
    echo "failed"; cat "$work/m.log" >&2; else echo "$secs $rss"; fi
}
min() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(f'{min(v):.3f}' if v else '-')" "$@"; }
ratio() { python3 -c "print(f'{float(\"$1\") / float(\"$2\"):.2f}')" 2>/dev/null || echo "-"; }
mib() { python3 -c "print(f'{int(\"$1\") / 1024:.0f} MiB')"; }

# Warm-up: every dependency built as each peer alone needs it (features differ from a
# workspace build), in both profiles, so that the timed builds compile the peer crate only.
"$gen" "$work" 1 >/dev/null
[[ ${PHASES:-build} == *build* ]] && for t in "${tools[@]}"; do
  cargo build -q -p "peer-$t"
  cargo build -q -p "peer-$t" --release
done

[ $# -gt 0 ] || set -- 100 1000 10000
for n in "$@"; do
  declare -A first touch touchmem noticed newbuild relsize apply applymem noop skip=()
  bytes=$("$gen" "$work" "$n")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== N = $n ($bytes); load average $load; rounds $rounds; fsync ${FSYNC:-on}" >&2
  phases=${PHASES:-build apply}
  [[ $phases == *build* ]] || rounds_build=0
  for t in "${tools[@]}"; do
    [ "${rounds_build:-1}" = 0 ] && { first[$t]="not measured (PHASES)"; continue; }
    touch "$t/src/main.rs"
    r=$(build "$t")
    if [ "$r" = timeout ] || [ "$r" = failed ]; then skip[$t]=$r; first[$t]="> $timeout_s s ($r)"; continue; fi
    first[$t]="${r% *} s"
    echo "  $t: first build ${first[$t]}" >&2
  done
  declare -A touches=() mems=()
  for _ in $(seq "${rounds_build:-$rounds}"); do
    for t in "${tools[@]}"; do
      [ -n "${skip[$t]:-}" ] && continue
      touch "$t/src/main.rs"
      r=$(build "$t")
      if [ "$r" = timeout ] || [ "$r" = failed ]; then skip[$t]=$r; continue; fi
      touches[$t]="${touches[$t]:-} ${r% *}"
      mems[$t]="${mems[$t]:-} ${r#* }"
    done
  done
  for t in "${tools[@]}"; do
    touch[$t]=$(min ${touches[$t]:-})
    touchmem[$t]=$(python3 -c "import sys; print(max([int(x) for x in sys.argv[1:]] or [0]))" ${mems[$t]:-})
    echo "  $t: touch rebuild ${touch[$t]} s (${touches[$t]:-})" >&2
  done
  # A new migration file, touching no Rust.
  "$gen" "$work" "$n" --add
  for t in "${tools[@]}"; do
    [ -n "${skip[$t]:-}" ] || [ "${rounds_build:-1}" = 0 ] && { noticed[$t]="not measured"; continue; }
    r=$(build "$t")
    if [ "$r" = timeout ] || [ "$r" = failed ]; then noticed[$t]="not measured ($r)"; continue; fi
    newbuild[$t]="${r% *} s"
    count=$("$CARGO_TARGET_DIR/debug/peer-$t" count)
    if [ "$count" = $((n + 1)) ]; then noticed[$t]="yes"; else noticed[$t]="no (still $count)"; fi
    echo "  $t: new file noticed: ${noticed[$t]}" >&2
  done
  "$gen" "$work" "$n" --remove
  # Release builds, for the runs and the binary size.
  for t in "${tools[@]}"; do
    [ -n "${skip[$t]:-}" ] && continue
    touch "$t/src/main.rs"
    r=$(build "$t" --release)
    if [ "$r" = timeout ] || [ "$r" = failed ]; then skip[$t]="release $r"; continue; fi
    [ "$("$CARGO_TARGET_DIR/release/peer-$t" count)" = "$n" ] || { echo "error: peer-$t does not embed $n" >&2; exit 1; }
    strip -o "$work/stripped-$t" "$CARGO_TARGET_DIR/release/peer-$t"
    relsize[$t]=$(stat -c %s "$work/stripped-$t")
  done
  # Apply N to a fresh database, interleaved with psql -1 of the same up SQL.
  declare -A runs=() runmem=()
  for r in $(seq "$rounds"); do
    # The tools in an order rotated each round: the one that runs right after psql's run
    # (and the drop of its database) meets the cluster's writes of that run, so no tool
    # should always be the one.
    k=$(( (r - 1) % ${#tools[@]} ))
    order=("${tools[@]:$k}" "${tools[@]:0:$k}")
    fresh_db bench_psql
    measure "$work/m" "$pgbin/psql" -X -q -1 -d "$(url_for bench_psql)" -f "$work/up.sql"
    read -r secs rss status <"$work/m"
    [ "$status" = 0 ] || { cat "$work/m.log" >&2; exit 1; }
    runs[psql]="${runs[psql]:-} $secs"
    runmem[psql]=$rss
    admin "DROP DATABASE bench_psql WITH (FORCE)"
    for t in "${order[@]}"; do
      [ -n "${skip[$t]:-}" ] && continue
      fresh_db "bench_$t"
      measure "$work/m" env DATABASE_URL="$(url_for "bench_$t")" "$CARGO_TARGET_DIR/release/peer-$t" apply
      read -r secs rss status <"$work/m"
      [ "$status" = 0 ] || { echo "peer-$t apply failed:" >&2; cat "$work/m.log" >&2; exit 1; }
      runs[$t]="${runs[$t]:-} $secs"
      runmem[$t]=$rss
    done
  done
  apply[psql]=$(min ${runs[psql]})
  for t in "${tools[@]}"; do
    [ -n "${skip[$t]:-}" ] && continue
    apply[$t]=$(min ${runs[$t]})
    # The database bench_$t is up to date: the start-up check.
    noop[$t]=$(DATABASE_URL="$(url_for "bench_$t")" "$CARGO_TARGET_DIR/release/peer-$t" noop 20)
    admin "DROP DATABASE bench_$t WITH (FORCE)"
    echo "  $t: apply ${apply[$t]} s (${runs[$t]}), psql ${apply[psql]} s; no-op ${noop[$t]} ms" >&2
  done
  {
    echo
    echo "### N = $n${LABEL:+, $LABEL}"
    echo
    echo "$bytes; load average at start $load (2 cores); best of $rounds; fsync ${FSYNC:-on}; $(date -u +%Y-%m-%dT%H:%MZ)."
    echo
    echo "| | $(printf '%s | ' "${tools[@]}")"
    echo "|---|$(printf -- '---|%.0s' "${tools[@]}")"
    row() { local label=$1; shift; echo "| $label | $(for t in "${tools[@]}"; do printf '%s | ' "$("$@" "$t")"; done)"; }
    f_first() { echo "${first[$1]}"; }
    f_touch() { [ -n "${touch[$1]}" ] && [ "${touch[$1]}" != - ] && echo "${touch[$1]} s ($(ratio "${touch[$1]}" "${touch[diesel]:-}")× diesel)" || echo "${skip[$1]:-not measured}"; }
    f_tmem() { [ "${touchmem[$1]:-0}" != 0 ] && mib "${touchmem[$1]}" || echo -; }
    f_new() { echo "${noticed[$1]:-not measured}"; }
    f_newbuild() { echo "${newbuild[$1]:-not measured}"; }
    f_apply() { [ -n "${apply[$1]:-}" ] && echo "${apply[$1]} s (${apply[psql]} s: $(ratio "${apply[$1]}" "${apply[psql]}")×)" || echo "not measured"; }
    f_noop() { [ -n "${noop[$1]:-}" ] && echo "${noop[$1]} ms" || echo "not measured"; }
    f_size() { [ -n "${relsize[$1]:-}" ] && python3 -c "print(f'{${relsize[$1]} / 1048576:.2f} MiB')" || echo "not measured"; }
    f_rmem() { [ -n "${apply[$1]:-}" ] && mib "${runmem[$1]}" || echo -; }
    row "first build (dev, dependencies built)" f_first
    row "(1) touch rebuild (dev)" f_touch
    row "peak memory of that build" f_tmem
    row "(2) new file in the next build" f_new
    row "that build (dev; cold for retort: its build script and macro check again)" f_newbuild
    row "(3) apply N, fresh database (vs psql -X -1 -f)" f_apply
    row "(4) no-op start-up check" f_noop
    row "(5) release binary, stripped" f_size
    row "peak memory of the apply run" f_rmem
  } | tee -a "$results"
  unset first touch touchmem noticed newbuild relsize apply applymem noop skip rounds_build
done
