package labtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const rootModule = "github.com/podiumhq/podium"

// VersionLDFlags stamp the Kubernetes version podium-lab reports.
const VersionLDFlags = "-X k8s.io/component-base/version.gitVersion=v1.37.2 " +
	"-X k8s.io/component-base/version.gitMajor=1 " +
	"-X k8s.io/component-base/version.gitMinor=37"

// RepoRoot finds the Podium checkout by walking up from the working
// directory to the go.mod of module github.com/podiumhq/podium.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if moduleOf(filepath.Join(dir, "go.mod")) == rootModule {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the Podium repository (no go.mod of %s above the working directory); pass a lab directory and binary explicitly", rootModule)
		}
		dir = parent
	}
}

func moduleOf(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// ensureBinary builds podium-lab from <repo>/e2e/lab when bin is missing or
// older than any of its sources. A file lock makes concurrent test binaries
// build it once. A binary outside the repository's .lab/bin is used as is.
func ensureBinary(ctx context.Context, bin string, log io.Writer) error {
	root, rootErr := RepoRoot()
	src := filepath.Join(root, "e2e", "lab")
	if rootErr != nil || filepath.Clean(bin) != filepath.Join(root, ".lab", "bin", "podium-lab") {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("podium-lab binary: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return err
	}
	lf, err := os.OpenFile(bin+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) //nolint:errcheck

	stale, why, err := binaryStale(bin, src)
	if err != nil {
		return err
	}
	if !stale {
		return nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("building podium-lab needs the go command: %w", err)
	}
	fmt.Fprintf(log, "labtest: building podium-lab (%s); a cold build takes ~5 minutes\n", why)
	start := time.Now()
	tmp := bin + ".new"
	cmd := exec.CommandContext(ctx, goBin, "build", "-ldflags", VersionLDFlags, "-o", tmp, ".")
	cmd.Dir = src
	// The lab is its own module with its own flags: a caller's GOFLAGS
	// (-race, -mod=vendor…) or go.work must not leak into it, or the
	// build would miss the warm cache or fail.
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("go build podium-lab in %s: %w\n%s", src, err, out)
	}
	// Rename over the old binary: a lab still running it keeps its inode.
	if err := os.Rename(tmp, bin); err != nil {
		return err
	}
	fmt.Fprintf(log, "labtest: built %s in %.0fs\n", bin, time.Since(start).Seconds())
	return nil
}

// binaryStale compares bin's modification time with e2e/lab's sources.
func binaryStale(bin, src string) (bool, string, error) {
	bi, err := os.Stat(bin)
	if errors.Is(err, fs.ErrNotExist) {
		return true, "missing", nil
	}
	if err != nil {
		return false, "", err
	}
	var newer string
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || newer != "" {
			return err
		}
		if d.IsDir() {
			if d.Name() == "bin" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".yaml", ".mod", ".sum":
		default:
			return nil
		}
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.ModTime().After(bi.ModTime()) {
			newer = p
		}
		return nil
	})
	if err != nil {
		return false, "", fmt.Errorf("scan %s: %w", src, err)
	}
	if newer != "" {
		rel, _ := filepath.Rel(src, newer)
		return true, rel + " is newer", nil
	}
	return false, "", nil
}
