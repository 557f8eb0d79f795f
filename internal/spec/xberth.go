package spec

import (
	"fmt"
	"time"
)

// extensionKey is where berth's own settings live, at the top level of a
// Compose file and in each service.
const extensionKey = "x-berth"

// DefaultStackOptions are the stack settings used where `x-berth` is silent.
func DefaultStackOptions() StackOptions {
	return StackOptions{Parallelism: 8, Resync: Duration(10 * time.Second)}
}

// DefaultServiceOptions are the service settings used where a service's
// `x-berth` is silent.
func DefaultServiceOptions() ServiceOptions {
	return ServiceOptions{
		Backoff:   Backoff{Initial: Duration(500 * time.Millisecond), Max: Duration(30 * time.Second)},
		CrashLoop: CrashLoop{Restarts: 5, Window: Duration(2 * time.Minute)},
	}
}

// decodeStackOptions decodes the top-level `x-berth` over the defaults.
func decodeStackOptions(ext map[string]any) (StackOptions, error) {
	opts := DefaultStackOptions()
	if err := decodeExtension(ext, nil, &opts); err != nil {
		return opts, err
	}
	if err := opts.validate(); err != nil {
		return opts, err
	}
	return opts, nil
}

// decodeServiceOptions decodes a service's `x-berth` over the defaults.
func decodeServiceOptions(service string, ext map[string]any) (ServiceOptions, error) {
	opts := DefaultServiceOptions()
	if err := decodeExtension(ext, []string{"services", service}, &opts); err != nil {
		return opts, err
	}
	if err := opts.validate(); err != nil {
		err.Service = service
		err.at = append([]string{"services", service}, err.at...)
		return opts, err
	}
	return opts, nil
}

// decodeExtension decodes ext[x-berth], if present, strictly into target.
func decodeExtension(ext map[string]any, at []string, target any) error {
	raw, ok := ext[extensionKey]
	if !ok || raw == nil {
		return nil
	}
	return decodeStrict(raw, append(at, extensionKey), target)
}

func (o StackOptions) validate() *LoadError {
	switch {
	case o.Parallelism < 1 || o.Parallelism > 64:
		return optionError("parallelism", fmt.Sprintf("must be between 1 and 64 (got %d)", o.Parallelism))
	case o.Resync <= 0:
		return optionError("resync", fmt.Sprintf("must be a positive duration (got %s)", o.Resync))
	}
	return o.validateAlerts()
}

func (o ServiceOptions) validate() *LoadError {
	b, c := o.Backoff, o.CrashLoop
	switch {
	case b.Initial <= 0:
		return optionError("backoff.initial", fmt.Sprintf("must be a positive duration (got %s)", b.Initial))
	case b.Max <= 0:
		return optionError("backoff.max", fmt.Sprintf("must be a positive duration (got %s)", b.Max))
	case b.Initial > b.Max:
		return optionError("backoff.initial", fmt.Sprintf("must not exceed backoff.max (%s > %s)", b.Initial, b.Max))
	case c.Restarts < 1:
		return optionError("crash_loop.restarts", fmt.Sprintf("must be at least 1 (got %d)", c.Restarts))
	case c.Window <= 0:
		return optionError("crash_loop.window", fmt.Sprintf("must be a positive duration (got %s)", c.Window))
	case o.MinReady < 0:
		return optionError("min_ready", fmt.Sprintf("must not be negative (got %s)", o.MinReady))
	case o.UnhealthyGrace < 0:
		return optionError("unhealthy_grace", fmt.Sprintf("must not be negative (got %s)", o.UnhealthyGrace))
	}
	return o.validateTraffic()
}

// optionError is a range error on an `x-berth` field; the caller adds the
// service, if any.
func optionError(field, msg string) *LoadError {
	at := append([]string{extensionKey}, splitDots(field)...)
	return &LoadError{Field: extensionKey + "." + field, Msg: msg, at: at}
}
