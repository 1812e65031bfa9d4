//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
)

// streamSpan is how long each stream of creates lasts: 200 pods at 10/s,
// 600 at 30/s, when the API server keeps up.
const streamSpan = 20 * time.Second

// BenchmarkCreateStream measures a stream of pod creates, which is what a
// `kubectl scale` makes, the way issue #15 measured the peer dashboards:
// pods created through the API one after another at a steady rate, each
// with its node set (no scheduler wait), so that KWOK takes it to Running
// and Ready with status updates of its own in the same stream. For each
// pod, "added" is when it first reached Podium's /ws stream minus when a
// plain client-go watch in the same run saw it created.
//
// Podium is the release binary (built as the image builds it) as a process
// of its own, watching the benchmark's namespace, with a measured viewer
// that reads as a browser does (permessage-deflate, each message decoded).
// Variants:
//   - rate=N: the stream alone, in an empty namespace;
//   - pods=5000/rate=N: 5,000 pods already in the namespace, all Ready
//     (a cluster at rest), in view;
//   - viewers=500/rate=N: 500 more viewers of the namespace, each reading
//     everything it is sent, in a process of their own (loadViewers);
//   - pods=5000/viewers=500/rate=N: both, after pods=5000/rate=N in the
//     same process, with the measured viewer's p99 over that single-viewer
//     run's (p99-over-single-ms) and the CPU each viewer adds
//     (cpu-pct/viewer). MiB-peak-rss is the process's VmHWM so far.
func BenchmarkCreateStream(b *testing.B) {
	rates := []int{10, 30}
	// The variants share one namespace and Podium for both rates. Without
	// viewers, a run keeps its figures in single, by rate; with viewers, it
	// is compared with those.
	run := func(b *testing.B, p *podiumtest.Podium, ns string, v *loadViewers, tag string, single map[int]*streamRun) {
		for _, rate := range rates {
			b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
				for iter := range b.N {
					r := createStream(b, p, ns, rate, fmt.Sprintf("%sr%d-%d", tag, rate, iter))
					if v == nil {
						r.report(b, 0, nil)
						if single != nil {
							single[rate] = &r
						}
						continue
					}
					r.report(b, v.n, single[rate])
					b.Log(v.stats(b))
				}
			})
		}
	}
	// The stream alone: a namespace and a Podium of its own for each rate.
	for _, rate := range rates {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			ns := labtest.NamespacePrefixed(b, lab, "bench")
			p := startBenchPodium(b, ns)
			for iter := range b.N {
				createStream(b, p, ns, rate, fmt.Sprintf("r%d-%d", rate, iter)).report(b, 0, nil)
			}
		})
	}
	b.Run("pods=5000", func(b *testing.B) {
		ns := scaleNamespace(b, 5000, createPodsSettled)
		p := startBenchPodium(b, ns)
		single := map[int]*streamRun{}
		run(b, p, ns, nil, "", single)
		// Issue #15's 500 viewers on a 5,000-pod graph during a scale-up:
		// the same streams, the measured viewer now one of 501. Against the
		// single-viewer runs just before, in the same process: its p99
		// over theirs, and the CPU each viewer adds.
		b.Run("viewers=500", func(b *testing.B) {
			v := startViewers(b, p.URL, "namespace="+ns, 500)
			defer v.stop(b)
			run(b, p, ns, v, "v", single)
		})
	})
	b.Run("viewers=500", func(b *testing.B) {
		ns := labtest.NamespacePrefixed(b, lab, "bench")
		p := startBenchPodium(b, ns)
		v := startViewers(b, p.URL, "namespace="+ns, 500)
		defer v.stop(b)
		run(b, p, ns, v, "", nil)
	})
}

// startBenchPodium runs the release binary against ns, with room for the
// benchmark's viewers, and waits until its first sync is done.
func startBenchPodium(b *testing.B, ns string) *podiumtest.Podium {
	return podiumtest.Start(b, podiumtest.Options{Binary: chartImageBinary(b), Kubeconfig: lab.Kubeconfig(),
		Args: []string{"--namespace", ns, "--log-level", "info", "--max-clients", "1000", "--max-clients-per-address", "1000"}})
}

