package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// AlertmanagerConfig configures an Alertmanager notifier. Only URL, the
// Alertmanager's base URL (http://host:9093), is required.
type AlertmanagerConfig struct {
	URL     string
	Headers map[string]string // e.g. Authorization; never logged
	Timeout time.Duration     // per attempt, default 10s
	Retry   Retry
	Client  *http.Client
	Logger  *slog.Logger
}

// Alertmanager sends alerts to Alertmanager's v2 API. Firing alerts carry
// an endsAt ahead of now and are resent by the Manager before it passes;
// resolved ones carry their resolution time, which resolves them.
type Alertmanager struct {
	url    string
	poster poster
}

var _ Notifier = (*Alertmanager)(nil)

// postableAlert is Alertmanager's v2 postableAlert.
type postableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// NewAlertmanager checks the URL and returns an Alertmanager notifier.
func NewAlertmanager(cfg AlertmanagerConfig) (*Alertmanager, error) {
	u := strings.TrimRight(cfg.URL, "/") + "/api/v2/alerts"
	p, err := newPoster(cfg.URL, cfg.Client, cfg.Timeout, cfg.Retry, cfg.Headers, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("creating alertmanager notifier: %w", err)
	}
	return &Alertmanager{url: u, poster: p}, nil
}

// Name returns "alertmanager".
func (a *Alertmanager) Name() string { return "alertmanager" }

// Notify POSTs the alerts to /api/v2/alerts.
func (a *Alertmanager) Notify(ctx context.Context, alerts []Notification) error {
	out := make([]postableAlert, len(alerts))
	for i, n := range alerts {
		out[i] = postableAlert{Labels: n.Labels, Annotations: n.Annotations,
			StartsAt: n.StartsAt.UTC(), EndsAt: n.EndsAt.UTC(), GeneratorURL: n.GeneratorURL}
	}
	body, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encoding alerts: %w", err)
	}
	return a.poster.post(ctx, a.url, body)
}
