// Package docker implements berth's engine operations over the Docker Engine
// API (github.com/moby/moby/client), negotiating the API version so that it
// works against Debian's docker.io 20.10 (API 1.41) and newer engines, and
// keeping to calls that Podman's Docker-compatible API also serves.
//
// Every call carries a deadline and concurrent mutations are bounded:
// Debian's dockerd 20.10 was seen to deadlock under 8-way parallel removals
// on one network (moby/moby#42545), and an engine that hangs must make berth
// report "engine not answering", never hang berth's own API.
package docker
