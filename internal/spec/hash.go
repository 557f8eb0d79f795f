package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/compose-spec/compose-go/v2/types"
)

// hashLen is how many hex digits of sha256 a hash keeps: 64 bits, plenty
// to tell revisions of one service apart, short enough for a label.
const hashLen = 16

// serviceHash identifies everything that shapes one container of a
// service. The replica count is left out, so scaling never replaces
// containers, and so are profiles, which only select services.
//
// x-berth routes, lb and deploy are left out too (see containerOptions).
func serviceHash(cfg types.ServiceConfig, berth ServiceOptions) (string, error) {
	cfg.Scale = nil
	cfg.Profiles = nil
	if cfg.Deploy != nil {
		d := *cfg.Deploy
		d.Replicas = nil
		cfg.Deploy = &d
		if reflect.ValueOf(d).IsZero() {
			cfg.Deploy = nil // `deploy: {replicas: 2}` is the same container as `scale: 2`
		}
	}
	b, err := json.Marshal(struct {
		Config types.ServiceConfig `json:"config"`
		Berth  containerOptions    `json:"x-berth"`
	}{cfg, containerOptions{ServiceOptions: berth}})
	if err != nil {
		return "", fmt.Errorf("hashing service %q: %w", cfg.Name, err)
	}
	return digest(b), nil
}

// containerOptions is the part of a service's x-berth that the service
// hash covers. Routes, lb and deploy configure the load balancer in front
// of the containers and how the next version rolls out, not the
// containers: changing them pushes a new proxy config and must not replace
// every replica. They stay in the stack's hash (the whole canonical file),
// so such a change still makes a new revision.
//
// The nil fields shadow the embedded ones and are omitted, so the JSON is
// exactly what it was before the traffic settings existed (containers
// started by an older berth keep their hash), and any field added to
// ServiceOptions later is covered unless it is shadowed here.
type containerOptions struct {
	ServiceOptions
	Routes *struct{} `json:"routes,omitempty"`
	LB     *struct{} `json:"lb,omitempty"`
	Deploy *struct{} `json:"deploy,omitempty"`
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:hashLen]
}
