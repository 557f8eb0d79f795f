package integration

import (
	"os"
	"os/exec"
)

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

func readFileBytes(path string) ([]byte, error) { return os.ReadFile(path) }
