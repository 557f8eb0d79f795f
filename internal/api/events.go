package api

import (
	"cmp"
	"net/http"
	"strconv"
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
