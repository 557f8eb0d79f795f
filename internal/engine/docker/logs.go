package docker

import (
	"bufio"
	"context"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/engine"
)

// LogOptions select a container's log lines.
type LogOptions struct {
	Follow bool
	Tail   string // "all" or a number of lines
	Since  string
}

// Logs streams a container's stdout and stderr line by line to fn until
// the stream ends, ctx ends or fn returns false. The stream carries no
// deadline: following a log is meant to last.
func (d *Driver) Logs(ctx context.Context, id string, opts LogOptions, fn func(engine.LogLine) bool) error {
	if opts.Tail == "" {
		opts.Tail = "all"
	}
	rc, err := d.api.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true, Timestamps: true,
		Follow: opts.Follow, Tail: opts.Tail, Since: opts.Since,
	})
	if err != nil {
		return d.wrap(ctx, "reading logs of "+short(id), err)
	}
	defer rc.Close()
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(outW, errW, rc)
		outW.CloseWithError(err)
		errW.CloseWithError(err)
	}()
	lines := make(chan engine.LogLine)
	done := make(chan struct{})
	defer close(done)
	scan := func(r io.Reader, stream string) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			l := parseLogLine(sc.Text(), stream)
			select {
			case lines <- l:
			case <-done:
				return
			}
		}
		select {
		case lines <- engine.LogLine{Stream: "eof"}:
		case <-done:
		}
	}
	go scan(outR, "stdout")
	go scan(errR, "stderr")
	for open := 2; open > 0; {
		select {
		case <-ctx.Done():
			return nil
		case l := <-lines:
			if l.Stream == "eof" {
				open--
				continue
			}
			if !fn(l) {
				return nil
			}
		}
	}
	return nil
}

// parseLogLine splits the engine's RFC 3339 timestamp off a line.
func parseLogLine(s, stream string) engine.LogLine {
	ts, text, ok := strings.Cut(s, " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil {
		return engine.LogLine{Stream: stream, Text: s}
	}
	return engine.LogLine{Time: t, Stream: stream, Text: text}
}
