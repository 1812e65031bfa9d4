package chart_test

// Tests of the container image's build. No Docker engine runs here, so they
// check what the Dockerfile would produce: the binary built by .ci/image.sh
// (which the Dockerfile's build stage runs), the final stage, and that the
// build context left by .dockerignore still holds every file the build needs.
// They also assemble the image as the final stage defines it (e2e/ociimage,
// go-containerregistry) and check the OCI image itself, and check that the
// release configuration (.goreleaser.yaml) builds with .ci/image.sh's flags.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"sigs.k8s.io/yaml"

	"github.com/podiumhq/podium/e2e/ociimage"
)

const repoRoot = ".."

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

const imageTestVersion = "v0.0.0-imagetest"

// imageBinary is the binary .ci/image.sh builds for the host's GOARCH,
// stamped imageTestVersion; built once for every test that needs it.
func imageBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds Podium; skipped with -short")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "podium-image-test"); binErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		build := exec.CommandContext(ctx, filepath.Join(repoRoot, ".ci", "image.sh"), filepath.Join(binDir, "podium"))
		build.Env = append(os.Environ(), "VERSION="+imageTestVersion)
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf(".ci/image.sh: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "podium")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func TestImageBinaryIsStaticAndRuns(t *testing.T) {
	bin := imageBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			t.Error("binary has a PT_INTERP program header: it needs a dynamic loader, which scratch lacks")
		case elf.PT_DYNAMIC:
			t.Error("binary has a PT_DYNAMIC program header: it is dynamically linked")
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("binary has a .dynamic section")
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("binary imports libraries %v (err %v)", libs, err)
	}

	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// -trimpath: the build machine's paths must not leak into the image.
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(abs+"/")) {
		t.Errorf("binary contains the checkout path %s: built without -trimpath?", abs)
	}

	// It runs, and the version was stamped with -ldflags -X.
	out, err := exec.CommandContext(ctx, bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("podium version: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "podium "+imageTestVersion {
		t.Errorf("podium version printed %q, want %q", got, "podium "+imageTestVersion)
	}
}

func TestImageScriptRejectsBadVersion(t *testing.T) {
	cmd := exec.Command(filepath.Join(repoRoot, ".ci", "image.sh"), filepath.Join(t.TempDir(), "podium"))
	cmd.Env = append(os.Environ(), "VERSION=v1 -X main.evil=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("image.sh accepted a VERSION with spaces")
	}
	if !strings.Contains(string(out), "bad VERSION") {
		t.Errorf("unclear error: %s", out)
	}
}

// dockerfileStages splits the Dockerfile into stages of instructions, with
// line continuations joined and comments dropped.
func dockerfileStages(t *testing.T) [][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\") + " ")
			continue
		}
		cur.WriteString(l)
		ins := strings.Join(strings.Fields(cur.String()), " ")
		cur.Reset()
		if strings.HasPrefix(strings.ToUpper(ins), "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], ins)
		}
	}
	return stages
}

func TestDockerfile(t *testing.T) {
	stages := dockerfileStages(t)
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stages", len(stages))
	}
	// The one Go build is the script's, so the flags cannot drift apart.
	var scriptRuns int
	for _, st := range stages {
		for _, ins := range st {
			if !strings.HasPrefix(ins, "RUN ") {
				continue
			}
			if strings.Contains(ins, "go build") || strings.Contains(ins, "go install") {
				t.Errorf("Dockerfile builds Go itself (%q); it must run .ci/image.sh", ins)
			}
			if strings.Contains(ins, "./.ci/image.sh") {
				scriptRuns++
			}
		}
	}
	if scriptRuns != 1 {
		t.Errorf("Dockerfile runs ./.ci/image.sh %d times, want 1", scriptRuns)
	}

	final := stages[len(stages)-1]
	if final[0] != "FROM scratch" {
		t.Errorf("final stage is %q, want FROM scratch (no shell, no libc)", final[0])
	}
	var user string
	for _, ins := range final {
		if strings.HasPrefix(ins, "RUN ") {
			t.Errorf("final stage runs %q; it has no shell", ins)
		}
		if strings.HasPrefix(ins, "USER ") {
			user = strings.TrimPrefix(ins, "USER ")
		}
	}
	// runAsNonRoot can only verify a numeric UID on an image without /etc/passwd.
	if m := regexp.MustCompile(`^([0-9]+)(:[0-9]+)?$`).FindStringSubmatch(user); m == nil || m[1] == "0" {
		t.Errorf("final stage USER is %q, want a numeric non-root UID", user)
	}
	// The chart's pod securityContext must agree with the image's user.
	vals, err := os.ReadFile("values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	uid := strings.SplitN(user, ":", 2)[0]
	if !strings.Contains(string(vals), "runAsUser: "+uid+"\n") {
		t.Errorf("values.yaml does not run as the image's UID %s", uid)
	}
}

