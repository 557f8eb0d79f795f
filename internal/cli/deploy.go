package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
)

func (a *app) upCommand() *cobra.Command {
	var sf stackFlags
	var w waitFlags
	cmd := &cobra.Command{
		Use:   "up [-f FILE]",
		Short: "Deploy a Compose file (a new revision when it changed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			name, req, c, err := a.upRequest(ctx, &sf)
			if err != nil {
				return err
			}
			req.Wait, req.Timeout = w.wait, w.seconds()
			p := newProgress(a.out, a.jsonOutput())
			if err := c.Up(ctx, name, req, p.show); err != nil {
				return failedIfRan(err)
			}
			p.done(fmt.Sprintf("stack %s is up", name), w.wait)
			return nil
		},
	}
	sf.register(cmd)
	w.register(cmd, false, "wait until every service is running and healthy; exit 4 if it fails")
	return cmd
}

func (a *app) downCommand() *cobra.Command {
	var sf stackFlags
	var volumes bool
	var w waitFlags
	cmd := &cobra.Command{
		Use:   "down [STACK | -f FILE]",
		Short: "Stop and remove a stack's containers and networks (volumes with --volumes)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			name, err := sf.name(ctx, args)
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			p := newProgress(a.out, a.jsonOutput())
			if err := c.Down(ctx, name, api.DownRequest{Volumes: volumes, Wait: w.wait, Timeout: w.seconds()}, p.show); err != nil {
				return failedIfRan(err)
			}
			p.done(fmt.Sprintf("stack %s is down", name), w.wait)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "also remove the stack's named volumes (their data is lost)")
	w.register(cmd, true, "wait until every container is gone")
	return cmd
}

func (a *app) scaleCommand() *cobra.Command {
	var sf stackFlags
	var w waitFlags
	cmd := &cobra.Command{
		Use:   "scale [STACK] SERVICE=N...",
		Short: "Set the number of replicas of services",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var stackArgs []string
			if len(args) > 0 && !containsEq(args[0]) {
				stackArgs, args = args[:1], args[1:]
			}
			targets, err := parseScale(args)
			if err != nil {
				return err
			}
			name, err := sf.name(ctx, stackArgs)
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			p := newProgress(a.out, a.jsonOutput())
			for _, t := range targets {
				req := api.ScaleRequest{Service: t.service, Replicas: t.replicas, Wait: w.wait, Timeout: w.seconds()}
				if err := c.Scale(ctx, name, req, p.show); err != nil {
					return failedIfRan(err)
				}
			}
			p.done(fmt.Sprintf("stack %s scaled", name), w.wait)
			return nil
		},
	}
	sf.register(cmd)
	w.register(cmd, true, "wait until the new replica count runs")
	return cmd
}

func (a *app) restartCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restart STACK [SERVICE...]",
		Short: "Restart a stack's containers one at a time",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			n, err := c.Restart(cmd.Context(), args[0], api.RestartRequest{Services: args[1:]})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "restarted %d containers\n", n)
			return nil
		},
	}
	return cmd
}

// waitFlags are --wait and --timeout.
type waitFlags struct {
	wait    bool
	timeout time.Duration
}

func (w *waitFlags) register(cmd *cobra.Command, def bool, usage string) {
	cmd.Flags().BoolVar(&w.wait, "wait", def, usage)
	cmd.Flags().DurationVar(&w.timeout, "timeout", 5*time.Minute, "how long --wait waits")
}

func (w *waitFlags) seconds() int { return int(w.timeout.Seconds()) }

// upRequest loads the stack file locally and connects to the daemon: what
// up and plan share.
func (a *app) upRequest(ctx context.Context, sf *stackFlags) (string, api.UpRequest, *api.Client, error) {
	st, err := sf.load(ctx)
	if err != nil {
		return "", api.UpRequest{}, nil, err
	}
	canon, err := st.Canonical()
	if err != nil {
		return "", api.UpRequest{}, nil, err
	}
	c, err := a.client()
	if err != nil {
		return "", api.UpRequest{}, nil, err
	}
	return st.Name, api.UpRequest{Spec: canon, Sources: sf.files}, c, nil
}

// failedIfRan marks errors reported by a running operation (as opposed to
// not reaching the daemon) so the exit code says "it failed".
func failedIfRan(err error) error {
	if _, ok := err.(*api.StatusError); ok {
		return err
	}
	if isUnreachable(err) {
		return err
	}
	return failedError{err}
}
