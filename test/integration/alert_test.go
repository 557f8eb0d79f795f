package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// alertRules is the user rules file the test daemon loads: it fires for
// the alert test's stack only, as soon as a replica uses any memory.
const alertRules = `groups:
  - name: integration
    rules:
      - alert: ItMemoryUsed
        expr: max_over_time(berth_container_memory_usage_ratio{stack="italertfiresandnotifies"}[30s]) > 0
        for: 2s
        labels:
          severity: test
        annotations:
          summary: "{{ $labels.container }} uses memory"
`

// receiver is a loopback webhook that records what it is sent.
type receiver struct {
	url    string
	mu     sync.Mutex
	bodies []string
}

func newReceiver() *receiver {
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(body))
		r.mu.Unlock()
	}))
	r.url = srv.URL
	return r
}

func (r *receiver) received(substr ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		all := true
		for _, s := range substr {
			all = all && strings.Contains(b, s)
		}
		if all {
			return true
		}
	}
	return false
}

func TestAlertFiresAndNotifies(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", "    mem_limit: 64m\n"))
	berth(t, "up", "-f", file, "--wait")
	eventually(t, 60*time.Second, "the webhook to receive the firing alert", func() bool {
		return env.webhook.received("ItMemoryUsed", name+"-app-1")
	})
	eventually(t, 10*time.Second, "the alert in the event journal", func() bool {
		for _, e := range events(t, name) {
			if e.Kind == "alert" && strings.Contains(e.Message, "ItMemoryUsed is firing") {
				return true
			}
		}
		return false
	})
	// The webhook body is JSON a receiver can route on.
	env.webhook.mu.Lock()
	defer env.webhook.mu.Unlock()
	for _, b := range env.webhook.bodies {
		if strings.Contains(b, "ItMemoryUsed") && !json.Valid([]byte(b)) {
			t.Errorf("webhook body is not JSON: %s", b)
		}
	}
}
