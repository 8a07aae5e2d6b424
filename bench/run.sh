#!/usr/bin/env bash
# bench/run.sh: Sunlight against PostGraphile 4 and PostGraphile 5 on the same PostgreSQL data, and
# Sunlight on SQLite, measured back to back.
#
#   bench/run.sh              load (once) the scale data into the harness's PostgreSQL with
#                             `sunlight demo --scale` and into an SQLite file, start PostGraphile 4,
#                             PostGraphile 5, `sunlight serve` on PostgreSQL and `sunlight serve` on
#                             SQLite side by side, check that every question gets the same rows from
#                             all of them, then load test them RUNS times, alternating the order
#                             (V4, V5, Sunlight-PostgreSQL, Sunlight-SQLite, then the reverse, ...),
#                             and print one table of every run (also $STATE/sunlight-bench/summary.md)
#   bench/run.sh check        only start what is needed and compare the answers
#   bench/run.sh sunlight     the same, but load test only Sunlight (PostgreSQL, then SQLite)
#   bench/run.sh summary      print the table of the last runs again
#   bench/run.sh stop         stop the harness's PostgreSQL and PostGraphile (by PID)
#
# Settings (env): PEER=../shared/bench/peer (the peer harness: PostGraphile 4 and 5, PostgreSQL,
#   wrk; any checkout of it)  STATE=/tmp/peer-bench  RUNS=3  SERVERS="v4 v5 sunlight sqlite"
#   (which to measure, in the order of the odd runs)  SUNLIGHT_PORT=8090  SQLITE_PORT=8091
#   SQLITE=1 (0: skip SQLite)  SQLITE_DB=$STATE/sunlight-scale.db  GQL_WORKERS=1 (2: two
#   PostGraphile processes)  SCALE_FLAGS="--scale" (e.g. "--communities 5 --vouchers 100000")
#   PPROF=127.0.0.1:6060 (profile sunlight serve on PostgreSQL while it is loaded)  KEEP_RUNNING=0
#   SUNLIGHT_GOGC= (GOGC for sunlight serve, which defaults to 400; the result labels get "-gogcN")
#   SUNLIGHT_FLAGS= (more flags of sunlight serve, e.g. "--response-cache 0"; set SUNLIGHT_LABEL=
#   to a suffix such as "-nocache" for the result labels)
#   MIGRATE_BASELINE=20261125232029 (adopts a database loaded by an older build, see below)
#   QUIET_WAIT=10 (the harness waits up to this long before each question for the machine to be
#   quiet; its own default, 120, would double a run on a shared machine) and the harness's
#   DURATION, WARMUP, CONNS, THREADS, QUIET_MAX_PCT …
# Only processes this script (or the harness) started are stopped, by PID.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER="${PEER:-$ROOT/../shared/bench/peer}"
[ -x "$PEER/run.sh" ] || { echo "bench/run.sh: no peer harness at $PEER (set PEER=/path/to/peer)" >&2; exit 2; }
PEER="$(cd "$PEER" && pwd)"
export STATE="${STATE:-${TMPDIR:-/tmp}/peer-bench}"
export PG_PORT="${PG_PORT:-55432}" PG_DB="${PG_DB:-peerbench}"
export GQL4_PORT="${GQL4_PORT:-5000}" GQL5_PORT="${GQL5_PORT:-5005}"
export GQL_WORKERS="${GQL_WORKERS:-1}" QUIET_WAIT="${QUIET_WAIT:-10}"
unset GQL_PORT QUERY_DIR LABEL TARGET_URL   # chosen per version by the harness
SUNLIGHT_PORT="${SUNLIGHT_PORT:-8090}"
SQLITE_PORT="${SQLITE_PORT:-8091}"
SQLITE="${SQLITE:-1}"
SQLITE_DB="${SQLITE_DB:-$STATE/sunlight-scale.db}"
SCALE_FLAGS="${SCALE_FLAGS:---scale}"
KEEP_RUNNING="${KEEP_RUNNING:-0}"
RUNS="${RUNS:-3}"
SERVERS="${SERVERS:-v4 v5 sunlight sqlite}"
MIGRATE_BASELINE="${MIGRATE_BASELINE:-20261125232029}"  # first file of ent/migrate/migrations
PG_URL="postgres://postgres@127.0.0.1:${PG_PORT}/${PG_DB}"
BIN="$STATE/sunlight"
Q="$ROOT/bench/queries"
OUT="$STATE/sunlight-bench"
mkdir -p "$STATE" "$OUT"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# sunlight serve processes this script started: PIDS[name] (pg, sqlite)
declare -A PIDS=()
stop_serve() {  # stop_serve NAME
  local pid="${PIDS[$1]:-}"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping sunlight serve $1 (pid $pid)"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  fi
  PIDS[$1]=""
}
cleanup() {
  stop_serve pg; stop_serve sqlite
  [ "$KEEP_RUNNING" = 1 ] || "$PEER/run.sh" stop || true
}

