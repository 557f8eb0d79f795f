package proxy

// A handoff passes a running proxy's sockets and config to a new proxy
// process (`berth proxy --takeover`), as HAProxy and Envoy do on reload:
// the listening sockets are never closed, so no connection is refused
// while the binary changes.
//
// The new process sends POST /v1/handoff on the control socket. The old
// one freezes its config, hijacks the connection and answers
//
//	HTTP/1.1 101 Switching Protocols   (a proxy without handoff answers 404)
//	handoffState as one line of JSON
//	one byte per batch of descriptors, each byte carrying them (SCM_RIGHTS):
//	the control socket, the lock file, then the data listeners in the
//	order handoffState.Listeners names them.
//
// The new process serves its copies of the sockets with the same config
// and answers "ok\n" (or "error: ...\n"). On "ok" the old one closes its
// copy of the control socket, answers "bye\n", closes its copies of the
// data listeners (the sockets live on in the new process, so connections
// waiting in their backlog are not reset), lets requests in flight finish
// and exits. On anything else, or nothing within handoffTimeout, it thaws
// its config and carries on as before; the new process only answers "ok"
// well within that time, and stays once it has.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	handoffPath = "/v1/handoff"
	handoffHead = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: berth-handoff\r\n\r\n"
	// handoffBatch keeps each message under the kernel's SCM_MAX_FD (253).
	handoffBatch = 200
	// handoffTimeout bounds each side's wait for the other: the old one
	// waiting while the new one restores the config, the new one reading
	// the state.
	handoffTimeout = 30 * time.Second
	// handoffByeTimeout bounds the wait for the old process's "bye", which
	// it sends as soon as it reads "ok".
	handoffByeTimeout = 5 * time.Second
)

// errNoProxy means nothing listens on the control socket: there is
// nothing to take over.
var errNoProxy = errors.New("no proxy listens on the control socket")

// handoffState is what the old process hands over besides its sockets.
type handoffState struct {
	PID       int               `json:"pid"`
	Version   string            `json:"version"`
	Listeners []string          `json:"listeners"`
	Stacks    []StackConfig     `json:"stacks"`
	Healthy   []handoffEndpoint `json:"healthy"`
}

// handoffEndpoint names an endpoint the old process found healthy.
type handoffEndpoint struct {
	Stack   string `json:"stack"`
	Service string `json:"service"`
	Addr    string `json:"addr"`
}

// handoffSource serves POST /v1/handoff in the running proxy.
type handoffSource struct {
	s       *Server
	control *net.UnixListener
	lock    *os.File
	info    PingInfo
	log     *slog.Logger
	busy    atomic.Bool
	active  sync.WaitGroup
	done    chan struct{} // closed once a new process took over
}

func newHandoffSource(s *Server, control *net.UnixListener, lock *os.File, info PingInfo, log *slog.Logger) *handoffSource {
	return &handoffSource{s: s, control: control, lock: lock, info: info, log: log, done: make(chan struct{})}
}

func (h *handoffSource) handedOver() bool {
	select {
	case <-h.done:
		return true
	default:
		return false
	}
}

func (h *handoffSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.active.Add(1)
	defer h.active.Done()
	if !h.busy.CompareAndSwap(false, true) {
		writeJSON(w, http.StatusConflict, errorBody{Error: "a handoff is already in progress"})
		return
	}
	var to PingInfo
	_ = json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&to)
	if err := h.handOver(w, to); err != nil {
		h.log.Warn("handoff failed; serving on", "to_pid", to.PID, "err", err)
		h.busy.Store(false)
		return
	}
	h.log.Info("handed over", "to_pid", to.PID, "to_version", to.Version)
}

// handOver runs the old side of the protocol; it returns nil once the new
// process has taken over, and thaws the config otherwise.
func (h *handoffSource) handOver(w http.ResponseWriter, to PingInfo) (err error) {
	st, fds, err := h.s.freeze()
	if err != nil {
		writeError(w, err)
		return err
	}
	defer func() {
		closeFDs(fds)
		if err != nil {
			h.s.thaw()
		}
	}()
	ctl, err := dupFD(h.control)
	if err != nil {
		writeError(w, err)
		return fmt.Errorf("control socket: %w", err)
	}
	lock, err := dupFD(h.lock)
	if err != nil {
		closeFDs([]int{ctl})
		writeError(w, err)
		return fmt.Errorf("lock file: %w", err)
	}
	fds = append([]int{ctl, lock}, fds...)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return err
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("the control connection is a %T, not a unix socket", conn)
	}
	st.PID, st.Version = h.info.PID, h.info.Version
	_ = uc.SetDeadline(time.Now().Add(handoffTimeout))
	if err := writeHandoff(uc, st, fds); err != nil {
		return fmt.Errorf("sending the sockets: %w", err)
	}
	reply, err := brw.ReadString('\n')
	if err != nil {
		return fmt.Errorf("waiting for the new process: %w", err)
	}
	if reply != "ok\n" {
		return fmt.Errorf("the new process gave up: %s", strings.TrimSpace(reply))
	}
	// The new process serves now: there is no going back. Stop answering
	// on the control socket before confirming, so that once the new
	// process serves it no ping reaches this one; done is closed first
	// for Run to see why Serve returned. (Run then stops the data
	// listeners, letting requests in flight finish.)
	close(h.done)
	_ = h.control.Close()
	if _, err := io.WriteString(uc, "bye\n"); err != nil {
		h.log.Warn("confirming the handoff", "err", err)
	}
	return nil
}

// freeze stops config changes and returns the config, endpoint health
// and duplicates of the data listeners' descriptors.
func (s *Server) freeze() (handoffState, []int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.changeable(); err != nil {
		return handoffState{}, nil, err
	}
	st := handoffState{Stacks: s.stacksLocked()}
	var fds []int
	for _, addr := range sortedKeys(s.listeners) {
		sc, ok := s.listeners[addr].ln.(syscall.Conn)
		fd, err := -1, fmt.Errorf("listener %s cannot be handed over", addr)
		if ok {
			fd, err = dupFD(sc)
		}
		if err != nil {
			closeFDs(fds)
			return handoffState{}, nil, err
		}
		st.Listeners, fds = append(st.Listeners, addr), append(fds, fd)
	}
	for k, ep := range s.endpoints {
		if ep.healthy.Load() {
			st.Healthy = append(st.Healthy, handoffEndpoint{Stack: k.stack, Service: k.service, Addr: k.addr})
		}
	}
	s.frozen = true
	return st, fds, nil
}

func (s *Server) thaw() {
	s.mu.Lock()
	s.frozen = false
	s.mu.Unlock()
}

// dupFD duplicates a socket's or file's descriptor without going through
// File().Fd(), which would switch the shared open file to blocking mode
// under the running accept loop.
func dupFD(c syscall.Conn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	nfd, derr := -1, error(nil)
	err = rc.Control(func(fd uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
		nfd = int(r)
		if errno != 0 {
			nfd, derr = -1, errno
		}
	})
	if err == nil {
		err = derr
	}
	return nfd, err
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		if fd >= 0 {
			_ = syscall.Close(fd)
		}
	}
}

func writeHandoff(c *net.UnixConn, st handoffState, fds []int) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	msg := append(append([]byte(handoffHead), body...), '\n')
	if _, err := c.Write(msg); err != nil {
		return err
	}
	for len(fds) > 0 {
		n := min(len(fds), handoffBatch)
		if _, _, err := c.WriteMsgUnix([]byte{0}, syscall.UnixRights(fds[:n]...), nil); err != nil {
			return err
		}
		fds = fds[n:]
	}
	return nil
}
