package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to a proxy over its control socket.
type Client struct {
	http *http.Client
	path string
}

// NewClient returns a client for the proxy at socketPath.
func NewClient(socketPath string) *Client {
	return &Client{path: socketPath, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socketPath)
		},
	}}}
}

// StatusError is a refusal from the proxy; Message is its explanation.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return e.Message }

// Ping asks the proxy who it is.
func (c *Client) Ping(ctx context.Context) (PingInfo, error) {
	var info PingInfo
	err := c.do(ctx, http.MethodGet, "/v1/ping", nil, &info)
	return info, err
}

// Put replaces a stack's config; nothing changes when it fails.
func (c *Client) Put(ctx context.Context, cfg StackConfig) error {
	body, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding the config of stack %s: %w", cfg.Stack, err)
	}
	return c.do(ctx, http.MethodPut, "/v1/stacks/"+url.PathEscape(cfg.Stack), body, nil)
}

// Delete removes a stack's routes.
func (c *Client) Delete(ctx context.Context, stack string) error {
	return c.do(ctx, http.MethodDelete, "/v1/stacks/"+url.PathEscape(stack), nil, nil)
}

// Stacks returns the configs the proxy serves.
func (c *Client) Stacks(ctx context.Context) ([]StackConfig, error) {
	var out []StackConfig
	err := c.do(ctx, http.MethodGet, "/v1/stacks", nil, &out)
	return out, err
}

// Stats returns the proxy's counters.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var out Stats
	err := c.do(ctx, http.MethodGet, "/v1/stats", nil, &out)
	return out, err
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://proxy"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("proxy control socket %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var eb errorBody
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return &StatusError{Code: resp.StatusCode, Message: msg}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding the proxy's answer to %s %s: %w", method, path, err)
	}
	return nil
}
