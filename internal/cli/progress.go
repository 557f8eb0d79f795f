package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/berth-dev/berth/internal/api"
)

// progress prints a streamed operation as it happens: journal events and
// each service's state when it changes. With -o json it prints every
// message as a JSON line instead.
type progress struct {
	w    io.Writer
	json bool
	last map[string]string
}

func newProgress(w io.Writer, asJSON bool) *progress {
	return &progress{w: w, json: asJSON, last: map[string]string{}}
}

func (p *progress) show(m api.Message) {
	if p.json {
		json.NewEncoder(p.w).Encode(m)
		return
	}
	switch m.Type {
	case "revision":
		if m.Changed {
			fmt.Fprintf(p.w, "revision %d applied\n", m.Revision.Number)
		} else {
			fmt.Fprintf(p.w, "no change: revision %d is current\n", m.Revision.Number)
		}
	case "event":
		e := m.Event
		fmt.Fprintf(p.w, "  %s  %-9s %-24s %s\n", e.Time.Local().Format(time.TimeOnly), e.Kind, orDash(e.Container), e.Message)
	case "status":
		for _, s := range m.Status.Services {
			line := fmt.Sprintf("%d/%d ready, %s", s.Ready, s.Desired, s.State)
			if s.Reason != "" {
				line += ": " + s.Reason
			}
			if p.last[s.Name] != line {
				p.last[s.Name] = line
				fmt.Fprintf(p.w, "  %-10s %s\n", s.Name, line)
			}
		}
	}
}

func (p *progress) done(msg string, waited bool) {
	if p.json {
		return
	}
	if waited {
		fmt.Fprintln(p.w, msg)
	} else {
		fmt.Fprintln(p.w, "accepted; converging in the background (see `berth ps`, or use --wait)")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
