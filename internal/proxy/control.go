package proxy

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

const maxConfigBytes = 16 << 20

// PingInfo identifies a running proxy (GET /v1/ping).
type PingInfo struct {
	PID     int       `json:"pid"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
	// Takeover says the proxy can hand its sockets and config over to a
	// new process (berth proxy --takeover); older proxies cannot.
	Takeover bool `json:"takeover,omitempty"`
}

// errorBody is the control API's error answer.
type errorBody struct {
	Error string `json:"error"`
}

// ControlHandler serves the control API over which the daemon pushes
// config and reads stats.
func (s *Server) ControlHandler(info PingInfo) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, info)
	})
	mux.HandleFunc("GET /v1/stacks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stacks())
	})
	mux.HandleFunc("GET /v1/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("PUT /v1/stacks/{stack}", s.handlePut)
	mux.HandleFunc("DELETE /v1/stacks/{stack}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Delete(r.PathValue("stack")); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Server) handlePut(w http.ResponseWriter, r *http.Request) {
	var cfg StackConfig
	body, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBytes+1))
	if err == nil && len(body) > maxConfigBytes {
		err = errors.New("config larger than 16 MiB")
	}
	if err == nil {
		err = json.Unmarshal(body, &cfg)
	}
	if err != nil {
		writeError(w, badConfig(err))
		return
	}
	stack := r.PathValue("stack")
	if cfg.Stack == "" {
		cfg.Stack = stack
	}
	if cfg.Stack != stack {
		writeError(w, badConfig(errors.New("the body's stack "+cfg.Stack+" differs from the URL's "+stack)))
		return
	}
	if err := s.Apply(cfg); err != nil {
		s.log.Warn("config push refused", "stack", stack, "err", err)
		writeError(w, err)
		return
	}
	s.log.Info("config applied", "stack", stack, "routes", len(cfg.Routes))
	w.WriteHeader(http.StatusNoContent)
}

func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var ae *applyError
	switch {
	case errors.As(err, &ae):
		code = ae.code
	case errors.Is(err, errShuttingDown), errors.Is(err, errHandingOver):
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, errorBody{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
