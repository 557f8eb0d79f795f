package docker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
)

// streamMessage is one JSON message of a build or pull response. It
// decodes the legacy top-level "error" and "progress" strings too, which
// jsonstream.Message leaves out.
type streamMessage struct {
	Stream      string            `json:"stream"`
	Status      string            `json:"status"`
	Progress    string            `json:"progress"`
	ID          string            `json:"id"`
	Error       string            `json:"error"`
	ErrorDetail *jsonstream.Error `json:"errorDetail"`
}

// failure returns the engine's error in the message, if any.
func (m streamMessage) failure() error {
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		return m.ErrorDetail
	}
	if m.Error != "" {
		return &jsonstream.Error{Message: m.Error}
	}
	return nil
}

// readProgress reads a build or pull message stream to its end, reporting
// human-readable lines to progress (may be nil). An error message in the
// stream becomes the returned error, a *jsonstream.Error carrying the
// engine's own words.
func readProgress(r io.Reader, progress func(string)) error {
	lines := lineSplitter{emit: progress}
	defer lines.flush()
	dec := json.NewDecoder(r)
	for {
		var m streamMessage
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the engine's progress stream: %w", err)
		}
		if err := m.failure(); err != nil {
			return err
		}
		switch {
		case m.Stream != "":
			lines.write(m.Stream)
		case m.Status != "" && m.Progress == "":
			// Messages with a progress bar are intermediate download and
			// extract ticks: only the status changes are worth a line.
			lines.line(statusLine(m))
		}
	}
}

// statusLine renders a pull status like the docker CLI: "id: status".
func statusLine(m streamMessage) string {
	if m.ID == "" {
		return m.Status
	}
	return m.ID + ": " + m.Status
}

// lineSplitter turns build output chunks, which may hold several lines or
// part of one, into whole lines.
type lineSplitter struct {
	emit    func(string)
	pending string
}

// write adds a chunk of output.
func (s *lineSplitter) write(chunk string) {
	text := s.pending + chunk
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			break
		}
		s.line(text[:i])
		text = text[i+1:]
	}
	s.pending = text
}

// line reports one whole line, skipping blank ones.
func (s *lineSplitter) line(l string) {
	l = strings.TrimRight(l, "\r \t")
	if s.emit != nil && strings.TrimSpace(l) != "" {
		s.emit(l)
	}
}

// flush reports a trailing partial line.
func (s *lineSplitter) flush() {
	if s.pending != "" {
		s.line(s.pending)
		s.pending = ""
	}
}
