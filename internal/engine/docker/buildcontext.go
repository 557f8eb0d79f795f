package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/spec"
)

// buildImage builds svc.Image from the service's `build:` section with the
// engine's legacy builder: BuildKit needs a session (gRPC over a hijacked
// connection) that berth does not implement.
func buildImage(ctx context.Context, api imageAPI, st *spec.Stack, svc *spec.Service, progress func(string)) error {
	fail := func(what string, err error) error {
		return fmt.Errorf("service %q: building image %q: %s%w", svc.Name, svc.Image, what, err)
	}
	bc := svc.Config.Build
	if err := checkBuildSupported(bc); err != nil {
		return fail("", err)
	}
	src, err := newContextSource(contextDir(st, bc), bc.Dockerfile, bc.DockerfileInline)
	if err != nil {
		return fail("", err)
	}
	opts := buildOptions(svc, src.dockerfile)
	pr, pw := io.Pipe()
	packed := make(chan error, 1)
	go func() {
		err := src.writeTar(pw)
		_ = pw.CloseWithError(err)
		packed <- err
	}()
	streamErr := sendBuild(ctx, api, pr, opts, progress)
	// Unblock the packer if the engine stopped reading early.
	_ = pr.Close()
	if err := <-packed; err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return fail("packing the build context: ", err)
	}
	if streamErr != nil {
		return fail("", streamErr)
	}
	return nil
}

// sendBuild posts the build and reads its output to the end.
func sendBuild(ctx context.Context, api imageAPI, tarball io.Reader, opts client.ImageBuildOptions, progress func(string)) error {
	resp, err := api.ImageBuild(ctx, tarball, opts)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	return readProgress(resp.Body, progress)
}

// checkBuildSupported rejects build features that need BuildKit.
func checkBuildSupported(bc *types.BuildConfig) error {
	switch {
	case len(bc.Secrets) > 0:
		return errors.New("build.secrets needs BuildKit; berth builds with the legacy builder")
	case len(bc.SSH) > 0:
		return errors.New("build.ssh needs BuildKit; berth builds with the legacy builder")
	case len(bc.AdditionalContexts) > 0:
		return errors.New("build.additional_contexts needs BuildKit; berth builds with the legacy builder")
	case len(bc.Platforms) > 1:
		return errors.New("build.platforms: berth builds for one platform only")
	case isRemoteContext(bc.Context):
		return fmt.Errorf("build.context %q: remote contexts are not supported by berth", bc.Context)
	}
	return nil
}

// isRemoteContext reports a git or URL build context.
func isRemoteContext(c string) bool {
	return strings.Contains(c, "://") || strings.HasPrefix(c, "git@")
}

// contextDir is the absolute build context directory (compose-go has
// usually made it absolute already).
func contextDir(st *spec.Stack, bc *types.BuildConfig) string {
	dir := bc.Context
	if dir == "" {
		dir = "."
	}
	if !filepath.IsAbs(dir) && st != nil && st.Project != nil {
		dir = filepath.Join(st.Project.WorkingDir, dir)
	}
	return filepath.Clean(dir)
}

// buildOptions translates `build:` to the engine's build options.
func buildOptions(svc *spec.Service, dockerfile string) client.ImageBuildOptions {
	bc := svc.Config.Build
	opts := client.ImageBuildOptions{
		Version:     build.BuilderV1,
		Tags:        []string{svc.Image},
		Dockerfile:  dockerfile,
		Target:      bc.Target,
		Remove:      true,
		ForceRemove: true,
		PullParent:  bc.Pull,
		NoCache:     bc.NoCache,
		NetworkMode: bc.Network,
		ShmSize:     int64(bc.ShmSize),
		CacheFrom:   slices.Clone([]string(bc.CacheFrom)),
	}
	for _, t := range bc.Tags {
		if !slices.Contains(opts.Tags, t) {
			opts.Tags = append(opts.Tags, t)
		}
	}
	if len(bc.Labels) > 0 {
		opts.Labels = maps.Clone(map[string]string(bc.Labels))
	}
	for k, v := range bc.Args {
		// A nil value is an arg whose value compose-go could not resolve:
		// leave it to the Dockerfile's default.
		if v == nil {
			continue
		}
		if opts.BuildArgs == nil {
			opts.BuildArgs = map[string]*string{}
		}
		opts.BuildArgs[k] = v
	}
	if len(bc.ExtraHosts) > 0 {
		opts.ExtraHosts = slices.Sorted(slices.Values(bc.ExtraHosts.AsList(":")))
	}
	return opts
}
