package alert

import (
	"context"
	"maps"
	"sync"
	"time"
)

// fakeSource serves one metric: a value per instance, reported as a
// single point at the query's end. Missing instances have no points.
type fakeSource struct {
	mu     sync.Mutex
	values map[string]float64 // by instance label
	err    error
}

func newFakeSource() *fakeSource { return &fakeSource{values: map[string]float64{}} }

func (f *fakeSource) set(instance string, v float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[instance] = v
}

func (f *fakeSource) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values = map[string]float64{}
}

func (f *fakeSource) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeSource) Series(_ context.Context, sel Selector, _, to time.Time) ([]Series, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []Series
	for inst, v := range f.values {
		labels := map[string]string{"instance": inst, "service": "web"}
		if !matchAll(sel.Labels, labels) {
			continue
		}
		out = append(out, Series{Labels: labels, Points: []Point{{T: to, V: v}}})
	}
	return out, nil
}

func matchAll(want, labels map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recorder is a Notifier and an event sink that keeps what it gets.
type recorder struct {
	mu     sync.Mutex
	events []Event
	sent   [][]Notification
}

func (r *recorder) Name() string { return "recorder" }

func (r *recorder) Notify(_ context.Context, alerts []Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, alerts)
	return nil
}

func (r *recorder) onEvent(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev.Labels = maps.Clone(ev.Labels)
	r.events = append(r.events, ev)
}

// take returns and clears what was recorded.
func (r *recorder) take() ([]Event, [][]Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev, sent := r.events, r.sent
	r.events, r.sent = nil, nil
	return ev, sent
}
