// Package ociimage assembles Podium's container image without a Docker
// engine, exactly as the Dockerfile's final stage defines it: an empty
// (scratch) base plus one layer holding the static binary that .ci/image.sh
// builds. chart/image_test.go holds this and the Dockerfile together; `make
// image-oci` writes the image to bin/podium-oci (./cmd/podium-oci).
package ociimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Source is the repository the image is built from, its
// org.opencontainers.image.source label.
const Source = "https://github.com/podiumhq/podium"

// Repository is the image's name without a tag, as the chart's
// image.repository defaults to.
const Repository = "podiumhq/podium"

// Stage is what the Dockerfile's final stage says.
type Stage struct {
	Path         string // where COPY puts the binary
	User         string
	Entrypoint   []string
	Cmd          []string
	ExposedPorts []string // "8080/tcp"
	Labels       map[string]string
}

// Final is the Dockerfile's final stage for a version and git revision.
func Final(version, revision string) Stage {
	return Stage{
		Path:         "/podium",
		User:         "65532:65532",
		Entrypoint:   []string{"/podium"},
		Cmd:          []string{"serve", "--listen=:8080"},
		ExposedPorts: []string{"8080/tcp"},
		Labels: map[string]string{
			"org.opencontainers.image.source":   Source,
			"org.opencontainers.image.version":  version,
			"org.opencontainers.image.revision": revision,
		},
	}
}

// epoch is every timestamp in the image, so that the same binary always
// gives the same digest.
var epoch = time.Unix(0, 0).UTC()

// Image is the final stage on scratch: one layer with binary at s.Path
// (root-owned, 0755, as COPY leaves it) and the stage's config, for
// linux/arch.
func Image(binary []byte, arch string, s Stage) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     strings.TrimPrefix(s.Path, "/"),
		Mode:     0o755,
		Size:     int64(len(binary)),
		ModTime:  epoch,
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(binary); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created:   v1.Time{Time: epoch},
		CreatedBy: "COPY --from=binary /out/podium " + s.Path,
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config.User = s.User
	cf.Config.Entrypoint = s.Entrypoint
	cf.Config.Cmd = s.Cmd
	cf.Config.Labels = s.Labels
	// BuildKit gives an image built FROM scratch this PATH; keep it so the
	// two images run alike.
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cf.Config.ExposedPorts = map[string]struct{}{}
	for _, p := range s.ExposedPorts {
		cf.Config.ExposedPorts[p] = struct{}{}
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, err
	}
	return mutate.CreatedAt(img, v1.Time{Time: epoch})
}

// WriteLayout writes img as an OCI image layout in dir, named
// Repository:tag in the index (org.opencontainers.image.ref.name holds the
// tag, as skopeo's oci:DIR:TAG expects). A dir that exists must already be
// an OCI layout: it is replaced, anything else is refused.
func WriteLayout(dir string, img v1.Image, tag string) error {
	if _, err := os.Stat(dir); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
			return fmt.Errorf("%s exists and is not an OCI layout; not replacing it", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
	}))
}

// BuildBinary runs .ci/image.sh in the repository at root, as the
// Dockerfile's build stage does, for linux/arch, and returns the binary.
func BuildBinary(root, version, arch string) ([]byte, error) {
	out := filepath.Join(os.TempDir(), fmt.Sprintf("podium-oci-%d", os.Getpid()))
	defer os.Remove(out)
	cmd := exec.Command(filepath.Join(root, ".ci", "image.sh"), out)
	cmd.Env = append(os.Environ(), "VERSION="+version, "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf(".ci/image.sh: %v\n%s", err, b)
	}
	return os.ReadFile(out)
}
