#!/usr/bin/env bash
# bench-metrics.sh starts N containers of berth-test-app (8 creations at a
# time), measures one metrics sweep over all of them through the cgroup
# files and through the Engine's stats API (one-shot calls, 16 at a time),
# prints both and their ratio, and removes the containers (4 at a time).
# Needs a running engine (scripts/engine.sh).
#
#   N=100          containers
#   BENCHTIME=3s   per side; the stats API side runs at least one sweep
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-100}
BENCHTIME=${BENCHTIME:-3s}

bash scripts/build-images.sh
out=$(BERTH_BENCH_CONTAINERS=$N go test ./internal/metrics/ -run '^$' -v \
  -bench '^BenchmarkSweep$' -benchtime "$BENCHTIME" -timeout 20m 2>&1) || {
  printf '%s\n' "$out" >&2
  exit 1
}
printf '%s\n' "$out"
result=$(printf '%s\n' "$out" | grep -o 'RESULT.*' | tail -n 1)
[ -n "$result" ] || { echo "bench-metrics: no RESULT line" >&2; exit 1; }
printf '\nbench-metrics: %s\n' "${result#RESULT }"
