package docker

import (
	"fmt"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
)

// applyHealthcheck translates `healthcheck:`. Unset fields stay zero, which
// the engine reads as "the image's value or the default".
func applyHealthcheck(b *createBuild) error {
	hc := b.sc.HealthCheck
	if hc == nil {
		return nil
	}
	if hc.Disable {
		b.cfg.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
		return nil
	}
	test, err := healthTest(hc.Test)
	if err != nil {
		return err
	}
	out := &container.HealthConfig{Test: test}
	durations := []struct {
		name string
		in   *types.Duration
		out  *time.Duration
	}{
		{"interval", hc.Interval, &out.Interval},
		{"timeout", hc.Timeout, &out.Timeout},
		{"start_period", hc.StartPeriod, &out.StartPeriod},
		// start_interval needs API 1.44; older engines ignore the field.
		{"start_interval", hc.StartInterval, &out.StartInterval},
	}
	for _, d := range durations {
		if d.in == nil {
			continue
		}
		v := time.Duration(*d.in)
		// The engine rejects durations between 0 and 1ms.
		if v != 0 && v < container.MinimumDuration {
			return fmt.Errorf("%s %s: must be at least %s", d.name, v, container.MinimumDuration)
		}
		*d.out = v
	}
	if hc.Retries != nil {
		out.Retries = int(*hc.Retries)
	}
	b.cfg.Healthcheck = out
	return nil
}

// healthTest checks the test's form: NONE, CMD args..., or CMD-SHELL cmd.
// An empty test inherits the image's.
func healthTest(test types.HealthCheckTest) ([]string, error) {
	if len(test) == 0 {
		return nil, nil
	}
	switch test[0] {
	case "NONE":
		return []string{"NONE"}, nil
	case "CMD", "CMD-SHELL":
		if len(test) < 2 {
			return nil, fmt.Errorf("test %q: missing command", test[0])
		}
		return slices.Clone([]string(test)), nil
	default:
		return nil, fmt.Errorf("test must start with NONE, CMD or CMD-SHELL, not %q", test[0])
	}
}
