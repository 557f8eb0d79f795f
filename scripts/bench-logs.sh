#!/usr/bin/env bash
# bench-logs.sh measures berth's log pipeline (internal/logstore) in two
# parts, each a Go benchmark run once:
#
#   ingest  50 chatty containers are started first (8 at a time), each
#           holding until a release file appears in a bind-mounted
#           directory; once the collector follows all of them they are
#           released at once and each prints a known number of lines as
#           fast as it can. Reports the sustained lines/s from release
#           until every line is stored (live), then catching up on the
#           same finished logs with a fresh store (backlog); fails if any
#           container's count is not exact (none lost, none duplicated).
#           Target >= 100,000/s. Containers are named with a random
#           prefix and removed (4 at a time) at the end.
#   query   10 million generated lines stored directly, then greps over
#           all of them (first, median and best of 5). Target < 0.5 s.
#
# It needs a running engine (scripts/engine.sh); the tests build their
# own FROM scratch image from internal/logstore/testdata/chatty.
#
#   BENCH_LOGS_PARTS="ingest query"
#   BENCH_LOGS_CONTAINERS=50  BENCH_LOGS_LINES=40000
#   BENCH_LOGS_QUERY_LINES=10000000
#   BENCH_LOGS_DIR=           keep the generated query store there and
#                             reuse it on the next run
set -euo pipefail

cd "$(dirname "$0")/.."
PARTS=${BENCH_LOGS_PARTS:-ingest query}
export BENCH_LOGS_CONTAINERS=${BENCH_LOGS_CONTAINERS:-50}
export BENCH_LOGS_LINES=${BENCH_LOGS_LINES:-40000}
export BENCH_LOGS_QUERY_LINES=${BENCH_LOGS_QUERY_LINES:-10000000}

say() { printf 'bench-logs: %s\n' "$*" >&2; }
docker info >/dev/null 2>&1 || { say "no engine answers (run scripts/engine.sh)"; exit 1; }

run() {
  say "$1: go test -bench $2 ./internal/logstore/"
  go test -run '^$' -bench "^$2\$" -benchtime=1x -timeout 30m ./internal/logstore/
}
for part in $PARTS; do
  case $part in
    ingest) run ingest BenchmarkIngest ;;
    query) run query BenchmarkGrep ;;
    *) say "unknown part $part"; exit 2 ;;
  esac
done
