package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/engine/docker"
)

// events streams the journal: the last ?tail=N (default 50) events, then,
// with ?follow=1, new ones as they are appended.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	stack := q.Get("stack")
	tail, _ := strconv.Atoi(cmp.Or(q.Get("tail"), "50"))
	evs, err := s.Store.Tail(stack, tail)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	sw := newStreamWriter(w)
	var after uint64
	if last, err := s.Store.Tail("", 1); err == nil && len(last) > 0 {
		after = last[0].Seq
	}
	for i := range evs {
		sw.send(Message{Type: "event", Event: &evs[i]})
	}
	if q.Get("follow") == "" {
		return
	}
	for {
		ch := s.Store.Changed()
		evs, err := s.Store.Events(stack, after, 0)
		if err != nil {
			return
		}
		for i := range evs {
			sw.send(Message{Type: "event", Event: &evs[i]})
			after = evs[i].Seq
		}
		// Events for other stacks still move the cursor.
		if last, err := s.Store.Tail("", 1); err == nil && len(last) > 0 && last[0].Seq > after {
			after = last[0].Seq
		}
		select {
		case <-r.Context().Done():
			return
		case <-ch:
		}
	}
}

// logs streams the log lines of a stack's containers (optionally one
// service's, or one container's), merged: the tail in time order, then
// with follow, lines as they are written.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	stack, service, name := q.Get("stack"), q.Get("service"), q.Get("container")
	cs, err := s.Engine.List(r.Context(), stack)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	keep := func(c engine.Container) bool {
		return (service == "" || c.Service == service) && (name == "" || c.Name == name)
	}
	cs = slices.DeleteFunc(cs, func(c engine.Container) bool { return !keep(c) })
	opts := docker.LogOptions{Tail: cmp.Or(q.Get("tail"), "all"), Since: q.Get("since")}
	sw := newStreamWriter(w)
	// The tail first, merged by time across containers; following resumes
	// from when the tail was read, so no line falls in between.
	start := time.Now()
	var tail []LogEntry
	for _, c := range cs {
		s.Engine.Logs(r.Context(), c.ID, opts, func(l engine.LogLine) bool {
			tail = append(tail, LogEntry{LogLine: l, Container: c.Name, Service: c.Service})
			return true
		})
	}
	slices.SortStableFunc(tail, func(a, b LogEntry) int { return a.Time.Compare(b.Time) })
	for i := range tail {
		sw.send(Message{Type: "log", Log: &tail[i]})
	}
	if q.Get("follow") == "" {
		return
	}
	last := map[string]time.Time{}
	for _, l := range tail {
		last[l.Container] = l.Time
	}
	s.followLogs(r, sw, stack, keep, start, last)
}

// followLogs streams new lines until the client goes. It re-lists the
// containers every second, so replicas that restart, are replaced or are
// added by a scale-up are followed too; each stream resumes after the last
// line shown for that container.
func (s *Server) followLogs(r *http.Request, sw *streamWriter, stack string, keep func(engine.Container) bool, since time.Time, last map[string]time.Time) {
	ctx := r.Context()
	var mu sync.Mutex
	var wg sync.WaitGroup
	defer wg.Wait()
	active := map[string]bool{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		cs, err := s.Engine.List(ctx, stack)
		if err == nil {
			for _, c := range cs {
				mu.Lock()
				skip := active[c.ID] || !c.Running() || !keep(c)
				if !skip {
					active[c.ID] = true
				}
				from := later(since, last[c.Name])
				mu.Unlock()
				if skip {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.streamFrom(ctx, sw, &mu, c, from, last)
					mu.Lock()
					active[c.ID] = false
					mu.Unlock()
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// streamFrom follows one container's log from a time, skipping lines
// already shown.
func (s *Server) streamFrom(ctx context.Context, sw *streamWriter, mu *sync.Mutex, c engine.Container, from time.Time, last map[string]time.Time) {
	opts := docker.LogOptions{Follow: true, Since: fmt.Sprintf("%d.%09d", from.Unix(), from.Nanosecond())}
	mu.Lock()
	seen := last[c.Name]
	mu.Unlock()
	s.Engine.Logs(ctx, c.ID, opts, func(l engine.LogLine) bool {
		mu.Lock()
		defer mu.Unlock()
		if !l.Time.After(seen) {
			return true // shown before this stream began
		}
		last[c.Name] = later(last[c.Name], l.Time)
		sw.send(Message{Type: "log", Log: &LogEntry{LogLine: l, Container: c.Name, Service: c.Service}})
		return ctx.Err() == nil
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
