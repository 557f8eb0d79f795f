#!/usr/bin/env bash
# demo.sh (make demo) builds berth, makes sure an engine and a berth daemon
# answer, and deploys examples/demo/compose.yaml: three web replicas behind
# loopback ports, a worker and a kv store on a named volume.
set -euo pipefail

cd "$(dirname "$0")/.."
say() { printf '\033[1mdemo:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=scripts/demo-env.sh
. scripts/demo-env.sh

[ -d cmd/berth ] || die "cmd/berth does not exist yet: nothing to demo"
say "building bin/berth"
CGO_ENABLED=0 go build -trimpath -o bin/berth ./cmd/berth

scripts/engine.sh

start_daemon() {
  mkdir -p "$BERTH_STATE" "$BERTH_DATA"
  # The socket's directory guards the API: only this user may reach it.
  chmod 700 "$BERTH_STATE"
  if [ ${#BERTH_SOCKET} -ge 104 ]; then
    die "socket path is too long for a unix socket: $BERTH_SOCKET (set BERTH_STATE shorter)"
  fi
  # A socket left by a daemon that died would make the new one fail to bind.
  if [ -S "$BERTH_SOCKET" ] && ! daemon_pid >/dev/null; then
    say "removing stale socket $BERTH_SOCKET"
    rm -f "$BERTH_SOCKET"
  fi
  say "starting berth daemon (log: $BERTH_LOG)"
  # setsid + nohup: the daemon outlives this shell and its terminal. In a
  # script (no job control) setsid execs in place, so $! is berth's pid.
  setsid nohup "$BERTH_BIN" daemon --socket "$BERTH_SOCKET" --data "$BERTH_DATA" \
    >>"$BERTH_LOG" 2>&1 </dev/null &
  echo $! >"$BERTH_PIDFILE"
}

# wait_daemon polls until the daemon answers, failing fast if it dies.
wait_daemon() {
  local deadline=$((SECONDS + ${BERTH_START_TIMEOUT:-30})) pid
  pid=$(cat "$BERTH_PIDFILE" 2>/dev/null || true)
  until daemon_answers; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$BERTH_LOG" >&2 || true
      die "berth daemon exited during startup; log above ($BERTH_LOG)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$BERTH_LOG" >&2 || true
      die "berth daemon did not answer on $BERTH_SOCKET within ${BERTH_START_TIMEOUT:-30}s"
    fi
    sleep 0.2
  done
}

if daemon_answers; then
  say "reusing the berth daemon on $BERTH_SOCKET"
elif daemon_pid >/dev/null; then
  say "berth daemon $(daemon_pid) is starting; waiting for it"
  wait_daemon
else
  start_daemon
  wait_daemon
  say "berth daemon $(cat "$BERTH_PIDFILE") answers on $BERTH_SOCKET"
fi

BUILD_DOCKER=0 scripts/build-images.sh

say "deploying examples/demo/compose.yaml (builds images, waits for health)"
if ! timeout "${DEMO_UP_TIMEOUT:-360}" bin/berth up -f examples/demo/compose.yaml --wait; then
  "$BERTH_BIN" ps demo >&2 || true
  say "daemon log tail ($BERTH_LOG):"
  tail -n 20 "$BERTH_LOG" >&2 || true
  die "berth up failed; fix and rerun make demo (make demo-stop cleans up)"
fi

echo
bin/berth ps demo
echo

# Three requests through the load balancer prove the page, the replicas
# and kv work (round robin: each lands on another replica).
if command -v curl >/dev/null 2>&1; then
  for _ in 1 2 3; do
    printf -- '--- GET http://127.0.0.1:8080/\n'
    curl -fsS --max-time 5 "http://127.0.0.1:8080/" || say "the load balancer did not answer"
  done
  echo
fi

sockhint=""
if [ "$BERTH_SOCKET" != "$berth_run_dir/berth.sock" ]; then
  sockhint="  export BERTH_SOCKET=$BERTH_SOCKET   # not the default socket
"
fi
pidnote="kill \$(cat $BERTH_PIDFILE)"
daemon_pid >/dev/null || pidnote="(the daemon was already running and is not ours to stop)"
cat <<MSG
The demo stack is up:
  web     3 replicas   http://127.0.0.1:8080/  (berth's load balancer, round robin, health-checked)
  worker  1 replica    bumps worker.ticks in kv every 5s; JSON logs
  kv      1 replica    key-value store on the named volume kvdata (kept across redeploys)

Talk to the daemon (socket $BERTH_SOCKET):
${sockhint}  bin/berth ps demo
  bin/berth scale demo web=2
  bin/berth rollout history demo
Daemon log:            $BERTH_LOG
Stop the demo:         make demo-stop
  (or by hand: bin/berth down demo; $pidnote)
MSG
