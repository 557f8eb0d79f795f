package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/berth-dev/berth/internal/logstore"
)

// LogStore is what the API reads from the log store.
type LogStore interface {
	Query(ctx context.Context, f logstore.Filter) ([]logstore.Line, error)
	Follow(ctx context.Context, f logstore.Filter) (<-chan logstore.Line, error)
}

// logs answers a log query from the store: stack, service, container,
// since, until (RFC 3339), level (minimum), grep (regexp=1 for a regular
// expression), tail (newest N), and follow=1 to keep streaming.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	f, follow, err := logFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	// Subscribe before the query so no line falls between the two.
	var live <-chan logstore.Line
	ctx := r.Context()
	if follow {
		lf := f
		lf.Limit = 0
		if live, err = s.Logs.Follow(ctx, lf); err != nil {
			writeError(w, statusFor(err), err)
			return
		}
	}
	lines, err := s.Logs.Query(ctx, f)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	sw := newStreamWriter(w)
	var last time.Time
	for i := range lines {
		sw.send(Message{Type: "log", Log: entry(lines[i])})
		last = lines[i].Time
	}
	for live != nil {
		select {
		case <-ctx.Done():
			return
		case l, ok := <-live:
			if !ok {
				sw.send(Message{Type: "result", Error: "log follow fell too far behind; run the command again"})
				return
			}
			if !l.Time.After(last) {
				continue // stored between subscribing and querying: already sent
			}
			sw.send(Message{Type: "log", Log: entry(l)})
		}
	}
}

func logFilter(r *http.Request) (logstore.Filter, bool, error) {
	q := r.URL.Query()
	f := logstore.Filter{
		Stack: q.Get("stack"), Service: q.Get("service"), Container: q.Get("container"),
		Level: q.Get("level"), Grep: q.Get("grep"), Regexp: q.Get("regexp") != "",
	}
	for key, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(key); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, false, fmt.Errorf("%s: %w", key, err)
			}
			*dst = t
		}
	}
	if v := q.Get("tail"); v != "" && v != "all" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, false, fmt.Errorf("tail must be a number or all, got %q", v)
		}
		f.Limit = n
	}
	return f, q.Get("follow") != "", nil
}

func entry(l logstore.Line) *LogEntry {
	return &LogEntry{
		Time: l.Time, Stack: l.Stack, Service: l.Service, Container: l.Container, Stream: l.Stream,
		Level: l.Level, Message: l.Message, Fields: l.Fields, Text: l.Raw, Truncated: l.Truncated,
	}
}
