package docker

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/mount"
)

// applyVolumes translates `volumes:`: named and anonymous volumes, bind
// mounts and tmpfs mounts.
func applyVolumes(b *createBuild) error {
	for _, v := range b.sc.Volumes {
		if err := b.addVolume(v); err != nil {
			return fmt.Errorf("%s: %w", volumeLabel(v), err)
		}
	}
	return nil
}

// volumeLabel names a volume entry in errors.
func volumeLabel(v types.ServiceVolumeConfig) string {
	if v.Source == "" {
		return v.Target
	}
	return v.Source + ":" + v.Target
}

// addVolume translates one `volumes:` entry.
func (b *createBuild) addVolume(v types.ServiceVolumeConfig) error {
	if !strings.HasPrefix(v.Target, "/") {
		return fmt.Errorf("target %q must be an absolute path", v.Target)
	}
	switch v.Type {
	case types.VolumeTypeVolume, "":
		return b.addNamedVolume(v)
	case types.VolumeTypeBind:
		return b.addBind(v)
	case types.VolumeTypeTmpfs:
		b.host.Mounts = append(b.host.Mounts, tmpfsMount(v))
		return nil
	default:
		return fmt.Errorf("volume type %q is not supported by berth", v.Type)
	}
}

// addNamedVolume mounts the stack's volume (compose-go has already
// prefixed its name), or an anonymous volume when there is no source.
func (b *createBuild) addNamedVolume(v types.ServiceVolumeConfig) error {
	m := mount.Mount{Type: mount.TypeVolume, Target: v.Target, ReadOnly: v.ReadOnly}
	if v.Source != "" {
		if b.st == nil || b.st.Project == nil {
			return errors.New("stack has no compose project")
		}
		vc, ok := b.st.Project.Volumes[v.Source]
		if !ok {
			return fmt.Errorf("volume %q is not declared in the top-level volumes", v.Source)
		}
		m.Source = vc.Name
		if m.Source == "" {
			m.Source = b.st.Project.Name + "_" + v.Source
		}
	}
	if o := v.Volume; o != nil && (o.NoCopy || o.Subpath != "") {
		// Subpath needs API 1.45; older engines ignore it.
		m.VolumeOptions = &mount.VolumeOptions{NoCopy: o.NoCopy, Subpath: o.Subpath}
	}
	b.host.Mounts = append(b.host.Mounts, m)
	return nil
}

// addBind adds a bind mount. With create_host_path (compose's default) it
// goes through the legacy Binds list: only that API creates a missing host
// directory (moby/moby#43483). Without it, the Mounts API makes a missing
// source an error, which is what create_host_path: false asks for.
func (b *createBuild) addBind(v types.ServiceVolumeConfig) error {
	if !strings.HasPrefix(v.Source, "/") {
		return fmt.Errorf("bind source %q must be an absolute path", v.Source)
	}
	bind := v.Bind
	if bind == nil || (bool(bind.CreateHostPath) && bind.Recursive == "") {
		b.host.Binds = append(b.host.Binds, bindString(v))
		return nil
	}
	m := mount.Mount{
		Type:        mount.TypeBind,
		Source:      v.Source,
		Target:      v.Target,
		ReadOnly:    v.ReadOnly,
		BindOptions: &mount.BindOptions{Propagation: mount.Propagation(bind.Propagation)},
	}
	switch bind.Recursive {
	case "", "enabled":
	case "disabled":
		m.BindOptions.NonRecursive = true
	case "writable":
		m.BindOptions.ReadOnlyNonRecursive = true
	case "readonly":
		m.BindOptions.ReadOnlyForceRecursive = true
	default:
		return fmt.Errorf("bind.recursive %q: expected enabled, disabled, writable or readonly", bind.Recursive)
	}
	if bind.SELinux != "" {
		return errors.New("bind.selinux needs create_host_path: true")
	}
	b.host.Mounts = append(b.host.Mounts, m)
	return nil
}

