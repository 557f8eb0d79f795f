package logstore

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/moby/moby/api/pkg/stdcopy"
)

// frame is one frame of the engine's multiplexed stream.
func frame(stream stdcopy.StdType, payload string) []byte {
	b := []byte{byte(stream), 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[4:], uint32(len(payload)))
	return append(b, payload...)
}

// TestDemux checks that demux hands each frame whole to the right
// stream's writer, whatever the reads' sizes, like stdcopy.StdCopy.
func TestDemux(t *testing.T) {
	big := strings.Repeat("b", 100<<10) // larger than demux's buffer
	var in bytes.Buffer
	in.Write(frame(stdcopy.Stdout, "o1\n"))
	in.Write(frame(stdcopy.Stderr, "e1\n"))
	in.Write(frame(stdcopy.Stdin, "i1\n"))
	in.Write(frame(stdcopy.Stdout, big+"\n"))
	in.Write(frame(stdcopy.Stdout, "o2\n"))
	for name, r := range map[string]func() io.Reader{
		"whole": func() io.Reader { return bytes.NewReader(in.Bytes()) },
		// Short reads are followed by a coalesceDelay pause, so one byte
		// at a time would take minutes; halves split frames just as well.
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(in.Bytes())) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(in.Bytes())) },
		"cut at end": func() io.Reader {
			return io.MultiReader(bytes.NewReader(in.Bytes()), bytes.NewReader(frame(stdcopy.Stdout, "lost")[:10]))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var got [2][]string
			p := &pump{}
			out := &frameRecorder{frames: &got[0]}
			errw := &frameRecorder{frames: &got[1]}
			if err := demuxTo(r(), out, errw, p); err != nil {
				t.Fatal(err)
			}
			want := [2][]string{{"o1\n", "i1\n", big + "\n", "o2\n"}, {"e1\n"}}
			for i := range got {
				if len(got[i]) != len(want[i]) {
					t.Fatalf("stream %d: %d frames, want %d", i, len(got[i]), len(want[i]))
				}
				for j := range got[i] {
					if got[i][j] != want[i][j] {
						t.Errorf("stream %d frame %d: %.20q..., want %.20q...", i, j, got[i][j], want[i][j])
					}
				}
			}
		})
	}
	t.Run("systemerr", func(t *testing.T) {
		var sink []string
		in := append(frame(stdcopy.Stdout, "o1\n"), frame(stdcopy.Systemerr, "boom")...)
		err := demuxTo(bytes.NewReader(in), &frameRecorder{frames: &sink}, &frameRecorder{frames: &sink}, &pump{})
		if err == nil || !strings.Contains(err.Error(), "boom") || len(sink) != 1 {
			t.Fatalf("err %v, frames %q", err, sink)
		}
	})
}

type frameRecorder struct{ frames *[]string }

func (f *frameRecorder) Write(b []byte) (int, error) {
	*f.frames = append(*f.frames, string(b))
	return len(b), nil
}
