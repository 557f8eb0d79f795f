package anomaly

import (
	"fmt"
	"math"
	"time"
)

// Detector flags anomalies in one series; see the package documentation
// for the method. It is not safe for concurrent use; Tracker is.
type Detector struct {
	cfg   Config
	level ewma     // the series' level
	hours [24]ewma // residual from the level, per hour of day
	first time.Time
	run   shiftRun
}

// Result is the verdict on one sample.
type Result struct {
	Time       time.Time
	Value      float64
	Expected   float64 // the baseline's expectation for this sample
	Sigma      float64 // floored standard deviation used (0 while warming up)
	Score      float64 // (Value - Expected) / Sigma
	Warm       bool    // the baseline had enough samples to judge
	Seasonal   bool    // the hour-of-day baseline judged
	Anomaly    bool    // |Score| > K
	LevelShift bool    // this sample completed a run accepted as a new level
}

// NewDetector returns a Detector; cfg is usually DefaultConfig, adjusted.
func NewDetector(cfg Config) (*Detector, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configuring anomaly detector: %w", err)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Detector{cfg: cfg}, nil
}

// Observe judges the sample (t, v) against the baselines, then learns it.
// Samples must come in time order.
func (d *Detector) Observe(t time.Time, v float64) Result {
	if d.first.IsZero() {
		d.first = t
	}
	h := t.In(d.cfg.Location).Hour()
	r := d.judge(t, h, v)
	d.learn(h, &r)
	return r
}

func (d *Detector) judge(t time.Time, h int, v float64) Result {
	r := Result{Time: t, Value: v, Expected: d.level.mean, Warm: d.level.n >= d.cfg.WarmUp}
	base := &d.level
	if d.seasonalReady(t, h) {
		base = &d.hours[h]
		r.Expected += base.mean
		r.Seasonal = true
	}
	if !r.Warm {
		return r
	}
	r.Sigma = base.sigma(math.Max(d.cfg.MinSigma, d.cfg.MinSigmaRatio*math.Abs(r.Expected)))
	if r.Sigma > 0 {
		r.Score = (v - r.Expected) / r.Sigma
	}
	r.Anomaly = math.Abs(r.Score) > d.cfg.K
	return r
}

// seasonalReady reports whether hour h's baseline may judge at t.
func (d *Detector) seasonalReady(t time.Time, h int) bool {
	days := time.Duration(d.cfg.SeasonalDays) * 24 * time.Hour
	return d.cfg.SeasonalDays > 0 && t.Sub(d.first) >= days && d.hours[h].n >= d.cfg.WarmUp
}

// learn updates the baselines with r's sample unless it is anomalous, so
// spikes leave no trace; a departure that persists is accepted as a new
// level instead.
func (d *Detector) learn(h int, r *Result) {
	if gap, ok := d.run.add(r, d.cfg.ShiftAfter); ok {
		d.level.mean += gap
		r.LevelShift = true
	}
	if r.Anomaly {
		return
	}
	resid := r.Value - d.level.mean
	d.level.add(r.Value, d.cfg.Alpha)
	if d.cfg.SeasonalDays > 0 {
		d.hours[h].add(resid, d.cfg.SeasonalAlpha)
	}
}
