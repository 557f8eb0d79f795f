package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

// LoadOptions say which Compose files to load and with what environment,
// like docker compose's command-line flags.
type LoadOptions struct {
	// Files are the Compose files, merged in order (-f). Empty means the
	// default discovery: compose.yaml and friends in WorkDir or a parent,
	// plus its override file. Relative paths are taken from WorkDir when
	// it is set.
	Files []string
	// WorkDir is the project directory (--project-directory); by default
	// the directory of the first file.
	WorkDir string
	// ProjectName overrides the stack name (-p); by default the file's
	// top-level `name`, COMPOSE_PROJECT_NAME, or the directory name.
	ProjectName string
	// Profiles are the profiles to enable (--profile); empty means
	// COMPOSE_PROFILES, if set.
	Profiles []string
	// EnvFiles replace the default .env of the project directory
	// (--env-file).
	EnvFiles []string
	// Env are extra KEY=VALUE variables for interpolation; they override
	// the process environment, which overrides the env files.
	Env []string
}

// projectOptions turns opts into compose-go's options and a locator over
// the files they select.
func projectOptions(opts LoadOptions) (*cli.ProjectOptions, *locator, error) {
	files, display, err := resolveFiles(opts.WorkDir, opts.Files)
	if err != nil {
		return nil, nil, err
	}
	envFiles, _, err := resolveFiles(opts.WorkDir, opts.EnvFiles)
	if err != nil {
		return nil, nil, err
	}
	po, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(opts.WorkDir),
		cli.WithEnv(opts.Env),
		cli.WithOsEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithName(opts.ProjectName),
		cli.WithDefaultProfiles(opts.Profiles...),
		cli.WithResolvedPaths(true),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		return nil, nil, optionsError(err)
	}
	if len(po.ConfigPaths) == 0 {
		return nil, nil, &LoadError{File: opts.WorkDir, Msg: "no compose file found",
			Hint: "create compose.yaml in the project directory or name the file explicitly"}
	}
	return po, newLocator(po.ConfigPaths, display), nil
}

// resolveFiles makes paths absolute (relative to workDir when set) and
// checks they exist, remembering how the user wrote each one.
func resolveFiles(workDir string, paths []string) ([]string, map[string]string, error) {
	out := make([]string, 0, len(paths))
	display := map[string]string{}
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(p) && workDir != "" {
			abs = filepath.Join(workDir, p)
		}
		abs, err := filepath.Abs(abs)
		if err != nil {
			return nil, nil, fmt.Errorf("resolving %s: %w", p, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, nil, fileError(p, err)
		}
		out = append(out, abs)
		display[abs] = p
	}
	return out, display, nil
}

func fileError(file string, err error) *LoadError {
	if errors.Is(err, fs.ErrNotExist) {
		return &LoadError{File: file, Msg: "file not found", Err: err,
			Hint: "check the path and the project directory it is relative to"}
	}
	return &LoadError{File: file, Msg: err.Error(), Err: err}
}

// optionsError reports a failure to set up loading: mostly an unreadable
// env file or a bad project name.
func optionsError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileError(pe.Path, err)
	}
	return &LoadError{Msg: err.Error(), Err: err}
}
