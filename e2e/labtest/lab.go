// Package labtest starts, reuses and stops Podium's lab: a real Kubernetes
// control plane (etcd, kube-apiserver, controller-manager, scheduler and
// KWOK fake nodes) running as one detached podium-lab process on loopback.
//
// A lab lives in one directory (default <repo>/.lab, or $PODIUM_LAB_DIR):
//
//	lab.json          ports and delays, chosen once so a restart keeps its address
//	podium-lab.pid    the running process (it leads its own process group)
//	kubeconfig        admin (system:masters) kubeconfig
//	pki/ etcd/ logs/  certificates, etcd data, logs/podium-lab.log
//
// Tests usually call Shared from TestMain, which reuses a lab started by
// `make lab-up` or starts one. Pod behaviour is steered by labels and
// annotations (LabelNeverReady, LabelRestart, AnnotationReadyDelay, ...).
package labtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Labels and annotations understood by the lab's KWOK stages
// (e2e/lab/stages/pod-stages.yaml).
const (
	// LabelNeverReady "true": the pod runs but its readiness probe fails forever.
	LabelNeverReady = "podium.dev/lab-never-ready"
	// LabelRestart "true": the pod's containers restart every restart interval.
	LabelRestart = "podium.dev/lab-restart"
	// AnnotationReadyDelay (a Go duration, e.g. "0s") overrides the ready delay for one pod.
	AnnotationReadyDelay = "podium.dev/lab-ready-delay"
	// AnnotationDeleteDelay overrides how long one terminating pod lingers.
	AnnotationDeleteDelay = "podium.dev/lab-delete-delay"
	// LabelFail "true": a pod with restartPolicy Never or OnFailure (a Job's)
	// ends with exit code 1 and phase Failed instead of Succeeded.
	LabelFail = "podium.dev/lab-fail"
	// AnnotationRunDuration (a Go duration) overrides how long one such pod
	// runs before it ends (default 1s).
	AnnotationRunDuration = "podium.dev/lab-run-duration"
	// FakeNodeAnnotation marks the Nodes KWOK manages.
	FakeNodeAnnotation = "kwok.x-k8s.io/node"
)

// Environment variables read when a lab is started (not when one is reused).
const (
	EnvDir             = "PODIUM_LAB_DIR"
	EnvBin             = "PODIUM_LAB_BIN" // the podium-lab binary (built there when stale)
	EnvReadyDelay      = "PODIUM_LAB_READY_DELAY"
	EnvDeleteDelay     = "PODIUM_LAB_DELETE_DELAY"
	EnvRestartInterval = "PODIUM_LAB_RESTART_INTERVAL"
)

// Delays steer KWOK's pod stages; see e2e/lab/README.md.
type Delays struct {
	Ready, Delete, RestartInterval time.Duration
}

// DefaultDelays are human speed, so a rollout is visible in a demo.
var DefaultDelays = Delays{Ready: time.Second, Delete: time.Second, RestartInterval: 5 * time.Second}

