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

# -race needs cgo and a C compiler, unlike every build in this repo.
if ! command -v gcc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing gcc (needed by go test -race)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null
  else
    say "go test -race needs gcc: install it and retry"
    exit 1
  fi
fi

# Real peers the tests talk to: Prometheus (and promtool) and Alertmanager.
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's prometheus and prometheus-alertmanager (test peers)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  else
    say "the tests need prometheus, promtool and prometheus-alertmanager: install them and retry"
    exit 1
  fi
fi

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
