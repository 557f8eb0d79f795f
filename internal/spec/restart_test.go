package spec

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestRestartPolicy(t *testing.T) {
	attempts := uint64(3)
	deploy := func(cond string, max *uint64) *types.DeployConfig {
		return &types.DeployConfig{RestartPolicy: &types.RestartPolicy{Condition: cond, MaxAttempts: max}}
	}
	for _, tc := range []struct {
		name       string
		svc        types.ServiceConfig
		awaited    bool
		want       string
		maxRetries int
		err        string
	}{
		{name: "unset", want: "always"},
		{name: "unset but awaited for completion", awaited: true, want: "on-failure"},
		{name: "always", svc: types.ServiceConfig{Restart: "always"}, want: "always"},
		{name: "explicit always beats awaited", svc: types.ServiceConfig{Restart: "always"}, awaited: true, want: "always"},
		{name: "unless-stopped", svc: types.ServiceConfig{Restart: "unless-stopped"}, want: "unless-stopped"},
		{name: "no", svc: types.ServiceConfig{Restart: "no"}, want: "no"},
		{name: "on-failure", svc: types.ServiceConfig{Restart: "on-failure"}, want: "on-failure"},
		{name: "on-failure:5", svc: types.ServiceConfig{Restart: "on-failure:5"}, want: "on-failure", maxRetries: 5},
		{name: "deploy none", svc: types.ServiceConfig{Deploy: deploy("none", nil)}, want: "no"},
		{name: "deploy on-failure", svc: types.ServiceConfig{Deploy: deploy("on-failure", &attempts)}, want: "on-failure", maxRetries: 3},
		{name: "deploy any", svc: types.ServiceConfig{Deploy: deploy("any", nil)}, want: "always"},
		{name: "restart beats deploy", svc: types.ServiceConfig{Restart: "no", Deploy: deploy("any", nil)}, want: "no"},
		{name: "deploy beats awaited", svc: types.ServiceConfig{Deploy: deploy("any", nil)}, awaited: true, want: "always"},
		{name: "garbage", svc: types.ServiceConfig{Restart: "sometimes"}, err: `invalid restart policy "sometimes"`},
		{name: "count on always", svc: types.ServiceConfig{Restart: "always:3"}, err: "only on-failure takes a retry count"},
		{name: "negative count", svc: types.ServiceConfig{Restart: "on-failure:-1"}, err: "non-negative"},
		{name: "bad deploy condition", svc: types.ServiceConfig{Deploy: deploy("sometimes", nil)}, err: `invalid restart condition "sometimes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, retries, err := restartPolicy(tc.svc, tc.awaited)
			if tc.err != "" {
				if err == nil || !contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want || retries != tc.maxRetries {
				t.Errorf("got %q:%d (%v), want %q:%d", got, retries, err, tc.want, tc.maxRetries)
			}
		})
	}
}
