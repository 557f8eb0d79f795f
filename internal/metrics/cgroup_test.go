package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	idC = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	idD = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
)

func TestDetectLayout(t *testing.T) {
	tests := []struct {
		root    string
		want    Layout
		wantErr error
	}{
		{"testdata/cgroupv1", LayoutV1, nil},
		{"testdata/cgroupv2", LayoutV2, nil},
		{"testdata/empty", 0, ErrNoCgroups},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			got, err := DetectLayout(tt.root)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("DetectLayout = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCgroupReaderSample(t *testing.T) {
	tests := []struct {
		name string
		root string
		id   string
		pid  int
		want Sample
	}{{
		name: "v1 cgroupfs, all files",
		root: "testdata/cgroupv1", id: idA, pid: 4242,
		want: Sample{
			CPUUsageNanos: 39140607, CPUThrottledPeriods: 7, CPUThrottledNanos: 350000000,
			MemoryUsage: 52428800, MemoryWorkingSet: 52428800 - 8388608, MemoryLimit: 67108864,
			OOMKills: 2, NetRxBytes: 1000736, NetTxBytes: 2000300,
			BlkReadBytes: 5096, BlkWriteBytes: 8216, Pids: 6,
		},
	}, {
		name: "v1 systemd, unlimited, optional files missing, no pid",
		root: "testdata/cgroupv1", id: idB, pid: 0,
		want: Sample{CPUUsageNanos: 1e9, MemoryUsage: 2097152, MemoryWorkingSet: 0},
	}, {
		name: "v2 systemd, all files",
		root: "testdata/cgroupv2", id: idC, pid: 4242,
		want: Sample{
			CPUUsageNanos: 2500000000, CPUThrottledPeriods: 3, CPUThrottledNanos: 120000000,
			MemoryUsage: 31457280, MemoryWorkingSet: 31457280 - 6291456, MemoryLimit: 134217728,
			OOMKills: 1, NetRxBytes: 1000736, NetTxBytes: 2000300,
			BlkReadBytes: 1049088, BlkWriteBytes: 2097152, Pids: 3,
		},
	}, {
		name: "v2 cgroupfs, memory.max is max, no io.stat, only lo",
		root: "testdata/cgroupv2", id: idD, pid: 4343,
		want: Sample{CPUUsageNanos: 100000, MemoryUsage: 4096, MemoryWorkingSet: 4096, Pids: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCgroupReader(tt.root, "testdata/proc")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			for round := range 2 { // the second round rereads open files
				got, err := r.Sample(tt.id, tt.pid)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if time.Since(got.Time) > time.Minute {
					t.Errorf("round %d: Time = %v, want now", round, got.Time)
				}
				got.Time = time.Time{}
				if got != tt.want {
					t.Errorf("round %d:\n got %+v\nwant %+v", round, got, tt.want)
				}
			}
		})
	}
}

func TestCgroupReaderErrors(t *testing.T) {
	tests := []struct {
		name, root, id string
		pid            int
		wantErr        error
		wantMsg        string
	}{
		{"unknown container", "testdata/cgroupv1", strings.Repeat("e", 64), 0, ErrCgroupNotFound, "finding v1 cgroup"},
		{"unknown pid", "testdata/cgroupv2", idC, 999999, nil, "opening testdata/proc/999999/net/dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCgroupReader(tt.root, "testdata/proc")
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Sample(tt.id, tt.pid)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Sample error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

func TestCgroupReaderRetainClosesFiles(t *testing.T) {
	r, err := NewCgroupReader("testdata/cgroupv1", "testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{idA, idB} {
		if _, err := r.Sample(id, 0); err != nil {
			t.Fatal(err)
		}
	}
	r.Retain(map[string]struct{}{idA: {}})
	if _, ok := r.handles[idB]; ok || len(r.handles) != 1 {
		t.Fatalf("after Retain(A): handles %d, B kept %v", len(r.handles), ok)
	}
	_ = r.Close()
	if len(r.handles) != 0 {
		t.Fatalf("after Close: %d handles", len(r.handles))
	}
}

func TestCgroupReaderNoAllocsAfterOpen(t *testing.T) {
	r, err := NewCgroupReader("testdata/cgroupv1", "testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	if _, err := r.Sample(idA, 4242); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.Sample(idA, 4242); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Sample allocates %v times per call, want 0", allocs)
	}
}
