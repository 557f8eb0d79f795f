package alert

// aggregate reduces a window of points with the expression's function. It
// reports false when the window holds too few points to say anything.
func aggregate(fn string, pts []Point) (float64, bool) {
	if len(pts) == 0 {
		return 0, false
	}
	switch fn {
	case "avg_over_time":
		sum := 0.0
		for _, p := range pts {
			sum += p.V
		}
		return sum / float64(len(pts)), true
	case "max_over_time":
		return extreme(pts, func(a, b float64) bool { return a > b }), true
	case "min_over_time":
		return extreme(pts, func(a, b float64) bool { return a < b }), true
	case "last_over_time":
		return pts[len(pts)-1].V, true
	case "rate":
		return rate(pts)
	}
	return 0, false
}

func extreme(pts []Point, better func(a, b float64) bool) float64 {
	v := pts[0].V
	for _, p := range pts[1:] {
		if better(p.V, v) {
			v = p.V
		}
	}
	return v
}

// rate is the per-second increase of a counter between the window's first
// and last points. A decrease is a counter reset: the counter restarted
// from zero, so the value after it is all increase.
func rate(pts []Point) (float64, bool) {
	if len(pts) < 2 {
		return 0, false
	}
	secs := pts[len(pts)-1].T.Sub(pts[0].T).Seconds()
	if secs <= 0 {
		return 0, false
	}
	inc := 0.0
	for i := 1; i < len(pts); i++ {
		d := pts[i].V - pts[i-1].V
		if d < 0 {
			d = pts[i].V
		}
		inc += d
	}
	return inc / secs, true
}
