package anomaly

import (
	"errors"
	"time"
)

// Config holds a Detector's parameters; the package documentation explains
// each. DefaultConfig returns the values documented there.
type Config struct {
	Alpha         float64 // weight of the newest sample in the level baseline
	K             float64 // threshold, in sigmas
	WarmUp        int     // samples a baseline needs before it judges
	MinSigma      float64 // absolute sigma floor
	MinSigmaRatio float64 // sigma floor relative to the expected value
	ShiftAfter    int     // consecutive same-side anomalies taken as a level shift
	SeasonalDays  int     // days of history before hour-of-day baselines are used; 0 disables
	SeasonalAlpha float64 // weight of the newest sample in an hour's baseline
	Location      *time.Location
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Alpha: 0.05, K: 5, WarmUp: 20, MinSigmaRatio: 0.001, ShiftAfter: 6,
		SeasonalDays: 3, SeasonalAlpha: 0.1, Location: time.UTC}
}

// validate refuses parameters that make the method meaningless.
func (c Config) validate() error {
	switch {
	case c.Alpha <= 0 || c.Alpha >= 1:
		return errors.New("alpha must be in (0, 1)")
	case c.SeasonalDays > 0 && (c.SeasonalAlpha <= 0 || c.SeasonalAlpha >= 1):
		return errors.New("seasonal alpha must be in (0, 1)")
	case c.K <= 0:
		return errors.New("k must be positive")
	case c.WarmUp < 2:
		return errors.New("warm-up must be at least 2 samples")
	case c.MinSigma < 0 || c.MinSigmaRatio < 0:
		return errors.New("sigma floors must not be negative")
	case c.ShiftAfter < 1:
		return errors.New("shift-after must be at least 1")
	}
	return nil
}
