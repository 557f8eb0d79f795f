package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/api"
)

type scaleTarget struct {
	service  string
	replicas int
}

func containsEq(s string) bool { return strings.Contains(s, "=") }

// parseScale reads SERVICE=N arguments.
func parseScale(args []string) ([]scaleTarget, error) {
	if len(args) == 0 {
		return nil, usageError{errors.New("name at least one SERVICE=N")}
	}
	var out []scaleTarget
	for _, arg := range args {
		svc, n, ok := strings.Cut(arg, "=")
		r, err := strconv.Atoi(n)
		if !ok || svc == "" || err != nil || r < 0 {
			return nil, usageError{fmt.Errorf("invalid scale %q: use SERVICE=N with N >= 0, e.g. web=3", arg)}
		}
		out = append(out, scaleTarget{svc, r})
	}
	return out, nil
}

func isUnreachable(err error) bool { return errors.Is(err, api.ErrDaemonUnreachable) }
