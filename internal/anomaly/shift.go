package anomaly

import "math"

// shiftRun follows consecutive anomalies on one side of the baseline.
type shiftRun struct {
	sign   float64
	n      int
	gapSum float64 // sum of Value - Expected over the run
}

// add records r. When a same-side run reaches after samples it returns the
// run's mean departure, by which the level must move, and starts over.
// Anomalous samples are not learnt, so the departure is all still to go.
func (s *shiftRun) add(r *Result, after int) (float64, bool) {
	if !r.Anomaly {
		s.n = 0
		return 0, false
	}
	gap := r.Value - r.Expected
	if sign := math.Copysign(1, gap); s.n == 0 || sign != s.sign {
		*s = shiftRun{sign: sign}
	}
	s.n++
	s.gapSum += gap
	if s.n < after {
		return 0, false
	}
	s.n = 0
	return s.gapSum / float64(after), true
}
