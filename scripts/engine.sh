#!/usr/bin/env bash
# engine.sh makes sure a Docker-compatible engine answers, installing and
# starting Debian's docker.io when none does. It prints where the engine is.
set -euo pipefail

say() { printf 'engine: %s\n' "$*" >&2; }

# answers is bounded: a wedged engine accepts the connection and never replies.
answers() { timeout 20 docker info >/dev/null 2>&1; }

# A stuck `runc` (the engine waits on it forever while holding container
# locks) is the usual reason a running engine stops answering.
explain_wedged() {
  say "dockerd runs (pid $(live_dockerd)) but does not answer within 20s"
  local hung
  hung=$(ps -eo pid,etimes,args | awk '$3 ~ /(^|\/)runc$/ && $4 != "init" && $2 > 60')
  if [ -n "$hung" ]; then
    say "runc processes older than 60s (a hung runc blocks the engine):"
    printf '%s\n' "$hung" | cut -c1-160 >&2
    say "killing such a runc (kill PID) usually unblocks the engine"
  fi
  say "see the engine log ($log) or restart dockerd; not starting a second one"
}

# live_dockerd prints the pid of a running (not zombie) dockerd, if any.
live_dockerd() { ps -eo pid=,stat=,comm= | awk '$3 == "dockerd" && $2 !~ /^Z/ {print $1; exit}'; }

log=/var/log/berth-dockerd.log
if answers; then
  say "using the running engine ($(timeout 20 docker info --format '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
fi
if [ -z "${DOCKER_HOST:-}" ] && [ -n "$(live_dockerd)" ]; then
  explain_wedged
  exit 1
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST is set but does not answer; refusing to start another engine"
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  say "no engine answers and I am not root: start Docker yourself (sudo systemctl start docker)"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no engine and no apt-get: install Docker or Podman and retry"
    exit 1
  fi
  say "installing Debian's docker.io (one time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
fi

# start_dockerd starts dockerd detached (setsid: it outlives this shell) and
# waits up to 60s for it to answer.
start_dockerd() {
  say "starting dockerd (log: $log)"
  setsid dockerd >"$log" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    if timeout 5 docker info >/dev/null 2>&1; then
      say "dockerd answers ($(timeout 5 docker info --format '{{.ServerVersion}}'))"
      return 0
    fi
    if ! kill -0 $! 2>/dev/null; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}

if start_dockerd; then
  exit 0
fi
# dockerd 20.10 panics in libnetwork's reservePools when its network store
# was left inconsistent by an unclean stop; moving the store aside lets it
# start (networks are recreated by whoever needs them, berth included).
kv=/var/lib/docker/network/files/local-kv.db
if grep -q reservePools "$log" && [ -f "$kv" ]; then
  say "dockerd crashed on a damaged network store; moving $kv aside and retrying"
  mv "$kv" "$kv.broken.$(date +%s)"
  if start_dockerd; then
    exit 0
  fi
fi
say "dockerd did not answer within 60s; see $log"
tail -n 20 "$log" >&2 || true
exit 1
