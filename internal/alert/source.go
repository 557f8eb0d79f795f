package alert

import (
	"context"
	"time"
)

// Source gives the alert Manager the metric history it evaluates rules
// over. The daemon adapts its metrics history to it.
type Source interface {
	// Series returns every series of sel.Metric whose labels include
	// sel.Labels, with the points whose time is in [from, to], oldest first.
	Series(ctx context.Context, sel Selector, from, to time.Time) ([]Series, error)
}

// Selector picks series: a metric name and labels that must match exactly.
// Negative matchers of an expression are applied by the Manager after the
// query, so a Source needs to know only equality.
type Selector struct {
	Metric string
	Labels map[string]string
}

// Series is one labelled series of a metric. Labels exclude the metric name.
type Series struct {
	Labels map[string]string
	Points []Point
}

// Point is one sample.
type Point struct {
	T time.Time
	V float64
}
