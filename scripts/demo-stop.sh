#!/usr/bin/env bash
# demo-stop.sh (make demo-stop) takes the demo stack down and stops the berth
# daemon that demo.sh started. The kv volume is kept unless PURGE=1.
set -euo pipefail

cd "$(dirname "$0")/.."
say() { printf '\033[1mdemo-stop:\033[0m %s\n' "$*" >&2; }
# shellcheck source=scripts/demo-env.sh
. scripts/demo-env.sh

if [ ! -x "$BERTH_BIN" ]; then
  say "no bin/berth: nothing to take down"
elif daemon_answers; then
  say "berth down demo"
  timeout "${DEMO_DOWN_TIMEOUT:-120}" "$BERTH_BIN" down demo || say "berth down demo failed; continuing"
else
  say "no berth daemon answers on $BERTH_SOCKET; skipping berth down"
fi

if pid=$(daemon_pid); then
  say "stopping berth daemon $pid"
  kill -TERM "$pid"
  deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      say "daemon $pid still running after 20s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$BERTH_PIDFILE"
elif [ -f "$BERTH_PIDFILE" ]; then
  say "pid file $BERTH_PIDFILE names no running berth daemon; removing it"
  rm -f "$BERTH_PIDFILE"
fi

# The load balancer runs as its own process so that daemon restarts drop
# no request; stopping the demo stops it too.
if pkill -TERM -f "berth proxy --control $BERTH_DATA/proxy.sock" 2>/dev/null; then
  say "stopped the load balancer"
fi

# Never remove containers behind a daemon's back: another daemon may own a
# stack named demo, and would only recreate them. Say what is left instead.
left=$(docker ps -aq --filter label=dev.berth.stack=demo 2>/dev/null | wc -l || true)
if [ "$left" -gt 0 ]; then
  say "$left containers labelled dev.berth.stack=demo remain (another daemon may manage them);"
  say "  remove them by hand: docker rm -f \$(docker ps -aq --filter label=dev.berth.stack=demo)"
fi

if [ "${PURGE:-0}" = 1 ]; then
  # berth may or may not label volumes; the compose-style name catches both.
  vols=$({ docker volume ls -q --filter label=dev.berth.stack=demo
    docker volume ls -q | grep -E '^demo[_-]kvdata$' || true; } | sort -u)
  for v in $vols; do
    say "removing volume $v"
    docker volume rm "$v" >/dev/null || say "could not remove volume $v (still in use?)"
  done
else
  say "kept the kv data volume (PURGE=1 make demo-stop removes it)"
fi
say "done"