// bindString renders a bind as "source:target:options" for HostConfig.Binds.
func bindString(v types.ServiceVolumeConfig) string {
	opts := []string{"rw"}
	if v.ReadOnly {
		opts[0] = "ro"
	}
	if v.Bind != nil {
		if v.Bind.SELinux != "" {
			opts = append(opts, v.Bind.SELinux)
		}
		if v.Bind.Propagation != "" {
			opts = append(opts, v.Bind.Propagation)
		}
	}
	return v.Source + ":" + v.Target + ":" + strings.Join(opts, ",")
}

// tmpfsMount translates a tmpfs volume.
func tmpfsMount(v types.ServiceVolumeConfig) mount.Mount {
	m := mount.Mount{Type: mount.TypeTmpfs, Target: v.Target, ReadOnly: v.ReadOnly}
	if t := v.Tmpfs; t != nil && (t.Size != 0 || t.Mode != 0) {
		m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(t.Size), Mode: os.FileMode(t.Mode)}
	}
	return m
}

// applySecrets mounts file-based secrets read-only under /run/secrets, as
// compose does without Swarm. uid, gid and mode cannot apply to a bind
// mount and are ignored, as in compose.
func applySecrets(b *createBuild) error {
	for _, s := range b.sc.Secrets {
		src, err := b.secretFile(s.Source)
		if err != nil {
			return fmt.Errorf("secret %q: %w", s.Source, err)
		}
		target := fileTarget("/run/secrets", s.Source, s.Target)
		b.host.Mounts = append(b.host.Mounts, fileMount(src, target))
	}
	return nil
}

// applyConfigs mounts file-based configs read-only at /<target or name>.
func applyConfigs(b *createBuild) error {
	for _, c := range b.sc.Configs {
		src, err := b.configFile(c.Source)
		if err != nil {
			return fmt.Errorf("config %q: %w", c.Source, err)
		}
		target := fileTarget("/", c.Source, c.Target)
		b.host.Mounts = append(b.host.Mounts, fileMount(src, target))
	}
	return nil
}

// secretFile returns the host file of a top-level secret.
func (b *createBuild) secretFile(name string) (string, error) {
	if b.st == nil || b.st.Project == nil {
		return "", errors.New("stack has no compose project")
	}
	def, ok := b.st.Project.Secrets[name]
	if !ok {
		return "", errors.New("not declared in the top-level secrets")
	}
	return objectFile(types.FileObjectConfig(def))
}

// configFile returns the host file of a top-level config.
func (b *createBuild) configFile(name string) (string, error) {
	if b.st == nil || b.st.Project == nil {
		return "", errors.New("stack has no compose project")
	}
	def, ok := b.st.Project.Configs[name]
	if !ok {
		return "", errors.New("not declared in the top-level configs")
	}
	return objectFile(types.FileObjectConfig(def))
}

// objectFile checks that a secret or config is file-based.
func objectFile(def types.FileObjectConfig) (string, error) {
	switch {
	case bool(def.External):
		return "", errors.New("external secrets and configs need Swarm and are not supported by berth")
	case def.File == "":
		return "", errors.New("only file-based secrets and configs are supported by berth yet")
	case !strings.HasPrefix(def.File, "/"):
		return "", fmt.Errorf("file %q must be an absolute path", def.File)
	}
	return def.File, nil
}

// fileTarget is where a secret or config appears: target when absolute,
// else dir/target, else dir/name.
func fileTarget(dir, name, target string) string {
	switch {
	case target == "":
		return path.Join(dir, name)
	case strings.HasPrefix(target, "/"):
		return target
	default:
		return path.Join(dir, target)
	}
}

// fileMount is a read-only bind of one file. The Mounts API makes a missing
// file an error instead of creating a directory in its place.
func fileMount(src, target string) mount.Mount {
	return mount.Mount{Type: mount.TypeBind, Source: src, Target: target, ReadOnly: true}
}
