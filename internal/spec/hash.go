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
		Berth  ServiceOptions      `json:"x-berth"`
	}{cfg, berth})
	if err != nil {
		return "", fmt.Errorf("hashing service %q: %w", cfg.Name, err)
	}
	return digest(b), nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:hashLen]
}
