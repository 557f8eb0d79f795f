package metrics

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ErrCgroupNotFound is returned when no cgroup directory matches a container.
var ErrCgroupNotFound = errors.New("container cgroup not found")

// CgroupReader samples containers from their cgroup files. It keeps each
// container's files open between calls and re-reads them with pread at
// offset 0 (cgroup and /proc files regenerate their content on every read),
// which is ~4x cheaper than open/read/close here. It therefore holds about
// eight descriptors per container: call Retain after each sweep and Close
// when done. Safe for concurrent use; calls are serialised.
type CgroupReader struct {
	layout   Layout
	root     string
	procRoot string
	files    []cgroupFile
	dirs     []dirPattern

	mu      sync.Mutex
	handles map[string]*handle
	hint    int    // index into dirs that matched last
	buf     []byte // reused for every file
	s       Sample // parsed into in place: a local would escape through parse
	x       scratch
}

// cgroupFile is one file read per sample and how to parse it.
type cgroupFile struct {
	ctrl     string // v1 controller directory, "" on v2
	name     string
	optional bool // absent when the controller is not enabled
	parse    func(b []byte, s *Sample, x *scratch)
}

// scratch holds values needed to derive a Sample field from several files.
type scratch struct {
	inactiveFile uint64
}

// dirPattern turns a controller and a container ID into the container's
// cgroup directory for one cgroup driver.
type dirPattern func(root, ctrl, id string) string

// handle is the open files of one container.
type handle struct {
	pid int
	fds []int // per r.files, then net/dev; -1 when absent
}

// NewCgroupReader discovers the layout under root (normally /sys/fs/cgroup)
// and reads network counters under procRoot (normally /proc).
func NewCgroupReader(root, procRoot string) (*CgroupReader, error) {
	layout, err := DetectLayout(root)
	if err != nil {
		return nil, err
	}
	r := &CgroupReader{
		layout:   layout,
		root:     root,
		procRoot: procRoot,
		handles:  make(map[string]*handle),
		buf:      make([]byte, 16<<10),
	}
	if layout == LayoutV2 {
		r.files, r.dirs = v2Files, v2Dirs
	} else {
		r.files, r.dirs = v1Files, v1Dirs
	}
	return r, nil
}

// Layout returns the layout discovered at construction.
func (r *CgroupReader) Layout() Layout { return r.layout }

// Sample reads the container with the given full ID; pid is the host PID of
// its main process (0 leaves the network counters at zero).
func (r *CgroupReader) Sample(id string, pid int) (Sample, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.handle(id, pid)
	if err != nil {
		return Sample{}, err
	}
	s, err := r.read(h)
	if err == nil {
		return s, nil
	}
	// A container restarted in place, or a stale descriptor: reopen once.
	r.drop(id)
	if h, err = r.handle(id, pid); err != nil {
		return Sample{}, err
	}
	if s, err = r.read(h); err != nil {
		r.drop(id)
		return Sample{}, fmt.Errorf("reading cgroup of container %s: %w", id, err)
	}
	return s, nil
}

// Retain closes the files of every container whose ID is not in keep.
func (r *CgroupReader) Retain(keep map[string]struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.handles {
		if _, ok := keep[id]; !ok {
			r.drop(id)
		}
	}
}

// Close closes every open file; the reader stays usable.
func (r *CgroupReader) Close() error {
	r.Retain(nil)
	return nil
}

// read preads every open file of h into a fresh Sample.
func (r *CgroupReader) read(h *handle) (Sample, error) {
	r.s, r.x = Sample{Time: time.Now()}, scratch{}
	for i, fd := range h.fds {
		if fd < 0 {
			continue
		}
		b, err := r.pread(fd)
		if err != nil {
			return Sample{}, err
		}
		if i < len(r.files) {
			r.files[i].parse(b, &r.s, &r.x)
		} else {
			parseNetDev(b, &r.s)
		}
	}
	r.s.MemoryWorkingSet = workingSet(r.s.MemoryUsage, r.x.inactiveFile)
	return r.s, nil
}

// pread reads a whole file from offset 0, growing the buffer if it fills.
// A short read is the whole content: seq_file fills the buffer until EOF.
func (r *CgroupReader) pread(fd int) ([]byte, error) {
	for {
		n, err := syscall.Pread(fd, r.buf, 0)
		if err != nil {
			return nil, err
		}
		if n < len(r.buf) {
			return r.buf[:n], nil
		}
		r.buf = make([]byte, 2*len(r.buf))
	}
}

// workingSet is usage minus inactive file pages, never below zero.
func workingSet(usage, inactiveFile uint64) uint64 {
	if inactiveFile > usage {
		return 0
	}
	return usage - inactiveFile
}

// pidString formats a PID for a /proc path.
func pidString(pid int) string { return strconv.Itoa(pid) }
