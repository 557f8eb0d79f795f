package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load is a steady stream of requests against one URL from a few workers,
// counting failures and which versions answered. It is bounded in count
// and time.
type load struct {
	url     string
	ok      atomic.Int64
	failed  atomic.Int64
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	errs    []string
	version map[string]int
	last    string // version of the latest successful answer
}

const (
	loadWorkers = 4
	loadMax     = 400_000
	loadMaxTime = 4 * time.Minute
)

// startLoad starts the workers; t.Cleanup stops them.
func startLoad(t *testing.T, url string) *load {
	t.Helper()
	l := &load{url: url, stop: make(chan struct{}), version: map[string]int{}}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers, DisableCompression: true},
	}
	deadline := time.Now().Add(loadMaxTime)
	for range loadWorkers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for time.Now().Before(deadline) && l.ok.Load()+l.failed.Load() < loadMax {
				select {
				case <-l.stop:
					return
				default:
				}
				l.once(client)
				time.Sleep(2 * time.Millisecond) // pace: a steady stream, not a flood
			}
		}()
	}
	t.Cleanup(l.halt)
	return l
}

func (l *load) once(client *http.Client) {
	resp, err := client.Get(l.url)
	if err != nil {
		l.fail(err.Error())
		return
	}
	defer resp.Body.Close()
	var body struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK || err != nil {
		l.fail(fmt.Sprintf("status %d (%v)", resp.StatusCode, err))
		return
	}
	l.ok.Add(1)
	l.mu.Lock()
	l.version[body.Version]++
	l.last = body.Version
	l.mu.Unlock()
}

func (l *load) fail(why string) {
	l.failed.Add(1)
	l.mu.Lock()
	if len(l.errs) < 10 {
		l.errs = append(l.errs, time.Now().Format("15:04:05.000")+" "+why)
	}
	l.mu.Unlock()
}

func (l *load) halt() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// lastVersion is the version of the latest successful answer.
func (l *load) lastVersion() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// seen returns how many answers came from a version.
func (l *load) seen(v string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.version[v]
}

// requireClean stops the load and fails the test on any failed request.
func (l *load) requireClean(t *testing.T, min int64) {
	t.Helper()
	l.halt()
	t.Logf("load on %s: %d ok, %d failed, versions %v", l.url, l.ok.Load(), l.failed.Load(), l.version)
	if n := l.failed.Load(); n > 0 {
		t.Fatalf("%d requests failed (first: %v)", n, l.errs)
	}
	if n := l.ok.Load(); n < min {
		t.Fatalf("only %d requests answered, want at least %d: the load did not run", n, min)
	}
}

// waitServing polls url until it answers 200 from version v.
func waitServing(t *testing.T, url, v string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	eventually(t, 60*time.Second, url+" serving "+v, func() bool {
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body struct{ Version string }
		return resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&body) == nil && body.Version == v
	})
}

func listenTCP(addr string) (interface{ Close() error }, error) {
	return net.Listen("tcp", addr)
}
