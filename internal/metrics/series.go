package metrics

import "time"

// series is the two tiers of one metric of one subject.
type series struct {
	fine   ring[finePoint]
	coarse ring[coarsePoint]
	step   int64 // coarse step in seconds

	bucket   int64 // start (unix seconds) of the coarse step in progress
	sum, top float64
	n        int
}

type finePoint struct {
	sec uint32 // unix seconds: good until 2106
	v   float32
}

type coarsePoint struct {
	sec      uint32
	avg, max float32
}

func (s *series) init(cfg HistoryConfig) {
	s.fine.max = max(1, int(cfg.Retention/cfg.Resolution))
	s.coarse.max = max(1, int(cfg.CoarseRetention/cfg.CoarseResolution))
	s.step = int64(cfg.CoarseResolution / time.Second)
}

func (s *series) add(t time.Time, v float64) {
	sec := t.Unix()
	s.fine.push(finePoint{sec: uint32(sec), v: float32(v)})
	b := sec - sec%s.step
	if s.n > 0 && b != s.bucket {
		s.flush()
	}
	s.bucket = b
	s.sum += v
	s.top = max(s.top, v)
	if s.n == 0 {
		s.top = v
	}
	s.n++
}

// flush closes the coarse step in progress.
func (s *series) flush() {
	s.coarse.push(coarsePoint{sec: uint32(s.bucket), avg: float32(s.sum / float64(s.n)), max: float32(s.top)})
	s.sum, s.top, s.n = 0, 0, 0
}

func (s *series) fineRange(from, to time.Time) []Point {
	lo, hi := from.Unix(), to.Unix()
	var out []Point
	s.fine.each(func(p finePoint) bool {
		sec := int64(p.sec)
		if sec >= lo && sec <= hi {
			out = append(out, Point{Time: time.Unix(sec, 0), Avg: float64(p.v), Max: float64(p.v)})
		}
		return sec <= hi
	})
	return out
}

func (s *series) coarseRange(from, to time.Time, step time.Duration) []Point {
	// A step overlaps [from, to] when it ends after from and starts before to.
	lo, hi := from.Add(-step).Unix(), to.Unix()
	var out []Point
	s.coarse.each(func(p coarsePoint) bool {
		sec := int64(p.sec)
		if sec > lo && sec <= hi {
			out = append(out, Point{Time: time.Unix(sec, 0), Avg: float64(p.avg), Max: float64(p.max)})
		}
		return sec <= hi
	})
	if s.n > 0 && s.bucket > lo && s.bucket <= hi {
		out = append(out, Point{Time: time.Unix(s.bucket, 0), Avg: s.sum / float64(s.n), Max: s.top})
	}
	return out
}
