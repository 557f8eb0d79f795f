package spec

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// Load reads, merges, resolves and validates the Compose files opts name
// and returns the stack they describe. Any problem in the files is
// returned as a *LoadError saying where it is.
func Load(ctx context.Context, opts LoadOptions) (st *Stack, err error) {
	defer recoverLoad(&st, &err)
	po, loc, err := projectOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := loc.checkAliases(); err != nil {
		return nil, err
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, loc.explain(err)
	}
	return newStack(p, loc, true)
}

// newStack derives berth's model from a loaded project. Errors it finds
// are located through loc. fromFiles says p was loaded from the user's
// files, whose TLS paths are resolved and checked; the canonical form
// holds them resolved already.
func newStack(p *types.Project, loc *locator, fromFiles bool) (*Stack, error) {
	st, err := buildStack(p, fromFiles)
	if err != nil {
		return nil, loc.explain(err)
	}
	if err := checkRouteConflicts(st, loc.position); err != nil {
		return nil, loc.explain(err)
	}
	return st, nil
}

func buildStack(p *types.Project, fromFiles bool) (*Stack, error) {
	berth, err := decodeStackOptions(p.Extensions)
	if err != nil {
		return nil, err
	}
	order, err := dependencyOrder(p)
	if err != nil {
		return nil, err
	}
	awaited := awaitedServices(p)
	st := &Stack{Name: p.Name, Project: p, Berth: berth}
	for _, name := range order {
		cfg := p.Services[name]
		cfg.LabelFiles = nil // resolved into labels; the canonical form must not read them again
		svc, err := newService(p.Name, cfg, awaited[name])
		if err != nil {
			return nil, err
		}
		if fromFiles {
			if err := resolveServiceTLS(&svc, p.WorkingDir); err != nil {
				return nil, err
			}
		}
		p.Services[name] = svc.Config
		st.Services = append(st.Services, svc)
	}
	canonical, err := st.Canonical()
	if err != nil {
		return nil, err
	}
	st.Hash = digest(canonical)
	return st, nil
}

// newService derives one service's deployment settings.
func newService(stack string, cfg types.ServiceConfig, awaited bool) (Service, error) {
	svc := Service{Name: cfg.Name, Config: cfg, Replicas: replicas(cfg), Image: image(stack, cfg)}
	var err error
	if svc.Berth, err = decodeServiceOptions(cfg.Name, cfg.Extensions); err != nil {
		return svc, err
	}
	if lerr := checkSideBySide(svc); lerr != nil {
		return svc, lerr
	}
	policy, retries, lerr := restartPolicy(cfg, awaited)
	if lerr != nil {
		lerr.Service = cfg.Name
		return svc, lerr
	}
	svc.Restart, svc.MaxRetries = policy, retries
	if svc.Hash, err = serviceHash(cfg, svc.Berth); err != nil {
		return svc, err
	}
	return svc, nil
}

// resolveServiceTLS resolves and checks the TLS files of svc's routes.
func resolveServiceTLS(svc *Service, workDir string) error {
	if err := resolveRouteTLS(&svc.Config, svc.Berth.Routes, workDir); err != nil {
		err.Service = svc.Name
		return err
	}
	return nil
}

// replicas is deploy.replicas, else scale, else 1; 0 is a valid count.
func replicas(cfg types.ServiceConfig) int {
	if cfg.Deploy != nil && cfg.Deploy.Replicas != nil {
		return *cfg.Deploy.Replicas
	}
	if cfg.Scale != nil {
		return *cfg.Scale
	}
	return 1
}

// image is the image containers run; a build-only service gets the name
// docker compose gives the image it builds.
func image(stack string, cfg types.ServiceConfig) string {
	if cfg.Image != "" || cfg.Build == nil {
		return cfg.Image
	}
	return stack + "-" + cfg.Name
}

// recoverLoad turns a panic inside compose-go (or here) into an error: a
// bad file must never take the daemon down.
func recoverLoad(st **Stack, err *error) {
	if r := recover(); r != nil {
		*st = nil
		*err = fmt.Errorf("loading compose file: internal error: %v", r)
	}
}