// dockerignored reports whether a path relative to the repo root is left out
// of the build context. It supports the forms .dockerignore uses: plain paths
// and globs (matching the path or any parent) and a leading "**/".
func dockerignored(t *testing.T, patterns []string, rel string) bool {
	t.Helper()
	parts := strings.Split(rel, "/")
	for _, p := range patterns {
		if strings.HasPrefix(p, "!") {
			t.Fatalf(".dockerignore exception %q is not supported by this test", p)
		}
		anyDepth := strings.HasPrefix(p, "**/")
		p = strings.TrimPrefix(p, "**/")
		for end := 1; end <= len(parts); end++ {
			starts := []int{0}
			if anyDepth {
				starts = starts[:0]
				for s := 0; s < end; s++ {
					starts = append(starts, s)
				}
			}
			for _, s := range starts {
				if ok, err := filepath.Match(p, strings.Join(parts[s:end], "/")); err != nil {
					t.Fatalf("bad pattern %q: %v", p, err)
				} else if ok {
					return true
				}
			}
		}
	}
	return false
}

func TestDockerignoreKeepsWhatTheBuildNeeds(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimSuffix(strings.TrimPrefix(l, "/"), "/"))
		}
	}
	for _, must := range []string{".git", ".lab", "bin"} {
		if !dockerignored(t, patterns, must) {
			t.Errorf(".dockerignore does not exclude %s", must)
		}
	}

	// Every file `go build ./cmd/podium` reads must survive .dockerignore.
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-json=Dir,Module,GoFiles,EmbedFiles", "./cmd/podium")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	needed := []string{"go.mod", "go.sum", ".ci/image.sh"}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir                 string
			Module              *struct{ Main bool }
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		rel, err := filepath.Rel(abs, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			needed = append(needed, filepath.ToSlash(filepath.Join(rel, f)))
		}
	}
	if len(needed) < 5 {
		t.Fatalf("go list found only %v", needed)
	}
	for _, f := range needed {
		if dockerignored(t, patterns, f) {
			t.Errorf(".dockerignore excludes %s, which the image build needs", f)
		}
	}
}

// finalStage reads the Dockerfile's final stage as e2e/ociimage describes
// it, with the stage's ARGs (VERSION, REVISION) set to version and revision.
func finalStage(t *testing.T, version, revision string) (ociimage.Stage, string) {
	t.Helper()
	stages := dockerfileStages(t)
	final := stages[len(stages)-1]
	st := ociimage.Stage{Labels: map[string]string{}}
	args := strings.NewReplacer("${VERSION}", version, "${REVISION}", revision)
	for _, ins := range final[1:] {
		word, rest, _ := strings.Cut(ins, " ")
		switch strings.ToUpper(word) {
		case "COPY":
			f := strings.Fields(rest)
			if len(f) < 2 || f[0] != "--from=binary" {
				t.Fatalf("final stage: %q, want COPY --from=binary SRC DEST", ins)
			}
			st.Path = f[len(f)-1]
		case "USER":
			st.User = rest
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(rest), &v); err != nil {
				t.Fatalf("final stage: %q is not in exec (JSON) form: %v", ins, err)
			}
			if word == "CMD" {
				st.Cmd = v
			} else {
				st.Entrypoint = v
			}
		case "EXPOSE":
			for _, p := range strings.Fields(rest) {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				st.ExposedPorts = append(st.ExposedPorts, p)
			}
		case "LABEL":
			for _, m := range regexp.MustCompile(`([\w.-]+)="([^"]*)"`).FindAllStringSubmatch(rest, -1) {
				st.Labels[m[1]] = args.Replace(m[2])
			}
		case "ARG":
		default:
			t.Errorf("final stage: %q is not something e2e/ociimage assembles", ins)
		}
	}
	return st, final[0]
}

