package chart_test

// Tests of the container image's build. No Docker engine runs here, so they
// check what the Dockerfile would produce: the binary built by .ci/image.sh
// (which the Dockerfile's build stage runs), the final stage, and that the
// build context left by .dockerignore still holds every file the build needs.

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const repoRoot = ".."

func TestImageBinaryIsStaticAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Podium; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "podium")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, filepath.Join(repoRoot, ".ci", "image.sh"), bin)
	build.Env = append(os.Environ(), "VERSION=v0.0.0-imagetest")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf(".ci/image.sh: %v\n%s", err, out)
	}

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
	if got := strings.TrimSpace(string(out)); got != "podium v0.0.0-imagetest" {
		t.Errorf("podium version printed %q, want %q", got, "podium v0.0.0-imagetest")
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
