package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/spec"
)

// stackFlags are the Compose-style flags that select a stack file.
type stackFlags struct {
	files    []string
	project  string
	profiles []string
	envFiles []string
}

func (f *stackFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, "Compose file (repeatable; later files override; default compose.yaml in the current directory)")
	fl.StringVarP(&f.project, "project-name", "p", "", "stack name (default: the file's `name`, else its directory)")
	fl.StringArrayVar(&f.profiles, "profile", nil, "enable a Compose profile (repeatable)")
	fl.StringArrayVar(&f.envFiles, "env-file", nil, "environment file for interpolation (default .env)")
}

// load reads and validates the stack locally: bad files fail here, before
// anything reaches the daemon.
func (f *stackFlags) load(ctx context.Context) (*spec.Stack, error) {
	return spec.Load(ctx, spec.LoadOptions{
		Files: f.files, ProjectName: f.project, Profiles: f.profiles, EnvFiles: f.envFiles,
	})
}

// name resolves the stack name from a positional argument, -p, or the file.
func (f *stackFlags) name(ctx context.Context, args []string) (string, error) {
	switch {
	case len(args) > 0:
		return args[0], nil
	case f.project != "" && len(f.files) == 0:
		return f.project, nil
	}
	st, err := f.load(ctx)
	if err != nil {
		var le *spec.LoadError
		if errors.As(err, &le) {
			return "", err
		}
		return "", usageError{errors.New("name the stack (berth CMD STACK or -p STACK) or point at its file with -f: " + err.Error())}
	}
	return st.Name, nil
}
