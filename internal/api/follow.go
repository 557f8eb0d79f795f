package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/berth-dev/berth/internal/reconcile"
)

// streamWriter writes newline-delimited JSON messages, flushing each.
type streamWriter struct {
	w   http.ResponseWriter
	enc *json.Encoder
	f   http.Flusher
}

func newStreamWriter(w http.ResponseWriter) *streamWriter {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &streamWriter{w: w, enc: json.NewEncoder(w), f: f}
}

func (s *streamWriter) send(m Message) {
	_ = s.enc.Encode(m)
	if s.f != nil {
		s.f.Flush()
	}
}

// doneFunc judges a status: finished, and if so whether it succeeded and
// why not.
type doneFunc func(st reconcile.Status, errorStreak int) (finished, ok bool, why string)

// upDone finishes when the revision converged, or fails on a crash loop, a
// failed one-shot, or an apply error that persisted over several passes.
func upDone(revision int64, changed bool) doneFunc {
	return func(st reconcile.Status, errorStreak int) (bool, bool, string) {
		if rb := st.Rollback; rb != nil && rb.From == revision {
			return true, false, fmt.Sprintf("rollout of revision %d failed and was rolled back to revision %d: service %s: %s", rb.From, rb.To, rb.Service, rb.Reason)
		}
		if st.Revision != revision || st.Down {
			return false, false, ""
		}
		switch {
		case st.Error != "" && errorStreak >= 3:
			return true, false, st.Error
		case st.Error == "" && st.Failed != "":
			return true, false, st.Failed
		case st.Converged:
			return true, true, ""
		}
		return false, false, ""
	}
}

func downDone(st reconcile.Status, errorStreak int) (bool, bool, string) {
	if !st.Down {
		return false, false, ""
	}
	if st.Error != "" && errorStreak >= 3 {
		return true, false, st.Error
	}
	return st.Converged, st.Converged, ""
}

// follow streams the stack's journal events and status until done says
// finished, the timeout passes or the client goes away. It reports
// success.
func (s *Server) follow(ctx context.Context, sw *streamWriter, stack string, after uint64, timeoutSecs int, done doneFunc) bool {
	timeout := timeoutOf(timeoutSecs)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var lastUpdate time.Time
	streak := 0
	for {
		storeCh, recCh := s.Store.Changed(), s.Rec.Changed(stack)
		evs, err := s.Store.Events(stack, after, 0)
		if err != nil {
			sw.send(Message{Type: "result", Error: err.Error()})
			return false
		}
		for i := range evs {
			sw.send(Message{Type: "event", Event: &evs[i]})
			after = evs[i].Seq
		}
		if st, ok := s.Rec.Status(stack); ok && st.Updated.After(lastUpdate) {
			lastUpdate = st.Updated
			if st.Error != "" {
				streak++
			} else {
				streak = 0
			}
			sw.send(Message{Type: "status", Status: &st})
			if finished, success, why := done(st, streak); finished {
				sw.send(Message{Type: "result", OK: success, Error: why})
				return success
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			sw.send(Message{Type: "result", Error: fmt.Sprintf("%s: stack %s did not converge within %s", errTimeout, stack, timeout)})
			return false
		case <-storeCh:
		case <-recCh:
		}
	}
}
