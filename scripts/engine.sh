#!/usr/bin/env bash
# engine.sh makes sure a Docker-compatible engine answers, installing and
# starting Debian's docker.io when none does. It prints where the engine is.
set -euo pipefail

say() { printf 'engine: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  say "using the running engine ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
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

log=/var/log/berth-dockerd.log
say "starting dockerd (log: $log)"
# setsid detaches dockerd from this shell so it outlives the caller.
setsid dockerd >"$log" 2>&1 < /dev/null &

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    say "dockerd answers ($(docker info --format '{{.ServerVersion}}'))"
    exit 0
  fi
  sleep 0.5
done
say "dockerd did not answer within 60s; see $log"
tail -n 20 "$log" >&2 || true
exit 1
