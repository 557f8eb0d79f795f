// Package cli implements berth's command line: `berth daemon` and the
// commands that drive a daemon through its API client.
package cli