// TestImageOCI assembles the image as the Dockerfile's final stage defines
// it, writes it as an OCI layout, and checks what a registry would serve.
func TestImageOCI(t *testing.T) {
	const revision = "0123456789abcdef0123456789abcdef01234567"
	want := ociimage.Final(imageTestVersion, revision)
	got, from := finalStage(t, imageTestVersion, revision)
	if from != "FROM scratch" {
		t.Errorf("final stage starts %q, want FROM scratch", from)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the Dockerfile's final stage and e2e/ociimage disagree (-ociimage +Dockerfile):\n%s", d)
	}
	for _, l := range []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision"} {
		if want.Labels[l] == "" {
			t.Errorf("no %s label", l)
		}
	}

	binary, err := os.ReadFile(imageBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	img, err := ociimage.Image(binary, runtime.GOARCH, want)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "podium-oci")
	if err := ociimage.WriteLayout(dir, img, imageTestVersion); err != nil {
		t.Fatal(err)
	}
	// Read back what was written, not what is in memory.
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != imageTestVersion ||
		im.Manifests[0].MediaType != types.OCIManifestSchema1 {
		t.Fatalf("index.json holds %+v, want one OCI image named %s", im.Manifests, imageTestVersion)
	}
	img, err = idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cf.OS, cf.Architecture, runtime.GOARCH)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532 (numeric, non-root)", c.User)
	}
	if !cmp.Equal(c.Entrypoint, []string{"/podium"}) || !cmp.Equal(c.Cmd, []string{"serve", "--listen=:8080"}) {
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	}
	if d := cmp.Diff(want.Labels, c.Labels); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}

	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1: scratch has none, COPY adds one", len(layers))
	}
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("layer media type %s, want %s", mt, types.OCILayer)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var files []string
	var inImage []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
		if h.Name == "podium" {
			if h.Mode != 0o755 || h.Uid != 0 || h.Gid != 0 {
				t.Errorf("/podium is mode %o owned by %d:%d, want 755 root:root as COPY leaves it", h.Mode, h.Uid, h.Gid)
			}
			if inImage, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Only the binary: no shell, no libc, no /etc.
	if !cmp.Equal(files, []string{"podium"}) {
		t.Errorf("the layer holds %q, want only podium", files)
	}
	if !bytes.Equal(inImage, binary) {
		t.Fatal("the binary in the layer is not the one .ci/image.sh built")
	}
	f, err := elf.NewFile(bytes.NewReader(inImage))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary in the image has a %s program header: scratch has no dynamic loader", p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary in the image needs %v (err %v)", libs, err)
	}

	// Reproducible: the same binary gives the same image, byte for byte.
	again, err := ociimage.Image(binary, runtime.GOARCH, ociimage.Final(imageTestVersion, revision))
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two assemblies of one binary differ: %s, %s", d1, d2)
	}
	t.Logf("%s: %s, %d bytes of binary", ociimage.Repository+":"+imageTestVersion, d1, len(binary))

	// A directory that is not an OCI layout is not replaced.
	notLayout := t.TempDir()
	if err := ociimage.WriteLayout(notLayout, img, "x"); err == nil || !strings.Contains(err.Error(), "not an OCI layout") {
		t.Errorf("WriteLayout over an ordinary directory: %v", err)
	}
}

