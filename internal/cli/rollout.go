package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
)

func (a *app) rolloutCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Watch, list and undo deploys (rolling, blue-green, canary)",
	}
	cmd.AddCommand(a.rolloutStatusCommand(), a.rolloutHistoryCommand(), a.rolloutUndoCommand())
	return cmd
}

func (a *app) rolloutStatusCommand() *cobra.Command {
	var sf stackFlags
	cmd := &cobra.Command{
		Use:   "status [STACK]",
		Short: "Show the services moving to a new version, and the latest rollback",
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
			r, err := c.Rollout(ctx, name)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(r)
			}
			fmt.Fprintf(a.out, "stack %s at revision %d\n", r.Stack, r.Revision)
			if len(r.Rollouts) == 0 {
				fmt.Fprintln(a.out, "no rollout in progress")
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			if len(r.Rollouts) > 0 {
				fmt.Fprintln(tw, "SERVICE\tSTRATEGY\tPHASE\tNEW\tOLD\tSTARTED")
			}
			for _, ro := range r.Rollouts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s ago\n", ro.Service, ro.Strategy, ro.Phase, ro.New, ro.Old, time.Since(ro.Started).Round(time.Second))
			}
			tw.Flush()
			if rb := r.Rollback; rb != nil {
				fmt.Fprintf(a.out, "last rollback: revision %d -> %d (service %s: %s)\n", rb.From, rb.To, rb.Service, rb.Reason)
			}
			return nil
		},
	}
	sf.register(cmd)
	return cmd
}

func (a *app) rolloutHistoryCommand() *cobra.Command {
	var sf stackFlags
	cmd := &cobra.Command{
		Use:   "history [STACK]",
		Short: "List a stack's revisions, the current one marked, failed ones with why",
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
			revs, err := c.Revisions(ctx, name)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(revs)
			}
			info, err := c.Stack(ctx, name)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "REVISION\tCURRENT\tDEPLOYED\tHASH\tSTATUS\tSOURCES")
			for _, r := range revs {
				cur, status := "", "ok"
				if r.Number == info.Revision {
					cur = "*"
				}
				if r.Failed != "" {
					status = "failed: " + r.Failed
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Number, cur, r.Time.Local().Format(time.DateTime), shortHash(r.Hash), status, orDash(strings.Join(r.Sources, ",")))
			}
			return tw.Flush()
		},
	}
	sf.register(cmd)
	return cmd
}

func (a *app) rolloutUndoCommand() *cobra.Command {
	var sf stackFlags
	var to int64
	var w waitFlags
	cmd := &cobra.Command{
		Use:   "undo [STACK] [--to N]",
		Short: "Go back to the previous good revision (or revision N)",
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
			if err := c.Undo(ctx, name, api.UndoRequest{To: to, Wait: w.wait, Timeout: w.seconds()}, p.show); err != nil {
				return failedIfRan(err)
			}
			p.done(fmt.Sprintf("stack %s rolled back", name), w.wait)
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().Int64Var(&to, "to", 0, "revision to go back to (default: the newest earlier one that did not fail)")
	w.register(cmd, false, "wait until the older revision serves; exit 4 if it fails")
	return cmd
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