// Options configure Start. The zero value is the default lab.
type Options struct {
	// Dir is the lab directory; default $PODIUM_LAB_DIR, else <repo>/.lab.
	Dir string
	// Binary is the podium-lab executable. Default $PODIUM_LAB_BIN, else
	// <repo>/.lab/bin/podium-lab, (re)built from e2e/lab when missing or
	// older than its sources.
	Binary string
	// Delays apply when the lab is first started in Dir; nil means the
	// PODIUM_LAB_* variables, else DefaultDelays. A restart keeps them.
	Delays *Delays
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// state is lab.json.
type state struct {
	EtcdPort              int    `json:"etcdPort"`
	EtcdPeerPort          int    `json:"etcdPeerPort"`
	APIServerPort         int    `json:"apiserverPort"`
	ControllerManagerPort int    `json:"controllerManagerPort"`
	SchedulerPort         int    `json:"schedulerPort"`
	ReadyDelay            string `json:"readyDelay"`
	DeleteDelay           string `json:"deleteDelay"`
	RestartInterval       string `json:"restartInterval"`
}

func (s state) ports() []int {
	return []int{s.EtcdPort, s.EtcdPeerPort, s.APIServerPort, s.ControllerManagerPort, s.SchedulerPort}
}

var errNotRunning = errors.New("lab is not running")

// Lab is a handle on one lab directory. Its methods are safe for concurrent use.
type Lab struct {
	dir, bin string
	log      io.Writer

	mu      sync.Mutex // guards the fields below
	st      state
	started bool          // the last Start/Restart of this handle launched the process
	exited  chan struct{} // closed when a process this handle launched is reaped
	cfg     *rest.Config
	client  kubernetes.Interface
}

// Open returns a handle on the lab in opts.Dir without starting anything.
func Open(opts Options) (*Lab, error) {
	dir := opts.Dir
	if dir == "" {
		dir = os.Getenv(EnvDir)
	}
	var root string
	if dir == "" || (opts.Binary == "" && os.Getenv(EnvBin) == "") {
		r, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		root = r
	}
	if dir == "" {
		dir = filepath.Join(root, ".lab")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	bin := opts.Binary
	if bin == "" {
		bin = os.Getenv(EnvBin)
	}
	if bin == "" {
		bin = filepath.Join(root, ".lab", "bin", "podium-lab")
	}
	w := opts.Log
	if w == nil {
		w = io.Discard
	}
	return &Lab{dir: abs, bin: bin, log: w}, nil
}

// Start returns a running, ready lab in opts.Dir: it reuses the process
// already running there (e.g. from `make lab-up`) or starts one. It is
// idempotent and safe across processes (a file lock serialises starters).
func Start(ctx context.Context, opts Options) (*Lab, error) {
	l, err := Open(opts)
	if err != nil {
		return nil, err
	}
	return l, l.start(ctx, opts.Delays, false)
}

// Dir is the lab directory.
func (l *Lab) Dir() string { return l.dir }

// Kubeconfig is the path of the admin kubeconfig.
func (l *Lab) Kubeconfig() string { return filepath.Join(l.dir, fileKubeconfig) }

// LogFile is the path of podium-lab's log.
func (l *Lab) LogFile() string { return filepath.Join(l.dir, fileLog) }

// Started reports whether the last Start or Restart through this handle
// launched the process (false when it reused a running lab).
func (l *Lab) Started() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started
}

// Config returns a copy of the admin client configuration.
func (l *Lab) Config() *rest.Config {
	l.mu.Lock()
	defer l.mu.Unlock()
	return rest.CopyConfig(l.cfg)
}

// Client returns an admin clientset.
func (l *Lab) Client() kubernetes.Interface {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.client
}

// CollectGarbage runs a whole garbage collection of the lab process (the
// API server, etcd, the controllers and KWOK share its heap) and returns
// when it is done: the API server's /debug/pprof/heap?gc=1 collects before
// it profiles. With 50,000 pods the lab holds gigabytes, and a collection
// that lands on a timed sample takes both cores for seconds; a benchmark
// collects before each sample instead.
func (l *Lab) CollectGarbage(ctx context.Context) error {
	_, err := l.Client().CoreV1().RESTClient().Get().AbsPath("/debug/pprof/heap").Param("gc", "1").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("collecting the lab's heap: %w", err)
	}
	return nil
}

// Delays returns the delays the lab was started with.
func (l *Lab) Delays() Delays {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, _ := l.st.delays()
	return d
}

// Server is the apiserver URL.
func (l *Lab) Server() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return "https://127.0.0.1:" + strconv.Itoa(l.st.APIServerPort)
}

// PID returns the running lab's process id, or an error when none runs.
func (l *Lab) PID() (int, error) {
	pid, err := readPID(filepath.Join(l.dir, filePID))
	if err != nil {
		return 0, errNotRunning
	}
	if !isLabProcess(pid, l.dir) {
		return 0, errNotRunning
	}
	return pid, nil
}

// Running reports whether a podium-lab process for this directory is alive.
func (l *Lab) Running() bool {
	_, err := l.PID()
	return err == nil
}

// Ready reports whether the lab's apiserver answers /readyz.
func (l *Lab) Ready(ctx context.Context) error {
	if err := l.loadState(); err != nil {
		return err
	}
	if err := l.loadClient(); err != nil {
		return err
	}
	return l.readyz(ctx)
}

// Stop stops the lab's process group, keeping its data, certificates and
// ports for a later Start or Restart. Stopping a stopped lab is a no-op.
func (l *Lab) Stop() error {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return l.stopLocked()
}

