// Package integration tests berth end to end: the real berth binary, a real
// daemon and the real Docker Engine. Without an engine these tests fail;
// `make test` starts one (scripts/engine.sh).
package integration