# serve NAME DSN PORT: start `sunlight serve` on PORT and wait until it answers.
serve() {
  # no rate limit (wrk is one IP) and no report scheduler publishing during the measurements
  local args=(serve --db "$2" --addr "127.0.0.1:$3" --rate-limit -1 --scheduler=false)
  [ -n "${PPROF:-}" ] && [ "$1" = pg ] && args+=(--pprof "$PPROF")
  # shellcheck disable=SC2206 # flags split on spaces on purpose
  [ -n "${SUNLIGHT_FLAGS:-}" ] && args+=($SUNLIGHT_FLAGS)
  if [ -n "${SUNLIGHT_GOGC:-}" ]; then GOGC="$SUNLIGHT_GOGC" "$BIN" "${args[@]}" >"$OUT/serve-$1.log" 2>&1 &
  else "$BIN" "${args[@]}" >"$OUT/serve-$1.log" 2>&1 &
  fi
  PIDS[$1]=$!
  local i
  for i in $(seq 1 240); do
    kill -0 "${PIDS[$1]}" 2>/dev/null || { cat "$OUT/serve-$1.log" >&2; die "sunlight serve $1 exited"; }
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' \
      "http://127.0.0.1:$3/graphql" 2>/dev/null && { log "sunlight serve $1 pid ${PIDS[$1]} ready on :$3 ($2)"; return 0; }
    sleep 0.5
  done
  die "sunlight serve $1 not ready after 120 s (see $OUT/serve-$1.log)"
}

