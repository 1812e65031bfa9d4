package labtest

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnsurePKI(t *testing.T) {
	dir := t.TempDir()
	if err := ensurePKI(dir); err != nil {
		t.Fatal(err)
	}
	ca := readCert(t, filepath.Join(dir, fileCACert))
	pool := x509.NewCertPool()
	pool.AddCert(ca)

	serving := readCert(t, filepath.Join(dir, fileServingCert))
	if _, err := serving.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("serving cert does not verify for 127.0.0.1: %v", err)
	}
	admin := readCert(t, filepath.Join(dir, fileAdminCert))
	if _, err := admin.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("admin cert does not verify as a client: %v", err)
	}
	if !slices.Contains(admin.Subject.Organization, "system:masters") {
		t.Errorf("admin groups %v, want system:masters", admin.Subject.Organization)
	}
	fpPool := x509.NewCertPool()
	fpPool.AddCert(readCert(t, filepath.Join(dir, fileFrontProxyCACert)))
	fp := readCert(t, filepath.Join(dir, fileFrontProxyCert))
	if _, err := fp.Verify(x509.VerifyOptions{Roots: fpPool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil || fp.Subject.CommonName != "front-proxy-client" {
		t.Errorf("front-proxy client cert: CN %q, verify %v", fp.Subject.CommonName, err)
	}

	// A second call keeps the existing set (kubeconfigs handed out stay valid).
	if err := ensurePKI(dir); err != nil {
		t.Fatal(err)
	}
	if again := readCert(t, filepath.Join(dir, fileCACert)); !again.Equal(ca) {
		t.Error("ensurePKI replaced a complete CA")
	}
	// A partial set is regenerated as a whole.
	if err := os.Remove(filepath.Join(dir, fileCAKey)); err != nil {
		t.Fatal(err)
	}
	if err := ensurePKI(dir); err != nil {
		t.Fatal(err)
	}
	if again := readCert(t, filepath.Join(dir, fileCACert)); again.Equal(ca) {
		t.Error("ensurePKI kept a CA whose key was gone")
	}
}

func TestKubeconfigPointsAtStatePort(t *testing.T) {
	dir := t.TempDir()
	if err := ensurePKI(dir); err != nil {
		t.Fatal(err)
	}
	l := &Lab{dir: dir, st: state{APIServerPort: 43210}}
	if err := l.writeKubeconfig(); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", l.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://127.0.0.1:43210" || len(cfg.CAData) == 0 || len(cfg.CertData) == 0 || len(cfg.KeyData) == 0 {
		t.Fatalf("kubeconfig: host %q, ca %d bytes, cert %d, key %d", cfg.Host, len(cfg.CAData), len(cfg.CertData), len(cfg.KeyData))
	}
}

func TestPrepareStateKeepsPorts(t *testing.T) {
	dir := t.TempDir()
	l := &Lab{dir: dir, log: testWriter{t}}
	zero := Delays{Ready: 0, Delete: 0, RestartInterval: time.Second}
	if err := l.prepareState(&zero, false); err != nil {
		t.Fatal(err)
	}
	first := l.st
	ports := first.ports()
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: want 5 distinct ports", ports)
		}
		seen[p] = true
	}
	if d, _ := first.delays(); d != zero {
		t.Fatalf("delays %+v, want %+v", d, zero)
	}

	// A fresh handle on the same directory reads the same ports and delays,
	// even if asked for other delays (a restart keeps what the lab has).
	l2 := &Lab{dir: dir, log: testWriter{t}}
	if err := l2.prepareState(&DefaultDelays, true); err != nil {
		t.Fatal(err)
	}
	if l2.st != first {
		t.Fatalf("state changed across handles: %+v → %+v", first, l2.st)
	}
}

