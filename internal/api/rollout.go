package api

import (
	"fmt"
	"net/http"

	"github.com/berth-dev/berth/internal/reconcile"
	"github.com/berth-dev/berth/internal/store"
)

// RolloutResponse is `berth rollout status`.
type RolloutResponse struct {
	Stack    string                    `json:"stack"`
	Revision int64                     `json:"revision"`
	Rollouts []reconcile.RolloutStatus `json:"rollouts"`
	Rollback *reconcile.RollbackInfo   `json:"rollback,omitempty"`
	Services []reconcile.ServiceStatus `json:"services"`
}

// UndoRequest is `berth rollout undo`.
type UndoRequest struct {
	// To is the revision to go back to; 0 means the newest earlier one
	// that did not fail.
	To      int64 `json:"to,omitempty"`
	Wait    bool  `json:"wait,omitempty"`
	Timeout int   `json:"timeout,omitempty"`
}

func (s *Server) rolloutStatus(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	if err := s.known(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	st, _ := s.Rec.Status(name)
	out := RolloutResponse{Stack: name, Revision: st.Revision, Rollouts: st.Rollouts, Rollback: st.Rollback, Services: st.Services}
	if out.Rollouts == nil {
		out.Rollouts = []reconcile.RolloutStatus{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) revisions(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	if err := s.known(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	revs, err := s.Store.Revisions(name)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	writeJSON(w, http.StatusOK, revs)
}

// undo points the stack at an earlier revision; the reconciler rolls it
// out with each service's strategy (blue-green switches back at once while
// the old set is kept).
func (s *Server) undo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req UndoRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.known(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	rec, err := s.Store.Stack(name)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	after := s.lastSeq()
	to, err := s.Store.Undo(name, req.To)
	if err != nil {
		code := statusFor(err)
		if code == http.StatusInternalServerError {
			code = http.StatusConflict
		}
		writeError(w, code, err)
		return
	}
	s.Store.Append(store.Event{Stack: name, Kind: "undo", Message: fmt.Sprintf("revision %d replaced by revision %d on request", rec.Revision, to)})
	s.Rec.Kick(name)
	rev, err := s.Store.Revision(name, to)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	rev.Spec = nil
	sw := newStreamWriter(w)
	sw.send(Message{Type: "revision", Revision: &rev, Changed: to != rec.Revision})
	if !req.Wait {
		sw.send(Message{Type: "result", OK: true})
		return
	}
	s.follow(r.Context(), sw, name, after, req.Timeout, upDone(to, true))
}
