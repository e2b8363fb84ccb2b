#!/usr/bin/env bash
# retort's own scaling: the checks the macro and the build script run (`check_dir`: parse,
# headers, graph, SQL checks, schema replay) on N generated migrations, built optimised and
# in the dev profile (what a proc macro or build script gets by default).
#
#   bench/scaling.sh [N ...]        (default: 100 1000 10000)
#
# Prints what `checktime` prints per N and profile: the best of 5 rounds (3 from N = 1,000,
# 1 from N = 5,000), each command stopped after TIMEOUT seconds (default 600); the dev
# profile is skipped from N = 5,000 (DEV_MAX, default 4999). Not part of the test run.
# Touch rebuild, apply and no-op at the same N come from bench/peers/run.sh.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work="$root/target/bench-scaling"
mkdir -p "$work"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin gen --bin checktime
cargo build -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin checktime
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ $# -gt 0 ] || set -- 100 1000 10000
for n in "$@"; do
  rm -rf "$work/n$n"
  "$root/target/release/gen" "$work/n$n" "$n" >/dev/null
  rounds=5
  [ "$n" -ge 1000 ] && rounds=3
  [ "$n" -ge 5000 ] && rounds=1
  for profile in release debug; do
    if [ "$profile" = debug ] && [ "$n" -gt "${DEV_MAX:-4999}" ]; then
      echo "N = $n, debug: not measured (DEV_MAX)"
      continue
    fi
    out=$(timeout "${TIMEOUT:-600}" "$root/target/$profile/checktime" "$work/n$n" "$rounds") \
      || out="> ${TIMEOUT:-600} s (timeout)"
    echo "N = $n, $profile:"
    echo "$out" | sed 's/^/  /'
  done
done
