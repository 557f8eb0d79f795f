package anomaly

import (
	"sync"
	"time"
)

// Tracker keeps one Detector per series key, created on first sight. It is
// safe for concurrent use.
type Tracker struct {
	cfg       Config
	mu        sync.Mutex
	detectors map[string]*Detector
}

// NewTracker validates cfg and returns an empty Tracker.
func NewTracker(cfg Config) (*Tracker, error) {
	if _, err := NewDetector(cfg); err != nil {
		return nil, err
	}
	return &Tracker{cfg: cfg, detectors: map[string]*Detector{}}, nil
}

// Observe passes the sample to key's Detector.
func (t *Tracker) Observe(key string, at time.Time, v float64) Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.detectors[key]
	if !ok {
		d, _ = NewDetector(t.cfg) // validated by NewTracker
		t.detectors[key] = d
	}
	return d.Observe(at, v)
}

// Forget drops key's baselines, e.g. when its container is removed.
func (t *Tracker) Forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.detectors, key)
}
