// Command berth keeps a Docker host converged on a Compose file.
package main

import (
	"os"

	"github.com/berth-dev/berth/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(cli.Main(os.Args[1:], version))
}
