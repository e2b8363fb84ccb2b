#!/usr/bin/env bash
# How noisy are migration linters on real histories?
#
#   bench/lint-noise.sh DIR...
#
# Each DIR is one project's migration history, in any of these shapes:
#   - retort files (`-- migrate:up` … `-- migrate:down`): the up section is taken;
#   - diesel directories (`<name>/up.sql`);
#   - sqlx / refinery files (`<name>.up.sql`, or plain `<name>.sql`).
# The up sections are written, one .sql file per migration in history order, to
# $NOISE_OUT/<corpus>/ (default /tmp/noise; <corpus> is the directory's name, without a
# leading `out-`), where they stay for a second look.
#
# Then squawk (on PATH, or $SQUAWK) runs with its default rules on every file, and the
# script prints per corpus: migrations, warnings, warnings per 100 migrations, files with at
# least one warning, syntax errors, and the warnings by rule. With ASSUME_TXN=1 squawk is
# told each file runs in a transaction (as diesel, sqlx and retort run them).
#
# When $RETORT (default: `retort` on PATH) is there, the same up sections are also written
# as a linear retort history under $NOISE_OUT/<corpus>-retort/ and checked there with
# `retort lint` (or `retort check` where there is no `lint` command), and its warnings are
# counted the same way.
#
# Needs bash, awk, jq.
set -euo pipefail

SQUAWK=${SQUAWK:-squawk}
RETORT=${RETORT:-retort}
OUT=${NOISE_OUT:-/tmp/noise}

if [ "$#" -eq 0 ]; then
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
command -v "$SQUAWK" >/dev/null || { echo "squawk not found (set SQUAWK)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }

# extract SRC DEST: one file per migration in DEST, named so that they sort in history order.
extract() {
    local src=$1 dest=$2 f name
    rm -rf "$dest"
    mkdir -p "$dest"
    if compgen -G "$src/*/up.sql" >/dev/null; then
        for f in "$src"/*/up.sql; do
            name=$(basename "$(dirname "$f")")
            cp "$f" "$dest/$name.sql"
        done
    elif compgen -G "$src/*.up.sql" >/dev/null; then
        for f in "$src"/*.up.sql; do
            name=$(basename "$f" .up.sql)
            cp "$f" "$dest/$name.sql"
        done
    else
        for f in "$src"/*.sql; do
            name=$(basename "$f")
            if grep -q '^-- migrate:up' "$f"; then
                awk '/^-- migrate:down/ { exit } up { print } /^-- migrate:up/ { up = 1 }' \
                    "$f" >"$dest/$name"
            else
                cp "$f" "$dest/$name"
            fi
        done
    fi
}

# count NAME JSON_FILE MIGRATIONS: prints the summary lines of one linter's findings.
count() {
    local label=$1 json=$2 n=$3
    jq -r --arg who "$label" --argjson n "$n" '
        [ .[] | select(.level == "Warning") ] as $w
        | [ .[] | select(.level == "Error") ] as $e
        | ($w | map(.file) | unique | length) as $files
        | "\($who): \($n) migrations, \($w | length) warnings, "
          + "\(if $n > 0 then ($w | length) * 100 / $n | floor else 0 end) per 100 migrations, "
          + "\($files) files with a warning (\(if $n > 0 then $files * 100 / $n | floor else 0 end)%), "
          + "\($e | length) errors",
          ( $w | group_by(.rule_name) | map({rule: .[0].rule_name, n: length})
            | sort_by(-.n) | .[] | "    \(.n)\t\(.rule)" )
    ' "$json"
}

# as_retort SRC DEST: the up sections as a linear retort history.
as_retort() {
    local src=$1 dest=$2 prev=none i=0 f rev
    rm -rf "$dest"
    mkdir -p "$dest"
    for f in "$src"/*.sql; do
        i=$((i + 1))
        rev=$(printf 'r%05d' "$i")
        {
            echo "-- revision: $rev"
            echo "-- down_revision: $prev"
            echo "-- message: $(basename "$f" .sql)"
            if grep -qi 'concurrently' "$f"; then echo "-- transaction: false"; fi
            echo "-- irreversible: the up section alone, for linting"
            echo
            echo "-- migrate:up"
            cat "$f"
        } >"$dest/$rev.sql"
        prev=$rev
    done
}

retort_cmd=
if command -v "$RETORT" >/dev/null; then
    if "$RETORT" lint --help >/dev/null 2>&1; then
        retort_cmd=lint
    elif "$RETORT" check --help >/dev/null 2>&1; then
        retort_cmd=check
    fi
fi

for dir in "$@"; do
    corpus=$(basename "$dir")
    corpus=${corpus#out-}
    ups="$OUT/$corpus"
    extract "$dir" "$ups"
    n=$(find "$ups" -maxdepth 1 -name '*.sql' | wc -l)
    echo "== $corpus"
    flags=()
    if [ "${ASSUME_TXN:-0}" = 1 ]; then flags+=(--assume-in-transaction); fi
    json="$OUT/$corpus.squawk.json"
    (cd "$ups" && "$SQUAWK" --reporter json "${flags[@]}" ./*.sql >"$json" 2>/dev/null) || true
    count "squawk" "$json" "$n"
    if [ -n "$retort_cmd" ]; then
        as_retort "$ups" "$OUT/$corpus-retort"
        rjson="$OUT/$corpus.retort.json"
        "$RETORT" --dir "$OUT/$corpus-retort" "$retort_cmd" --format json >"$rjson" 2>/dev/null ||
            true
        jq -r --arg cmd "retort $retort_cmd" --argjson n "$n" '
            [ .diagnostics[] | select(.severity == "warning") ] as $w
            | [ .diagnostics[] | select(.severity == "error") ] as $e
            | ($w | map(.location // "" | split(":")[0]) | unique | length) as $files
            | "\($cmd): \($n) migrations, \($w | length) warnings, "
              + "\(if $n > 0 then ($w | length) * 100 / $n | floor else 0 end) per 100 migrations, "
              + "\($files) files with a warning, \($e | length) errors",
              ( $w | group_by(.code) | map({code: .[0].code, n: length})
                | sort_by(-.n) | .[] | "    \(.n)\t\(.code)" ),
              ( $e | group_by(.code) | map({code: .[0].code, n: length})
                | sort_by(-.n) | .[] | "    \(.n)\t\(.code) (error)" )
        ' "$rjson" || echo "retort $retort_cmd: no JSON report (see $rjson)"
    else
        echo "retort: not found (set RETORT)"
    fi
done
