package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/berth-dev/berth/internal/engine"
	"github.com/berth-dev/berth/internal/store"
)

// ErrDaemonUnreachable is returned when no daemon answers at the address.
var ErrDaemonUnreachable = errors.New("berth daemon is not reachable")

// Client talks to a berth daemon.
type Client struct {
	http  *http.Client
	base  string
	addr  string
	token string
}

// ClientOptions say where the daemon is.
type ClientOptions struct {
	// Host is "unix:///path/to/berth.sock" or "https://host:port".
	Host string
	// Token is the bearer token for TCP.
	Token string
	// CAFile verifies the daemon's TLS certificate (system roots when
	// empty).
	CAFile string
}

// NewClient returns a client for the daemon at opts.Host.
func NewClient(opts ClientOptions) (*Client, error) {
	u, err := url.Parse(opts.Host)
	if err != nil {
		return nil, fmt.Errorf("parsing daemon address %q: %w", opts.Host, err)
	}
	c := &Client{addr: opts.Host, token: opts.Token}
	switch u.Scheme {
	case "unix":
		path := u.Path
		c.base = "http://berth"
		c.http = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			},
		}}
	case "https":
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.CAFile != "" {
			pem, err := os.ReadFile(opts.CAFile)
			if err != nil {
				return nil, fmt.Errorf("reading CA file: %w", err)
			}
			tlsCfg.RootCAs = x509.NewCertPool()
			if !tlsCfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("no certificate found in %s", opts.CAFile)
			}
		}
		c.base = "https://" + u.Host
		c.http = &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	default:
		return nil, fmt.Errorf("daemon address %q: use unix:///path or https://host:port (plain http is refused)", opts.Host)
	}
	return c, nil
}

// do sends a request and returns the response when it is 2xx.
func (c *Client) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w at %s (start it with `berth daemon`): %v", ErrDaemonUnreachable, c.addr, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var eb ErrorBody
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			return nil, &StatusError{Code: resp.StatusCode, Msg: eb.Error}
		}
		return nil, &StatusError{Code: resp.StatusCode, Msg: strings.TrimSpace(string(data))}
	}
	return resp, nil
}

// StatusError is a non-2xx answer from the daemon.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *Client) postJSON(ctx context.Context, path string, body, v any) error {
	resp, err := c.do(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// stream sends a request and calls fn for every message of the answer. It
// returns the final result message's error, if any.
func (c *Client) stream(ctx context.Context, method, path string, body any, fn func(Message)) error {
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 8<<20)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return fmt.Errorf("decoding daemon message: %w", err)
		}
		if fn != nil {
			fn(m)
		}
		if m.Type == "result" {
			if m.Error != "" {
				return errors.New(m.Error)
			}
			return nil
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading from daemon: %w", err)
	}
	return ctx.Err()
}

// Version returns the daemon's version.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	var v VersionInfo
	return v, c.getJSON(ctx, "/v1/version", &v)
}

// Stacks lists the stacks.
func (c *Client) Stacks(ctx context.Context) ([]StackInfo, error) {
	var v []StackInfo
	return v, c.getJSON(ctx, "/v1/stacks", &v)
}

// Stack inspects one stack.
func (c *Client) Stack(ctx context.Context, name string) (StackInfo, error) {
	var v StackInfo
	return v, c.getJSON(ctx, "/v1/stacks/"+url.PathEscape(name), &v)
}

// Containers lists managed containers (of one stack when named).
func (c *Client) Containers(ctx context.Context, stack string) ([]engine.Container, error) {
	var v []engine.Container
	return v, c.getJSON(ctx, "/v1/containers?stack="+url.QueryEscape(stack), &v)
}

// Plan asks what `up` would change.
func (c *Client) Plan(ctx context.Context, name string, req UpRequest) (PlanResponse, error) {
	var v PlanResponse
	return v, c.postJSON(ctx, "/v1/stacks/"+url.PathEscape(name)+"/plan", req, &v)
}

// Up deploys, calling fn with progress messages.
func (c *Client) Up(ctx context.Context, name string, req UpRequest, fn func(Message)) error {
	return c.stream(ctx, http.MethodPost, "/v1/stacks/"+url.PathEscape(name)+"/up", req, fn)
}

// Down takes a stack down.
func (c *Client) Down(ctx context.Context, name string, req DownRequest, fn func(Message)) error {
	return c.stream(ctx, http.MethodPost, "/v1/stacks/"+url.PathEscape(name)+"/down", req, fn)
}

// Scale sets a service's replicas.
func (c *Client) Scale(ctx context.Context, name string, req ScaleRequest, fn func(Message)) error {
	return c.stream(ctx, http.MethodPost, "/v1/stacks/"+url.PathEscape(name)+"/scale", req, fn)
}

// Restart restarts services of a stack.
func (c *Client) Restart(ctx context.Context, name string, req RestartRequest) (int, error) {
	var v map[string]int
	err := c.postJSON(ctx, "/v1/stacks/"+url.PathEscape(name)+"/restart", req, &v)
	return v["restarted"], err
}

// Logs streams log lines; query holds stack, service, container, tail,
// since and follow.
func (c *Client) Logs(ctx context.Context, query url.Values, fn func(Message)) error {
	return c.stream(ctx, http.MethodGet, "/v1/logs?"+query.Encode(), nil, fn)
}

// Events streams journal events; query holds stack, tail and follow.
func (c *Client) Events(ctx context.Context, query url.Values, fn func(Message)) error {
	return c.stream(ctx, http.MethodGet, "/v1/events?"+query.Encode(), nil, fn)
}

// Spec returns a stack revision's canonical YAML (0: current).
func (c *Client) Spec(ctx context.Context, name string, revision int64) ([]byte, error) {
	path := "/v1/stacks/" + url.PathEscape(name) + "/spec"
	if revision > 0 {
		path += fmt.Sprintf("?revision=%d", revision)
	}
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Stats returns the latest resource usage of containers (of one stack when
// named).
func (c *Client) Stats(ctx context.Context, stack string) ([]StatsRow, error) {
	var v []StatsRow
	return v, c.getJSON(ctx, "/v1/stats?stack="+url.QueryEscape(stack), &v)
}

// Rollout returns the stack's rollouts in progress and latest rollback.
func (c *Client) Rollout(ctx context.Context, name string) (RolloutResponse, error) {
	var v RolloutResponse
	return v, c.getJSON(ctx, "/v1/stacks/"+url.PathEscape(name)+"/rollout", &v)
}

// Revisions lists the stack's revisions, oldest first.
func (c *Client) Revisions(ctx context.Context, name string) ([]store.Revision, error) {
	var v []store.Revision
	return v, c.getJSON(ctx, "/v1/stacks/"+url.PathEscape(name)+"/revisions", &v)
}

// Undo goes back to an earlier revision, calling fn with progress.
func (c *Client) Undo(ctx context.Context, name string, req UndoRequest, fn func(Message)) error {
	return c.stream(ctx, http.MethodPost, "/v1/stacks/"+url.PathEscape(name)+"/undo", req, fn)
}
