package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of one load run: it stops by itself at whichever comes first.
const (
	loadMaxRequests = 3_000_000
	loadMaxTime     = 5 * time.Minute
	loadPace        = time.Millisecond // per worker, between requests
	maxFailTimes    = 1_000_000
)

// load is a steady stream of keep-alive GETs on one URL from a few workers.
// It counts answers and failures, keeps each failure's time, and for every
// version that answered how often and when last.
type load struct {
	url  string
	stop chan struct{}
	wg   sync.WaitGroup

	ok, failed atomic.Int64

	mu       sync.Mutex
	failures []time.Time // in the order recorded
	errs     []string    // the first few failures, for the report
	count    map[string]int64
	lastSeen map[string]time.Time
	last     string // version of the latest answer
}

// startLoad starts workers goroutines; halt stops them.
func startLoad(url string, workers int) *load {
	l := &load{url: url, stop: make(chan struct{}), count: map[string]int64{}, lastSeen: map[string]time.Time{}}
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: workers,
			DisableCompression:  true,
		},
	}
	deadline := time.Now().Add(loadMaxTime)
	perWorker := loadMaxRequests / workers
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; i < perWorker && time.Now().Before(deadline); i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				l.once(client)
				time.Sleep(loadPace)
			}
		}()
	}
	return l
}

func (l *load) once(client *http.Client) {
	resp, err := client.Get(l.url)
	if err != nil {
		l.fail(err.Error())
		return
	}
	var body struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&body)
	_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil {
		l.fail(fmt.Sprintf("status %d (%v)", resp.StatusCode, err))
		return
	}
	now := time.Now()
	l.ok.Add(1)
	l.mu.Lock()
	l.count[body.Version]++
	l.lastSeen[body.Version] = now
	l.last = body.Version
	l.mu.Unlock()
}

func (l *load) fail(why string) {
	now := time.Now()
	l.failed.Add(1)
	l.mu.Lock()
	if len(l.failures) < maxFailTimes {
		l.failures = append(l.failures, now)
	}
	if len(l.errs) < 3 {
		l.errs = append(l.errs, now.Format("15:04:05.000")+" "+why)
	}
	l.mu.Unlock()
}

// halt stops the workers and waits for them.
func (l *load) halt() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// waitFor waits up to d until at least n requests were answered.
func (l *load) waitFor(n int64, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if l.ok.Load() >= n {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// total is every request sent so far, answered or failed.
func (l *load) total() int64 { return l.ok.Load() + l.failed.Load() }

// lost is the span from the first failure to the last (0 with none).
func (l *load) lost() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 2 {
		return 0
	}
	first, last := l.failures[0], l.failures[0]
	for _, t := range l.failures {
		first, last = earliest(first, t), latest(last, t)
	}
	return last.Sub(first)
}

// unsettled is the latest time the load saw something other than a
// successful answer from version: a failure, or another version.
func (l *load) unsettled(version string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var t time.Time
	for _, f := range l.failures {
		t = latest(t, f)
	}
	for v, seen := range l.lastSeen {
		if v != version {
			t = latest(t, seen)
		}
	}
	return t
}

// lastVersion is the version of the latest answer; versions is how many
// answers each version gave.
func (l *load) lastVersion() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

func (l *load) versions() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int64{}
	for v, n := range l.count {
		out[v] = n
	}
	return out
}

func (l *load) firstErrors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// settle keeps the load running after a change returned at ret until, for
// quiet, it has seen only successful answers from version (bounded by
// max), and returns when that quiet stretch began: the moment the change
// was complete as the clients see it.
func (l *load) settle(version string, ret time.Time, quiet, max time.Duration) (done time.Time, ok bool) {
	deadline := time.Now().Add(max)
	for {
		done = latest(ret, l.unsettled(version))
		if time.Since(done) >= quiet && l.lastVersion() == version {
			return done, true
		}
		if time.Now().After(deadline) {
			return done, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
