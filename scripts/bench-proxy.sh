#!/usr/bin/env bash
# bench-proxy.sh (make bench-proxy) measures berth's HTTP load balancer side
# by side with the usual references, on loopback, in one run:
#
#   direct   wrk straight to one backend (the floor: no proxy at all)
#   berth    `berth proxy`, configured through its control socket
#   haproxy  Debian's HAProxy    (nbthread 2, http-reuse always)
#   nginx    Debian's nginx      (2 workers, upstream keepalive 64)
#   caddy    Debian's Caddy      (reverse_proxy, a Go proxy like berth)
#
# Every proxy balances round robin over the same 3 backends: processes of
# the repo's test/app, built natively. Each measurement is
# `wrk -t2 -c64 -d${BENCH_SECONDS}s --latency` after a 2 s warm-up of the
# same target; rounds interleave the targets so machine noise hits them
# alike. The report gives per target the median requests/s, p50 and p99 over
# the rounds and the ratios; the issue's target is berth's throughput at
# least HAProxy's with a p99 no worse.
#
# This is a benchmark, not a test: it exits non-zero when something fails to
# start or a target answers non-2xx, not when berth misses the target
# (unless BENCH_STRICT=1).
#
#   BENCH_RUNS=3          interleaved rounds
#   BENCH_SECONDS=10      seconds per measured wrk run
#   BENCH_TARGETS="direct berth haproxy nginx caddy"   (drop one to skip it)
#   BENCH_PORT=18480      first of 7 consecutive loopback ports used
#   BENCH_PROFILE=1       run berth with --cpuprofile, print pprof -top
#   BENCH_STRICT=1        exit 1 when berth misses the HAProxy target
#
# Configs are the templates in scripts/bench-proxy/, rendered into a mktemp
# directory; every process this starts is stopped on exit, Ctrl-C included.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
TPL=$ROOT/scripts/bench-proxy
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECONDS:-10}
TARGETS=${BENCH_TARGETS:-direct berth haproxy nginx caddy}
PORT=${BENCH_PORT:-18480}
PROFILE=${BENCH_PROFILE:-0}
STRICT=${BENCH_STRICT:-0}
WARMUP=2
THREADS=2 CONNS=64

