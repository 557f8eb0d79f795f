package spec

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// canonicalFile names the canonical form in errors from LoadCanonical.
const canonicalFile = "canonical.yaml"

// Canonical returns the stack as one resolved Compose file: interpolated,
// merged, extends and include applied, paths absolute, env files folded
// into environment. [LoadCanonical] reads it back to the same stack.
func (s *Stack) Canonical() ([]byte, error) {
	b, err := s.Project.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("encoding stack %q: %w", s.Name, err)
	}
	return b, nil
}

// LoadCanonical loads a stack from its canonical form, as stored by the
// daemon. Nothing outside data is read: no environment, no .env, no file
// referenced by the stack. The result has the same hashes as the stack
// data was made from.
func LoadCanonical(ctx context.Context, name string, data []byte) (st *Stack, err error) {
	defer recoverLoad(&st, &err)
	loc := newLocator([]string{canonicalFile}, nil)
	loc.content = map[string][]byte{canonicalFile: data}
	if err := loc.checkAliases(); err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  "/",
		ConfigFiles: []types.ConfigFile{{Filename: canonicalFile, Content: data}},
		Environment: types.Mapping{},
	}
	p, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.SkipInterpolation = true // values are resolved: a literal $ stays
		o.ResolvePaths = false
		o.Profiles = []string{"*"} // the stored services are the enabled ones
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
	})
	if err != nil {
		return nil, loc.explain(err)
	}
	return newStack(p, loc, false)
}
