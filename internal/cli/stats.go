package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
)

func (a *app) statsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "stats [STACK]",
		Short: "Show each container's CPU, memory, network and pids (sampled every second)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rows, err := a.fetchStats(cmd.Context(), args)
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(rows)
			}
			return printStats(a.out, rows)
		},
	}
}

func (a *app) topCommand() *cobra.Command {
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "top [STACK]",
		Short: "Live view of containers by CPU use, refreshed until Ctrl-C",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			for {
				rows, err := a.fetchStats(ctx, args)
				if err != nil {
					return err
				}
				slices.SortStableFunc(rows, func(x, y api.StatsRow) int { return cmp.Compare(val(y.CPU), val(x.CPU)) })
				fmt.Fprint(a.out, "\033[H\033[2J") // clear the screen
				fmt.Fprintf(a.out, "berth top  %s  (Ctrl-C to quit)\n\n", time.Now().Format(time.TimeOnly))
				if err := printStats(a.out, rows); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
			}
		},
	}
	cmd.Flags().DurationVarP(&interval, "interval", "i", time.Second, "refresh interval")
	return cmd
}

func (a *app) fetchStats(ctx context.Context, args []string) ([]api.StatsRow, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	stack := ""
	if len(args) > 0 {
		stack = args[0]
	}
	return c.Stats(ctx, stack)
}

func printStats(w io.Writer, rows []api.StatsRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tSERVICE\tCPU %\tMEMORY\tLIMIT\tMEM %\tNET RX/s\tNET TX/s\tPIDS")
	for _, r := range rows {
		memPct := "-"
		if r.Limit > 0 {
			memPct = fmt.Sprintf("%.1f%%", 100*float64(r.WorkingSet)/float64(r.Limit))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.Container, r.Service, pct(r.CPU),
			bytes(float64(r.WorkingSet)), limit(r.Limit), memPct, rate(r.NetRx), rate(r.NetTx), r.Pids)
	}
	return tw.Flush()
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func pct(cores *float64) string {
	if cores == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100**cores)
}

func rate(p *float64) string {
	if p == nil {
		return "-"
	}
	return bytes(*p) + "/s"
}

func limit(l uint64) string {
	if l == 0 {
		return "none"
	}
	return bytes(float64(l))
}

// bytes renders a size in IEC units.
func bytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f%s", n, units[i])
	}
	return fmt.Sprintf("%.1f%s", n, units[i])
}
