package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/berth-dev/berth/internal/store"
)

// plan answers what `up` would change, changing nothing.
func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req UpRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	st, err := s.Load(r.Context(), name, req.Spec)
	if err == nil && s.CheckRoutes != nil {
		err = s.CheckRoutes(r.Context(), st)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	res, err := s.Rec.Preview(r.Context(), st)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	out := PlanResponse{Stack: name, Waiting: res.Waiting, Actions: []PlannedAction{}}
	if rec, err := s.Store.Stack(name); err == nil {
		out.Revision = rec.Revision
		rev, _ := s.Store.Revision(name, rec.Revision)
		out.Changed = rec.Down || rev.Hash != st.Hash
	} else {
		out.Changed = true
	}
	for _, a := range res.Actions {
		out.Actions = append(out.Actions, PlannedAction{Kind: string(a.Kind), Service: a.Service, Slot: a.Slot, Container: a.Container.Name, Reason: a.Reason})
	}
	writeJSON(w, http.StatusOK, out)
}

// up stores a new revision (when the spec changed) and, with wait, streams
// progress until the stack converges or fails.
func (s *Server) up(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req UpRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if !validName(name) {
		writeError(w, http.StatusBadRequest, fmt.Errorf("invalid stack name %q", name))
		return
	}
	// Validate before storing: a bad spec never replaces the running one.
	st, err := s.Load(r.Context(), name, req.Spec)
	if err == nil && s.CheckRoutes != nil {
		err = s.CheckRoutes(r.Context(), st)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	after := s.lastSeq()
	rev, changed, err := s.Store.Apply(name, st.Hash, req.Spec, req.Sources)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	if changed {
		s.Store.Append(store.Event{Stack: name, Kind: "deploy", Message: fmt.Sprintf("revision %d applied (%s)", rev.Number, short(st.Hash))})
	}
	s.Rec.Kick(name)
	rev.Spec = nil
	sw := newStreamWriter(w)
	sw.send(Message{Type: "revision", Revision: &rev, Changed: changed})
	if !req.Wait {
		sw.send(Message{Type: "result", OK: true})
		return
	}
	s.follow(r.Context(), sw, name, after, req.Timeout, upDone(rev.Number, changed))
}

// down marks the stack down and, with wait, streams until it is gone.
func (s *Server) down(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req DownRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.known(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	after := s.lastSeq()
	if err := s.Store.SetDown(name, true); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	s.Store.Append(store.Event{Stack: name, Kind: "down", Message: "stack taken down"})
	s.Rec.Kick(name)
	sw := newStreamWriter(w)
	if !req.Wait && !req.Volumes {
		sw.send(Message{Type: "result", OK: true})
		return
	}
	ok := s.follow(r.Context(), sw, name, after, req.Timeout, downDone)
	if ok && req.Volumes {
		if err := s.Engine.RemoveVolumes(r.Context(), name); err != nil {
			sw.send(Message{Type: "result", Error: err.Error()})
			return
		}
		s.Store.Append(store.Event{Stack: name, Kind: "down", Message: "volumes removed"})
	}
}

// scale records a replica override and, with wait, streams until converged.
func (s *Server) scale(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req ScaleRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.checkService(r.Context(), name, req.Service); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	if req.Replicas < 0 || req.Replicas > 1000 {
		writeError(w, http.StatusBadRequest, fmt.Errorf("replicas must be between 0 and 1000, got %d", req.Replicas))
		return
	}
	after := s.lastSeq()
	if err := s.Store.SetScale(name, req.Service, req.Replicas); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	s.Store.Append(store.Event{Stack: name, Service: req.Service, Kind: "scale", Message: fmt.Sprintf("scaled to %d", req.Replicas)})
	s.Rec.Kick(name)
	sw := newStreamWriter(w)
	if !req.Wait {
		sw.send(Message{Type: "result", OK: true})
		return
	}
	rec, _ := s.Store.Stack(name)
	s.follow(r.Context(), sw, name, after, req.Timeout, upDone(rec.Revision, true))
}

// checkService fails unless the stack's current revision has the service.
func (s *Server) checkService(ctx context.Context, stack, service string) error {
	if err := s.known(stack); err != nil {
		return err
	}
	rec, err := s.Store.Stack(stack)
	if err != nil {
		return err
	}
	rev, err := s.Store.Revision(stack, rec.Revision)
	if err != nil {
		return err
	}
	st, err := s.Load(ctx, stack, rev.Spec)
	if err != nil {
		return err
	}
	for _, svc := range st.Services {
		if svc.Name == service {
			return nil
		}
	}
	var names []string
	for _, svc := range st.Services {
		names = append(names, svc.Name)
	}
	return fmt.Errorf("stack %s has no service %q (services: %v): %w", stack, service, names, store.ErrNotFound)
}

func (s *Server) restart(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	var req RestartRequest
	if err := decode(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.known(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	n, err := s.Rec.Restart(r.Context(), name, req.Services)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"restarted": n})
}

// lastSeq is the journal's newest sequence number, so that a stream shows
// only what follows the request.
func (s *Server) lastSeq() uint64 {
	evs, err := s.Store.Tail("", 1)
	if err != nil || len(evs) == 0 {
		return 0
	}
	return evs[0].Seq
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

var errTimeout = errors.New("timed out")

func timeoutOf(secs int) time.Duration {
	if secs <= 0 {
		return 5 * time.Minute
	}
	return time.Duration(secs) * time.Second
}

// known fails with a helpful not-found error for a stack the store lacks.
func (s *Server) known(stack string) error {
	_, err := s.Store.Stack(stack)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no stack named %q (`berth stacks` lists them): %w", stack, store.ErrNotFound)
	}
	return err
}
