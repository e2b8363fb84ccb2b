#!/usr/bin/env bash
# Measures what `retort::migrations!()` costs a crate with N generated migrations.
#
#   bench/macro-bench.sh [N ...]      (default: 100 1000)
#
# For each N: a scratch crate under target/bench-macro/ (build.rs with retort_build::track,
# main.rs with retort::migrations!()), built in the dev profile as a user would, then:
#   - touch rebuild: `touch src/main.rs && cargo build`, best of 3 (the macro runs again; the
#     build script does not, so its verified-SQL digests let the macro skip the SQL checks);
#   - touch rebuild, all checks: the same with the digests removed (what the macro pays
#     without a build script's help, e.g. with `untracked`);
#   - peak memory of that build (max RSS, /usr/bin/time);
#   - a new file noticed: one more migration added, touching no Rust; the binary must count N+1;
#   - release binary size, stripped.
# Prints one Markdown table row per N. Not part of the test run.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work="$root/target/bench-macro"
export CARGO_TARGET_DIR="$work/target"
mkdir -p "$work"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-bench --bin gen
gen="$CARGO_TARGET_DIR/release/gen"   # built just above, into the exported target dir

best_of_3() { # command... ; prints the best wall time in seconds
  local best=999999 t
  for _ in 1 2 3; do
    t=$( { TIMEFORMAT=%R; time "$@" >/dev/null 2>&1; } 2>&1 )
    best=$(python3 -c "print(min($best, $t))")
  done
  echo "$best"
}

echo "| N | SQL | touch rebuild | touch rebuild, all checks | peak memory | new file noticed | release binary (stripped) |"
echo "|---|---|---|---|---|---|---|"
for n in "${@:-100 1000}"; do
  crate="$work/n$n"
  rm -rf "$crate"
  mkdir -p "$crate/src"
  "$gen" "$crate/migrations" "$n" >/dev/null
  cat > "$crate/Cargo.toml" <<TOML
[package]
name = "bench-macro-n$n"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
retort = { path = "$root" }

[build-dependencies]
retort-build = { path = "$root/build-support" }

[workspace]
TOML
  echo 'fn main() { retort_build::track("migrations"); }' > "$crate/build.rs"
  cat > "$crate/src/main.rs" <<'RS'
retort::migrations!();

fn main() {
    // Use every migration's data, so that the release binary keeps all of it.
    let bytes: usize = MIGRATIONS
        .iter()
        .map(|m| m.up_sql().len() + m.down_sql().map_or(0, str::len) + m.message().len()
            + usize::from(m.checksum().as_bytes()[0]) + m.revision().as_str().len())
        .sum();
    println!("{} {bytes}", MIGRATIONS.len());
}
RS
  (cd "$crate" && cargo build -q)
  bytes=$(cat "$crate"/migrations/*.sql | wc -c)
  touch_build() { touch "$crate/src/main.rs"; (cd "$crate" && cargo build -q); }
  cached=$(best_of_3 touch_build)
  uncached_build() { rm -f "$CARGO_TARGET_DIR"/debug/build/bench-macro-n"$n"-*/out/retort-verified-sql.txt; touch_build; }
  uncached=$(best_of_3 uncached_build)
  touch "$crate/src/main.rs"
  mem=$( (cd "$crate" && /usr/bin/time -f "%M" cargo build -q) 2>&1 | tail -1)
  # A new migration file, touching no Rust.
  next=$(printf "%05d" "$n")
  prev=$(printf "%05d" $((n - 1)))
  printf -- "-- revision: %s\n-- down_revision: %s\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 1;\n" "$next" "$prev" > "$crate/migrations/${next}_added.sql"
  (cd "$crate" && cargo build -q)
  count=$("$CARGO_TARGET_DIR/debug/bench-macro-n$n" | cut -d' ' -f1)
  if [ "$count" = $((n + 1)) ]; then noticed=yes; else noticed="no ($count)"; fi
  (cd "$crate" && cargo build -q --release)
  strip -o "$work/stripped-n$n" "$CARGO_TARGET_DIR/release/bench-macro-n$n"
  size=$(stat -c %s "$work/stripped-n$n")
  echo "| $n | $((bytes / 1024)) KiB | ${cached} s | ${uncached} s | $((mem / 1024)) MiB | $noticed | $((size / 1024)) KiB |"
done
