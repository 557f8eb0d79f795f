package docker

import (
	"testing"

	"github.com/berth-dev/berth/internal/engine"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		status string
		health engine.Health
		code   int
	}{
		{"Up 3 seconds (healthy)", engine.HealthHealthy, 0},
		{"Up 1 minute (unhealthy)", engine.HealthUnhealthy, 0},
		{"Up 2 seconds (health: starting)", engine.HealthStarting, 0},
		{"Up 5 hours", engine.HealthNone, 0},
		{"Exited (137) 2 seconds ago", engine.HealthNone, 137},
		{"Exited (0) About a minute ago", engine.HealthNone, 0},
		{"Restarting (3) 1 second ago", engine.HealthNone, 3},
		{"Created", engine.HealthNone, 0},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			h, code := parseStatus(tt.status)
			if h != tt.health || code != tt.code {
				t.Errorf("parseStatus(%q) = %q, %d; want %q, %d", tt.status, h, code, tt.health, tt.code)
			}
		})
	}
}
