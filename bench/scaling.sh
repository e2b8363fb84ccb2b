#!/usr/bin/env bash
# retort's own scaling: the checks the macro and the build script run (`check_dir`: parse,
# headers, graph, SQL checks, schema replay) on N generated migrations, built optimised and
# in the dev profile (what a proc macro or build script gets by default).
#
#   bench/scaling.sh [N ...]        (default: 100 1000 10000)
#
# Prints one line per N and profile, the best of 5 (3 at N >= 10,000). Not part of the test
# run. Touch rebuild, apply and no-op at the same N come from bench/peers/run.sh.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work="$root/target/bench-scaling"
mkdir -p "$work"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin gen --bin checktime
cargo build -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin checktime
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${@:-100 1000 10000}"; do
  rm -rf "$work/n$n"
  "$root/target/release/gen" "$work/n$n" "$n" >/dev/null
  rounds=5
  [ "$n" -ge 10000 ] && rounds=3
  echo "N = $n, release: $("$root/target/release/checktime" "$work/n$n" "$rounds")"
  echo "N = $n, dev:     $("$root/target/debug/checktime" "$work/n$n" "$rounds")"
done