func TestLoadStateRejectsGarbage(t *testing.T) {
	for name, content := range map[string]string{
		"not json":  "{",
		"bad port":  `{"etcdPort":0,"etcdPeerPort":1,"apiserverPort":2,"controllerManagerPort":3,"schedulerPort":4,"readyDelay":"1s","deleteDelay":"1s","restartInterval":"5s"}`,
		"bad delay": `{"etcdPort":5,"etcdPeerPort":1,"apiserverPort":2,"controllerManagerPort":3,"schedulerPort":4,"readyDelay":"soon","deleteDelay":"1s","restartInterval":"5s"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, fileState), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			l := &Lab{dir: dir}
			err := l.loadState()
			if err == nil || !strings.Contains(err.Error(), fileState) {
				t.Fatalf("loadState = %v, want an error naming %s", err, fileState)
			}
		})
	}
}

func TestDelaysFromEnv(t *testing.T) {
	t.Setenv(EnvReadyDelay, "0s")
	t.Setenv(EnvDeleteDelay, "250ms")
	t.Setenv(EnvRestartInterval, "")
	d, err := delaysFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if want := (Delays{Ready: 0, Delete: 250 * time.Millisecond, RestartInterval: DefaultDelays.RestartInterval}); d != want {
		t.Fatalf("delays %+v, want %+v", d, want)
	}
	for _, bad := range []string{"fast", "-1s"} {
		t.Setenv(EnvReadyDelay, bad)
		if _, err := delaysFromEnv(); err == nil || !strings.Contains(err.Error(), EnvReadyDelay) {
			t.Errorf("%s=%q: err %v, want one naming the variable", EnvReadyDelay, bad, err)
		}
	}
	t.Setenv(EnvReadyDelay, "")
	t.Setenv(EnvRestartInterval, "1ms")
	if _, err := delaysFromEnv(); err == nil {
		t.Error("a 1ms restart interval was accepted")
	}
}

func TestReadPID(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pid")
	for content, ok := range map[string]bool{"123\n": true, "": false, "abc": false, "1": false, "-5": false} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readPID(p); (err == nil) != ok {
			t.Errorf("readPID(%q) err = %v, want ok=%v", content, err, ok)
		}
	}
}

// TestProcessIdentity: only a live process named podium-lab with our --dir
// counts as the lab; stopping never signals anything else.
func TestProcessIdentity(t *testing.T) {
	dir := t.TempDir()
	if isLabProcess(os.Getpid(), dir) {
		t.Fatal("the test process was taken for a lab")
	}
	// A stand-in: this test binary re-run as TestHelperProcess, with
	// argv[0] "podium-lab" and the lab's --dir argument.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestHelperProcess$", "--", "--dir="+dir)
	cmd.Args[0] = "podium-lab"
	cmd.Env = append(os.Environ(), "PODIUM_LABTEST_HELPER=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	pid := cmd.Process.Pid

	if isLabProcess(pid, dir+"-other") {
		t.Fatal("a lab of another directory matched")
	}
	if !isLabProcess(pid, dir) {
		t.Fatal("the stand-in lab process was not recognised")
	}
	if got := strayProcesses(dir); !slices.Equal(got, []int{pid}) {
		t.Fatalf("strayProcesses(%s) = %v, want [%d]", dir, got, pid)
	}
	// Stop through the PID file, as labctl down does.
	if err := os.WriteFile(filepath.Join(dir, filePID), []byte(strconv.Itoa(pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	l := &Lab{dir: dir, log: testWriter{t}}
	if err := l.Down(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("Down did not stop the process")
	}
	if isLabProcess(pid, dir) {
		t.Fatal("a dead process still counts as the lab")
	}
	if _, err := os.Stat(filepath.Join(dir, filePID)); !os.IsNotExist(err) {
		t.Fatalf("pid file left after Down: %v", err)
	}
}

func TestNsName(t *testing.T) {
	for _, name := range []string{"TestX", "TestLab/sub_case#01", strings.Repeat("Long", 40), "///"} {
		got := nsName(name)
		if len(got) > 63 || strings.Trim(got, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasPrefix(got, "-") {
			t.Errorf("nsName(%q) = %q: not a DNS label", name, got)
		}
	}
}

func TestBinaryStale(t *testing.T) {
	src := t.TempDir()
	bin := filepath.Join(t.TempDir(), "podium-lab")
	if stale, why, err := binaryStale(bin, src); err != nil || !stale || why != "missing" {
		t.Fatalf("missing binary: stale=%v why=%q err=%v", stale, why, err)
	}
	old := time.Now().Add(-time.Hour)
	goFile := filepath.Join(src, "main.go")
	if err := os.WriteFile(goFile, []byte("package main"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(goFile, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if stale, _, err := binaryStale(bin, src); err != nil || stale {
		t.Fatalf("fresh binary: stale=%v err=%v", stale, err)
	}
	if err := os.Chtimes(goFile, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if stale, why, err := binaryStale(bin, src); err != nil || !stale || !strings.Contains(why, "main.go") {
		t.Fatalf("edited source: stale=%v why=%q err=%v", stale, why, err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestHelperProcess is the stand-in lab process of TestProcessIdentity; it
// does nothing unless started by it.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("PODIUM_LABTEST_HELPER") != "1" {
		return
	}
	time.Sleep(time.Minute) // killed by the test long before
	os.Exit(0)
}

func TestFreePortsAvoidEphemeralRange(t *testing.T) {
	ports, err := freePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	low := ephemeralLow()
	seen := map[int]bool{}
	for _, p := range ports {
		if p >= low || p < 1024 || seen[p] {
			t.Errorf("ports %v: want 5 distinct ports in 1024..%d", ports, low-1)
		}
		seen[p] = true
	}
}
