#!/usr/bin/env bash
# bench/run.sh: Sunlight against PostGraphile on the same PostgreSQL data, then Sunlight on SQLite.
#
#   bench/run.sh              load (once) the scale data into the harness's PostgreSQL with
#                             `sunlight demo --scale`, start PostGraphile and `sunlight serve` on it,
#                             check each question returns the same rows on both, load test both,
#                             then the same Sunlight questions on an SQLite file of the same data
#   bench/run.sh check        only start what is needed and compare the answers
#   bench/run.sh sunlight     the same, but load test only Sunlight (PostgreSQL, then SQLite)
#   bench/run.sh stop         stop the harness's PostgreSQL and PostGraphile (by PID)
#
# Settings (env): PEER=../shared/bench/peer  STATE=/tmp/peer-bench  SUNLIGHT_PORT=8090
#   SQLITE=1 (0: skip SQLite)  SQLITE_DB=$STATE/sunlight-scale.db  GQL_WORKERS=1 (2: PostGraphile
#   --cluster-workers 2)  SCALE_FLAGS="--scale" (e.g. "--communities 5 --vouchers 100000")
#   PPROF=127.0.0.1:6060 (profile sunlight serve while it is loaded)  KEEP_RUNNING=0
#   SUNLIGHT_GOGC= (GOGC for sunlight serve, which defaults to 400; the result labels get "-gogcN")
#   MIGRATE_BASELINE=20261125232029 (adopts a database loaded by an older build, see below)
#   and the harness's DURATION, WARMUP, CONNS, THREADS, QUIET_WAIT …
# Only processes this script (or the harness) started are stopped, by PID.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER="${PEER:-$(cd "$ROOT/../shared/bench/peer" && pwd)}"
export STATE="${STATE:-${TMPDIR:-/tmp}/peer-bench}"
export PG_PORT="${PG_PORT:-55432}" PG_DB="${PG_DB:-peerbench}" GQL_PORT="${GQL_PORT:-5000}"
export GQL_WORKERS="${GQL_WORKERS:-1}"
SUNLIGHT_PORT="${SUNLIGHT_PORT:-8090}"
SQLITE="${SQLITE:-1}"
SQLITE_DB="${SQLITE_DB:-$STATE/sunlight-scale.db}"
SCALE_FLAGS="${SCALE_FLAGS:---scale}"
KEEP_RUNNING="${KEEP_RUNNING:-0}"
MIGRATE_BASELINE="${MIGRATE_BASELINE:-20261125232029}"  # first file of ent/migrate/migrations
PG_URL="postgres://postgres@127.0.0.1:${PG_PORT}/${PG_DB}"
BIN="$STATE/sunlight"
Q="$ROOT/bench/queries"
OUT="$STATE/sunlight-bench"
mkdir -p "$STATE" "$OUT"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SERVE_PID=""
stop_serve() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    log "stopping sunlight serve (pid $SERVE_PID)"
    kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  fi
  SERVE_PID=""
}
cleanup() {
  stop_serve
  [ "$KEEP_RUNNING" = 1 ] || "$PEER/run.sh" stop || true
}

# serve DSN LOGNAME: start `sunlight serve` on $SUNLIGHT_PORT and wait until it answers.
serve() {
  # no rate limit (wrk is one IP) and no report scheduler publishing during the measurements
  local args=(serve --db "$1" --addr "127.0.0.1:$SUNLIGHT_PORT" --rate-limit -1 --scheduler=false)
  [ -n "${PPROF:-}" ] && args+=(--pprof "$PPROF")
  if [ -n "${SUNLIGHT_GOGC:-}" ]; then GOGC="$SUNLIGHT_GOGC" "$BIN" "${args[@]}" >"$OUT/$2.log" 2>&1 &
  else "$BIN" "${args[@]}" >"$OUT/$2.log" 2>&1 &
  fi
  SERVE_PID=$!
  local i
  for i in $(seq 1 120); do
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$OUT/$2.log" >&2; die "sunlight serve exited"; }
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' \
      "http://127.0.0.1:$SUNLIGHT_PORT/graphql" 2>/dev/null && { log "sunlight serve pid $SERVE_PID ready ($1)"; return 0; }
    sleep 0.5
  done
  die "sunlight serve not ready after 60 s (see $OUT/$2.log)"
}

