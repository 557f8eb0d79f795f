package metrics

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// HistoryConfig sizes the History. Zero fields take the defaults.
type HistoryConfig struct {
	// Resolution is the step of the fine tier, the sampling interval
	// (default 1 s, at least 1 s).
	Resolution time.Duration
	// Retention is how far back the fine tier reaches (default 1 h).
	Retention time.Duration
	// CoarseResolution is the step of the avg/max tier (default 1 min).
	CoarseResolution time.Duration
	// CoarseRetention is how far back the coarse tier reaches (default 7 days).
	CoarseRetention time.Duration
}

func (c HistoryConfig) withDefaults() HistoryConfig {
	c.Resolution = max(orDefault(c.Resolution, time.Second), time.Second)
	c.Retention = orDefault(c.Retention, time.Hour)
	c.CoarseResolution = max(orDefault(c.CoarseResolution, time.Minute), c.Resolution)
	c.CoarseRetention = orDefault(c.CoarseRetention, 7*24*time.Hour)
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Ref names a History subject: one container, or one service of a stack.
type Ref struct {
	// Container is the container ID; empty for a service.
	Container string
	// Stack and Service name a service when Container is empty.
	Stack, Service string
}

// ContainerRef refers to the container with the given ID.
func ContainerRef(id string) Ref { return Ref{Container: id} }

// ServiceRef refers to the aggregate of a stack's service.
func ServiceRef(stack, service string) Ref { return Ref{Stack: stack, Service: service} }

// String returns the container ID or "stack/service".
func (r Ref) String() string {
	if r.Container != "" {
		return r.Container
	}
	return r.Stack + "/" + r.Service
}

// Point is one step of a Range: a sample at the fine resolution (Avg ==
// Max), or the average and maximum of a coarse step.
type Point struct {
	Time     time.Time
	Avg, Max float64
}

// ErrUnknownSeries is returned by Range for a subject without history.
var ErrUnknownSeries = errors.New("no history for subject")

// History keeps, per subject and Metric, a fine ring of samples and a
// coarse ring of per-step averages and maxima, in memory. Values are
// float32 and times whole seconds to keep a week of a series near 150 KiB.
type History struct {
	cfg HistoryConfig

	mu       sync.RWMutex
	subjects map[Ref]*subject
}

type subject struct {
	last   time.Time
	series [numMetrics]series
}

// NewHistory returns an empty History.
func NewHistory(cfg HistoryConfig) *History {
	return &History{cfg: cfg.withDefaults(), subjects: make(map[Ref]*subject)}
}

// Config returns the configuration in effect, defaults filled in.
func (h *History) Config() HistoryConfig { return h.cfg }

// Add records the values of ref at t; NaN values (a rate without a
// previous sample) are skipped.
func (h *History) Add(ref Ref, t time.Time, v Values) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sub, ok := h.subjects[ref]
	if !ok {
		sub = &subject{}
		for i := range sub.series {
			sub.series[i].init(h.cfg)
		}
		h.subjects[ref] = sub
	}
	sub.last = t
	for m, x := range v {
		if !math.IsNaN(x) {
			sub.series[m].add(t, x)
		}
	}
}

// Prune forgets subjects with nothing newer than the coarse retention.
func (h *History) Prune(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ref, sub := range h.subjects {
		if now.Sub(sub.last) > h.cfg.CoarseRetention {
			delete(h.subjects, ref)
		}
	}
}

// Range returns the points of metric m of ref within [from, to], oldest
// first, and their resolution: the fine tier when from is within its
// retention of the subject's last sample, the coarse tier otherwise (its
// last point may be the minute still in progress).
func (h *History) Range(ref Ref, m Metric, from, to time.Time) ([]Point, time.Duration, error) {
	if m < 0 || m >= numMetrics {
		return nil, 0, fmt.Errorf("querying history of %s: %w", ref, ErrUnknownMetric)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	sub, ok := h.subjects[ref]
	if !ok {
		return nil, 0, fmt.Errorf("querying %s of %s: %w", m, ref, ErrUnknownSeries)
	}
	s := &sub.series[m]
	if !from.Before(sub.last.Add(-h.cfg.Retention)) {
		return s.fineRange(from, to), h.cfg.Resolution, nil
	}
	return s.coarseRange(from, to, h.cfg.CoarseResolution), h.cfg.CoarseResolution, nil
}