say() { printf 'bench-proxy: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
want() { [[ " $TARGETS " == *" $1 "* ]]; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer, not '$SECS'"
if ! [[ $PORT =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1024 ] || [ "$PORT" -gt 65500 ]; then
  die "BENCH_PORT must be a port between 1024 and 65500, not '$PORT'"
fi
for t in $TARGETS; do
  case $t in direct | berth | haproxy | nginx | caddy) ;; *) die "unknown target '$t' in BENCH_TARGETS" ;; esac
done

# Ports: 3 backends, then one listener per proxy.
B1=$PORT B2=$((PORT + 1)) B3=$((PORT + 2))
declare -A LISTEN=([direct]=$B1 [berth]=$((PORT + 3)) [haproxy]=$((PORT + 4))
  [nginx]=$((PORT + 5)) [caddy]=$((PORT + 6)))

WORK=$(mktemp -d /tmp/berth-bench-proxy.XXXXXX)
declare -A PIDS=() # name -> pid of every server this script started
WRK_PID=''

# --- processes -----------------------------------------------------------------

# stop_proc NAME stops one server: SIGTERM, a grace to exit, then SIGKILL.
# berth's grace is longer than its own 10 s shutdown grace, so that it gets to
# write its CPU profile. Children (nginx's workers) are found by parent pid
# first, so none is left behind should the parent have to be killed.
stop_proc() {
  local name=$1 pid=${PIDS[$1]:-} kids deadline grace=5
  [ -n "$pid" ] || return 0
  [ "$name" != berth ] || grace=15
  kids=$(pgrep -P "$pid" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      say "$name ($pid) ignored SIGTERM for ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
  unset "PIDS[$name]"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -z "$WRK_PID" ] || kill -TERM "$WRK_PID" 2>/dev/null || true
  for name in "${!PIDS[@]}"; do stop_proc "$name"; done
  if [ "$rc" != 0 ]; then
    rm -rf /tmp/berth-bench-proxy.logs
    mkdir -p /tmp/berth-bench-proxy.logs
    cp "$WORK"/*.log "$WORK"/*/*.log /tmp/berth-bench-proxy.logs/ 2>/dev/null || true
    say "logs kept in /tmp/berth-bench-proxy.logs"
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
# Signals become exits so the EXIT trap runs once, with a telling status.
trap 'say interrupted; exit 130' INT
trap 'exit 143' TERM

# start NAME CMD... runs a server in the background, output to $WORK/NAME.log.
# (Background jobs of a script ignore SIGINT; cleanup stops them by pid.)
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  PIDS[$name]=$!
}

# wait_http NAME URL waits up to 15 s for URL to answer 200, and fails with
# the server's log when it exits or never answers.
wait_http() {
  local name=$1 url=$2 deadline=$((SECONDS + 15))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" = 200 ]; do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      tail -n 20 "$WORK/$name.log" >&2 || true
      die "$name exited at startup (log above)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$WORK/$name.log" >&2 || true
      die "$name did not answer 200 on $url within 15s (log above)"
    fi
    sleep 0.1
  done
}

# render TEMPLATE TARGET DIR fills a config template's @NAME@ placeholders
# into DIR/TEMPLATE: the run's directory, the target's port, the backends.
render() {
  sed -e "s|@DIR@|$3|g" -e "s|@PORT@|${LISTEN[$2]}|g" \
    -e "s|@B1@|$B1|g" -e "s|@B2@|$B2|g" -e "s|@B3@|$B3|g" "$TPL/$1" >"$3/$1"
  local out=$3/$1
  ! grep -q '@[A-Z0-9]*@' "$out" || die "unfilled placeholder in $out: $(grep -o '@[A-Z0-9]*@' "$out" | head -n 1)"
}

# --- setup -----------------------------------------------------------------------

# need_packages WHY CMD... -- PKG...: installs Debian packages (as root) when
# one of the commands is missing (the helper of scripts/test.sh). Returns 1
# when it installed something, so the caller can quiet new services.
need_packages() {
  local why=$1; shift
  local cmds=() missing=0
  while [ "$1" != "--" ]; do cmds+=("$1"); shift; done
  shift
  for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || missing=1; done
  [ "$missing" = 1 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "$why: install $* and retry"
  fi
  say "installing $* ($why)"
  export DEBIAN_FRONTEND=noninteractive
  # Called in a || list, where set -e is off: every step checks itself.
  timeout 300 apt-get update -qq >/dev/null || die "apt-get update failed"
  timeout 600 apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed"
  return 1
}

# quiet_services stops what the packages' install may have started: their
# systemd units or init scripts would otherwise keep serving port 80 (nginx)
# or wait for a config (haproxy, caddy). Only right after an install: a
# service someone runs on purpose is not ours to stop.
quiet_services() {
  local s pid
  for s in nginx haproxy caddy; do
    if [ -d /run/systemd/system ]; then
      systemctl stop "$s" >/dev/null 2>&1 || true
      systemctl disable "$s" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$s" ]; then
      service "$s" stop >/dev/null 2>&1 || true
    fi
    # A master that outlived its init script, found by its own pid file.
    pid=$(cat "/run/$s.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$s" ]; then
      say "stopping the $s ($pid) its package started"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

install_tools() {
  local fresh=0
  need_packages "the benchmark needs curl, jq and ss" curl jq ss -- curl jq iproute2 || true
  need_packages "the load generator" wrk -- wrk || true
  if want nginx; then need_packages "the nginx reference" nginx -- nginx || fresh=1; fi
  if want haproxy; then need_packages "the HAProxy reference" haproxy -- haproxy || fresh=1; fi
  if want caddy; then need_packages "the Caddy reference" caddy -- caddy || fresh=1; fi
  [ "$fresh" = 0 ] || quiet_services
}

# check_ports fails before anything starts when one of our ports is taken.
check_ports() {
  local p busy
  for p in $B1 $B2 $B3 "${LISTEN[@]}"; do
    busy=$(ss -Hltn "sport = :$p" 2>/dev/null || true)
    [ -z "$busy" ] || die "port $p is in use (ss -ltnp 'sport = :$p'); set BENCH_PORT to a free range of 7 ports"
  done
}

build() {
  say "building test/app"
  go build -o "$WORK/app" ./test/app || die "go build ./test/app failed"
  if want berth; then
    say "building cmd/berth"
    go build -o "$WORK/berth" ./cmd/berth || die "go build ./cmd/berth failed"
    "$WORK/berth" proxy --help >/dev/null 2>&1 ||
      die "this berth has no working 'proxy' command yet (set BENCH_TARGETS to skip berth)"
  fi
}

# Each backend reports its own version, so check_spread can see which one
# answered.
start_backends() {
  local i p
  for i in 1 2 3; do
    p=$((PORT + i - 1))
    start "app$i" env APP_ADDR="127.0.0.1:$p" APP_VERSION="b$i" "$WORK/app"
  done
  for i in 1 2 3; do wait_http "app$i" "http://127.0.0.1:$((PORT + i - 1))/"; done
}

start_haproxy() {
  mkdir -p "$WORK/haproxy"
  render haproxy.cfg haproxy "$WORK/haproxy"
  haproxy -c -q -f "$WORK/haproxy/haproxy.cfg" || die "haproxy rejects its config (above)"
  start haproxy haproxy -db -f "$WORK/haproxy/haproxy.cfg"
}

start_nginx() {
  local d=$WORK/nginx
  mkdir -p "$d/tmp"
  render nginx.conf nginx "$d"
  # -e: the error log before the config is read (else /var/log/nginx).
  nginx -t -q -e "$d/error.log" -p "$d" -c "$d/nginx.conf" || die "nginx rejects its config (above)"
  start nginx nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf"
}

start_caddy() {
  local d=$WORK/caddy
  mkdir -p "$d/home"
  render Caddyfile caddy "$d"
  # HOME and XDG dirs: Caddy autosaves its config and keeps data there.
  start caddy env HOME="$d/home" XDG_CONFIG_HOME="$d/home" XDG_DATA_HOME="$d/home" \
    caddy run --adapter caddyfile --config "$d/Caddyfile"
}

# start_berth runs `berth proxy` on a control socket, pushes the stack config
# and waits until its health checks put all 3 endpoints in rotation.
start_berth() {
  local d=$WORK/berth-proxy sock code deadline
  mkdir -p "$d"
  sock=$d/proxy.sock
  render berth.json berth "$d"
  local args=(proxy --control "$sock")
  [ "$PROFILE" != 1 ] || args+=(--cpuprofile "$WORK/cpu.pprof")
  start berth "$WORK/berth" "${args[@]}"
  deadline=$((SECONDS + 15))
  until [ -S "$sock" ]; do
    kill -0 "${PIDS[berth]}" 2>/dev/null || { tail -n 20 "$WORK/berth.log" >&2; die "berth proxy exited at startup (log above)"; }
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$WORK/berth.log" >&2; die "berth proxy made no control socket within 15s"; }
    sleep 0.05
  done
  code=$(curl -s -o "$d/put.out" -w '%{http_code}' --max-time 5 --unix-socket "$sock" \
    -X PUT -H 'Content-Type: application/json' --data-binary "@$d/berth.json" http://x/v1/stacks/bench || true)
  case $code in
    2??) ;;
    *) cat "$d/put.out" >&2 2>/dev/null || true; die "berth proxy answered $code to PUT /v1/stacks/bench" ;;
  esac
  deadline=$((SECONDS + 20))
  until curl -sf --max-time 2 --unix-socket "$sock" http://x/v1/stats 2>/dev/null | jq -e '
      [.routes[]? | select(.stack == "bench") | .endpoints[]?
       | select(.healthy == true and (.ejected // false) == false)] | length == 3' >/dev/null 2>&1; do
    kill -0 "${PIDS[berth]}" 2>/dev/null || { tail -n 20 "$WORK/berth.log" >&2; die "berth proxy exited (log above)"; }
    if [ $SECONDS -ge $deadline ]; then
      curl -s --max-time 2 --unix-socket "$sock" http://x/v1/stats >&2 || true
      die "berth proxy did not report 3 healthy endpoints within 20s (stats above)"
    fi
    sleep 0.2
  done
}

# check_spread TARGET sends 12 single requests (a new connection each) and
# checks each answered 200 from the backends the target should reach: b1
# alone for direct, all three for a proxy, which proves the round robin
# before anything is measured.
check_spread() {
  local t=$1 url="http://127.0.0.1:${LISTEN[$1]}/" out code seen='' want_n=3 i
  [ "$t" != direct ] || want_n=1
  for ((i = 0; i < 12; i++)); do
    out=$(curl -s --max-time 2 -w '\n%{http_code}' "$url" || true)
    code=${out##*$'\n'}
    [ "$code" = 200 ] || die "$t answered '$code' instead of 200 on $url"
    seen+=$(printf '%s' "${out%$'\n'*}" | jq -r .version)$'\n'
  done
  seen=$(printf '%s' "$seen" | sort -u | tr '\n' ' ')
  [ "$(wc -w <<<"$seen")" = "$want_n" ] || die "$t reached backends '$seen'; want $want_n distinct"
  say "  $t -> $seen"
}

start_targets() {
  start_backends
  # `if`, not `want x && start_x`: set -e is off inside a && list.
  if want berth; then start_berth; fi
  if want haproxy; then start_haproxy; fi
  if want nginx; then start_nginx; fi
  if want caddy; then start_caddy; fi
  for t in $TARGETS; do
    if [ "$t" != direct ]; then wait_http "$t" "http://127.0.0.1:${LISTEN[$t]}/"; fi
  done
  say "checking each target answers 200 from the right backends"
  for t in $TARGETS; do check_spread "$t"; done
}

# --- measuring ---------------------------------------------------------------------

# run_wrk URL SECONDS OUT runs one bounded wrk. It runs in the background and
# is waited for, so that Ctrl-C reaches the trap at once rather than after wrk.
run_wrk() {
  local rc=0
  timeout -k 5 $(($2 + 30)) wrk -t$THREADS -c$CONNS -d"$2"s --latency "$1" >"$3" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=''
  [ "$rc" = 0 ] || { cat "$3" >&2; die "wrk against $1 failed (exit $rc)"; }
}

# parse_wrk FILE prints "rps p50_ms p99_ms non2xx socket_errors requests" from
# wrk's report; latencies come as 850.00us, 1.20ms, 2.00s (or m, h).
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      if (v ~ /m$/) return v * 60000
      if (v ~ /h$/) return v * 3600000
      return -1
    }
    /^ *50% / { p50 = ms($2) }
    /^ *99% / { p99 = ms($2) }
    / requests in / { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { sock = $4 + $6 + $8 + $10 }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%s %.3f %.3f %d %d %d\n", rps, p50, p99, bad, sock, n
    }' "$1"
}

declare -A RPS=() P50=() P99=() BAD=() SOCK=() SOCKDETAIL=()

# measure TARGET RUN: warm-up, then the measured run; results into the arrays.
measure() {
  local t=$1 r=$2 url="http://127.0.0.1:${LISTEN[$1]}/" out=$WORK/wrk-$1-$2.log vals
  run_wrk "$url" "$WARMUP" "$WORK/warmup.log"
  run_wrk "$url" "$SECS" "$out"
  vals=$(parse_wrk "$out") || { cat "$out" >&2; die "could not read wrk's report for $t"; }
  read -r "RPS[$t:$r]" "P50[$t:$r]" "P99[$t:$r]" "BAD[$t:$r]" "SOCK[$t:$r]" _ <<<"$vals"
  SOCKDETAIL[$t:$r]=$(grep -o 'Socket errors:.*' "$out" || true)
  say "  $(printf '%-8s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms' "$t" "${RPS[$t:$r]}" "${P50[$t:$r]}" "${P99[$t:$r]}")$(
    [ "${BAD[$t:$r]}" = 0 ] || printf '  NON-2xx %s' "${BAD[$t:$r]}")$(
    [ "${SOCK[$t:$r]}" = 0 ] || printf '  %s' "${SOCKDETAIL[$t:$r]}")"
}

# --- report --------------------------------------------------------------------------

# median KEYPREFIX ARRAYNAME prints the median of the target's values.
median() {
  local -n arr=$2
  local r vals=()
  for ((r = 1; r <= RUNS; r++)); do vals+=("${arr[$1:$r]}"); done
  printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
  if [ "$1" = - ] || [ "$2" = - ]; then echo -; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}

# print_profile stops berth so it writes its CPU profile, then shows the top.
print_profile() {
  if [ "$PROFILE" != 1 ] || ! want berth; then return 0; fi
  stop_proc berth
  [ -s "$WORK/cpu.pprof" ] || { say "berth wrote no CPU profile to $WORK/cpu.pprof"; return 0; }
  echo
  echo "berth proxy CPU profile (all berth runs, warm-ups included):"
  go tool pprof -top -nodecount=25 "$WORK/berth" "$WORK/cpu.pprof" 2>/dev/null ||
    say "go tool pprof failed on $WORK/cpu.pprof"
}

versions() {
  local v=()
  v+=("$(wrk -v 2>&1 | head -n 1 | awk '{ print "wrk " $2 }')")
  want nginx && v+=("$(nginx -v 2>&1 | sed 's/.*nginx\//nginx /')")
  want haproxy && v+=("$(haproxy -v | head -n 1 | awk '{ print "haproxy " $3 }')")
  want caddy && v+=("caddy $(caddy version | awk '{ print $1 }')")
  v+=("$(go version | awk '{ print $3 }')")
  local out
  printf -v out '%s, ' "${v[@]}"
  echo "${out%, }"
}

report() {
  local t r dr d99 bad=0 tbad sock
  declare -A MR=() M50=() M99=()
  for t in $TARGETS; do
    MR[$t]=$(median "$t" RPS) M50[$t]=$(median "$t" P50) M99[$t]=$(median "$t" P99)
  done
  dr=${MR[direct]:--} d99=${M99[direct]:--}

  echo
  echo "HTTP proxy benchmark on loopback: 3 test/app backends, wrk -t$THREADS -c$CONNS -d${SECS}s," \
    "$RUNS interleaved round(s), medians"
  echo "$(nproc) CPUs; $(versions)$([ "$PROFILE" = 1 ] && echo '; berth ran with --cpuprofile')"
  echo
  printf '%-8s %11s %9s %9s %10s %10s %8s %9s\n' target "req/s" "p50 ms" "p99 ms" \
    "rps/direct" "p99/direct" "non-2xx" "sock err"
  for t in $TARGETS; do
    # non-2xx and socket errors: totals over all rounds, not medians.
    tbad=0 sock=0
    for ((r = 1; r <= RUNS; r++)); do
      sock=$((sock + ${SOCK[$t:$r]})) tbad=$((tbad + ${BAD[$t:$r]}))
    done
    bad=$((bad + tbad))
    printf '%-8s %11.0f %9.3f %9.3f %10s %10s %8s %9s\n' "$t" "${MR[$t]}" "${M50[$t]}" "${M99[$t]}" \
      "$(ratio "${MR[$t]}" "$dr")" "$(ratio "${M99[$t]}" "$d99")" "$tbad" "$sock"
  done

  if want berth; then
    echo
    printf '%-16s %10s %10s\n' "" "req/s" "p99"
    for t in haproxy nginx caddy; do
      want "$t" || continue
      printf '%-16s %10s %10s\n' "berth/$t" "$(ratio "${MR[berth]}" "${MR[$t]}")" "$(ratio "${M99[berth]}" "${M99[$t]}")"
    done
  fi

  if [ "$RUNS" -gt 1 ]; then
    echo
    echo "per round, req/s (p99 ms):"
    for t in $TARGETS; do
      printf '  %-8s' "$t"
      for ((r = 1; r <= RUNS; r++)); do
        printf ' %9.0f %-10s' "${RPS[$t:$r]}" "($(printf '%.3f' "${P99[$t:$r]}"))"
      done
      echo
    done
  fi

  for t in $TARGETS; do
    for ((r = 1; r <= RUNS; r++)); do
      [ "${SOCK[$t:$r]}" = 0 ] || echo "note: $t round $r: ${SOCKDETAIL[$t:$r]}"
    done
  done

  echo
  if want berth && want haproxy; then
    local rok p99ok
    rok=$(awk -v a="${MR[berth]}" -v b="${MR[haproxy]}" 'BEGIN { print (a >= b) }')
    p99ok=$(awk -v a="${M99[berth]}" -v b="${M99[haproxy]}" 'BEGIN { print (a <= b) }')
    if [ "$rok" = 1 ] && [ "$p99ok" = 1 ]; then
      echo "target MET: berth req/s >= HAProxy's and p99 <= HAProxy's"
    else
      echo "target MISSED: berth/haproxy req/s $(ratio "${MR[berth]}" "${MR[haproxy]}") (want >= 1.00)," \
        "p99 $(ratio "${M99[berth]}" "${M99[haproxy]}") (want <= 1.00)"
      TARGET_MISSED=1
    fi
  fi
  [ "$bad" = 0 ] || die "$bad responses were not 2xx/3xx (the non-2xx column): those numbers are not valid"
}

# --- main ----------------------------------------------------------------------------

TARGET_MISSED=0
install_tools
check_ports
build
start_targets
say "$RUNS round(s) of ${WARMUP}s warm-up + ${SECS}s per target: $TARGETS"
for ((run = 1; run <= RUNS; run++)); do
  say "round $run/$RUNS"
  for t in $TARGETS; do measure "$t" "$run"; done
done
print_profile
report
[ "$STRICT" != 1 ] || [ "$TARGET_MISSED" = 0 ] || exit 1
