package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

// healthChecker probes one endpoint in its own goroutine: at once when
// the endpoint appears, then every interval.
type healthChecker struct {
	ep     *endpoint
	params atomic.Pointer[HealthCheck]
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func startHealth(ctx context.Context, ep *endpoint, hc HealthCheck) *healthChecker {
	ctx, cancel := context.WithCancel(ctx)
	h := &healthChecker{ep: ep, kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	h.params.Store(&hc)
	ep.health = h
	go h.run(ctx)
	return h
}

// update changes the check; a changed one runs at once.
func (h *healthChecker) update(hc HealthCheck) {
	if old := h.params.Load(); *old == hc {
		return
	}
	h.params.Store(&hc)
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

func (h *healthChecker) stop() {
	h.cancel()
	<-h.done
}

func (h *healthChecker) run(ctx context.Context) {
	defer close(h.done)
	var passes, fails int
	// A new endpoint enters on its first pass; one taken over healthy
	// (handoff.go) is treated as having passed already.
	ever := h.ep.healthy.Load()
	started := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-h.kick:
		}
		p := h.params.Load()
		err := probe(ctx, h.ep.addr, p)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			passes, fails = passes+1, 0
			if need := p.Healthy; !h.ep.healthy.Load() && (!ever || passes >= need) {
				ever = true
				h.ep.healthy.Store(true)
				h.ep.log.Info("endpoint healthy")
			}
		} else {
			passes, fails = 0, fails+1
			if h.ep.healthy.Load() && fails >= p.Unhealthy {
				h.ep.healthy.Store(false)
				h.ep.log.Warn("endpoint unhealthy", "err", err, "failures", fails)
			}
		}
		h.ep.pool.reap(time.Now().UnixNano())
		timer.Reset(nextProbe(p.Interval.D(), ever, time.Since(started)))
	}
}

// probe is one check: GET of the path answered 2xx or 3xx, or a TCP
// connect when there is no path.
func probe(ctx context.Context, addr string, p *HealthCheck) error {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout.D())
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if p.Path == "" {
		return nil
	}
	deadline, _ := ctx.Deadline()
	_ = c.SetDeadline(deadline)
	req := "GET " + p.Path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: berth-proxy-health\r\nConnection: close\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return err
	}
	line, err := bufio.NewReaderSize(c, 512).ReadSlice('\n')
	if err != nil {
		return fmt.Errorf("reading health check response: %w", err)
	}
	if len(line) < 12 || string(line[:7]) != "HTTP/1." {
		return errors.New("health check: malformed response")
	}
	if c := line[9]; c != '2' && c != '3' {
		return fmt.Errorf("health check: status %s", line[9:12])
	}
	return nil
}

// Until an endpoint first passes, it is probed every startupProbe for up
// to startupWindow: a replica added the moment its container starts
// usually listens a few milliseconds later, and waiting a whole interval
// after that first refused probe would keep it out of rotation for
// nothing.
const (
	startupProbe  = 50 * time.Millisecond
	startupWindow = 30 * time.Second
)

func nextProbe(interval time.Duration, ever bool, age time.Duration) time.Duration {
	if !ever && age < startupWindow {
		return min(interval, startupProbe)
	}
	return interval
}
