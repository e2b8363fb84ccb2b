#!/usr/bin/env bash
# `retort revision --autogenerate` on N generated migrations (release build): the schema at
# the head (`retort schema`) plus a new table, an index and a column on an existing table as
# the schema file; each round writes the revision, which is then removed. The notes the
# command prints (what it does not compare) go to notes.txt in the work directory.
#
#   bench/autogen-bench.sh [N] [ROUNDS]        (defaults 1000 and 5)
#
# Prints each round's wall time and the best. Not part of the test run.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
n=${1:-1000}
rounds=${2:-5}
work="$root/target/bench-autogen/n$n"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin gen
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-cli
retort="$root/target/release/retort"
rm -rf "$work"
mkdir -p "$work"
"$root/target/release/gen" "$work/migrations" "$n" >/dev/null
cd "$work"
"$retort" --dir migrations schema > schema.sql
table=$(grep -m1 -o '^CREATE TABLE [^ ]*' schema.sql | cut -d' ' -f3)
cat >> schema.sql <<SQL

CREATE TABLE autogen_bench (id bigint PRIMARY KEY, note text NOT NULL DEFAULT '');
CREATE INDEX autogen_bench_note ON autogen_bench (note);
ALTER TABLE $table ADD COLUMN autogen_bench_flag boolean;
SQL
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "N = $n: $(ls migrations | wc -l) files, adding to table $table"
best=
for i in $(seq "$rounds"); do
  start=$(date +%s.%N)
  out=$("$retort" --dir migrations --schema-file schema.sql revision --autogenerate -m bench 2>notes.txt)
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  echo "  round $i: ${t} s ($out; $(wc -l < notes.txt) lines on stderr)"
  rm -f "$out"
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
echo "best of $rounds: $best s"
