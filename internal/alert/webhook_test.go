package alert

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWebhook(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int // per attempt; the last repeats; 0 hangs past the timeout
		attempts int32
		err      string
	}{
		{name: "ok", statuses: []int{200}, attempts: 1},
		{name: "retried until ok", statuses: []int{503, 500, 204}, attempts: 3},
		{name: "429 retried", statuses: []int{429, 200}, attempts: 2},
		{name: "gives up after attempts", statuses: []int{502}, attempts: 3, err: "502 Bad Gateway: boom"},
		{name: "4xx not retried", statuses: []int{400}, attempts: 1, err: "400 Bad Request"},
		{name: "timeout retried", statuses: []int{0, 200}, attempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var got WebhookPayload
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1))
				status := tt.statuses[min(n, len(tt.statuses))-1]
				if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer t" {
					http.Error(w, "bad request shape", http.StatusTeapot)
					return
				}
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					http.Error(w, err.Error(), http.StatusTeapot)
					return
				}
				if status == 0 { // with the body read, the server notices the client leave
					<-r.Context().Done()
					return
				}
				if status >= 300 {
					http.Error(w, "boom", status)
					return
				}
				w.WriteHeader(status)
			}))
			defer srv.Close()
			wh, err := NewWebhook(WebhookConfig{URL: srv.URL + "/hook", Headers: map[string]string{"Authorization": "Bearer t"},
				Timeout: 200 * time.Millisecond, Retry: Retry{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			err = wh.Notify(context.Background(), []Notification{testNotification(StateFiring), testNotification(StateResolved)})
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Notify error = %v, want %q", err, tt.err)
			}
			if calls.Load() != tt.attempts {
				t.Fatalf("%d attempts, want %d", calls.Load(), tt.attempts)
			}
			if tt.err == "" && (got.Status != "firing" || len(got.Alerts) != 2 || got.Alerts[1].Status != "resolved" ||
				got.Alerts[0].Labels["alertname"] != "MemHigh" || got.Alerts[0].Value != 0.95) {
				t.Fatalf("payload = %+v", got)
			}
		})
	}
}

func testNotification(s State) Notification {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return Notification{Status: s, Labels: map[string]string{"alertname": "MemHigh", "service": "web"},
		Annotations: map[string]string{"summary": "high"}, StartsAt: start, EndsAt: start.Add(time.Hour), Value: 0.95}
}

func TestWebhookStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	wh, err := NewWebhook(WebhookConfig{URL: srv.URL, Retry: Retry{Attempts: 100, Backoff: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = wh.Notify(ctx, []Notification{testNotification(StateFiring)})
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("Notify error = %v, want the context's", err)
	}
}

func TestNotifierURLValidation(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "::"} {
		if _, err := NewWebhook(WebhookConfig{URL: u}); err == nil {
			t.Errorf("NewWebhook(%q) accepted", u)
		}
		if _, err := NewAlertmanager(AlertmanagerConfig{URL: u}); err == nil {
			t.Errorf("NewAlertmanager(%q) accepted", u)
		}
	}
}
