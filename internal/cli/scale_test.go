package cli

import (
	"testing"
	"time"
)

func TestParseScale(t *testing.T) {
	tests := []struct {
		args    []string
		want    []scaleTarget
		wantErr bool
	}{
		{args: []string{"web=3"}, want: []scaleTarget{{"web", 3}}},
		{args: []string{"web=0", "worker=2"}, want: []scaleTarget{{"web", 0}, {"worker", 2}}},
		{args: []string{"web"}, wantErr: true},
		{args: []string{"web=-1"}, wantErr: true},
		{args: []string{"=3"}, wantErr: true},
		{args: nil, wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseScale(tt.args)
		if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
			t.Errorf("parseScale(%q) = %v, %v", tt.args, got, err)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseScale(%q)[%d] = %v, want %v", tt.args, i, got[i], tt.want[i])
			}
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"10m":                  "2026-01-02T14:50:00Z",
		"2026-01-02T14:00:00Z": "2026-01-02T14:00:00Z",
	} {
		if got, err := parseSince(in, now); err != nil || got != want {
			t.Errorf("parseSince(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseSince("yesterday", now); err == nil {
		t.Error("parseSince accepted garbage")
	}
}
