#!/usr/bin/env bash
# bench-up.sh (make bench) measures "berth up converges 100 replicas from an
# empty host" against two references in one run, interleaved:
#
#   floor    the engine's own speed: parallel `docker run -d` of the same
#            image on a user network, at several parallelisms (best kept)
#   berth    `berth up --wait` of a one-service compose file, timed from
#            command start to return, against a fresh throwaway daemon
#   compose  `docker-compose up -d --scale app=N` of the same file
#
# Each measurement starts with none of its containers or networks present and
# cleans up after itself. It prints per-run times, medians, the ratios
# berth/floor and berth/compose, and the daemon's resident memory with the N
# containers running. This is a benchmark, not a test: it exits non-zero only
# when something fails to deploy.
#
#   BENCH_RUNS=3                  interleaved repetitions of the trio
#   BENCH_REPLICAS=100            containers per measurement
#   BENCH_FLOOR_PARALLELISM="4 8 16"
#   BENCH_TARGETS="floor berth compose"   (drop one to skip it)
#   BENCH_STEP_TIMEOUT=600        seconds allowed for any one step
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${BENCH_RUNS:-3}
N=${BENCH_REPLICAS:-100}
PARS=${BENCH_FLOOR_PARALLELISM:-4 8 16}
TARGETS=${BENCH_TARGETS:-floor berth compose}
STEP=${BENCH_STEP_TIMEOUT:-600}
IMAGE=berth-bench-app:latest
# Stack/project names; the floor uses its own label namespace so a berth
# daemon never mistakes its containers for an orphaned berth stack.
FLOOR=benchf BERTH=benchb COMPOSE=benchc
FLOOR_LABEL=dev.berth-bench.stack=$FLOOR

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
want() { [[ " $TARGETS " == *" $1 "* ]]; }
# Every engine call is bounded: a wedged engine (a hung runc, say) must end
# the run with an error, not hang it. Cleanup lowers LIMIT to fail faster.
LIMIT=$STEP
bounded() { timeout "$LIMIT" "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPLICAS must be a positive integer"
if ! [[ $STEP =~ ^[0-9]+$ ]] || [ "$STEP" -lt 30 ]; then
  die "BENCH_STEP_TIMEOUT must be a number of seconds, at least 30"
fi

WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
DPID=

# --- setup -------------------------------------------------------------------

setup() {
  scripts/engine.sh
  BUILD_DOCKER=0 scripts/build-images.sh
  say "building image $IMAGE"
  bounded docker build -q -t "$IMAGE" test/app >/dev/null 2>"$WORK/build.log" ||
    { cat "$WORK/build.log" >&2; die "docker build of test/app failed"; }
  if want berth; then
    [ -d cmd/berth ] || die "cmd/berth does not exist yet (set BENCH_TARGETS=\"floor compose\")"
    say "building bin/berth"
    CGO_ENABLED=0 go build -trimpath -o bin/berth ./cmd/berth
  fi
  if want compose; then
    ensure_compose
  fi
  write_compose_file
}

ensure_compose() {
  if command -v docker-compose >/dev/null 2>&1; then
    return
  fi
  [ "$(id -u)" = 0 ] || die "docker-compose is missing: apt-get install docker-compose (as root)"
  say "installing Debian's docker-compose"
  export DEBIAN_FRONTEND=noninteractive
  bounded apt-get update -qq >/dev/null
  apt-cache policy docker-compose | grep -q 'Candidate: [0-9]' ||
    die "apt has no docker-compose candidate (apt-cache policy docker-compose)"
  bounded apt-get install -y -qq docker-compose >/dev/null
}

# One service, N replicas, a user network: the shape every contender deploys.
# No `name:` key: compose v1 rejects it; both tools get the name from -p.
write_compose_file() {
  cat >"$WORK/compose.yaml" <<YAML
services:
  app:
    image: $IMAGE
    deploy:
      replicas: $N
    networks: [bench]
networks:
  bench: {}
YAML
}

# --- helpers -----------------------------------------------------------------

# count_running prints how many running containers carry the label.
count_running() {
  bounded docker ps -q --filter "label=$1" --filter status=running | wc -l
}

# remove_by_label force-removes every container with the label, then every
# network whose name starts with prefix_ or prefix-.
remove_by_label() {
  local label=$1 prefix=$2
  # At most 4 removals at once: dockerd 20.10 deadlocks under 8-way
  # parallel removals on one network (moby/moby#42545).
  bounded docker ps -aq --filter "label=$label" | bounded xargs -r -P 4 -n 10 docker rm -f >/dev/null
  wait_gone "$label" || true
  local n
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    n=$(bounded docker network ls --format '{{.Name}}' | { grep -E "^${prefix}[_-]" || true; })
    [ -n "$n" ] || return 0
    printf '%s\n' "$n" | bounded xargs -r -n 1 docker network rm >/dev/null 2>&1 || sleep 0.5
  done
}

# wait_gone polls until no container carries the label, for up to 120s.
wait_gone() {
  local deadline=$((SECONDS + 120))
  while [ -n "$(bounded docker ps -aq --filter "label=$1")" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

expect_running() {
  local got
  got=$(count_running "$1")
  [ "$got" -eq "$N" ] || die "$2: $got of $N containers running after it returned"
}

# --- the three contenders ------------------------------------------------------

# The contenders run in this shell, not in $(...), so that die() reaches the
# cleanup trap and no daemon outlives a failure; they return through globals.

# floor_once P sets T to the seconds taken to create and start N containers
# with P concurrent `docker run -d`, network creation included.
floor_once() {
  local p=$1 t0 t1
  remove_by_label "$FLOOR_LABEL" "$FLOOR"
  t0=$EPOCHREALTIME
  bounded docker network create --label "$FLOOR_LABEL" "${FLOOR}_bench" >/dev/null
  # Three labels per container, as berth sets stack, service and slot.
  seq 1 "$N" | bounded xargs -P "$p" -I{} docker run -d --name "$FLOOR-app-{}" \
    --network "${FLOOR}_bench" --label "$FLOOR_LABEL" \
    --label dev.berth-bench.service=app --label dev.berth-bench.slot={} \
    "$IMAGE" >/dev/null || die "floor: docker run failed at parallelism $p"
  t1=$EPOCHREALTIME
  expect_running "$FLOOR_LABEL" "floor"
  remove_by_label "$FLOOR_LABEL" "$FLOOR"
  T=$(secs "$t0" "$t1")
}

# floor_best sets T and P to the time and parallelism of the fastest run.
floor_best() {
  local p best='' bestp=''
  for p in $PARS; do
    floor_once "$p"
    say "  floor   P=$p: ${T}s"
    if [ -z "$best" ] || awk -v a="$T" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$T bestp=$p
    fi
  done
  T=$best P=$bestp
}

start_daemon() {
  rm -rf "$WORK/berth"
  mkdir -p "$WORK/berth/data"
  export BERTH_SOCKET=$WORK/berth/berth.sock
  # A plain child (no setsid): it dies with this script if all else fails.
  "$ROOT/bin/berth" daemon --socket "$BERTH_SOCKET" --data "$WORK/berth/data" \
    >>"$WORK/daemon.log" 2>&1 </dev/null &
  DPID=$!
  local deadline=$((SECONDS + 30))
  until [ -S "$BERTH_SOCKET" ] && timeout 5 bin/berth stacks >/dev/null 2>&1; do
    kill -0 "$DPID" 2>/dev/null || { tail -n 20 "$WORK/daemon.log" >&2; die "berth daemon exited at startup"; }
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$WORK/daemon.log" >&2; die "berth daemon did not answer within 30s"; }
    sleep 0.1
  done
}

stop_daemon() {
  [ -n "$DPID" ] || return 0
  kill -TERM "$DPID" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$DPID" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      say "berth daemon $DPID ignored SIGTERM for 30s; killing it"
      kill -KILL "$DPID" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$DPID" 2>/dev/null || true
  DPID=
}

# rss_mb prints a /proc status field (VmRSS, VmHWM) of the daemon in MB.
rss_mb() {
  awk -v f="$1:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$DPID/status"
}

# berth_once sets T, R and H (seconds, RSS MB, peak RSS MB). Each run gets a
# fresh daemon with an empty data directory, started before the clock starts
# (in production the daemon is already running). It runs only for its own
# measurement so it adds no event-handling load to the others.
berth_once() {
  local t0 t1 label=dev.berth.stack=$BERTH
  remove_by_label "$label" "$BERTH"
  start_daemon
  t0=$EPOCHREALTIME
  bounded bin/berth up -f "$WORK/compose.yaml" -p "$BERTH" --wait --timeout "$((STEP - 10))s" >"$WORK/berth-up.log" 2>&1 ||
    { tail -n 20 "$WORK/berth-up.log" >&2; tail -n 20 "$WORK/daemon.log" >&2; die "berth up failed"; }
  t1=$EPOCHREALTIME
  expect_running "$label" "berth up --wait"
  R=$(rss_mb VmRSS) H=$(rss_mb VmHWM)
  bounded bin/berth down "$BERTH" >"$WORK/berth-down.log" 2>&1 ||
    { tail -n 5 "$WORK/berth-down.log" >&2; say "berth down failed; removing by label"; }
  wait_gone "$label" || say "berth down left containers after 120s; removing by label"
  stop_daemon
  remove_by_label "$label" "$BERTH"
  T=$(secs "$t0" "$t1")
}

compose_once() {
  local t0 t1 label=com.docker.compose.project=$COMPOSE
  remove_by_label "$label" "$COMPOSE"
  t0=$EPOCHREALTIME
  bounded docker-compose -p "$COMPOSE" -f "$WORK/compose.yaml" up -d --scale "app=$N" \
    >"$WORK/compose.log" 2>&1 || { tail -n 20 "$WORK/compose.log" >&2; die "docker-compose up failed"; }
  t1=$EPOCHREALTIME
  expect_running "$label" "docker-compose up"
  bounded docker-compose -p "$COMPOSE" -f "$WORK/compose.yaml" down -t 2 >>"$WORK/compose.log" 2>&1 ||
    say "docker-compose down failed; removing by label"
  remove_by_label "$label" "$COMPOSE"
  T=$(secs "$t0" "$t1")
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  say "cleaning up"
  LIMIT=120
  stop_daemon
  remove_by_label "$FLOOR_LABEL" "$FLOOR" || true
  remove_by_label "dev.berth.stack=$BERTH" "$BERTH" || true
  remove_by_label "com.docker.compose.project=$COMPOSE" "$COMPOSE" || true
  if [ "$rc" != 0 ] && [ -s "$WORK/daemon.log" ]; then
    cp "$WORK/daemon.log" /tmp/berth-bench-daemon.log
    say "daemon log kept at /tmp/berth-bench-daemon.log"
  fi
  rm -rf "$WORK"
  exit "$rc"
}

# --- report --------------------------------------------------------------------

median() {
  [ $# -gt 0 ] || { echo -; return; }
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "-"; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
          else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
  [ "$1" = - ] || [ "$2" = - ] && { echo -; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

report() {
  local i mf mb mc
  echo
  echo "berth up: $N replicas from an empty host — $RUNS interleaved runs"
  echo "engine $(docker version --format '{{.Server.Version}}'), $(nproc) CPUs," \
    "$(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /' || echo 'no docker-compose')"
  printf '%-8s %10s %4s %10s %12s %10s %10s\n' run "floor s" P "berth s" "compose s" "RSS MB" "peak MB"
  for ((i = 0; i < RUNS; i++)); do
    printf '%-8s %10s %4s %10s %12s %10s %10s\n' "$((i + 1))" "${FL[i]:--}" "${FP[i]:--}" \
      "${BE[i]:--}" "${CO[i]:--}" "${RSS[i]:--}" "${HWM[i]:--}"
  done
  mf=$(median "${FL[@]}") mb=$(median "${BE[@]}") mc=$(median "${CO[@]}")
  printf '%-8s %10s %4s %10s %12s %10s %10s\n' median "$mf" "" "$mb" "$mc" \
    "$(median "${RSS[@]}")" "$(median "${HWM[@]}")"
  echo
  echo "berth/floor   = $(ratio "$mb" "$mf")   (1.00 would match parallel docker run)"
  echo "berth/compose = $(ratio "$mb" "$mc")   (below 1.00: berth is faster)"
  echo "RSS: the berth daemon's VmRSS with $N containers running; peak is VmHWM."
}

# --- main ----------------------------------------------------------------------

trap cleanup EXIT INT TERM
setup
FL=() FP=() BE=() CO=() RSS=() HWM=() T='' P='' R='' H=''
order=(floor berth compose)
for ((run = 0; run < RUNS; run++)); do
  say "run $((run + 1))/$RUNS"
  # Rotate the order each run so no contender always goes first.
  for ((k = 0; k < 3; k++)); do
    c=${order[(run + k) % 3]}
    want "$c" || continue
    case $c in
      floor) floor_best; FL[run]=$T FP[run]=$P ;;
      berth) berth_once; BE[run]=$T RSS[run]=$R HWM[run]=$H
        say "  berth   up --wait: ${T}s, daemon RSS $R MB (peak $H MB)" ;;
      compose) compose_once; CO[run]=$T; say "  compose up -d: ${T}s" ;;
    esac
  done
done
report
