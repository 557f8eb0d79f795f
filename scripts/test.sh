#!/usr/bin/env bash
# test.sh (make test) runs every check against a real engine: it starts one
# if needed, builds the test images, then go vet and the race-enabled tests.
# Integration tests fail, never skip, without an engine: this script is what
# gives them one.
set -euo pipefail

cd "$(dirname "$0")/.."
say() { printf 'test: %s\n' "$*" >&2; }

scripts/engine.sh
scripts/build-images.sh

# need_packages WHY CMD... PKG...: installs Debian packages (as root) when
# one of the commands is missing; "--" separates commands from packages.
need_packages() {
  local why=$1; shift
  local cmds=() missing=0
  while [ "$1" != "--" ]; do cmds+=("$1"); shift; done
  shift
  for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || missing=1; done
  [ "$missing" = 1 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "$why: install $* and retry"
    exit 1
  fi
  say "installing $* ($why)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# -race needs cgo and a C compiler, unlike every build in this repo; the
# tests also talk to real Prometheus (promtool) and Alertmanager.
need_packages "go test -race needs a C compiler" gcc -- gcc libc6-dev
need_packages "the tests need real peers" promtool prometheus prometheus-alertmanager -- prometheus prometheus-alertmanager

say "gofmt -l"
unformatted=$(gofmt -l cmd internal test examples deploy)
if [ -n "$unformatted" ]; then
  say "these files need gofmt -w:"; printf '%s\n' "$unformatted" >&2
  exit 1
fi

say "go vet ./..."
go vet ./...

log=$(mktemp /tmp/berth-test.XXXXXX)
trap 'rm -f "$log"' EXIT
say "go test -race -count=1 -timeout ${TEST_TIMEOUT:-45m} ./..."
rc=0
CGO_ENABLED=1 go test -race -count=1 -v -timeout "${TEST_TIMEOUT:-45m}" ./... 2>&1 | tee "$log" | grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|\s*--- PASS)' || rc=$?

# The summary: package verdicts, then every failed test by name.
ok=$(grep -c '^ok ' "$log" || true)
failed=$(grep -cE '^FAIL\s+\S+' "$log" || true)
notests=$(grep -c '\[no test files\]' "$log" || true)
echo
echo "==== go test summary: $ok ok, $failed failed, $notests without tests ===="
grep -E '^FAIL\s+\S+' "$log" || true
grep -E -- '--- FAIL: ' "$log" | sed 's/^ *//' || true
grep -E '^(panic:|# )' "$log" || true
passed=$(grep -cE '^\s*--- PASS: ' "$log" || true)
failedtests=$(grep -cE '^\s*--- FAIL: ' "$log" || true)
if [ "$rc" != 0 ] && [ "$failedtests" = 0 ]; then
  failedtests=1 # a build failure or a panic fails the run without a --- FAIL line
fi
echo "$passed passed, $failedtests failed"
exit "$rc"
