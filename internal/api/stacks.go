package api

import (
	"net/http"
	"strconv"
)

func (s *Server) listStacks(w http.ResponseWriter, r *http.Request) {
	stacks, err := s.Store.Stacks()
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	out := []StackInfo{}
	for _, st := range stacks {
		info := StackInfo{Stack: st}
		if status, ok := s.Rec.Status(st.Name); ok {
			info.Status = &status
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) inspectStack(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	st, err := s.Store.Stack(name)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	info := StackInfo{Stack: st}
	if status, ok := s.Rec.Status(name); ok {
		info.Status = &status
	}
	if info.Containers, err = s.Engine.List(r.Context(), name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	if info.Revisions, err = s.Store.Revisions(name); err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// stackSpec returns the canonical YAML of a revision (the current one
// unless ?revision=N).
func (s *Server) stackSpec(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("stack")
	st, err := s.Store.Stack(name)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	n := st.Revision
	if q := r.URL.Query().Get("revision"); q != "" {
		if n, err = strconv.ParseInt(q, 10, 64); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	rev, err := s.Store.Revision(name, n)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(rev.Spec)
}

func (s *Server) containers(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Engine.List(r.Context(), r.URL.Query().Get("stack"))
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	writeJSON(w, http.StatusOK, cs)
}
