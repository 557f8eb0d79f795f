package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Retry bounds how a notifier retries a failed POST: Attempts in all,
// waiting Backoff, then twice that, and so on up to MaxBackoff. Network
// errors, 429 and 5xx responses are retried; other 4xx are not.
type Retry struct {
	Attempts   int           // default 3
	Backoff    time.Duration // default 500ms
	MaxBackoff time.Duration // default 5s
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 3
	}
	if r.Backoff <= 0 {
		r.Backoff = 500 * time.Millisecond
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 5 * time.Second
	}
	return r
}

// errPermanent marks a failure that retrying will not fix.
var errPermanent = errors.New("not retried")

// poster POSTs JSON with a per-attempt timeout and bounded retries.
type poster struct {
	client  *http.Client
	timeout time.Duration
	retry   Retry
	headers map[string]string
	log     *slog.Logger
}

func newPoster(rawURL string, client *http.Client, timeout time.Duration, retry Retry, headers map[string]string, log *slog.Logger) (poster, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return poster{}, fmt.Errorf("invalid notifier URL %q: want http(s)://host[:port]/path", rawURL)
	}
	if client == nil {
		client = &http.Client{}
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return poster{client: client, timeout: timeout, retry: retry.withDefaults(), headers: headers, log: log}, nil
}

// post sends body to url until it succeeds, fails permanently, runs out of
// attempts or ctx ends.
func (p poster) post(ctx context.Context, url string, body []byte) error {
	wait := p.retry.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		if err = p.once(ctx, url, body); err == nil || errors.Is(err, errPermanent) || attempt == p.retry.Attempts {
			return err
		}
		p.log.Debug("notification failed, retrying", "url", url, "attempt", attempt, "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, p.retry.MaxBackoff)
	}
}

func (p poster) once(ctx context.Context, url string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building request to %s: %w: %w", url, err, errPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "berth-alert")
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("posting to %s: %w", url, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // for the error only
	switch {
	case resp.StatusCode/100 == 2:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("posting to %s: %s: %s", url, resp.Status, bytes.TrimSpace(msg))
	default:
		return fmt.Errorf("posting to %s: %s: %s: %w", url, resp.Status, bytes.TrimSpace(msg), errPermanent)
	}
}
