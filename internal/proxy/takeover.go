package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// The new process's side of a handoff (handoff.go describes the protocol).

// inheritance is what a new process took over from the old one; it is
// not committed until commit succeeds.
type inheritance struct {
	conn      *net.UnixConn
	br        *bufio.Reader
	state     handoffState
	control   *net.UnixListener
	lock      *os.File
	listeners map[string]net.Listener
	received  time.Time // when the state and sockets arrived
}

// requestHandoff runs the new side of the protocol up to having the
// sockets and config in hand. It returns errNoProxy when nothing listens
// on controlPath.
func requestHandoff(ctx context.Context, controlPath string, me PingInfo) (_ *inheritance, err error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", controlPath)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w: %v", errNoProxy, err)
		}
		return nil, err
	}
	uc := c.(*net.UnixConn)
	in := &inheritance{conn: uc}
	fr := &fdReader{c: uc, oob: make([]byte, syscall.CmsgSpace(handoffBatch*4))}
	defer func() {
		if err != nil {
			closeFDs(fr.fds)
			in.close()
		}
	}()
	_ = uc.SetDeadline(time.Now().Add(handoffTimeout))
	body, _ := json.Marshal(me)
	req, err := http.NewRequest(http.MethodPost, "http://proxy"+handoffPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := req.Write(uc); err != nil {
		return nil, err
	}
	in.br = bufio.NewReader(fr)
	resp, err := http.ReadResponse(in.br, req)
	if err != nil {
		return nil, fmt.Errorf("reading the running proxy's answer: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var eb errorBody
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return nil, fmt.Errorf("the running proxy refused the handoff: %s: %s", resp.Status, msg)
	}
	line, err := in.br.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &in.state)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the handed-over state: %w", err)
	}
	want := 2 + len(in.state.Listeners)
	for range (want + handoffBatch - 1) / handoffBatch {
		if _, err := in.br.ReadByte(); err != nil {
			return nil, fmt.Errorf("reading the sockets: %w", err)
		}
	}
	if fr.err != nil {
		return nil, fr.err
	}
	if len(fr.fds) != want {
		return nil, fmt.Errorf("received %d descriptors, want %d", len(fr.fds), want)
	}
	fds := fr.fds
	fr.fds = nil
	if err := in.adopt(fds, controlPath); err != nil {
		return nil, err
	}
	in.received = time.Now()
	return in, nil
}

// adopt turns received descriptors into listeners and the lock file; it
// closes every descriptor whatever happens.
func (in *inheritance) adopt(fds []int, controlPath string) error {
	in.lock = os.NewFile(uintptr(fds[1]), controlPath+".lock")
	ctl, err := fileListener(fds[0], "control")
	fds[0] = -1
	if err == nil {
		uc, ok := ctl.(*net.UnixListener)
		if !ok {
			_ = ctl.Close()
			err = fmt.Errorf("the control socket is a %T", ctl)
		} else {
			// The socket file is the path daemons dial: never unlink it.
			uc.SetUnlinkOnClose(false)
			in.control = uc
		}
	}
	in.listeners = map[string]net.Listener{}
	for i, addr := range in.state.Listeners {
		if err != nil {
			break
		}
		var ln net.Listener
		ln, err = fileListener(fds[2+i], addr)
		fds[2+i] = -1
		if err == nil {
			in.listeners[addr] = ln
		}
	}
	closeFDs(fds[2:])
	return err
}

func fileListener(fd int, name string) (net.Listener, error) {
	f := os.NewFile(uintptr(fd), name)
	defer f.Close() // FileListener holds its own duplicate
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("listener %s: %w", name, err)
	}
	return ln, nil
}

// healthy returns the endpoints the old process found healthy.
func (in *inheritance) healthy() map[epKey]bool {
	out := map[epKey]bool{}
	for _, e := range in.state.Healthy {
		out[epKey{e.Stack, e.Service, e.Addr}] = true
	}
	return out
}

// commit tells the old process this one serves. It fails only when the
// old process cannot take "ok" (it gave up waiting): once it has read it,
// it lets go or has died, so this process stays whatever follows.
func (in *inheritance) commit(log *slog.Logger) error {
	defer in.conn.Close()
	if time.Since(in.received) > handoffTimeout/2 {
		// Too close to the old process's deadline to be sure it still waits.
		return errors.New("restoring the config took too long")
	}
	_ = in.conn.SetDeadline(time.Now().Add(handoffByeTimeout))
	if _, err := io.WriteString(in.conn, "ok\n"); err != nil {
		return fmt.Errorf("the old proxy gave up waiting: %w", err)
	}
	if reply, err := in.br.ReadString('\n'); err != nil || reply != "bye\n" {
		log.Warn("the old proxy did not confirm letting go; serving anyway", "reply", reply, "err", err)
	}
	return nil
}

// abort tells the old process to carry on and closes what was taken.
func (in *inheritance) abort(cause error) {
	if in == nil {
		return
	}
	_ = in.conn.SetDeadline(time.Now().Add(time.Second))
	_, _ = io.WriteString(in.conn, "error: "+strings.ReplaceAll(cause.Error(), "\n", " ")+"\n")
	in.close()
}

// close closes the handoff connection and whatever restore did not use.
func (in *inheritance) close() {
	_ = in.conn.Close()
	if in.control != nil {
		_ = in.control.Close()
	}
	if in.lock != nil {
		_ = in.lock.Close()
	}
	for _, ln := range in.listeners {
		_ = ln.Close()
	}
}

// fdReader reads a unix socket, collecting the descriptors that arrive
// with the bytes (a plain Read would drop them).
type fdReader struct {
	c   *net.UnixConn
	oob []byte
	fds []int
	err error // descriptors were lost
}

func (r *fdReader) Read(p []byte) (int, error) {
	n, oobn, flags, _, err := r.c.ReadMsgUnix(p, r.oob)
	if flags&syscall.MSG_CTRUNC != 0 && r.err == nil {
		r.err = errors.New("descriptors truncated in transit")
	}
	if oobn > 0 {
		msgs, perr := syscall.ParseSocketControlMessage(r.oob[:oobn])
		for _, m := range msgs {
			fds, ferr := syscall.ParseUnixRights(&m)
			r.fds = append(r.fds, fds...)
			perr = errors.Join(perr, ferr)
		}
		if perr != nil && r.err == nil {
			r.err = perr
		}
	}
	return n, err
}

// release closes the inherited listeners restore did not use.
func (in *inheritance) release() {
	for addr, ln := range in.listeners {
		_ = ln.Close()
		delete(in.listeners, addr)
	}
}

// restore serves the handed-over config on the inherited sockets, with
// the endpoints the old process found healthy already in rotation.
func (s *Server) restore(in *inheritance) error {
	s.mu.Lock()
	s.inherited, s.inheritedHealthy = in.listeners, in.healthy()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inherited, s.inheritedHealthy = nil, nil
		s.mu.Unlock()
	}()
	for _, cfg := range in.state.Stacks {
		if err := s.Apply(cfg); err != nil {
			return fmt.Errorf("restoring stack %s: %w", cfg.Stack, err)
		}
	}
	return nil
}
