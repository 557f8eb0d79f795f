package proxy

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
)

// openAccessLog opens the access log: path "" is none, "-" is stdout,
// anything else a file rotated past maxSize bytes (0 never rotates).
func openAccessLog(path string, maxSize int64, log *slog.Logger) (io.Writer, func(), error) {
	switch path {
	case "":
		return nil, func() {}, nil
	case "-":
		return os.Stdout, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the access log: %w", err)
	}
	lf := &logFile{path: path, max: maxSize, f: f, log: log}
	return lf, lf.close, nil
}

// logFile is an access log file rotated by size: once it passes max bytes
// it is renamed to path+".1" (replacing the previous one) and writing goes
// on in a fresh file. Rotation runs in the access log's flusher (rotate),
// never on the request path, which at most waits for a pointer swap.
type logFile struct {
	path    string
	max     int64
	log     *slog.Logger
	lastErr string // the last rotation error logged, so a lasting one is logged once

	mu sync.Mutex
	f  *os.File
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Write(p)
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.f.Close()
}

// rotate is called by the flusher after each flush. Besides rotating by
// size it follows the file when someone else moved or removed it: the
// other proxy process during a takeover, which shares the file, or
// logrotate.
func (l *logFile) rotate() {
	l.mu.Lock()
	f := l.f
	l.mu.Unlock()
	mine, err := f.Stat()
	if err != nil {
		l.failed(err)
		return
	}
	cur, err := os.Stat(l.path)
	switch {
	case err != nil || !os.SameFile(mine, cur):
		l.reopen()
	case l.max > 0 && mine.Size() >= l.max:
		// Lines written between the rename and the swap land in .1.
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			l.failed(err)
			return
		}
		l.reopen()
	}
}

func (l *logFile) reopen() {
	nf, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		l.failed(err) // keep writing to the old file; try again next flush
		return
	}
	l.mu.Lock()
	old := l.f
	l.f = nf
	l.mu.Unlock()
	_ = old.Close()
	l.lastErr = ""
}

func (l *logFile) failed(err error) {
	if msg := err.Error(); msg != l.lastErr && l.log != nil {
		l.lastErr = msg
		l.log.Warn("rotating the access log", "path", l.path, "err", err)
	}
}
