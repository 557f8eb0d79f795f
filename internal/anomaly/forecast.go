package anomaly

import (
	"fmt"
	"strconv"
	"time"
)

// ForecastConfig bounds a Forecast.
type ForecastConfig struct {
	Window    time.Duration // trailing window fitted, default 6h
	Horizon   time.Duration // how far ahead a crossing is reported, default 7 days
	MinPoints int           // points needed in the window, default 10
	MinR2     float64       // fits explaining less of the variance are ignored, default 0.6
}

func (c ForecastConfig) withDefaults() ForecastConfig {
	if c.Window <= 0 {
		c.Window = 6 * time.Hour
	}
	if c.Horizon <= 0 {
		c.Horizon = 7 * 24 * time.Hour
	}
	if c.MinPoints < 2 {
		c.MinPoints = 10
	}
	if c.MinR2 <= 0 {
		c.MinR2 = 0.6
	}
	return c
}

// Prediction is a warning that a series is heading for a limit.
type Prediction struct {
	Limit   float64
	At      time.Time     // when the fitted line reaches Limit
	In      time.Duration // At - now
	Current float64       // the line's value now
	Fit     Fit
}

// String words the warning: "reaches 100 at 2026-01-02T03:04:05Z (in 5h0m0s)".
func (p Prediction) String() string {
	return fmt.Sprintf("reaches %s at %s (in %s)", strconv.FormatFloat(p.Limit, 'g', -1, 64),
		p.At.UTC().Format(time.RFC3339), p.In.Round(time.Second))
}

// Forecast fits the points of pts within cfg.Window before now and, when
// the line heads for limit and reaches it within cfg.Horizon, returns the
// prediction. The bool is false when there is nothing to warn about: too
// few points, a poor fit, a flat line, a limit behind the line (already
// passed, or moving away), or a crossing beyond the horizon.
func Forecast(pts []Point, limit float64, now time.Time, cfg ForecastConfig) (Prediction, bool) {
	cfg = cfg.withDefaults()
	var win []Point
	for _, p := range pts {
		if !p.T.Before(now.Add(-cfg.Window)) && !p.T.After(now) {
			win = append(win, p)
		}
	}
	if len(win) < cfg.MinPoints {
		return Prediction{}, false
	}
	fit, err := LinearFit(win)
	if err != nil || fit.R2 < cfg.MinR2 {
		return Prediction{}, false
	}
	at, ok := fit.Crossing(limit)
	if !ok {
		return Prediction{}, false
	}
	// A line crosses a value once: a crossing before now means it already
	// passed the limit or moves away from it, which a threshold alert, not
	// a forecast, should report; the two cannot be told apart here.
	if at.Before(now) || at.Sub(now) > cfg.Horizon {
		return Prediction{}, false
	}
	return Prediction{Limit: limit, At: at, In: at.Sub(now), Current: fit.At(now), Fit: fit}, true
}