// streamRun is what one stream of creates measured.
type streamRun struct {
	added, rawLat []time.Duration
	achieved      float64 // creates a second actually made
	cpu           float64 // the podium process's CPU during the stream, seconds
	ownCPU        float64 // the benchmark's own (its viewers' and watch's), seconds
	wall          time.Duration
	peakRSS       float64 // the podium process's VmHWM, MiB
}

// report reports r's figures. With viewers, it adds the CPU per viewer:
// the process's CPU over single's (the same stream with one viewer, in the
// same process) divided by viewers, or without single, all of it; and with
// single, the measured viewer's p99 over single's.
func (r streamRun) report(b *testing.B, viewers int, single *streamRun) {
	b.ReportMetric(ms(percentile(r.added, 0.5)), "added-p50-ms")
	b.ReportMetric(ms(percentile(r.added, 0.99)), "added-p99-ms")
	b.ReportMetric(r.achieved, "creates/s")
	cpuPct := r.cpuPct()
	b.ReportMetric(cpuPct, "cpu-pct")
	b.ReportMetric(r.peakRSS, "MiB-peak-rss")
	perViewer := ""
	if viewers > 0 {
		added, of := cpuPct, "all of it"
		if single != nil {
			added, of = cpuPct-single.cpuPct(), fmt.Sprintf("over %.1f%% with one viewer", single.cpuPct())
			over := percentile(r.added, 0.99) - percentile(single.added, 0.99)
			b.ReportMetric(ms(over), "p99-over-single-ms")
			perViewer = fmt.Sprintf("; p99 %s over one viewer's %s", over, percentile(single.added, 0.99))
		}
		b.ReportMetric(added/float64(viewers), "cpu-pct/viewer")
		perViewer = fmt.Sprintf(" (%.3f%% per viewer of %d, %s)%s", added/float64(viewers), viewers, of, perViewer)
	}
	b.Logf("%d pod creates at %.1f/s: raw watch after the create call p50 %s p99 %s; Podium adds p50 %s p99 %s max %s; podium CPU %.0f%% of a core%s, the benchmark's own %.0f%%; peak RSS %.0f MiB",
		len(r.added), r.achieved, percentile(r.rawLat, 0.5), percentile(r.rawLat, 0.99),
		percentile(r.added, 0.5), percentile(r.added, 0.99), percentile(r.added, 1), cpuPct, perViewer, 100*r.ownCPU/r.wall.Seconds(), r.peakRSS)
}

// cpuPct is the podium process's CPU during the stream, in % of one core.
func (r streamRun) cpuPct() float64 { return 100 * r.cpu / r.wall.Seconds() }

// createStream creates pods in ns at rate a second for streamSpan, their
// names starting with prefix, and measures each against a raw watch and a
// /ws viewer of p that connect before the first create.
func createStream(b *testing.B, p *podiumtest.Podium, ns string, rate int, prefix string) streamRun {
	return createStreamOn(b, p, lab.Client(), "namespace="+ns, ns, rate, prefix)
}

