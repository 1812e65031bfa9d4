// Package podiumtest runs the real podium binary against a cluster for
// end-to-end tests, and reads its /api/graph and /ws the way a browser does.
package podiumtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/informers/graph"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/podium once per test process and returns its path.
func Binary() (string, error) {
	buildOnce.Do(func() {
		root, err := labtest.RepoRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "podium-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "podium")
		cmd := exec.Command("go", "build", "-race", "-o", binPath, "./cmd/podium")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/podium: %v\n%s", err, out)
		}
	})
	return binPath, buildErr
}

// Options configure a Podium process. The zero value runs "podium serve"
// on a free port.
type Options struct {
	Kubeconfig string   // for the default serve command
	Args       []string // extra flags for the default serve command, e.g. --namespace a
	// Command, when set, is the whole command line after the binary, used as
	// is (e.g. "replay", FILE, "--listen", Addr). Include Addr in it when the
	// process serves.
	Command []string
	// Addr is where the process serves (host:port); default a free
	// loopback port, which the default command listens on.
	Addr string
	// Env is added to this process's environment, or with ExactEnv is the
	// whole environment (as a kubelet would give it).
	Env      []string
	ExactEnv bool
	Binary   string    // default: cmd/podium built by Binary
	Dir      string    // working directory; default this one
	Signal   os.Signal // how Stop asks it to end; default SIGTERM
	NoWait   bool      // do not wait for /readyz (a recorder serves nothing)
}

// Podium is one running podium process.
type Podium struct {
	URL     string
	LogPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	signal  os.Signal
	stopped bool // Stop or Kill ended it; an exit before that is an error
	tb      testing.TB
}

// FreePort returns a free loopback port.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// FreeAddr returns a free loopback host:port.
func FreeAddr(tb testing.TB) string {
	return fmt.Sprintf("127.0.0.1:%d", FreePort(tb))
}

var unsafeName = strings.NewReplacer("/", "_", " ", "_")

// Start runs podium, logging to e2e/artifacts, waits for /readyz unless
// NoWait, and stops it when tb ends, expecting a clean exit.
func Start(tb testing.TB, opts Options) *Podium {
	tb.Helper()
	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = Binary(); err != nil {
			tb.Fatal(err)
		}
	}
	addr := opts.Addr
	if addr == "" {
		addr = FreeAddr(tb)
	}
	args := opts.Command
	if args == nil {
		args = []string{"serve", "--listen", addr, "--log-level", "debug"}
		if opts.Kubeconfig != "" {
			args = append(args, "--kubeconfig", opts.Kubeconfig)
		}
		args = append(args, opts.Args...)
	}
	root, _ := labtest.RepoRoot()
	logDir := filepath.Join(root, "e2e", "artifacts")
	_ = os.MkdirAll(logDir, 0o755)
	logPath := filepath.Join(logDir, "podium-"+unsafeName.Replace(tb.Name())+"-"+args[0]+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), opts.Env...)
	if opts.ExactEnv {
		cmd.Env = opts.Env
	}
	cmd.Dir = opts.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		tb.Fatal(err)
	}
	p := &Podium{URL: "http://" + addr, LogPath: logPath, cmd: cmd, exited: make(chan struct{}), signal: opts.Signal, tb: tb}
	if p.signal == nil {
		p.signal = syscall.SIGTERM
	}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.exited) }()
	tb.Cleanup(p.Stop)
	if !opts.NoWait {
		p.WaitReady(60 * time.Second)
	}
	return p
}

// Exited is closed when the process has exited.
func (p *Podium) Exited() <-chan struct{} { return p.exited }

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Podium) Kill() {
	p.stopped = true
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// WaitReady waits until /readyz answers 200.
func (p *Podium) WaitReady(d time.Duration) {
	p.tb.Helper()
	labtest.Eventually(p.tb, d, func(ctx context.Context) error {
		select {
		case <-p.exited:
			log, _ := os.ReadFile(p.LogPath)
			return fmt.Errorf("podium exited early:\n%s", log)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("/readyz: %d", resp.StatusCode)
		}
		return nil
	})
}

// Stop asks the process to end (SIGTERM, as kubelet would, unless Options
// said otherwise) and checks that it exits cleanly. A process that exited by
// itself before is an error too.
func (p *Podium) Stop() {
	select {
	case <-p.exited:
		if !p.stopped {
			p.tb.Errorf("podium exited before the test ended; log: %s", p.LogPath)
		}
		p.stopped = true
		return
	default:
	}
	p.stopped = true
	_ = p.cmd.Process.Signal(p.signal)
	select {
	case <-p.exited:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			p.tb.Errorf("podium exited with %d after %v; log: %s", code, p.signal, p.LogPath)
		}
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		p.tb.Errorf("podium did not stop within 20s of %v; log: %s", p.signal, p.LogPath)
	}
}

