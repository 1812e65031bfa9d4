//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// BenchmarkLoad puts the release binary under the load of issue #11: a
// replay of a synthetic 5,000-pod recording in which 5 pods change every
// second, watched by 200 WebSocket viewers and one measured viewer, or asked
// for 8 SVG pictures at once. It needs no cluster: the load is the replay.
//
// Figures (e2e/benchcheck holds the targets):
//   - MiB-peak-rss: the podium process's VmHWM from /proc, the most resident
//     memory it ever had, startup and the recording's parse included.
//   - delivery-p50/p99/max-ms: for each delta the measured viewer gets, its
//     arrival time minus the delta's "time" field, which the player sets to
//     the wall clock (ms) when it appends the delta to the change log. Both
//     clocks are this machine's, so this is the server's queueing, encoding
//     and sending to 201 viewers, plus the viewer's read, at ms precision.
//   - all-8-ms: from sending 8 SVG requests at once to the last picture
//     received whole, retries after 503 + Retry-After included.
func BenchmarkLoad(b *testing.B) {
	bin := releaseBinary(b)
	rec := filepath.Join(b.TempDir(), "load.jsonl.gz")
	writeLoadRecording(b, rec, 30*time.Minute, 5)

	b.Run("viewers=200", func(b *testing.B) {
		for range b.N {
			benchViewers(b, bin, rec, 200, 20*time.Second)
		}
	})
	b.Run("svg=8", func(b *testing.B) {
		for range b.N {
			benchSVG(b, bin, rec)
		}
	})
}

// releaseBinary builds cmd/podium as it ships (no -race, which would
// multiply its memory and CPU).
func releaseBinary(tb testing.TB) string {
	tb.Helper()
	root, err := labtest.RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(tb.TempDir(), "podium")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/podium")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/podium: %v\n%s", err, out)
	}
	return bin
}

// writeLoadRecording writes a recording of 5,000 pods (50 apps of 100 over
// 100 nodes) that then changes perSecond pods a second for d: each change is
// one delta upserting a pod whose restart count went up, as a crash loop
// would show.
func writeLoadRecording(tb testing.TB, path string, d time.Duration, perSecond int) {
	tb.Helper()
	s := cluster(50, 100, 100)
	var pods []*graph.Node
	for _, n := range s.nodes {
		if n.Kind == graph.KindPod {
			pods = append(pods, n)
		}
	}
	if len(pods) != 5000 {
		tb.Fatalf("synthetic cluster has %d pods, want 5000", len(pods))
	}
	start := time.Unix(1700000000, 0).UTC()
	w, err := replay.Create(path, replay.Header{PodiumVersion: "bench", ClusterVersion: "v1.31.0", Start: start})
	if err != nil {
		tb.Fatal(err)
	}
	seq := uint64(1)
	if err := w.Write(start, graph.Snapshot{Type: "snapshot", Epoch: "load", Seq: seq, Nodes: s.nodes, Edges: s.edges}); err != nil {
		tb.Fatal(err)
	}
	step := time.Second / time.Duration(perSecond)
	for i := 1; time.Duration(i)*step < d; i++ {
		p := *pods[(i*37)%len(pods)]
		f := *p.Pod
		f.Restarts = i
		p.Pod = &f
		seq++
		delta := graph.Delta{Type: "delta", From: seq - 1, Seq: seq, Upsert: graph.Items{Nodes: []*graph.Node{&p}, Edges: []*graph.Edge{}},
			Remove: graph.Removals{Nodes: []string{}, Edges: []string{}}}
		if err := w.Write(start.Add(time.Duration(i)*step), delta); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(start.Add(d)); err != nil {
		tb.Fatal(err)
	}
}

// replayProc is a `podium replay` process of the benchmark's own.
type replayProc struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
}

