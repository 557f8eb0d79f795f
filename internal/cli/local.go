package cli

import (
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
	"github.com/berth-dev/berth/internal/daemon"
)

func (a *app) daemonCommand() *cobra.Command {
	cfg := daemon.Config{}
	var debug bool
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run the berth daemon (needs access to the Docker socket)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if debug {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: level}))
			cfg.Socket = a.socket
			cfg.Version = a.version
			return daemon.Run(cmd.Context(), cfg, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data", envOr("BERTH_DATA", daemon.DefaultDataDir()), "data directory for the store (env BERTH_DATA)")
	f.StringVar(&cfg.EngineHost, "engine", "", "engine address (default DOCKER_HOST or the local socket)")
	f.StringVar(&cfg.Alerts.RulesFile, "alert-rules", "", "Prometheus-style alert rules file, added to berth's default rules")
	f.StringVar(&cfg.Alerts.Webhook, "alert-webhook", "", "POST alert notifications as JSON to this URL")
	f.StringVar(&cfg.Alerts.Alertmanager, "alertmanager", "", "send alerts to this Alertmanager (base URL; uses its v2 API)")
	f.DurationVar(&cfg.Alerts.Interval, "alert-interval", 15*time.Second, "how often alert rules are evaluated")
	f.StringVar(&cfg.Metrics, "metrics", "", "serve Prometheus /metrics over plain HTTP on this address (e.g. 127.0.0.1:9323)")
	f.StringVar(&cfg.TCP, "tcp", "", "also serve the API on this TCP address (requires TLS and a token)")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate for --tcp")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "TLS key for --tcp")
	f.StringVar(&cfg.TokenFile, "token-file", "", "file holding the bearer token for --tcp")
	f.DurationVar(&cfg.Resync, "resync", 10*time.Second, "period of the full resync with the engine")
	f.BoolVar(&debug, "debug", false, "debug logging")
	return cmd
}

func (a *app) configCommand() *cobra.Command {
	var sf stackFlags
	cmd := &cobra.Command{
		Use:   "config [-f FILE]",
		Short: "Validate a Compose file and print the fully resolved stack",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.load(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(st.Project)
			}
			canon, err := st.Canonical()
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(canon)
			return err
		},
	}
	sf.register(cmd)
	return cmd
}

func (a *app) planCommand() *cobra.Command {
	var sf stackFlags
	cmd := &cobra.Command{
		Use:   "plan [-f FILE]",
		Short: "Show what `up` would change, changing nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			name, req, c, err := a.upRequest(ctx, &sf)
			if err != nil {
				return err
			}
			p, err := c.Plan(ctx, name, req)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(p)
			}
			return printPlan(a, p)
		},
	}
	sf.register(cmd)
	return cmd
}

func printPlan(a *app, p api.PlanResponse) error {
	if !p.Changed && len(p.Actions) == 0 {
		fmt.Fprintf(a.out, "stack %s: no changes (revision %d is current and converged)\n", p.Stack, p.Revision)
		return nil
	}
	if p.Changed {
		fmt.Fprintf(a.out, "stack %s: the file differs from revision %d; up would apply a new revision\n", p.Stack, p.Revision)
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tSERVICE\tSLOT\tCONTAINER\tWHY")
	for _, x := range p.Actions {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", x.Kind, x.Service, x.Slot, orDash(x.Container), x.Reason)
	}
	for svc, why := range p.Waiting {
		fmt.Fprintf(tw, "(later)\t%s\t-\t-\t%s\n", svc, why)
	}
	return tw.Flush()
}
