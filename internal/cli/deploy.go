package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
)

func (a *app) upCommand() *cobra.Command {
	var sf stackFlags
	var wait bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "up [-f FILE]",
		Short: "Deploy a Compose file (a new revision when it changed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := sf.load(ctx)
			if err != nil {
				return err
			}
			canon, err := st.Canonical()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			p := newProgress(a.out, a.jsonOutput())
			err = c.Up(ctx, st.Name, api.UpRequest{Spec: canon, Sources: sf.files, Wait: wait, Timeout: int(timeout.Seconds())}, p.show)
			if err != nil {
				return failedIfRan(err)
			}
			p.done(fmt.Sprintf("stack %s is up", st.Name), wait)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until every service is running and healthy; exit 4 if it fails")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long --wait waits")
	return cmd
}

func (a *app) downCommand() *cobra.Command {
	var sf stackFlags
	var volumes, wait bool
	var timeout time.Duration
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
			if err := c.Down(ctx, name, api.DownRequest{Volumes: volumes, Wait: wait, Timeout: int(timeout.Seconds())}, p.show); err != nil {
				return failedIfRan(err)
			}
			p.done(fmt.Sprintf("stack %s is down", name), wait)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "also remove the stack's named volumes (their data is lost)")
	cmd.Flags().BoolVar(&wait, "wait", true, "wait until every container is gone")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long --wait waits")
	return cmd
}

func (a *app) scaleCommand() *cobra.Command {
	var sf stackFlags
	var wait bool
	var timeout time.Duration
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
				req := api.ScaleRequest{Service: t.service, Replicas: t.replicas, Wait: wait, Timeout: int(timeout.Seconds())}
				if err := c.Scale(ctx, name, req, p.show); err != nil {
					return failedIfRan(err)
				}
			}
			p.done(fmt.Sprintf("stack %s scaled", name), wait)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&wait, "wait", true, "wait until the new replica count runs")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long --wait waits")
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