// TestReleaseConfig: .goreleaser.yaml builds the binary with .ci/image.sh's
// flags and version variable, for linux/amd64 and linux/arm64, images it
// from the Dockerfile, and pushes the chart.
func TestReleaseConfig(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Before  struct{ Hooks []string }
		Builds  []struct {
			ID, Main     string
			Env, Flags   []string
			Ldflags      []string
			Goos, Goarch []string
		}
		DockersV2 []struct {
			IDs        []string
			Dockerfile string
			Images     []string
			Platforms  []string
			BuildArgs  map[string]string `json:"build_args"`
		} `json:"dockers_v2"`
		Publishers []struct {
			Name, Cmd  string
			ExtraFiles []struct{ Glob string } `json:"extra_files"`
		}
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.DockersV2) != 1 {
		t.Fatalf(".goreleaser.yaml: version %d, %d builds, %d dockers_v2; want version 2, one of each", cfg.Version, len(cfg.Builds), len(cfg.DockersV2))
	}
	b, d := cfg.Builds[0], cfg.DockersV2[0]

	script, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "image.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`-ldflags "([^"]*)\$\{version\}"`).FindSubmatch(script)
	if m == nil {
		t.Fatal(".ci/image.sh: no -ldflags \"... ${version}\"")
	}
	wantLd := string(m[1]) + "{{ .Tag }}"
	if len(b.Ldflags) != 1 || b.Ldflags[0] != wantLd {
		t.Errorf("goreleaser ldflags %q, want .ci/image.sh's %q", b.Ldflags, wantLd)
	}
	if !strings.Contains(wantLd, "-X github.com/podiumhq/podium/cmd/podium/internal/version.Version=") {
		t.Errorf(".ci/image.sh stamps no version.Version: %q", wantLd)
	}
	for _, flag := range []string{"-trimpath", "-buildvcs=false"} {
		if !bytes.Contains(script, []byte(flag)) || !slices.Contains(b.Flags, flag) {
			t.Errorf("%s: in .ci/image.sh %v, in .goreleaser.yaml %v; want both", flag, bytes.Contains(script, []byte(flag)), slices.Contains(b.Flags, flag))
		}
	}
	if !bytes.Contains(script, []byte("CGO_ENABLED=0")) || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Error("CGO_ENABLED=0 must be in both .ci/image.sh and .goreleaser.yaml")
	}
	if b.Main != "./cmd/podium" {
		t.Errorf("goreleaser builds %q, want ./cmd/podium", b.Main)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) || !slices.Contains(d.Platforms, "linux/"+arch) {
			t.Errorf("linux/%s: goarch %v, image platforms %v; want it in both", arch, b.Goarch, d.Platforms)
		}
	}
	if !slices.Contains(b.Goos, "linux") {
		t.Errorf("goos %v lacks linux, which the image needs", b.Goos)
	}

	// The image is the Dockerfile's, fed goreleaser's binaries, named as the
	// chart's image.repository.
	if d.Dockerfile != "Dockerfile" || d.BuildArgs["BINARY"] != "prebuilt" || !slices.Contains(d.IDs, b.ID) {
		t.Errorf("dockers_v2 %+v: want the Dockerfile with BINARY=prebuilt and build %q", d, b.ID)
	}
	if d.BuildArgs["VERSION"] != "{{ .Tag }}" || d.BuildArgs["REVISION"] == "" {
		t.Errorf("dockers_v2 build_args %v: want VERSION {{ .Tag }} (as the binary) and a REVISION", d.BuildArgs)
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM scratch AS prebuilt", "COPY ${TARGETPLATFORM}/podium /out/podium", "FROM ${BINARY} AS binary"} {
		if !bytes.Contains(dockerfile, []byte(want)) {
			t.Errorf("the Dockerfile lacks %q, which BINARY=prebuilt needs", want)
		}
	}
	vals, err := os.ReadFile("values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.Images, ociimage.Repository) || !bytes.Contains(vals, []byte("repository: "+ociimage.Repository+"\n")) {
		t.Errorf("images %v: want %s, the chart's image.repository", d.Images, ociimage.Repository)
	}

	// The chart is packaged for the release and pushed as an OCI artifact.
	var packaged, pushed bool
	for _, h := range cfg.Before.Hooks {
		packaged = packaged || strings.Contains(h, "helm package chart --version {{ .Version }} --app-version {{ .Tag }}")
	}
	for _, p := range cfg.Publishers {
		pushed = pushed || (strings.Contains(p.Cmd, "helm push") && strings.Contains(p.Cmd, ".Env.PODIUM_CHART_OCI") && len(p.ExtraFiles) == 1)
	}
	if !packaged || !pushed {
		t.Errorf("the chart: packaged %v, pushed to an OCI registry %v; want both", packaged, pushed)
	}
}
