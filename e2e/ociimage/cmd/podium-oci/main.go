// Command podium-oci builds Podium's container image without a Docker
// engine and writes it as an OCI layout (for skopeo, crane, oras) and as a
// docker-archive tarball (for kind load image-archive, minikube image load,
// docker load).
//
//	go run ./e2e/ociimage/cmd/podium-oci -version v1.2.3 -out bin/podium-oci
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/podiumhq/podium/e2e/ociimage"
)

func main() {
	out := flag.String("out", "bin/podium-oci", "OCI layout directory to write; DIR.tar gets the docker-archive")
	version := flag.String("version", "dev", "version to stamp, as .ci/image.sh's VERSION; also the image tag")
	arch := flag.String("arch", runtime.GOARCH, "GOARCH of the image (linux only)")
	flag.Parse()
	if err := run(*out, *version, *arch); err != nil {
		fmt.Fprintln(os.Stderr, "podium-oci:", err)
		os.Exit(1)
	}
}

func run(out, version, arch string) error {
	tag, err := name.NewTag(ociimage.Repository + ":" + version)
	if err != nil {
		return fmt.Errorf("-version %q is no image tag: %w", version, err)
	}
	revision := "unknown"
	if b, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		revision = strings.TrimSpace(string(b))
	}
	bin, err := ociimage.BuildBinary(".", version, arch)
	if err != nil {
		return err
	}
	img, err := ociimage.Image(bin, arch, ociimage.Final(version, revision))
	if err != nil {
		return err
	}
	if err := ociimage.WriteLayout(out, img, version); err != nil {
		return err
	}
	if err := tarball.WriteToFile(out+".tar", tag, img); err != nil {
		return err
	}
	d, _ := img.Digest()
	fmt.Printf("%s (linux/%s, %s): OCI layout in %s, docker-archive %s.tar\n", tag, arch, d, out, out)
	return nil
}
