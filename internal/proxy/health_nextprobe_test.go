package proxy

import (
	"testing"
	"time"
)

func TestNextProbe(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		ever     bool
		age      time.Duration
		want     time.Duration
	}{
		{"new endpoint not yet passed", time.Second, false, time.Second, startupProbe},
		{"passed once", time.Second, true, time.Second, time.Second},
		{"never passed for long", time.Second, false, time.Minute, time.Second},
		{"interval shorter than the startup probe", 10 * time.Millisecond, false, 0, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextProbe(tt.interval, tt.ever, tt.age); got != tt.want {
				t.Fatalf("nextProbe = %s, want %s", got, tt.want)
			}
		})
	}
}
