package proxy

import (
	"bufio"
	"io"
	"net"
)

// splice copies both ways between two connections until both directions
// have ended, each end's read buffer first. Ending one direction
// half-closes the other side, so protocols that shut down one way work.
// It returns the bytes copied a→b and b→a.
func splice(a net.Conn, ab *bufio.Reader, b net.Conn, bb *bufio.Reader) (aToB, bToA int64) {
	done := make(chan int64, 1)
	go func() { done <- copyHalf(b, a, ab) }()
	bToA = copyHalf(a, b, bb)
	aToB = <-done
	return aToB, bToA
}

func copyHalf(dst, src net.Conn, buffered *bufio.Reader) int64 {
	var n int64
	if buffered != nil && buffered.Buffered() > 0 {
		b, _ := buffered.Peek(buffered.Buffered())
		w, err := dst.Write(b)
		n += int64(w)
		if err != nil {
			_ = src.Close()
			return n
		}
		_, _ = buffered.Discard(len(b))
	}
	// io.Copy between two TCP connections uses splice(2) on Linux.
	m, err := io.Copy(dst, src)
	n += m
	if cw, ok := dst.(interface{ CloseWrite() error }); ok && err == nil {
		_ = cw.CloseWrite()
	} else {
		_ = dst.Close()
		_ = src.Close()
	}
	return n
}
