package docker

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names under which a Dockerfile that is not a file inside the context is
// added to the tarball.
const (
	inlineDockerfileName   = ".berth.inline.Dockerfile"
	externalDockerfileName = ".berth.external.Dockerfile"
)

// contextSource is a build context directory ready to be tarred.
type contextSource struct {
	dir string
	// dockerfile is the Dockerfile's path inside the tarball.
	dockerfile string
	// injected holds the Dockerfile's content when it is not a file inside
	// dir (dockerfile_inline, or a path outside the context).
	injected []byte
	ignore   *ignoreMatcher
}

// newContextSource checks the context directory and locates the
// Dockerfile: inline, inside the context (relative to it), or elsewhere.
func newContextSource(dir, dockerfile, inline string) (*contextSource, error) {
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory", dir)
	}
	src := &contextSource{dir: resolved}
	if src.ignore, err = loadIgnore(resolved); err != nil {
		return nil, err
	}
	if inline != "" {
		src.dockerfile, src.injected = inlineDockerfileName, []byte(inline)
		return src, nil
	}
	return src, src.locateDockerfile(dockerfile)
}

// locateDockerfile resolves the Dockerfile path relative to the context.
func (s *contextSource) locateDockerfile(dockerfile string) error {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	full := dockerfile
	if !filepath.IsAbs(full) {
		full = filepath.Join(s.dir, full)
	}
	if resolved, err := filepath.EvalSymlinks(full); err == nil {
		full = resolved
	}
	content, err := os.ReadFile(full)
	if err != nil {
		return fmt.Errorf("dockerfile: %w", err)
	}
	rel, err := filepath.Rel(s.dir, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		s.dockerfile, s.injected = externalDockerfileName, content
		return nil
	}
	s.dockerfile = filepath.ToSlash(rel)
	return nil
}

// writeTar writes the context as a tar stream: every file not excluded by
// .dockerignore, plus the Dockerfile and .dockerignore, which the builder
// always needs. Owners are reset to root, as the docker CLI does.
func (s *contextSource) writeTar(w io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if s.injected != nil && rel == s.dockerfile {
			return nil
		}
		if s.excluded(rel) {
			if d.IsDir() && !s.ignore.hasExceptions() && !strings.HasPrefix(s.dockerfile, rel+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		return addTarEntry(tw, p, rel, d)
	})
	if err != nil {
		return fmt.Errorf("walking %s: %w", s.dir, err)
	}
	if s.injected != nil {
		if err := addTarBytes(tw, s.dockerfile, s.injected); err != nil {
			return err
		}
	}
	return tw.Close()
}

// excluded applies .dockerignore, never to the Dockerfile or itself.
func (s *contextSource) excluded(rel string) bool {
	if rel == s.dockerfile || rel == ".dockerignore" {
		return false
	}
	return s.ignore.excludes(rel)
}

// addTarEntry writes one directory, regular file or symlink; other file
// types (sockets, devices) cannot be part of an image and are skipped.
func addTarEntry(tw *tar.Writer, p, rel string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	case !info.Mode().IsRegular() && !info.IsDir():
		return nil
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	hdr.Name = rel
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	return copyFile(tw, p)
}

// copyFile copies a file's content into the tarball.
func copyFile(w io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return errors.Join(err, f.Close())
}

// addTarBytes writes an in-memory file.
func addTarBytes(tw *tar.Writer, name string, content []byte) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := tw.Write(content)
	return err
}
