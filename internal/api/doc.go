// Package api is berth's HTTP API: the daemon's server (JSON over a unix
// socket, or TCP with TLS and a bearer token) and the client the CLI uses.
// Long operations (up, down, scale with wait, logs and events with follow)
// stream newline-delimited JSON so the CLI can show progress as it happens.
package api
