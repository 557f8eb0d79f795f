package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/proxy"
)

func (a *app) proxyCommand() *cobra.Command {
	opts := proxy.RunOptions{}
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
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file on exit")
	f.BoolVar(&debug, "debug", false, "debug logging")
	return cmd
}

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
