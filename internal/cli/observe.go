package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/api"
	"github.com/berth-dev/berth/internal/engine"
)

func (a *app) psCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ps [STACK]",
		Short: "List the containers berth manages",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			stack := ""
			if len(args) > 0 {
				stack = args[0]
			}
			cs, err := c.Containers(cmd.Context(), stack)
			if err != nil {
				return err
			}
			slices.SortFunc(cs, func(x, y engine.Container) int { return strings.Compare(x.Name, y.Name) })
			if a.jsonOutput() {
				return a.printJSON(cs)
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSERVICE\tSTATE\tHEALTH\tREVISION\tADDRESS\tPORTS")
			for _, c := range cs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.Name, c.Service, stateText(c), orDash(string(c.Health)), c.Revision, firstIP(c), orDash(strings.Join(c.Ports, ",")))
			}
			return tw.Flush()
		},
	}
}

func stateText(c engine.Container) string {
	if c.State == engine.StateExited {
		return fmt.Sprintf("exited(%d)", c.ExitCode)
	}
	return string(c.State)
}

func firstIP(c engine.Container) string {
	for _, ip := range c.IPs {
		return ip
	}
	return "-"
}

func (a *app) stacksCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "stacks",
		Short: "List stacks and whether they converged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			stacks, err := c.Stacks(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(stacks)
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "STACK\tREVISION\tSTATE\tSERVICES\tUPDATED")
			for _, s := range stacks {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Name, s.Revision, stackState(s), serviceSummary(s), s.Updated.Local().Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
}

func stackState(s api.StackInfo) string {
	switch {
	case s.Down:
		return "down"
	case s.Status == nil:
		return "pending"
	case s.Status.Failed != "":
		return "failing"
	case s.Status.Converged:
		return "converged"
	}
	return "converging"
}

func serviceSummary(s api.StackInfo) string {
	if s.Status == nil || len(s.Status.Services) == 0 {
		return "-"
	}
	var parts []string
	for _, sv := range s.Status.Services {
		parts = append(parts, fmt.Sprintf("%s %d/%d", sv.Name, sv.Ready, sv.Desired))
	}
	return strings.Join(parts, ", ")
}

func (a *app) inspectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect STACK",
		Short: "Show a stack's desired state, status, containers and revisions as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			info, err := c.Stack(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printJSON(info)
		},
	}
}

func (a *app) logsCommand() *cobra.Command {
	var follow, regexp bool
	var tail, since, until, level, grep string
	cmd := &cobra.Command{
		Use:   "logs STACK [SERVICE | CONTAINER]",
		Short: "Search and follow the logs of a stack's containers, merged in time order",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			q := url.Values{"stack": {args[0]}, "tail": {tail}, "level": {level}, "grep": {grep}}
			now := time.Now()
			for key, v := range map[string]string{"since": since, "until": until} {
				if v == "" {
					continue
				}
				ts, err := parseSince(v, now)
				if err != nil {
					return usageError{fmt.Errorf("--%s: %w", key, err)}
				}
				q.Set(key, ts)
			}
			if regexp {
				q.Set("regexp", "1")
			}
			if len(args) == 2 {
				if strings.HasPrefix(args[1], args[0]+"-") {
					q.Set("container", args[1])
				} else {
					q.Set("service", args[1])
				}
			}
			if follow {
				q.Set("follow", "1")
			}
			err = c.Logs(cmd.Context(), q, func(m api.Message) { a.printLog(m.Log) })
			if cmd.Context().Err() != nil {
				return nil // interrupted while following
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "keep streaming new lines")
	f.StringVarP(&tail, "tail", "n", "all", "show only the newest N lines")
	f.StringVar(&since, "since", "", "only lines since a time (RFC 3339) or a duration ago (10m)")
	f.StringVar(&until, "until", "", "only lines before a time (RFC 3339) or a duration ago")
	f.StringVar(&level, "level", "", "minimum level: debug, info, warn, error (lines without a level are left out)")
	f.StringVar(&grep, "grep", "", "only lines containing this text")
	f.BoolVar(&regexp, "regexp", false, "--grep is a regular expression")
	return cmd
}

func (a *app) printLog(l *api.LogEntry) {
	if l == nil {
		return
	}
	if a.jsonOutput() {
		json.NewEncoder(a.out).Encode(l)
		return
	}
	text := l.Text
	if l.Truncated {
		text += " [truncated]"
	}
	fmt.Fprintf(a.out, "%-20s | %s\n", l.Container, text)
}

func (a *app) eventsCommand() *cobra.Command {
	var follow bool
	var tail int
	cmd := &cobra.Command{
		Use:   "events [STACK]",
		Short: "Show the event journal (deploys, restarts, drift corrections...)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			q := url.Values{"tail": {strconv.Itoa(tail)}}
			if len(args) > 0 {
				q.Set("stack", args[0])
			}
			if follow {
				q.Set("follow", "1")
			}
			err = c.Events(cmd.Context(), q, func(m api.Message) {
				if m.Event == nil {
					return
				}
				if a.jsonOutput() {
					json.NewEncoder(a.out).Encode(m.Event)
					return
				}
				e := m.Event
				fmt.Fprintf(a.out, "%s  %-8s %-9s %-24s %s\n", e.Time.Local().Format(time.DateTime), e.Stack, e.Kind, orDash(e.Container), e.Message)
			})
			if cmd.Context().Err() != nil {
				return nil
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep streaming new events")
	cmd.Flags().IntVarP(&tail, "tail", "n", 50, "events to show from the end of the journal")
	return cmd
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the versions of berth, its daemon and the engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.out, "client: berth %s\n", a.version)
			c, err := a.client()
			if err != nil {
				return err
			}
			v, err := c.Version(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOutput() {
				return a.printJSON(v)
			}
			fmt.Fprintf(a.out, "daemon: berth %s (data %s)\nengine: %s\n", v.Version, v.Data, v.Engine)
			return nil
		},
	}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseSince turns "10m" (that long ago) or an RFC 3339 time into RFC 3339.
func parseSince(s string, now time.Time) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d, derr := time.ParseDuration(s)
		if derr != nil {
			return "", fmt.Errorf("--since %q: use a duration like 10m or a time like 2026-01-02T15:04:05Z", s)
		}
		t = now.Add(-d)
	}
	return t.UTC().Format(time.RFC3339Nano), nil
}