// createStreamOn is createStream in the cluster of cs, the viewer dialling
// /ws?query (several clusters: cluster=NAME&namespace=NS).
func createStreamOn(b *testing.B, p *podiumtest.Podium, cs kubernetes.Interface, query, ns string, rate int, prefix string) streamRun {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// First sight of each of the stream's pods, by name, on either side.
	var mu sync.Mutex
	watchAt, wsAt := map[string]time.Time{}, map[string]time.Time{}
	// A list of one pod is enough for a resource version to watch from.
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Stop()
	go func() {
		for ev := range raw.ResultChan() {
			if pod, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Added {
				now := time.Now()
				mu.Lock()
				if _, seen := watchAt[pod.Name]; !seen {
					watchAt[pod.Name] = now
				}
				mu.Unlock()
			}
		}
	}()

	// The measured viewer: as a browser, it offers permessage-deflate and
	// decodes every delta. The arrival time is taken before decoding.
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.URL, "http")+"/ws?"+query,
		&websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(-1)
	snapshot := make(chan struct{})
	go func() {
		first := true
		for {
			_, msg, err := conn.Read(ctx)
			if err != nil {
				return
			}
			now := time.Now()
			if first {
				first = false
				close(snapshot)
			}
			if !bytes.Contains(msg[:min(len(msg), 40)], []byte(`"delta"`)) {
				continue
			}
			var d struct {
				Upsert struct {
					Nodes []struct{ Kind, Name string } `json:"nodes"`
				} `json:"upsert"`
			}
			if err := json.Unmarshal(msg, &d); err != nil {
				continue
			}
			mu.Lock()
			for _, n := range d.Upsert.Nodes {
				if n.Kind == "Pod" {
					if _, seen := wsAt[n.Name]; !seen {
						wsAt[n.Name] = now
					}
				}
			}
			mu.Unlock()
		}
	}()
	select {
	case <-snapshot:
	case <-time.After(2 * time.Minute):
		b.Fatal("the measured viewer got no snapshot in 2 minutes")
	}

	n := rate * int(streamSpan/time.Second)
	nodes := []string{"worker-1", "worker-2", "worker-3"}
	names := make([]string, n)
	createdAt := make([]time.Time, n)
	cpu0, own0 := procCPU(b, p.Pid()), procCPU(b, os.Getpid())
	tick := time.NewTicker(time.Second / time.Duration(rate))
	start := time.Now()
	// One create after another: when the API server answers more slowly
	// than the rate (a loaded lab), ticks are dropped and the stream ends
	// after streamSpan with fewer pods; creates/s says what was achieved.
	made := 0
	for i := range n {
		<-tick.C
		if time.Since(start) > streamSpan {
			break
		}
		names[i] = fmt.Sprintf("%s-%04d", prefix, i)
		createdAt[i] = time.Now()
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, benchPod(ns, names[i], nodes[i%3], i), metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		made++
	}
	tick.Stop()
	names, createdAt = names[:made], createdAt[:made]
	r := streamRun{achieved: float64(made) / time.Since(start).Seconds()}
	labtest.Eventually(b, time.Minute, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		for _, name := range names {
			if _, ok := watchAt[name]; !ok {
				return fmt.Errorf("the raw watch has not seen %s", name)
			}
			if _, ok := wsAt[name]; !ok {
				return fmt.Errorf("/ws has not brought %s", name)
			}
		}
		return nil
	})
	r.wall = time.Since(start)
	r.cpu = procCPU(b, p.Pid()) - cpu0
	r.ownCPU = procCPU(b, os.Getpid()) - own0
	r.peakRSS = peakRSS(b, p.Pid())
	mu.Lock()
	for i, name := range names {
		r.added = append(r.added, wsAt[name].Sub(watchAt[name]))
		r.rawLat = append(r.rawLat, watchAt[name].Sub(createdAt[i]))
	}
	mu.Unlock()
	return r
}

// procCPU is the process's user and system CPU time so far, in seconds.
func procCPU(tb testing.TB, pid int) float64 {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name may hold spaces: fields count from after its ')'.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		tb.Fatalf("/proc/%d/stat: too few fields: %q", pid, raw)
	}
	var ticks float64
	for _, s := range f[11:13] { // utime, stime (fields 14 and 15)
		t, err := strconv.ParseFloat(s, 64)
		if err != nil {
			tb.Fatalf("/proc/%d/stat: %q: %v", pid, s, err)
		}
		ticks += t
	}
	return ticks / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux the project runs on.
const clockTicks = 100

// peakRSS is the process's VmHWM in MiB: the most resident memory it ever had.
func peakRSS(tb testing.TB, pid int) float64 {
	tb.Helper()
	return procStatusKB(tb, pid, "VmHWM") / 1024
}

// procStatusKB reads one "kB" line of /proc/PID/status.
func procStatusKB(tb testing.TB, pid int, field string) float64 {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				tb.Fatalf("%s %q: %v", field, rest, err)
			}
			return kb
		}
	}
	tb.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
