// Package proxy is berth's load balancer. It runs as its own process
// (`berth proxy`) so that traffic keeps flowing while the daemon restarts:
// the daemon pushes each stack's routes over a unix control socket
// (control.go, client.go, spawn.go) and the proxy keeps serving the last
// config it was given. A new berth version replaces the process without
// closing a listening socket: the new one takes the sockets, config and
// endpoint health over from the old one (handoff.go, takeover.go), which
// then drains and exits.
//
// The control plane (server.go, plan.go, normalize.go) validates a push,
// binds any new listen addresses and only then swaps per-listener routing
// tables (router.go) atomically, so a bad push never disturbs what is
// serving. Endpoint state (endpoint.go: counters, health, pooled backend
// connections) is keyed by stack, service and address and survives pushes.
//
// The HTTP/1.1 data plane is hand-written on net.Conn for speed: head
// parsing over pooled bufio buffers (head.go, request.go, response.go), an
// outgoing head built in one buffer and written at once (outhead.go),
// framed body copies without intermediate buffers (body.go), per-endpoint
// idle connection stacks (pool.go) and retries on connection failures
// (forward.go). HTTP/2 over TLS and h2c go through net/http (h2.go) but use
// the same endpoint selection, retries and stats. The access log
// (accesslog.go) batches lines and rotates its file by size (logfile.go)
// off the request path.
package proxy
