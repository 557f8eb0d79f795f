package docker

import (
	"context"
	"fmt"
	"io"

	"github.com/compose-spec/compose-go/v2/types"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/spec"
)

// imageAPI is the part of the engine API that image handling uses.
type imageAPI interface {
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImagePull(ctx context.Context, ref string, options client.ImagePullOptions) (client.ImagePullResponse, error)
	ImageBuild(ctx context.Context, buildContext io.Reader, options client.ImageBuildOptions) (client.ImageBuildResult, error)
}

var _ imageAPI = (*client.Client)(nil)

// ensureImage makes svc.Image present on the engine. A service with
// `build:` is built when its image is absent, or always with pull_policy
// build or always. Otherwise the image is pulled when absent (missing, the
// default), always (always), or never (never: an absent image is an
// error). Progress lines go to progress, which may be nil.
//
// Pull policies that depend on the last pull time (refresh, daily, weekly,
// every_<duration>) behave as missing: berth does not record pull times.
func ensureImage(ctx context.Context, api imageAPI, st *spec.Stack, svc *spec.Service, progress func(string)) error {
	if svc.Image == "" {
		return fmt.Errorf("service %q: no image to ensure", svc.Name)
	}
	present, err := imagePresent(ctx, api, svc.Image)
	if err != nil {
		return fmt.Errorf("service %q: inspecting image %q: %w", svc.Name, svc.Image, err)
	}
	policy := svc.Config.PullPolicy
	if svc.Config.Build != nil {
		if present && policy != types.PullPolicyBuild && policy != types.PullPolicyAlways {
			return nil
		}
		return buildImage(ctx, api, st, svc, progress)
	}
	switch policy {
	case types.PullPolicyAlways:
		return pullImage(ctx, api, svc.Name, svc.Image, progress)
	case types.PullPolicyNever:
		if !present {
			return fmt.Errorf("service %q: image %q is not on the engine and pull_policy is never", svc.Name, svc.Image)
		}
		return nil
	case types.PullPolicyBuild:
		return fmt.Errorf("service %q: pull_policy build needs a build section", svc.Name)
	}
	if present {
		return nil
	}
	return pullImage(ctx, api, svc.Name, svc.Image, progress)
}

// imagePresent reports whether the engine has the image.
func imagePresent(ctx context.Context, api imageAPI, ref string) (bool, error) {
	_, err := api.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// pullImage pulls ref, normalised the way the docker CLI does ("redis"
// means docker.io/library/redis:latest).
func pullImage(ctx context.Context, api imageAPI, service, ref string, progress func(string)) error {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fmt.Errorf("service %q: image %q: %w", service, ref, err)
	}
	named = reference.TagNameOnly(named)
	resp, err := api.ImagePull(ctx, named.String(), client.ImagePullOptions{})
	if err != nil {
		return fmt.Errorf("service %q: pulling image %q: %w", service, ref, err)
	}
	defer func() { _ = resp.Close() }()
	if err := readProgress(resp, progress); err != nil {
		return fmt.Errorf("service %q: pulling image %q: %w", service, ref, err)
	}
	return nil
}
