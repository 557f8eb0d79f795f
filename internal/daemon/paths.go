package daemon

import (
	"os"
	"path/filepath"
)

// DefaultSocket is where the daemon listens and the CLI looks: under /run
// as root, else the user's runtime (or state) directory.
func DefaultSocket() string {
	if os.Geteuid() == 0 {
		return "/run/berth/berth.sock"
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "berth", "berth.sock")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "berth", "berth.sock")
}

// DefaultDataDir is where the store lives.
func DefaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/berth"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "berth")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "berth")
}