var servingURL = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)|"url":"(http://127\.0\.0\.1:\d+)"`)

// startReplay runs `podium replay rec` on a port the kernel picks, reads the
// address from its log, and waits for /readyz. The process is stopped with
// SIGINT when tb ends; its log goes to e2e/artifacts.
func startReplay(tb testing.TB, bin, rec string) *replayProc {
	tb.Helper()
	root, _ := labtest.RepoRoot()
	logDir := filepath.Join(root, "e2e", "artifacts")
	_ = os.MkdirAll(logDir, 0o755)
	logf, err := os.Create(filepath.Join(logDir, "podium-"+unsafeFileName(tb.Name())+"-replay.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "replay", rec, "--listen", "127.0.0.1:0",
		"--max-clients", "1000", "--max-clients-per-address", "1000")
	// As the chart runs it under its default memory limit of 256Mi (90% of
	// it, less 64 MiB for the binary's own pages: chart/README.md).
	cmd.Env = append(os.Environ(), "GOMEMLIMIT=166MiB")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &replayProc{cmd: cmd, exited: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		// Keep draining the log for as long as the process writes it.
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil && !sent {
				urls <- m[1] + m[2]
				sent = true
			}
		}
		_ = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-p.exited
			tb.Errorf("podium replay did not stop within 20s of SIGINT; log: %s", logf.Name())
		}
	})
	select {
	case p.url = <-urls:
	case <-p.exited:
		tb.Fatalf("podium replay exited before serving; log: %s", logf.Name())
	case <-time.After(2 * time.Minute):
		tb.Fatalf("podium replay did not log its address within 2 minutes; log: %s", logf.Name())
	}
	labtest.Eventually(tb, time.Minute, func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("/readyz: %s", resp.Status)
		}
		return nil
	})
	return p
}

func unsafeFileName(s string) string {
	return strings.NewReplacer("/", "_", " ", "_", "=", "-").Replace(s)
}

// peakRSSMiB reads the process's VmHWM, the peak resident set size.
func (p *replayProc) peakRSSMiB(tb testing.TB) float64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				tb.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb / 1024
		}
	}
	tb.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// benchViewers connects n viewers that read everything, then one measured
// viewer that times each delta for window.
func benchViewers(b *testing.B, bin, rec string, n int, window time.Duration) {
	p := startReplay(b, bin, rec)
	ws := "ws" + strings.TrimPrefix(p.url, "http") + "/ws"
	// Browsers offer permessage-deflate, so the server compresses for each.
	dial := &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()

	// A viewer the server closes as too slow reconnects, as the page does,
	// and counts as dropped: the figure says how often the load costs a
	// viewer its stream.
	var snapshots, deltas, dropped atomic.Int64
	ready := make(chan struct{}, n)
	errs := make(chan error, n)
	start := time.Now()
	sem := make(chan struct{}, 20) // dial in waves, as browsers after a deploy would
	view := func(i int, first bool) (bool, error) {
		sem <- struct{}{}
		conn, _, err := websocket.Dial(ctx, ws, dial)
		<-sem
		if err != nil {
			return first, fmt.Errorf("viewer %d: %w", i, err)
		}
		defer conn.CloseNow()
		conn.SetReadLimit(-1)
		got := false
		for {
			_, msg, err := conn.Read(ctx)
			if err != nil {
				return first, err
			}
			switch {
			case !got:
				got = true
				snapshots.Add(1)
				if first {
					first = false
					ready <- struct{}{}
				}
			case strings.Contains(string(msg[:min(len(msg), 40)]), `"delta"`):
				deltas.Add(1)
			}
		}
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for {
				var err error
				first, err = view(i, first)
				if ctx.Err() != nil {
					return
				}
				if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
					errs <- fmt.Errorf("viewer %d: %w", i, err)
					return
				}
				dropped.Add(1)
			}
		}()
	}
	for range n {
		select {
		case <-ready:
		case err := <-errs:
			b.Fatal(err)
		case <-time.After(5 * time.Minute):
			b.Fatalf("only %d of %d viewers got their snapshot in 5 minutes", snapshots.Load(), n)
		}
	}
	allReady := time.Since(start)

	// The measured viewer reads as a browser does: whole messages, decoded.
	conn, _, err := websocket.Dial(ctx, ws, dial)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(-1)
	var lat []time.Duration
	var snaps int
	end := time.Now().Add(window)
	rctx, rcancel := context.WithDeadline(ctx, end)
	defer rcancel()
	b.ResetTimer()
	for {
		_, msg, err := conn.Read(rctx)
		arrived := time.Now()
		if err != nil {
			if rctx.Err() != nil {
				break
			}
			b.Fatalf("measured viewer: %v", err)
		}
		var m struct {
			Type string `json:"type"`
			Time int64  `json:"time"`
		}
		if err := json.Unmarshal(msg, &m); err != nil {
			b.Fatalf("measured viewer: %v", err)
		}
		switch m.Type {
		case "snapshot":
			snaps++
		case "delta":
			if m.Time == 0 {
				b.Fatalf("a delta without its time: %.200s", msg)
			}
			lat = append(lat, arrived.Sub(time.UnixMilli(m.Time)))
		}
	}
	b.StopTimer()
	rss := p.peakRSSMiB(b)
	select {
	case err := <-errs:
		b.Fatalf("a viewer failed: %v", err)
	default:
	}
	if snaps != 1 {
		b.Errorf("the measured viewer got %d snapshots, want 1 (a resync under load)", snaps)
	}
	// 5 changes a second for the window: most of them must have arrived.
	if want := int(window.Seconds()) * 5 * 8 / 10; len(lat) < want {
		b.Fatalf("the measured viewer got %d deltas in %v, want at least %d", len(lat), window, want)
	}
	b.Logf("%d viewers ready in %v; measured viewer: %d deltas; all viewers: %d deltas, %d snapshots, %d closed as too slow; peak RSS %.0f MiB",
		n, allReady.Round(time.Millisecond), len(lat), deltas.Load(), snapshots.Load(), dropped.Load(), rss)
	b.ReportMetric(rss, "MiB-peak-rss")
	b.ReportMetric(ms(percentile(lat, 0.5)), "delivery-p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "delivery-p99-ms")
	b.ReportMetric(ms(percentile(lat, 1)), "delivery-max-ms")
	b.ReportMetric(ms(allReady), "all-ready-ms")
	b.ReportMetric(float64(dropped.Load()), "viewers-dropped")
}

// benchSVG asks for 8 different pictures at once (focus and language vary,
// so no two share a cache entry) and times the last one.
func benchSVG(b *testing.B, bin, rec string) {
	p := startReplay(b, bin, rec)
	type ask struct{ focus, lang string }
	var asks []ask
	for i := range 8 {
		lang := []string{"en", "zh-CN"}[i%2]
		focus := ""
		if i > 0 {
			focus = graph.ID(graph.KindDeployment, fmt.Sprintf("team-%d", i%5), fmt.Sprintf("app%03d", i))
		}
		asks = append(asks, ask{focus, lang})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(asks))
	sizes := make([]int64, len(asks))
	retries := make([]int, len(asks))
	b.ResetTimer()
	start := time.Now()
	for i, a := range asks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sizes[i], retries[i], errs[i] = fetchSVG(ctx, p.url, a.focus, a.lang)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	for i, err := range errs {
		if err != nil {
			b.Fatalf("SVG %d (focus %q, lang %s): %v", i, asks[i].focus, asks[i].lang, err)
		}
	}
	rss := p.peakRSSMiB(b)
	b.Logf("8 SVGs in %v; sizes %v B; retries after 503 %v; peak RSS %.0f MiB", took.Round(time.Millisecond), sizes, retries, rss)
	b.ReportMetric(rss, "MiB-peak-rss")
	b.ReportMetric(ms(took), "all-8-ms")
}

// fetchSVG fetches one picture, retrying after a 503's Retry-After, and
// returns its size and the number of retries.
func fetchSVG(ctx context.Context, base, focus, lang string) (int64, int, error) {
	u := base + "/api/graph.svg?lang=" + lang
	if focus != "" {
		u += "&focus=" + focus
	}
	for retries := 0; ; retries++ {
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, retries, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
			return n, retries, err
		case resp.StatusCode == http.StatusServiceUnavailable:
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || secs < 0 {
				return n, retries, fmt.Errorf("503 with Retry-After %q: want whole seconds", resp.Header.Get("Retry-After"))
			}
			select {
			case <-time.After(time.Duration(secs) * time.Second):
			case <-ctx.Done():
				return n, retries, ctx.Err()
			}
		case resp.StatusCode != http.StatusOK:
			return n, retries, fmt.Errorf("GET %s: %s", u, resp.Status)
		case !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml"):
			return n, retries, fmt.Errorf("GET %s: Content-Type %q", u, resp.Header.Get("Content-Type"))
		default:
			return n, retries, nil
		}
	}
}
