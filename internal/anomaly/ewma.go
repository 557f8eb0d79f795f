package anomaly

import "math"

// ewma is an exponentially weighted mean and variance.
type ewma struct {
	mean, variance float64
	n              int // samples seen
}

// add folds x in with weight alpha; the first sample sets the mean.
func (e *ewma) add(x, alpha float64) {
	e.n++
	if e.n == 1 {
		e.mean, e.variance = x, 0
		return
	}
	d := x - e.mean
	e.mean += alpha * d
	e.variance = (1 - alpha) * (e.variance + alpha*d*d)
}

// sigma is the standard deviation, floored.
func (e *ewma) sigma(floor float64) float64 {
	return math.Max(math.Sqrt(e.variance), floor)
}
