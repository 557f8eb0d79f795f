package logstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
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
		if cerrdefs.IsNotFound(err) {
			// Removed (a replaced replica): its log is complete. The
			// collector's next sync forgets the target.
			log.Debug("container gone; its log is complete")
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
	err = demux(rc, out, errw, p)
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

// A follower that has caught up with a busy log would otherwise read it
// a line at a time (the engine flushes every line), paying a read, a
// wake-up and a hand-over to the store per line while the engine needs
// the CPU to produce them. So after a read that got less than
// coalesceBelow bytes, the next read waits coalesceDelay: the lines
// gather in the socket meanwhile and come in one read. (The pending
// lines go to the store before the wait.)
const (
	coalesceBelow = 2 << 10
	coalesceDelay = 5 * time.Millisecond
)

// demux splits the engine's multiplexed stream (8-byte headers: stream,
// 0, 0, 0, big-endian size) into frames, handing each whole frame to
// out (stdin and stdout) or errw (stderr) in one Write, as
// stdcopy.StdCopy does, but without moving the buffered rest after every
// frame. Before every read from the engine it hands the pending lines to
// the store, so lines never wait on a quiet stream; a failed hand-over
// (store closed) ends the read. The end of the stream, even inside a
// frame, is no error.
func demux(r io.Reader, out, errw *lineWriter, p *pump) error {
	return demuxTo(r, out, errw, p)
}

// demuxTo is demux writing to any writers (tests record the frames).
func demuxTo(r io.Reader, out, errw io.Writer, p *pump) error {
	const prefix = 8
	buf := make([]byte, 64<<10)
	start, end := 0, 0 // buf[start:end] is read but not yet handled
	short := false     // the last read got little: the reader is caught up
	// fill reads until buf[start:end] holds n bytes; false at the end of
	// the stream.
	fill := func(n int) (bool, error) {
		for end-start < n {
			if len(buf)-start < n {
				if n > len(buf) {
					buf = append(buf, make([]byte, n-len(buf))...)
				}
				end = copy(buf, buf[start:end])
				start = 0
			}
			p.flush()
			if p.err != nil {
				return false, p.err
			}
			if short {
				time.Sleep(coalesceDelay)
			}
			k, err := r.Read(buf[end:])
			end += k
			short = k < coalesceBelow
			if errors.Is(err, io.EOF) {
				return end-start >= n, nil
			}
			if err != nil {
				return false, err
			}
		}
		return true, nil
	}
	for {
		if ok, err := fill(prefix); !ok {
			return err
		}
		var w io.Writer
		switch stdcopy.StdType(buf[start]) {
		case stdcopy.Stdin, stdcopy.Stdout:
			w = out
		case stdcopy.Stderr:
			w = errw
		case stdcopy.Systemerr:
		default:
			return fmt.Errorf("unrecognized stream: %d", buf[start])
		}
		size := int(binary.BigEndian.Uint32(buf[start+4 : start+prefix]))
		if ok, err := fill(prefix + size); !ok {
			return err
		}
		frame := buf[start+prefix : start+prefix+size]
		start += prefix + size
		if w == nil {
			return fmt.Errorf("error from daemon in stream: %s", frame)
		}
		_, _ = w.Write(frame)
		if start == end {
			start, end = 0, 0
		}
	}
}

func short(id string) string { return id[:min(len(id), 12)] }
