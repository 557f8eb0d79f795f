# berth: common tasks. Every target is a thin wrapper: the scripts under
# scripts/ hold the logic and can be run directly.
GO ?= go

.PHONY: build images demo demo-stop test bench fmt-check

## build: compile bin/berth (static, reproducible paths)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/berth ./cmd/berth

## images: compile the demo and test-app binaries into their build contexts
images:
	scripts/build-images.sh

## demo: start an engine and a berth daemon, deploy examples/demo
demo:
	scripts/demo.sh

## demo-stop: take the demo down and stop its daemon (PURGE=1 drops kv data)
demo-stop:
	scripts/demo-stop.sh

## test: go vet and go test -race against a real engine
test:
	scripts/test.sh

## bench: berth up of 100 replicas vs docker run and docker-compose
bench:
	scripts/bench-up.sh

## bench-rollout: failed requests and wall time of berth rollouts and crash recovery vs compose and restart=always
.PHONY: bench-rollout
bench-rollout:
	scripts/bench-rollout.sh

## bench-proxy: berth's HTTP proxy vs direct, HAProxy, nginx and Caddy (wrk, loopback)
.PHONY: bench-proxy
bench-proxy:
	scripts/bench-proxy.sh

## fmt-check: fail if any Go file needs gofmt
fmt-check:
	@files=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './vendor/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