// Down stops the lab like Stop, also after a crash (stale PID file), and
// makes sure no podium-lab process of this directory is left.
func (l *Lab) Down() error {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := l.stopLocked(); err != nil {
		return err
	}
	for _, pid := range strayProcesses(l.dir) {
		fmt.Fprintf(l.log, "labtest: killing leftover podium-lab pid %d\n", pid)
		killGroup(pid, syscall.SIGKILL)
		if !waitGone(pid, 5*time.Second) {
			return fmt.Errorf("podium-lab pid %d (lab %s) survived SIGKILL", pid, l.dir)
		}
	}
	_ = os.Remove(filepath.Join(l.dir, filePID))
	return nil
}

// Restart stops the lab and starts it again on the same etcd data, ports
// and certificates; existing clients reconnect by themselves.
func (l *Lab) Restart(ctx context.Context) error {
	if err := l.Stop(); err != nil {
		return err
	}
	return l.start(ctx, nil, true)
}

func (l *Lab) start(ctx context.Context, delays *Delays, keepPorts bool) error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return err
	}
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()

	if l.Running() {
		if err := l.loadState(); err != nil {
			return err
		}
		if err := l.loadClient(); err != nil {
			return err
		}
		// A lab that is running but not (yet) ready is waited for, not
		// replaced: it may be another process's start in progress. No probe
		// pod: a lab busy with another run's thousands of pods would make
		// it wait in KWOK's queue for nothing.
		if err := l.waitReady(ctx, nil, false); err != nil {
			return fmt.Errorf("lab in %s is running but not ready: %w (log: %s)", l.dir, err, l.LogFile())
		}
		l.mu.Lock()
		l.started = false
		l.mu.Unlock()
		fmt.Fprintf(l.log, "labtest: reusing the running lab in %s\n", l.dir)
		return nil
	}

	// Not running: clear what a crash may have left, then start afresh.
	for _, pid := range strayProcesses(l.dir) {
		killGroup(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
	_ = os.Remove(filepath.Join(l.dir, filePID))

	if err := ensureBinary(ctx, l.bin, l.log); err != nil {
		return err
	}
	if err := ensurePKI(l.dir); err != nil {
		return fmt.Errorf("lab certificates: %w", err)
	}
	if err := l.prepareState(delays, keepPorts); err != nil {
		return err
	}
	if err := l.writeKubeconfig(); err != nil {
		return err
	}
	if err := l.loadClient(); err != nil {
		return err
	}
	exited, err := l.launch()
	if err != nil {
		return err
	}
	if err := l.waitReady(ctx, exited, true); err != nil {
		// Leave nothing half-started behind.
		_ = l.stopLocked()
		return fmt.Errorf("lab did not become ready: %w\n--- last lines of %s ---\n%s", err, l.LogFile(), tail(l.LogFile(), 30))
	}
	l.mu.Lock()
	l.started = true
	l.mu.Unlock()
	return nil
}

// prepareState loads lab.json, or chooses ports and delays for a new lab.
// Persisted ports still taken after a short wait are chosen anew, unless
// keepPorts (a restart, whose clients expect the same address).
func (l *Lab) prepareState(delays *Delays, keepPorts bool) error {
	err := l.loadState()
	switch {
	case err == nil:
		// Just after a stop the old sockets may linger for a moment.
		busy := Poll(context.Background(), 10*time.Second, func(context.Context) error {
			for _, p := range l.st.ports() {
				if !portFree(p) {
					return fmt.Errorf("port %d is in use", p)
				}
			}
			return nil
		})
		if busy == nil {
			return nil
		}
		if keepPorts {
			return fmt.Errorf("cannot restart the lab in %s on its address: %w", l.dir, busy)
		}
		fmt.Fprintf(l.log, "labtest: %v; choosing new ports for %s\n", busy, l.dir)
	case errors.Is(err, os.ErrNotExist):
	default:
		return err
	}
	st := l.st
	if err != nil { // a new lab
		d := DefaultDelays
		if delays != nil {
			d = *delays
		} else if d, err = delaysFromEnv(); err != nil {
			return err
		}
		st.ReadyDelay, st.DeleteDelay, st.RestartInterval = d.Ready.String(), d.Delete.String(), d.RestartInterval.String()
	}
	ports, err := freePorts(5)
	if err != nil {
		return err
	}
	st.EtcdPort, st.EtcdPeerPort, st.APIServerPort, st.ControllerManagerPort, st.SchedulerPort = ports[0], ports[1], ports[2], ports[3], ports[4]
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(l.dir, fileState), append(b, '\n')); err != nil {
		return err
	}
	l.mu.Lock()
	l.st = st
	l.mu.Unlock()
	return nil
}

