package anomaly

import (
	"errors"
	"math"
	"time"
)

// Point is one sample of a series.
type Point struct {
	T time.Time
	V float64
}

// Fit is a least-squares line V = Intercept + Slope·(t - Origin), t in
// seconds.
type Fit struct {
	Origin    time.Time
	Intercept float64
	Slope     float64 // per second
	R2        float64 // coefficient of determination, 1 for a perfect line
	N         int
}

// ErrTooFewPoints is returned when a fit needs more points or more spread
// in time.
var ErrTooFewPoints = errors.New("too few points to fit a line")

// LinearFit fits a line to pts by ordinary least squares. Times are taken
// relative to the last point to keep the sums well conditioned.
func LinearFit(pts []Point) (Fit, error) {
	if len(pts) < 2 {
		return Fit{}, ErrTooFewPoints
	}
	origin := pts[len(pts)-1].T
	n := float64(len(pts))
	var sx, sy float64
	for _, p := range pts {
		sx += p.T.Sub(origin).Seconds()
		sy += p.V
	}
	mx, my := sx/n, sy/n
	var sxx, sxy, syy float64
	for _, p := range pts {
		dx, dy := p.T.Sub(origin).Seconds()-mx, p.V-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return Fit{}, ErrTooFewPoints
	}
	f := Fit{Origin: origin, Slope: sxy / sxx, N: len(pts), R2: 1}
	f.Intercept = my - f.Slope*mx
	if syy > 0 {
		f.R2 = sxy * sxy / (sxx * syy)
	}
	return f, nil
}

// At returns the line's value at t.
func (f Fit) At(t time.Time) float64 {
	return f.Intercept + f.Slope*t.Sub(f.Origin).Seconds()
}

// Crossing returns when the line takes the value limit; false for a flat
// line or a time too far away to represent.
func (f Fit) Crossing(limit float64) (time.Time, bool) {
	if f.Slope == 0 {
		return time.Time{}, false
	}
	secs := (limit - f.Intercept) / f.Slope
	if math.IsNaN(secs) || math.Abs(secs) > math.MaxInt64/float64(time.Second) {
		return time.Time{}, false
	}
	return f.Origin.Add(time.Duration(secs * float64(time.Second))), true
}
