package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/proxy"
)

func (a *app) proxyCommand() *cobra.Command {
	opts := proxy.RunOptions{}
	maxSize := byteSize(100 << 20)
	var cpuProfile string
	var debug bool
	cmd := &cobra.Command{
		Use:   "proxy --control PATH",
		Short: "Run berth's load balancer (the daemon starts it; it outlives daemon restarts)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Control == "" {
				return usageError{errors.New("--control PATH is required")}
			}
			level := slog.LevelInfo
			if debug {
				level = slog.LevelDebug
			}
			opts.Logger = slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: level})).With("component", "proxy")
			opts.Version = a.version
			opts.AccessLogMaxSize = int64(maxSize)
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			return proxy.Run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Control, "control", "", "control socket path (required)")
	f.StringVar(&opts.AccessLog, "access-log", "", "append one JSON line per request to this file (- for stdout)")
	f.Var(&maxSize, "access-log-max-size", "rotate the access log file to FILE.1 past this size (e.g. 100MiB; 0 never)")
	f.BoolVar(&opts.Takeover, "takeover", false, "take the sockets and config over from the proxy running on --control, which then exits")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file on exit")
	f.BoolVar(&debug, "debug", false, "debug logging")
	return cmd
}

// byteSize is a flag taking a size in bytes, with an optional binary
// suffix: 512, 64KiB, 100MiB, 1GiB (K, M, G alone mean the same).
type byteSize int64

func (b *byteSize) String() string {
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if *b != 0 && int64(*b)%u.n == 0 {
			return strconv.FormatInt(int64(*b)/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	num, mul := strings.TrimSuffix(strings.TrimSuffix(s, "iB"), "B"), int64(1)
	if n := len(num); n > 0 {
		switch num[n-1] {
		case 'K', 'k':
			mul = 1 << 10
		case 'M', 'm':
			mul = 1 << 20
		case 'G', 'g':
			mul = 1 << 30
		}
		if mul > 1 {
			num = num[:n-1]
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v < 0 || v > math.MaxInt64/mul {
		return fmt.Errorf("want a size like 100MiB, got %q", s)
	}
	*b = byteSize(v * mul)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// startCPUProfile profiles until the returned function runs.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("starting the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