func (l *Lab) loadState() error {
	b, err := os.ReadFile(filepath.Join(l.dir, fileState))
	if err != nil {
		return err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(l.dir, fileState), err)
	}
	for _, p := range st.ports() {
		if p <= 0 || p > 65535 {
			return fmt.Errorf("%s: invalid port %d", filepath.Join(l.dir, fileState), p)
		}
	}
	if _, err := st.delays(); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(l.dir, fileState), err)
	}
	l.mu.Lock()
	l.st = st
	l.mu.Unlock()
	return nil
}

func (s state) delays() (Delays, error) {
	var d Delays
	for _, f := range []struct {
		v   string
		dst *time.Duration
	}{{s.ReadyDelay, &d.Ready}, {s.DeleteDelay, &d.Delete}, {s.RestartInterval, &d.RestartInterval}} {
		v, err := time.ParseDuration(f.v)
		if err != nil {
			return d, fmt.Errorf("bad delay %q: %w", f.v, err)
		}
		*f.dst = v
	}
	return d, nil
}

func delaysFromEnv() (Delays, error) {
	d := DefaultDelays
	for _, e := range []struct {
		name string
		dst  *time.Duration
	}{{EnvReadyDelay, &d.Ready}, {EnvDeleteDelay, &d.Delete}, {EnvRestartInterval, &d.RestartInterval}} {
		s := os.Getenv(e.name)
		if s == "" {
			continue
		}
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return d, fmt.Errorf("%s=%q: want a non-negative Go duration such as 0s or 1.5s", e.name, s)
		}
		*e.dst = v
	}
	if d.RestartInterval < 100*time.Millisecond {
		return d, fmt.Errorf("%s must be at least 100ms, got %s", EnvRestartInterval, d.RestartInterval)
	}
	return d, nil
}

func (l *Lab) writeKubeconfig() error {
	ca, err := readPEMFile(filepath.Join(l.dir, fileCACert))
	if err != nil {
		return err
	}
	cert, err := readPEMFile(filepath.Join(l.dir, fileAdminCert))
	if err != nil {
		return err
	}
	key, err := readPEMFile(filepath.Join(l.dir, fileAdminKey))
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["podium-lab"] = &clientcmdapi.Cluster{Server: l.Server(), CertificateAuthorityData: ca}
	cfg.AuthInfos["podium-lab-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}
	cfg.Contexts["podium-lab"] = &clientcmdapi.Context{Cluster: "podium-lab", AuthInfo: "podium-lab-admin", Namespace: "default"}
	cfg.CurrentContext = "podium-lab"
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(l.Kubeconfig(), b)
}

func (l *Lab) loadClient() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", l.Kubeconfig())
	if err != nil {
		return fmt.Errorf("lab kubeconfig: %w", err)
	}
	// Tests create many objects quickly; client-go's default 5 QPS would
	// make them measure the client's rate limiter.
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.cfg, l.client = cfg, cs
	l.mu.Unlock()
	return nil
}

