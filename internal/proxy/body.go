package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

var errBadChunk = errors.New("malformed chunked body")

// blockHook runs before a body copy blocks on its source: the moment to
// flush what was copied so far (so streams stream) and to arm deadlines.
type blockHook interface{ beforeBlock() error }

// pipe copies one message body from src to dst through src's buffer, so
// every byte is copied once and no intermediate buffer is needed.
type pipe struct {
	src  *bufio.Reader
	dst  io.Writer
	hook blockHook
	n    int64 // body bytes copied (chunked framing not counted)
	// srcFailed tells, after an error, whether reading the source failed
	// (rather than writing to dst).
	srcFailed bool
}

// fill makes sure src has buffered bytes, running the hook first when it
// must wait for them.
func (p *pipe) fill() error {
	if p.src.Buffered() > 0 {
		return nil
	}
	if p.hook != nil {
		if err := p.hook.beforeBlock(); err != nil {
			return err
		}
	}
	if _, err := p.src.Peek(1); err != nil {
		p.srcFailed = true
		return err
	}
	return nil
}

func (p *pipe) write(b []byte) error {
	_, err := p.dst.Write(b)
	return err
}

// fixed copies exactly n bytes.
func (p *pipe) fixed(n int64) error {
	for n > 0 {
		if err := p.fill(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		b, _ := p.src.Peek(int(min(int64(p.src.Buffered()), n)))
		if err := p.write(b); err != nil {
			return err
		}
		_, _ = p.src.Discard(len(b))
		n -= int64(len(b))
		p.n += int64(len(b))
	}
	return nil
}

// untilEOF copies a body delimited by the end of the connection.
func (p *pipe) untilEOF() error {
	for {
		if err := p.fill(); err != nil {
			if err == io.EOF {
				p.srcFailed = false
				return nil
			}
			return err
		}
		b, _ := p.src.Peek(p.src.Buffered())
		if err := p.write(b); err != nil {
			return err
		}
		_, _ = p.src.Discard(len(b))
		p.n += int64(len(b))
	}
}

// chunked copies a chunked body. raw keeps the framing (chunk sizes,
// extensions, trailers) byte for byte; otherwise only the data is written,
// for HTTP/1.0 clients and HTTP/2.
func (p *pipe) chunked(raw bool) error {
	for {
		line, err := p.line()
		if err != nil {
			return err
		}
		size, ok := chunkSize(line)
		if !ok {
			return errBadChunk
		}
		if err := p.passLine(line, raw); err != nil {
			return err
		}
		if size == 0 {
			return p.trailer(raw)
		}
		if err := p.fixed(size); err != nil {
			return err
		}
		line, err = p.line()
		if err != nil {
			return err
		}
		if len(trimCR(line[:len(line)-1])) != 0 {
			return errBadChunk
		}
		if err := p.passLine(line, raw); err != nil {
			return err
		}
	}
}

func (p *pipe) trailer(raw bool) error {
	for {
		line, err := p.line()
		if err != nil {
			return err
		}
		end := len(trimCR(line[:len(line)-1])) == 0
		if err := p.passLine(line, raw); err != nil {
			return err
		}
		if end {
			return nil
		}
	}
}

func (p *pipe) passLine(line []byte, raw bool) error {
	if raw {
		if err := p.write(line); err != nil {
			return err
		}
	}
	_, _ = p.src.Discard(len(line))
	return nil
}

// line returns the next line in src, '\n' included, without consuming it.
func (p *pipe) line() ([]byte, error) {
	for {
		buf, _ := p.src.Peek(p.src.Buffered())
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			return buf[:i+1], nil
		}
		if len(buf) >= p.src.Size() {
			return nil, errBadChunk
		}
		if p.hook != nil {
			if err := p.hook.beforeBlock(); err != nil {
				return nil, err
			}
		}
		if _, err := p.src.Peek(len(buf) + 1); err != nil {
			p.srcFailed = true
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// chunkSize parses a chunk-size line: hex digits, then optional
// extensions after ';'.
func chunkSize(line []byte) (int64, bool) {
	line = trimCR(line[:len(line)-1])
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = trimOWS(line)
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range line {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(c)
	}
	return n, true
}
