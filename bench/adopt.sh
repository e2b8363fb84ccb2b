#!/usr/bin/env bash
# Adoption from another tool, end to end with the real tool: the tool (its own crate, as in
# bench/peers) migrates a fresh database with all but the last KEEP migrations of a real
# project's directory; then `retort import`, `retort stamp --adopt`, `retort upgrade` (which
# must apply exactly the KEEP newer ones: applying an older one again would fail on its
# CREATE TABLE) and `retort check` (in sync, no drift). Finally the adopted database is
# compared with one that retort built from nothing (`retort diff`, which must find nothing).
#
#   bench/adopt.sh TOOL SRC [KEEP]     TOOL: sqlx | diesel | refinery; SRC: the project's
#                                      migration directory (fetched, never committed)
#
# LIMIT=N takes only the first N migrations of SRC (a history whose end needs a newer
# PostgreSQL than the machine's).
#
# Work goes to target/adopt/ (a copy of bench/peers); a throwaway PostgreSQL cluster is
# started and stopped. Prints one line per step and a summary; exits non-zero on the first
# step that does not do what it should.
set -euo pipefail
tool=$1
src=$(readlink -f "$2")
keep=${3:-3}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work="$root/target/adopt"
mkdir -p "$work"
for d in Cargo.toml Cargo.lock common retort sqlx refinery diesel; do
  rm -rf "${work:?}/$d"
  cp -r "$root/bench/peers/$d" "$work/"
done
cargo build --release -q --manifest-path "$root/Cargo.toml" -p retort-cli
retort="$root/target/release/retort"

# The tool's migrations minus the newest KEEP, in the tool's order.
mig="$work/$tool/migrations"
rm -rf "$mig"
mkdir -p "$mig"
case $tool in
  sqlx) mapfile -t versions < <(ls "$src" | grep -E '^[0-9]+_.*\.sql$' | cut -d_ -f1 | sort -n -u) ;;
  diesel) mapfile -t versions < <(for d in "$src"/*/; do [ -f "$d/up.sql" ] && basename "$d"; done | sort) ;;
  refinery) mapfile -t versions < <(ls "$src" | grep -E '^[UV][0-9]+__.*\.sql$' | sed -E 's/^[UV]([0-9]+)__.*/\1/' | sort -n -u) ;;
  *) echo "usage: adopt.sh sqlx|diesel|refinery SRC [KEEP]" >&2; exit 2 ;;
esac
# copy DEST VERSION...: the files of those versions of SRC into DEST, in the tool's layout.
copy() {
  local dest=$1 v
  shift
  for v in "$@"; do
    case $tool in
      sqlx) cp "$src/${v}"_* "$dest/" ;;
      diesel) cp -r "$src/$v" "$dest/" ;;
      refinery) cp "$src"/[UV]"${v}"__*.sql "$dest/" ;;
    esac
  done
}
if [ -n "${LIMIT:-}" ]; then
  versions=("${versions[@]:0:$LIMIT}")
  cut="$work/src-$tool"
  rm -rf "$cut"
  mkdir -p "$cut"
  copy "$cut" "${versions[@]}"
  src=$cut
fi
total=${#versions[@]}
applied=$((total - keep))
copy "$mig" "${versions[@]:0:$applied}"
export CARGO_TARGET_DIR="$work/target"
(cd "$work" && cargo build -q -p "peer-$tool")
peer="$CARGO_TARGET_DIR/debug/peer-$tool"
echo "$tool: $total migrations in $src; the tool applies the first $applied"

pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
pgdir=$(mktemp -d /tmp/retort-adopt-pg.XXXXXX)
chmod 755 "$pgdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$pgdir"; runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir" start >/dev/null
url_for() { echo "postgres://postgres@127.0.0.1:$port/$1"; }
"$pgbin/psql" -X -q -d "$(url_for postgres)" -c "CREATE DATABASE adopted" -c "CREATE DATABASE fresh"

DATABASE_URL=$(url_for adopted) "$peer" apply
proj="$work/project-$tool"
rm -rf "$proj"
mkdir -p "$proj"
cd "$proj"
set +e
"$retort" import --from "$tool" "$src" --dir migrations > import.out 2> import.err
status=$?
set -e
cat import.out
echo "import: errors shown: $(grep -c '^error\[' import.err || true)"
if [ "$status" != 0 ]; then
  echo "import: the history has errors of its own (in $proj/import.err); fix them, then adopt" >&2
  exit 1
fi
export DATABASE_URL=$(url_for adopted)
"$retort" stamp --adopt "$tool"
"$retort" upgrade | tee upgrade.out
grep -q "$keep migration" upgrade.out || { echo "error: upgrade did not apply exactly $keep" >&2; exit 1; }
"$retort" check | tail -3
DATABASE_URL=$(url_for fresh) "$retort" upgrade | tail -1
"$retort" diff --from "$(url_for fresh)" --to "$(url_for adopted)" | tee diff.out
echo "adopted: $applied applied by $tool, $keep by retort; the adopted database against one retort built: $(tail -1 diff.out)"
