package metrics

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Layout is the cgroup hierarchy a host mounts.
type Layout int

// The layouts berth reads. A hybrid host (v1 controllers plus an empty
// unified hierarchy) is LayoutV1, since that is where the controllers are.
const (
	LayoutV1 Layout = iota + 1
	LayoutV2
)

// String returns "v1" or "v2".
func (l Layout) String() string {
	switch l {
	case LayoutV1:
		return "v1"
	case LayoutV2:
		return "v2"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ErrNoCgroups is returned when root holds neither cgroup layout.
var ErrNoCgroups = errors.New("no cgroup hierarchy found")

// DetectLayout tells the layout mounted at root (normally /sys/fs/cgroup)
// from its files rather than from statfs or mountinfo, so that the same
// code classifies the fixture trees under testdata: only the root of a v2
// hierarchy has cgroup.controllers, and a v1 root holds one directory per
// controller.
func DetectLayout(root string) (Layout, error) {
	if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err == nil {
		return LayoutV2, nil
	}
	if fi, err := os.Stat(filepath.Join(root, "memory")); err == nil && fi.IsDir() {
		return LayoutV1, nil
	}
	return 0, fmt.Errorf("detecting cgroup layout under %s: %w", root, ErrNoCgroups)
}