# smart_comment SQL: set the comment of signatures.signer (see its use in main).
smart_comment() {
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$PG_DB" -c "COMMENT ON COLUMN signatures.signer IS $1" >&2
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

# check_pairs PEERNAME PEERURL PEERQUERIES: the same rows from Sunlight (on $SUNLIGHT_PORT) and the
# peer for every question (bench/samerows: money in fen, instants in UTC, groups sorted).
check_pairs() {
  local q name rc=0
  mkdir -p "$OUT/check"
  (cd "$ROOT" && go build -o "$STATE/samerows" ./cmd/samerows)
  for q in "$OUT/q-sunlight-postgres"/*.graphql; do
    name="$(basename "$q" .graphql)"
    [ -s "$OUT/check/$name.sunlight.json" ] || ask "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$q" "$OUT/check/$name.sunlight.json"
    ask "$2" "$3/$name.graphql" "$OUT/check/$name.$1.json"
    if "$STATE/samerows" "$name" "$OUT/check/$name.sunlight.json" "$OUT/check/$name.$1.json" >"$OUT/check/$name.$1.txt" 2>&1; then
      log "  $name: Sunlight and $1: $(cat "$OUT/check/$name.$1.txt")"
    else
      log "  $name: Sunlight and $1 DIFFERENT"; cat "$OUT/check/$name.$1.txt" >&2; rc=1
    fi
  done
  return $rc
}

# check_sqlite: the SQLite answers equal the PostgreSQL ones (Sunlight to Sunlight), but for the
# IDs and cursors: SQLite's autoincrement starts one above PostgreSQL's sequences.
check_sqlite() {
  local q name rc=0 strip='del(..|.id?, .communityID?, .endCursor?)'
  for q in "$OUT/q-sunlight-sqlite"/*.graphql; do
    name="$(basename "$q" .graphql)"
    ask "http://127.0.0.1:$SQLITE_PORT/graphql" "$q" "$OUT/check/$name.sqlite.json"
    if cmp -s <(jq -S "$strip" "$OUT/check/$name.sqlite.json") <(jq -S "$strip" "$OUT/check/$name.sunlight.json"); then
      log "  $name: SQLite answers the same as PostgreSQL"
    else
      log "  $name: SQLite DIFFERS from PostgreSQL"; rc=1
    fi
  done
  return $rc
}

# measure SERVER RUN: one load test of every question (the harness's bench-url) against one server.
measure() {
  local label="$1-r$2$SFX"
  case "$1" in
    v4) "$PEER/run.sh" bench-url "http://127.0.0.1:$GQL4_PORT/graphql" "$OUT/q-postgraphile" "$(cat "$STATE/run/postgraphile.pid")" "$label" ;;
    v5) "$PEER/run.sh" bench-url "http://127.0.0.1:$GQL5_PORT/graphql" "$OUT/q-postgraphile5" "$(cat "$STATE/run/postgraphile5.pid")" "$label" ;;
    sunlight) "$PEER/run.sh" bench-url "http://127.0.0.1:$SUNLIGHT_PORT/graphql" "$OUT/q-sunlight-postgres" "${PIDS[pg]}" "$label" ;;
    sqlite) "$PEER/run.sh" bench-url "http://127.0.0.1:$SQLITE_PORT/graphql" "$OUT/q-sunlight-sqlite" "${PIDS[sqlite]}" "$label" ;;
  esac >/dev/null
  echo "$label" >>"$OUT/labels"
}

# summary: one markdown table of every measured run, from the harness's per-run tables, with each
# question's Sunlight / V5 ratios per run.
summary() {
  [ -s "$OUT/labels" ] || die "no runs yet"
  local l
  {
    echo "| question | run | server | req/s | p50 ms | p99 ms | srv CPU ms/req | pg CPU ms/req | total CPU ms/req | peak RSS | other CPU % |"
    echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    while read -r l; do
      [ -s "$STATE/results/latest-$l/table.md" ] || continue
      awk -F'|' -v l="$l" '/^\| q[0-9]/ {
          for (i = 2; i <= NF; i++) gsub(/^ +| +$/, "", $i)
          srv = $10; pg = $11; if (pg == "n/a") pg = 0
          split(l, p, "-r"); server = p[1]; run = p[2]
          printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", $2, run, server, $3, $4, $6, srv, pg, srv + pg, $9, $12
        }' "$STATE/results/latest-$l/table.md"
    done <"$OUT/labels" | sort -t$'\t' -k1,1 -k2,2n -s |
      awk -F'\t' '{ sub(/_.*/, "", $1); printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
    echo
    echo "Sunlight (PostgreSQL) against V5, per run: req/s ratio, p99 (Sunlight / V5), total CPU per request ratio, peak RSS ratio."
    echo
    echo "| question | run | req/s × | p99 ms | CPU/req × | peak RSS × |"
    echo "| --- | ---: | ---: | --- | ---: | ---: |"
    while read -r l; do
      [ -s "$STATE/results/latest-$l/table.md" ] || continue
      awk -F'|' -v l="$l" '/^\| q[0-9]/ {
          for (i = 2; i <= NF; i++) gsub(/^ +| +$/, "", $i)
          pg = $11; if (pg == "n/a") pg = 0; rss = $9; sub(/ MiB/, "", rss)
          split(l, p, "-r"); printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $2, p[2], p[1], $3, $6, $10 + pg, rss
        }' "$STATE/results/latest-$l/table.md"
    done <"$OUT/labels" | awk -F'\t' '
      $3 == "sunlight" || $3 == "v5" { k = $1 SUBSEP $2; rps[k, $3] = $4; p99[k, $3] = $5; cpu[k, $3] = $6; rss[k, $3] = $7; keys[k] = 1 }
      END { for (k in keys) if (rps[k, "v5"] > 0 && rps[k, "sunlight"] > 0) {
          split(k, a, SUBSEP); q = a[1]; sub(/_.*/, "", q)
          printf "| %s | %s | %.2f | %s / %s | %.2f | %.2f |\n", q, a[2], rps[k, "sunlight"] / rps[k, "v5"], p99[k, "sunlight"], p99[k, "v5"],
            cpu[k, "sunlight"] / cpu[k, "v5"], rss[k, "sunlight"] / rss[k, "v5"] } }' | sort
  } | tee "$OUT/summary.md"
}

