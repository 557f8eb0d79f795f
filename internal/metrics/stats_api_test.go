package metrics

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// fakeStatsAPI answers ContainerStats with a file's content.
type fakeStatsAPI struct {
	body string
	err  error
	opts []client.ContainerStatsOptions
}

func (f *fakeStatsAPI) ContainerStats(_ context.Context, _ string, o client.ContainerStatsOptions) (client.ContainerStatsResult, error) {
	f.opts = append(f.opts, o)
	if f.err != nil {
		return client.ContainerStatsResult{}, f.err
	}
	return client.ContainerStatsResult{Body: io.NopCloser(strings.NewReader(f.body))}, nil
}

var _ StatsAPI = (*fakeStatsAPI)(nil)

func TestStatsAPISampler(t *testing.T) {
	read := time.Date(2026, 11, 23, 6, 46, 25, 0, time.UTC)
	tests := []struct {
		file string
		want Sample
	}{{
		file: "testdata/stats_v1.json",
		want: Sample{
			Time:          read.Add(735314643),
			CPUUsageNanos: 39369609, CPUThrottledPeriods: 7, CPUThrottledNanos: 350000000,
			MemoryUsage: 52428800, MemoryWorkingSet: 52428800 - 8388608, MemoryLimit: 67108864,
			NetRxBytes: 1000736, NetTxBytes: 2000300, BlkReadBytes: 4096, BlkWriteBytes: 8192, Pids: 6,
		},
	}, {
		file: "testdata/stats_v2.json",
		want: Sample{
			Time:          read,
			CPUUsageNanos: 2500000000, CPUThrottledPeriods: 3, CPUThrottledNanos: 120000000,
			MemoryUsage: 31457280, MemoryWorkingSet: 31457280 - 6291456, MemoryLimit: 134217728,
			NetRxBytes: 1000736, NetTxBytes: 2000300, BlkReadBytes: 1049088, BlkWriteBytes: 2097152, Pids: 3,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			api := &fakeStatsAPI{body: string(body)}
			got, err := NewStatsAPISampler(api).Sample(t.Context(), "x")
			if err != nil {
				t.Fatal(err)
			}
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("Time = %v, want %v", got.Time, tt.want.Time)
			}
			got.Time, tt.want.Time = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
			if len(api.opts) != 1 || api.opts[0].Stream || api.opts[0].IncludePreviousSample {
				t.Errorf("options = %+v, want one one-shot call", api.opts)
			}
		})
	}
}

func TestStatsAPISamplerErrors(t *testing.T) {
	tests := []struct {
		name    string
		api     *fakeStatsAPI
		wantMsg string
	}{
		{"call fails", &fakeStatsAPI{err: errors.New("boom")}, "getting stats of container x: boom"},
		{"bad json", &fakeStatsAPI{body: "{"}, "decoding stats of container x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewStatsAPISampler(tt.api).Sample(t.Context(), "x")
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}
