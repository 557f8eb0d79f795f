package metrics

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// handle returns the open files of container id, opening them on first use
// or when the container's main PID changed (a restart).
func (r *CgroupReader) handle(id string, pid int) (*handle, error) {
	if h, ok := r.handles[id]; ok {
		if h.pid == pid {
			return h, nil
		}
		r.drop(id)
	}
	pattern, err := r.findDir(id)
	if err != nil {
		return nil, err
	}
	h := &handle{pid: pid, fds: make([]int, 0, len(r.files)+1)}
	for _, f := range r.files {
		path := filepath.Join(pattern(r.root, f.ctrl, id), f.name)
		fd, err := openRead(path)
		if err != nil && !(f.optional && errors.Is(err, syscall.ENOENT)) {
			h.close()
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
		h.fds = append(h.fds, fd)
	}
	netFD := -1
	if pid > 0 {
		path := filepath.Join(r.procRoot, pidString(pid), "net", "dev")
		if netFD, err = openRead(path); err != nil {
			h.close()
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
	}
	h.fds = append(h.fds, netFD)
	r.handles[id] = h
	return h, nil
}

// findDir returns the directory pattern under which container id has its
// cgroup, trying the one that matched last first: one host uses one driver.
func (r *CgroupReader) findDir(id string) (dirPattern, error) {
	probe := r.files[0].ctrl
	for k := range r.dirs {
		i := (r.hint + k) % len(r.dirs)
		if fi, err := os.Stat(r.dirs[i](r.root, probe, id)); err == nil && fi.IsDir() {
			r.hint = i
			return r.dirs[i], nil
		}
	}
	return nil, fmt.Errorf("finding %s cgroup of container %s under %s: %w", r.layout, id, r.root, ErrCgroupNotFound)
}

// drop closes and forgets the files of container id.
func (r *CgroupReader) drop(id string) {
	if h, ok := r.handles[id]; ok {
		h.close()
		delete(r.handles, id)
	}
}

// close closes every open descriptor of h.
func (h *handle) close() {
	for _, fd := range h.fds {
		if fd >= 0 {
			_ = syscall.Close(fd) // read-only: nothing to lose
		}
	}
	h.fds = h.fds[:0]
}

// openRead opens path read-only and close-on-exec, -1 on error.
func openRead(path string) (int, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	return fd, nil
}