# with_ids SRC DST URL: copy the query dir SRC to DST, writing into the variables the IDs of the
# communities named "@CODE" (global IDs differ between databases), asked from Sunlight at URL.
with_ids() {
  local f code id
  rm -rf "$2"; mkdir -p "$2"; cp "$1"/*.graphql "$2/"
  for f in "$1"/*.variables.json; do
    cp "$f" "$2/"
    for code in $(grep -o '"@[a-z0-9]*"' "$f" | tr -d '"@' | sort -u); do
      id="$(curl -fsS -H 'Content-Type: application/json' -d "{\"query\":\"{community(code: \\\"$code\\\") {id}}\"}" "$3" | jq -r .data.community.id)"
      [ -n "$id" ] && [ "$id" != null ] || die "no community $code"
      sed -i "s/\"@$code\"/\"$id\"/g" "$2/$(basename "$f")"
    done
  done
}

body() { NODE_PATH="$STATE/node_modules" node "$PEER/lib/body.js" "$1" "${1%.graphql}.variables.json"; }
ask() {  # ask URL QUERYFILE OUTFILE
  body "$2" >"$3.body"
  curl -fsS -o "$3" -H 'Content-Type: application/json' --data-binary "@$3.body" "$1"
}

# check: the same rows from Sunlight (on $SUNLIGHT_PORT) and PostGraphile for every question.
check_pairs() {
  local q name rc=0
  mkdir -p "$OUT/check"
  for q in "$OUT/q-sunlight-postgres"/*.graphql; do
    name="$(basename "$q" .graphql)"
    ask "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$q" "$OUT/check/$name.sunlight.json"
    ask "http://127.0.0.1:$GQL_PORT/graphql" "$OUT/q-postgraphile/$name.graphql" "$OUT/check/$name.postgraphile.json"
    if (cd "$ROOT" && go run ./cmd/samerows "$name" "$OUT/check/$name.sunlight.json" "$OUT/check/$name.postgraphile.json") >"$OUT/check/$name.txt" 2>&1; then
      log "  $name: $(cat "$OUT/check/$name.txt")"
    else
      log "  $name: DIFFERENT"; cat "$OUT/check/$name.txt" >&2; rc=1
    fi
  done
  return $rc
}

# check_sqlite: the SQLite answers equal the PostgreSQL ones (Sunlight to Sunlight), but for the
# IDs and cursors: SQLite's autoincrement starts one above PostgreSQL's sequences.
check_sqlite() {
  local q name rc=0
  for q in "$OUT/q-sunlight-sqlite"/*.graphql; do
    name="$(basename "$q" .graphql)"
    ask "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$q" "$OUT/check/$name.sqlite.json"
    if cmp -s <(jq -S 'del(..|.id?, .endCursor?)' "$OUT/check/$name.sqlite.json") <(jq -S 'del(..|.id?, .endCursor?)' "$OUT/check/$name.sunlight.json"); then
      log "  $name: SQLite answers the same as PostgreSQL"
    else
      log "  $name: SQLite DIFFERS from PostgreSQL"; rc=1
    fi
  done
  return $rc
}

main() {
  local mode="${1:-all}"
  if [ "$mode" = stop ]; then "$PEER/run.sh" stop; return; fi
  command -v jq >/dev/null || { apt-get install -y -qq jq >/dev/null 2>&1 || die "need jq"; }
  trap cleanup EXIT
  log "building sunlight into $BIN"
  (cd "$ROOT" && go build -o "$BIN" ./cmd/sunlight)
  "$PEER/run.sh" install
  "$PEER/run.sh" pg-start
  LOAD_CMD="\"$BIN\" demo $SCALE_FLAGS --db \"\$PG_URL\"" "$PEER/run.sh" load
  # A database loaded by an older build (auto-migration, no revision history) is adopted once at
  # the first migration file; `sunlight serve` then applies the later files itself.
  if [ "$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$PG_DB" -tAc \
      "SELECT to_regclass('vouchers') IS NOT NULL AND to_regclass('atlas_schema_revisions') IS NULL")" = t ]; then
    log "adopting the auto-migrated database: sunlight migrate --baseline $MIGRATE_BASELINE"
    "$BIN" migrate --db "$PG_URL" --baseline "$MIGRATE_BASELINE" >&2
  fi
  "$PEER/run.sh" gql-start
  local gql_label=postgraphile; [ "$GQL_WORKERS" -gt 1 ] && gql_label="postgraphile-w$GQL_WORKERS"
  local sfx=""; [ -n "${SUNLIGHT_GOGC:-}" ] && sfx="-gogc$SUNLIGHT_GOGC"

  serve "$PG_URL" serve-postgres
  with_ids "$Q/sunlight" "$OUT/q-sunlight-postgres" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
  with_ids "$Q/postgraphile" "$OUT/q-postgraphile" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
  log "checking that both servers return the same rows"
  check_pairs || die "the servers disagree (see $OUT/check)"
  [ "$mode" = check ] && return 0

  [ "$mode" = sunlight ] || QUERY_DIR="$OUT/q-postgraphile" LABEL="$gql_label" "$PEER/run.sh" bench
  "$PEER/run.sh" bench-url "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$OUT/q-sunlight-postgres" "$SERVE_PID" "sunlight-postgres$sfx"
  stop_serve

  if [ "$SQLITE" = 1 ]; then
    if [ ! -s "$SQLITE_DB" ]; then
      log "loading the scale data into $SQLITE_DB"
      "$BIN" demo $SCALE_FLAGS --db "file:$SQLITE_DB" >&2
    fi
    serve "file:$SQLITE_DB" serve-sqlite
    with_ids "$Q/sunlight" "$OUT/q-sunlight-sqlite" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
    check_sqlite || die "SQLite and PostgreSQL answers differ (see $OUT/check)"
    "$PEER/run.sh" bench-url "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$OUT/q-sunlight-sqlite" "$SERVE_PID" "sunlight-sqlite$sfx"
    stop_serve
  fi
  for l in "$gql_label" "sunlight-postgres$sfx" "sunlight-sqlite$sfx"; do
    [ -s "$STATE/results/latest-$l/table.md" ] && { echo; cat "$STATE/results/latest-$l/table.md"; }
  done
}

main "$@"