// launch starts podium-lab detached: its own session and process group, so
// a Ctrl-C in the terminal that ran `make lab-up` does not reach it and
// stopping it can signal exactly its group.
func (l *Lab) launch() (<-chan struct{}, error) {
	l.mu.Lock()
	st := l.st
	l.mu.Unlock()
	d, err := st.delays()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(l.LogFile()), 0o755); err != nil {
		return nil, err
	}
	// Keep one previous log: the components log a lot, and a lab restarted
	// by many test runs would otherwise grow its log without bound.
	if fi, err := os.Stat(l.LogFile()); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(l.LogFile(), l.LogFile()+".1")
	}
	logf, err := os.OpenFile(l.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "\n=== labtest: starting podium-lab at %s ===\n", time.Now().UTC().Format(time.RFC3339))
	cmd := exec.Command(l.bin,
		"--dir="+l.dir,
		"--etcd-port="+strconv.Itoa(st.EtcdPort),
		"--etcd-peer-port="+strconv.Itoa(st.EtcdPeerPort),
		"--apiserver-port="+strconv.Itoa(st.APIServerPort),
		"--controller-manager-port="+strconv.Itoa(st.ControllerManagerPort),
		"--scheduler-port="+strconv.Itoa(st.SchedulerPort),
		"--ready-delay="+d.Ready.String(),
		"--delete-delay="+d.Delete.String(),
		"--restart-interval="+d.RestartInterval.String(),
	)
	cmd.Dir = l.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", l.bin, err)
	}
	exited := make(chan struct{})
	// Reap the child when it exits, so a stopped lab leaves no zombie that
	// would still look alive to kill(pid, 0).
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := writeFileAtomic(filepath.Join(l.dir, filePID), []byte(strconv.Itoa(cmd.Process.Pid)+"\n")); err != nil {
		killGroup(cmd.Process.Pid, syscall.SIGKILL)
		return nil, err
	}
	l.mu.Lock()
	l.exited = exited
	l.mu.Unlock()
	fmt.Fprintf(l.log, "labtest: started podium-lab pid %d in %s (apiserver %s)\n", cmd.Process.Pid, l.dir, l.Server())
	return exited, nil
}

const maxLogSize = 64 << 20

func (l *Lab) stopLocked() error {
	pidFile := filepath.Join(l.dir, filePID)
	pid, err := readPID(pidFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		// A garbled PID file names no process we could safely signal.
		fmt.Fprintf(l.log, "labtest: ignoring unreadable %s: %v\n", pidFile, err)
		return os.Remove(pidFile)
	}
	if isLabProcess(pid, l.dir) {
		killGroup(pid, syscall.SIGTERM)
		if !waitGone(pid, 15*time.Second) {
			fmt.Fprintf(l.log, "labtest: podium-lab pid %d ignored SIGTERM; killing it\n", pid)
			killGroup(pid, syscall.SIGKILL)
			if !waitGone(pid, 10*time.Second) {
				return fmt.Errorf("podium-lab pid %d did not exit", pid)
			}
		}
		fmt.Fprintf(l.log, "labtest: stopped podium-lab pid %d\n", pid)
	}
	l.mu.Lock()
	exited := l.exited
	l.mu.Unlock()
	if exited != nil {
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// lock takes the lab directory's file lock (flock), which serialises
// starting and stopping across test binaries and labctl.
func (l *Lab) lock() (func(), error) {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(l.dir, fileLock), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return 0, fmt.Errorf("%s: not a PID: %q", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// isLabProcess reports whether pid is a live (not zombie) podium-lab serving
// dir. Checking the command line guards against a recycled PID.
func isLabProcess(pid int, dir string) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state letter follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if len(args) == 0 || !strings.HasPrefix(filepath.Base(args[0]), "podium-lab") {
		return false
	}
	for _, a := range args[1:] {
		if a == "--dir="+dir {
			return true
		}
	}
	return false
}

// strayProcesses finds live podium-lab processes of dir, whatever the PID
// file says (it may be stale after a crash of labtest itself).
func strayProcesses(dir string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if isLabProcess(pid, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killGroup signals pid's process group; podium-lab leads its own (setsid),
// so this reaches exactly what it runs.
func killGroup(pid int, sig syscall.Signal) {
	if err := syscall.Kill(-pid, sig); err != nil {
		_ = syscall.Kill(pid, sig)
	}
}

func processGone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}

func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// freePorts picks n distinct free loopback ports below the kernel's
// ephemeral range: a port from that range can be taken at any moment as
// the source port of some outgoing connection, and a restarted lab could
// then not bind its persisted address again.
func freePorts(n int) ([]int, error) {
	lo, hi := 10000, ephemeralLow()-1
	if hi-lo < 1000 {
		lo, hi = 1024, 65535
	}
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			return nil, fmt.Errorf("no %d free ports in %d-%d", n, lo, hi)
		}
		p := lo + mrand.IntN(hi-lo+1)
		if seen[p] || !portFree(p) {
			continue
		}
		seen[p] = true
		ports = append(ports, p)
	}
	return ports, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 32768
	}
	return n
}

func portFree(p int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
