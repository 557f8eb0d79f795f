package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// WebhookConfig configures a Webhook. Only URL is required.
type WebhookConfig struct {
	URL     string
	Headers map[string]string // e.g. Authorization; never logged
	Timeout time.Duration     // per attempt, default 10s
	Retry   Retry
	Client  *http.Client // default: a new client
	Logger  *slog.Logger
}

// Webhook POSTs alerts as JSON (see WebhookPayload).
type Webhook struct {
	url    string
	poster poster
}

var _ Notifier = (*Webhook)(nil)

// WebhookPayload is the body a Webhook sends, close to Alertmanager's own
// webhook format. Status is "firing" when any alert fires.
type WebhookPayload struct {
	Version string         `json:"version"`
	Status  string         `json:"status"`
	Alerts  []WebhookAlert `json:"alerts"`
}

// WebhookAlert is one alert in a WebhookPayload.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
	Value        float64           `json:"value"`
}

// NewWebhook checks the URL and returns a Webhook.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	p, err := newPoster(cfg.URL, cfg.Client, cfg.Timeout, cfg.Retry, cfg.Headers, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("creating webhook notifier: %w", err)
	}
	return &Webhook{url: cfg.URL, poster: p}, nil
}

// Name returns "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Notify POSTs one payload holding every alert.
func (w *Webhook) Notify(ctx context.Context, alerts []Notification) error {
	pl := WebhookPayload{Version: "1", Status: StateResolved.String()}
	for _, a := range alerts {
		if a.Status == StateFiring {
			pl.Status = StateFiring.String()
		}
		pl.Alerts = append(pl.Alerts, WebhookAlert{Status: a.Status.String(), Labels: a.Labels,
			Annotations: a.Annotations, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
			GeneratorURL: a.GeneratorURL, Value: a.Value})
	}
	body, err := json.Marshal(pl)
	if err != nil {
		return fmt.Errorf("encoding webhook payload: %w", err)
	}
	return w.poster.post(ctx, w.url, body)
}
