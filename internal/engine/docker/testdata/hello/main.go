// Command hello is the tiny static program the integration test bakes into
// a FROM scratch image: it prints its environment, secret and interfaces,
// then exits 3 so the test can tell its exit code from a default 0.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	token, err := os.ReadFile("/run/secrets/token")
	ifaces, _ := net.Interfaces()
	fmt.Printf("greeting=%s token=%s err=%v ifaces=%d\n", os.Getenv("GREETING"), token, err, len(ifaces))
	os.Exit(3)
}
