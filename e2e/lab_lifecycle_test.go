//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podiumhq/podium/e2e/labtest"
)

// labctl builds e2e/labctl once per test and runs it against dir.
type labctl struct {
	t        *testing.T
	bin, dir string
}

func newLabctl(t *testing.T, dir string) labctl {
	t.Helper()
	root, err := labtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "labctl")
	cmd := exec.Command("go", "build", "-o", bin, "./e2e/labctl")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build labctl: %v\n%s", err, out)
	}
	return labctl{t: t, bin: bin, dir: dir}
}

// run returns stdout, stderr and the exit code.
func (c labctl) run(verb string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, verb, "--dir="+c.dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		c.t.Fatalf("labctl %s: %v", verb, err)
	}
	return stdout.String(), stderr.String(), code
}

func (c labctl) mustRun(verb string) string {
	c.t.Helper()
	out, errOut, code := c.run(verb)
	if code != 0 {
		c.t.Fatalf("labctl %s --dir=%s: exit %d\nstdout: %s\nstderr: %s\n--- lab log ---\n%s", verb, c.dir, code, out, errOut, logTail(c.dir))
	}
	return out
}

func logTail(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "logs", "podium-lab.log"))
	if err != nil {
		return err.Error()
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func pidOf(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "podium-lab.pid"))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	return pid
}

// labProcesses lists live processes whose command line names dir's lab.
func labProcesses(dir string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		if bytes.Contains(cmdline, []byte("--dir="+dir+"\x00")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func clientFor(t *testing.T, kubeconfig string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestLabLifecycle drives a second, private lab through labctl and the
// labtest API: up twice, a restart on the same data, a crash (kill -9)
// and down, all while the shared lab keeps running on other ports.
func TestLabLifecycle(t *testing.T) {
	dir := t.TempDir()
	ctl := newLabctl(t, dir)
	t.Cleanup(func() {
		// Whatever failed above, leave no process behind.
		if _, errOut, code := ctl.run("down"); code != 0 {
			t.Errorf("cleanup: labctl down: exit %d: %s", code, errOut)
		}
	})

	// up, then up again: the second finds the running lab and keeps it.
	out := ctl.mustRun("up")
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if want := "export KUBECONFIG=" + kubeconfig + "\n"; out != want {
		t.Fatalf("labctl up printed %q, want %q", out, want)
	}
	pid1 := pidOf(t, dir)
	ctl.mustRun("up")
	if pid2 := pidOf(t, dir); pid2 != pid1 {
		t.Fatalf("second up replaced the lab: pid %d → %d", pid1, pid2)
	}
	if got := labProcesses(dir); len(got) != 1 || got[0] != pid1 {
		t.Fatalf("lab processes after two ups: %v, want [%d]", got, pid1)
	}

	// A second lab beside the shared one: its own address, both serving.
	private, err := labtest.Open(labtest.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := private.Ready(t.Context()); err != nil {
		t.Fatal(err)
	}
	if private.Server() == lab.Server() {
		t.Fatalf("private lab and shared lab share %s", lab.Server())
	}
	if err := lab.Ready(t.Context()); err != nil {
		t.Fatalf("shared lab stopped serving while a second lab runs: %v", err)
	}

	// Objects survive a restart on the same etcd data, and a client made
	// before the restart works again afterwards (same address and certs).
	cs := clientFor(t, kubeconfig)
	ctx := t.Context()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survivor", Namespace: "default"}, Data: map[string]string{"k": "v"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	server := private.Server()
	restartStart := time.Now()
	if err := private.Restart(ctx); err != nil {
		t.Fatalf("restart: %v\n%s", err, logTail(dir))
	}
	t.Logf("restart took %.1fs", time.Since(restartStart).Seconds())
	if private.Server() != server {
		t.Fatalf("restart moved the apiserver from %s to %s", server, private.Server())
	}
	if pid := pidOf(t, dir); pid == pid1 {
		t.Fatalf("restart kept the old process %d", pid)
	}
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "survivor", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got.Data["k"] != "v" {
			return fmt.Errorf("configmap data %v", got.Data)
		}
		return nil
	})

	// Crash: kill -9 leaves a stale PID file; status says so, down cleans up.
	pid := pidOf(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	labtest.Eventually(t, 10*time.Second, func(context.Context) error {
		if p := labProcesses(dir); len(p) != 0 {
			return fmt.Errorf("still running: %v", p)
		}
		return nil
	})
	if out, _, code := ctl.run("status"); code != 3 || !strings.Contains(out, "not running") {
		t.Fatalf("status after a crash: exit %d, %q; want exit 3, not running", code, out)
	}
	ctl.mustRun("down")
	if _, err := os.Stat(filepath.Join(dir, "podium-lab.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pid file after down: %v", err)
	}

	// The crashed lab's data is still good: up again finds the ConfigMap.
	ctl.mustRun("up")
	if _, err := clientFor(t, kubeconfig).CoreV1().ConfigMaps("default").Get(ctx, "survivor", metav1.GetOptions{}); err != nil {
		t.Fatalf("configmap after crash and up: %v", err)
	}
	ctl.mustRun("down")
	if p := labProcesses(dir); len(p) != 0 {
		t.Fatalf("processes left after down: %v", p)
	}
	if out, _, code := ctl.run("status"); code != 3 {
		t.Fatalf("status after down: exit %d, %q", code, out)
	}
}