main() {
  local mode="${1:-all}"
  case "$mode" in
    stop) "$PEER/run.sh" stop; return ;;
    summary) summary; return ;;
    all|check|sunlight) ;;
    *) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d'; exit 2 ;;
  esac
  command -v jq >/dev/null || { apt-get install -y -qq jq >/dev/null 2>&1 || die "need jq"; }
  trap cleanup EXIT
  log "building sunlight into $BIN"
  (cd "$ROOT" && go build -o "$BIN" ./cmd/sunlight)
  local servers="$SERVERS"
  [ "$mode" = sunlight ] && servers="sunlight sqlite"
  [ "$SQLITE" = 1 ] || servers="${servers/sqlite/}"
  "$PEER/run.sh" install
  case " $servers " in *" v5 "*) PGL_VERSION=5 "$PEER/run.sh" install ;; esac
  "$PEER/run.sh" pg-start
  LOAD_CMD="\"$BIN\" demo $SCALE_FLAGS --db \"\$PG_URL\"" "$PEER/run.sh" load
  # A database loaded by an older build (auto-migration, no revision history) is adopted once at
  # the first migration file; `sunlight serve` then applies the later files itself.
  if [ "$(psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$PG_DB" -tAc \
      "SELECT to_regclass('vouchers') IS NOT NULL AND to_regclass('atlas_schema_revisions') IS NULL")" = t ]; then
    log "adopting the auto-migrated database: sunlight migrate --baseline $MIGRATE_BASELINE"
    "$BIN" migrate --db "$PG_URL" --baseline "$MIGRATE_BASELINE" >&2
  fi
  SFX=""; [ -n "${SUNLIGHT_GOGC:-}" ] && SFX="-gogc$SUNLIGHT_GOGC"
  [ "$GQL_WORKERS" -gt 1 ] && SFX="$SFX-w$GQL_WORKERS"
  SFX="$SFX${SUNLIGHT_LABEL:-}"

  smart_comment NULL  # serve compares the schema with its own when it starts: no comment then
  serve pg "$PG_URL" "$SUNLIGHT_PORT"
  # PostGraphile names a foreign key after its column less "_id": signatures.signer_id (the
  # enrolled signer) would become `signer`, the name of the signatures.signer text column (the
  # name signed under), and the clash leaves V4 and V5 without Community, Asset and the rest.
  # A smart comment renames the text column for PostGraphile only; no question reads it.
  smart_comment "E'@name signerName'"
  rm -rf "$OUT/check"
  with_ids "$Q/sunlight" "$OUT/q-sunlight-postgres" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
  with_ids "$Q/postgraphile" "$OUT/q-postgraphile" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
  with_ids "$Q/postgraphile5" "$OUT/q-postgraphile5" "http://127.0.0.1:$SUNLIGHT_PORT/graphql"
  case " $servers $mode " in *" v4 "*|*" check "*)
    PGL_VERSION=4 "$PEER/run.sh" gql-start
    log "checking that Sunlight and PostGraphile 4 return the same rows"
    check_pairs postgraphile "http://127.0.0.1:$GQL4_PORT/graphql" "$OUT/q-postgraphile" || die "Sunlight and V4 disagree (see $OUT/check)" ;;
  esac
  case " $servers $mode " in *" v5 "*|*" check "*)
    PGL_VERSION=5 "$PEER/run.sh" gql-start
    log "checking that Sunlight and PostGraphile 5 return the same rows"
    check_pairs postgraphile5 "http://127.0.0.1:$GQL5_PORT/graphql" "$OUT/q-postgraphile5" || die "Sunlight and V5 disagree (see $OUT/check)" ;;
  esac
  case " $servers " in *" sqlite "*)
    if [ ! -s "$SQLITE_DB" ]; then
      log "loading the scale data into $SQLITE_DB"
      "$BIN" demo $SCALE_FLAGS --db "file:$SQLITE_DB" >&2
    fi
    serve sqlite "file:$SQLITE_DB" "$SQLITE_PORT"
    with_ids "$Q/sunlight" "$OUT/q-sunlight-sqlite" "http://127.0.0.1:$SQLITE_PORT/graphql"
    check_sqlite || die "SQLite and PostgreSQL answers differ (see $OUT/check)" ;;
  esac
  [ "$mode" = check ] && return 0

  # RUNS runs back to back, the order reversed every other run, so that neither side always
  # runs first (after PostgreSQL's caches were warmed by the other) or last.
  : >"$OUT/labels"
  local r s order
  for r in $(seq 1 "$RUNS"); do
    order="$servers"
    [ $((r % 2)) = 0 ] && order="$(echo $servers | tr ' ' '\n' | tac | tr '\n' ' ')"
    for s in $order; do
      log "run $r/$RUNS: $s"
      measure "$s" "$r"
    done
  done
  summary
}

main "$@"; exit $?   # on one line: bash reads a script as it runs, so an edit during a run cannot be executed