// Graph fetches /api/graph with an optional query ("namespace=a").
func (p *Podium) Graph(ctx context.Context, query string) (graph.Snapshot, error) {
	var s graph.Snapshot
	u := p.URL + "/api/graph"
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return s, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// Status fetches /api/status.
func (p *Podium) Status(ctx context.Context) (graph.Status, error) {
	var s graph.Status
	req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/api/status", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// Stream is a /ws client that rebuilds the graph from the messages, as the
// browser's store does, and checks the protocol on the way.
type Stream struct {
	conn *websocket.Conn

	mu sync.Mutex
	// Guarded by mu.
	epoch    string
	state    *graph.State
	status   graph.Status
	msgs     int
	bytes    int
	last     []byte
	err      error
	happened []graph.Happening
	lags     []time.Duration // per delta: arrival minus the server's receive time of its oldest event
	heads    []Head
}

// Head is what one received message was: its type and, for a snapshot or a
// delta, its seqs (a snapshot's From is 0).
type Head struct {
	Type string `json:"type"`
	From uint64 `json:"from"`
	Seq  uint64 `json:"seq"`
}

// Dial opens /ws with query (e.g. "namespace=a" or "epoch=E&since=N").
func (p *Podium) Dial(tb testing.TB, query string) *Stream {
	tb.Helper()
	return p.dial(tb, query, graph.NewState(), "")
}

// Resume opens /ws as a client that already holds the graph from (an
// /api/graph answer, with the same filter as query) and asks only for what
// changed after it: epoch=from.Epoch&since=from.Seq. The server answers with
// the missing deltas, which the stream applies to from, or with a snapshot
// when from's seq is no longer in its history; Heads tells which.
func (p *Podium) Resume(tb testing.TB, query string, from graph.Snapshot) *Stream {
	tb.Helper()
	st := graph.NewState()
	st.Load(from.Seq, from.Nodes, from.Edges)
	resume := fmt.Sprintf("epoch=%s&since=%d", url.QueryEscape(from.Epoch), from.Seq)
	if query != "" {
		resume = query + "&" + resume
	}
	return p.dial(tb, resume, st, from.Epoch)
}

func (p *Podium) dial(tb testing.TB, query string, state *graph.State, epoch string) *Stream {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(p.URL, "http") + "/ws"
	if query != "" {
		u += "?" + query
	}
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", u, err)
	}
	conn.SetReadLimit(256 << 20)
	s := &Stream{conn: conn, state: state, epoch: epoch}
	go s.read()
	tb.Cleanup(func() { conn.CloseNow() })
	return s
}

func (s *Stream) read() {
	for {
		_, b, err := s.conn.Read(context.Background())
		if err != nil {
			s.fail(err)
			return
		}
		if err := s.apply(b); err != nil {
			s.fail(err)
			return
		}
	}
}

func (s *Stream) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *Stream) apply(b []byte) error {
	var head Head
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("message is not JSON: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads = append(s.heads, head)
	s.msgs++
	s.bytes += len(b)
	s.last = b
	switch head.Type {
	case "snapshot":
		var snap graph.Snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			return err
		}
		s.epoch = snap.Epoch
		s.state.Load(snap.Seq, snap.Nodes, snap.Edges)
	case "delta":
		var d graph.Delta
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		if d.From != s.state.Seq || d.Seq <= d.From {
			return fmt.Errorf("delta (%d, %d] does not follow seq %d", d.From, d.Seq, s.state.Seq)
		}
		if d.Time > 0 {
			s.lags = append(s.lags, time.Since(time.UnixMilli(d.Time)))
		}
		s.state.Apply(&d)
		s.happened = append(s.happened, d.Happenings...)
	case "status":
		return json.Unmarshal(b, &s.status)
	case "pong", "error":
	default:
		return fmt.Errorf("unknown message type %q", head.Type)
	}
	return nil
}

// Err returns the error that ended the stream, if any.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Snapshot returns the graph rebuilt from the stream, sorted like /api/graph.
func (s *Stream) Snapshot() graph.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.state.Snapshot(graph.Filter{})
	out.Epoch = s.epoch
	return out
}

// Status returns the last status message.
func (s *Stream) Status() graph.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Happenings returns every happening received so far.
func (s *Stream) Happenings() []graph.Happening {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]graph.Happening(nil), s.happened...)
}

// Lags returns, for every delta received, the time from the server's receipt
// of its oldest API event to its arrival here (millisecond resolution).
func (s *Stream) Lags() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.lags...)
}

// Heads returns the type and seqs of every message received so far, in order.
func (s *Stream) Heads() []Head {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Head(nil), s.heads...)
}

// Counters returns the messages and payload bytes received so far.
func (s *Stream) Counters() (msgs, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs, s.bytes
}

// Pid is the process's id, for benchmarks that read its CPU time and peak
// memory from /proc.
func (p *Podium) Pid() int { return p.cmd.Process.Pid }

// RSS returns the process's resident set size in bytes, from /proc.
func (p *Podium) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, fmt.Errorf("VmRSS %q: %v", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}
