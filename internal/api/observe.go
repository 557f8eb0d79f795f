package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"sync"

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
	cs = slices.DeleteFunc(cs, func(c engine.Container) bool {
		return (service != "" && c.Service != service) || (name != "" && c.Name != name)
	})
	opts := docker.LogOptions{Tail: cmp.Or(q.Get("tail"), "all"), Since: q.Get("since")}
	sw := newStreamWriter(w)
	// The tail first, merged by time across containers.
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
	s.followLogs(r, sw, cs)
}

// followLogs streams new lines from every container until the client goes.
func (s *Server) followLogs(r *http.Request, sw *streamWriter, cs []engine.Container) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := docker.LogOptions{Follow: true, Tail: "0"}
			s.Engine.Logs(r.Context(), c.ID, opts, func(l engine.LogLine) bool {
				mu.Lock()
				defer mu.Unlock()
				sw.send(Message{Type: "log", Log: &LogEntry{LogLine: l, Container: c.Name, Service: c.Service}})
				return r.Context().Err() == nil
			})
		}()
	}
	wg.Wait()
}
