package logstore

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// resumeSlack is how far before the oldest stream cursor a resumed read
// starts (see cursor.since); the cursors drop what was already stored.
const resumeSlack = int64(2 * time.Second)

// follow reads the container's log until ctx ends. When the stream ends
// (the container stopped) it reads again after a pause that doubles up
// to Interval while nothing new arrives.
func (c *Collector) follow(ctx context.Context, t *tail) {
	log := c.log.With("container", t.target.Name, "id", short(t.target.ID))
	bucket := newTokenBucket(c.opts.RateLimit, c.opts.Burst)
	for wait := time.Second; ; {
		got, err := c.read(ctx, t, bucket)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("reading container log", "err", err)
		}
		if got > 0 {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, c.opts.Interval)
	}
}

// read follows the log once, from the store's resume cursor, and
// returns how many new lines it met.
func (c *Collector) read(ctx context.Context, t *tail, bucket *tokenBucket) (int, error) {
	t.cur = later(t.cur, c.store.resumeCursor(t.target.ID))
	p := &pump{ctx: ctx, c: c, t: t, bucket: bucket, cur: &t.cur}
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true}
	if since := p.cur.since(resumeSlack); since > 0 {
		opts.Since = fmt.Sprintf("%d.%09d", since/1e9, since%1e9)
	}
	rc, err := c.api.ContainerLogs(ctx, t.target.ID, opts)
	if err != nil {
		return 0, fmt.Errorf("opening the log of %s: %w", short(t.target.ID), err)
	}
	defer rc.Close()
	out := &lineWriter{p: p, stream: 0, max: c.opts.MaxLineBytes + maxStampLen}
	errw := &lineWriter{p: p, stream: 1, max: c.opts.MaxLineBytes + maxStampLen}
	_, err = stdcopy.StdCopy(out, errw, flushReader{r: rc, p: p})
	if err == nil {
		out.finish() // the stream ended: a last line without newline is whole
		errw.finish()
	}
	p.flush()
	if p.err != nil {
		return p.taken, p.err
	}
	if err != nil && ctx.Err() == nil {
		return p.taken, fmt.Errorf("reading the log of %s: %w", short(t.target.ID), err)
	}
	return p.taken, nil
}

// flushReader hands the pending lines to the store before every read
// from the engine, so lines never wait on a quiet stream; a failed
// hand-over (store closed) ends the read.
type flushReader struct {
	r io.Reader
	p *pump
}

func (f flushReader) Read(b []byte) (int, error) {
	f.p.flush()
	if f.p.err != nil {
		return 0, f.p.err
	}
	return f.r.Read(b)
}

func short(id string) string { return id[:min(len(id), 12)] }
