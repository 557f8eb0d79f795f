#!/usr/bin/env bash
# build-images.sh compiles the static binaries that the demo and test images
# wrap (each into its own Docker build context), then builds the test image
# berth-test-app:latest when an engine answers. Up-to-date binaries are not
# rebuilt, so a second run takes well under a second.
#
#   FORCE=1          rebuild every binary
#   BUILD_DOCKER=0   skip `docker build` of berth-test-app:latest
set -euo pipefail

cd "$(dirname "$0")/.."
say() { printf 'build-images: %s\n' "$*" >&2; }

# Each entry is "package dir:binary name"; the binary lands in the package dir,
# which is also the image's build context.
targets=(
  "examples/demo/web:web"
  "examples/demo/worker:worker"
  "examples/demo/kv:kv"
  "test/app:app"
)

# stale reports whether bin must be (re)built from the Go files in dir.
stale() {
  local dir=$1 bin=$2
  [ "${FORCE:-0}" = 1 ] && return 0
  [ -x "$bin" ] || return 0
  [ go.mod -nt "$bin" ] && return 0
  [ -n "$(find "$dir" -maxdepth 1 -name '*.go' -newer "$bin" | head -n 1)" ]
}

built=0
for t in "${targets[@]}"; do
  dir=${t%%:*} name=${t##*:}
  bin=$dir/$name
  if ! stale "$dir" "$bin"; then
    continue
  fi
  say "go build ./$dir -> $bin"
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin" "./$dir"
  built=$((built + 1))
done
say "binaries up to date ($built rebuilt)"

if [ "${BUILD_DOCKER:-1}" = 1 ]; then
  if docker info >/dev/null 2>&1; then
    # The classic builder caches COPY by content: an unchanged binary gives
    # the same image ID at once.
    if ! out=$(docker build -q -t berth-test-app:latest test/app 2>&1); then
      printf '%s\n' "$out" >&2
      say "docker build of test/app failed"
      exit 1
    fi
    say "image berth-test-app:latest ready"
  else
    say "no engine answers: skipped berth-test-app:latest (run scripts/engine.sh)"
  fi
fi
