//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/web"
)

// The browser benchmarks drive the real server and the real page in
// headless Chromium from a synthetic graph (no informers), so they measure
// the browser side alone: how long 5,000 pods take to draw, whether the page
// still answers input, and the frame rate while 100 pods arrive.

// serveLog serves Podium's server for log on a loopback port and returns the
// page address; opts change its configuration.
func serveLog(tb testing.TB, log *graph.Log, opts ...func(*server.Config)) string {
	tb.Helper()
	cfg := server.Config{
		Log: log,
		Page: func(r server.PageRequest) templ.Component {
			return web.Page(web.PageView{Version: "bench", Lang: r.Lang, Selected: r.Namespaces})
		},
		Static: web.Static,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Logf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/"
}

// serve serves s from a log of its own (epoch), as serveLog does, and
// returns the log (to append to) and the page address.
func (s *synth) serve(tb testing.TB, epoch string) (*graph.Log, string) {
	tb.Helper()
	log := graph.NewLog(epoch, 4096)
	log.Reset(epoch, 1, s.nodes, s.edges, nil)
	return log, serveLog(tb, log)
}

// synth builds graphs the way the informers would describe them.
type synth struct {
	nodes []*graph.Node
	edges []*graph.Edge
}

func (s *synth) node(n *graph.Node) *graph.Node { s.nodes = append(s.nodes, n); return n }
func (s *synth) edge(kind, from, to, state string) {
	s.edges = append(s.edges, &graph.Edge{ID: graph.EdgeID(kind, from, to), Kind: kind, From: from, To: to, State: state})
}

func synthNode(name string) *graph.Node {
	return &graph.Node{ID: graph.ID(graph.KindNode, "", name), Kind: graph.KindNode, Name: name, UID: "u-" + name,
		Node: &graph.NodeFields{Ready: true, Roles: []string{"worker"}, InternalIP: "10.0.0.1"}}
}

func synthPod(ns, rs, name, node, status string, ready bool) *graph.Node {
	return &graph.Node{ID: graph.ID(graph.KindPod, ns, name), Kind: graph.KindPod, Namespace: ns, Name: name, UID: "u-" + name,
		Pod: &graph.PodFields{Status: status, Ready: ready, Containers: []graph.Container{{Name: "web", Image: "web:v1",
			State: map[bool]string{true: "running", false: "waiting"}[ready], Ready: ready}}, ReadyContainers: map[bool]int{true: 1}[ready],
			Node: graph.ID(graph.KindNode, "", node), Owner: graph.ID(graph.KindReplicaSet, ns, rs), Images: []string{"web:v1"},
			Labels: map[string]string{"app": name[:len(name)-6]}, Created: time.Unix(1700000000, 0).UTC()}}
}

// app adds a Service, a Deployment with one ReplicaSet and n ready pods.
func (s *synth) app(ns, name string, n int, nodes []string) (rsName string) {
	rsName = name + "-5d5545b69c"
	dep := graph.ID(graph.KindDeployment, ns, name)
	rs := graph.ID(graph.KindReplicaSet, ns, rsName)
	svc := graph.ID(graph.KindService, ns, name)
	s.node(&graph.Node{ID: dep, Kind: graph.KindDeployment, Namespace: ns, Name: name, UID: "u-" + dep,
		Deployment: &graph.DeploymentFields{Replicas: n, Updated: n, Ready: n, Available: n, Revision: 1, Images: []string{"web:v1"},
			Strategy: graph.Strategy{Type: "RollingUpdate", MaxSurge: "25%", MaxUnavailable: "25%"}, Rollout: "complete"}})
	s.node(&graph.Node{ID: rs, Kind: graph.KindReplicaSet, Namespace: ns, Name: rsName, UID: "u-" + rs,
		ReplicaSet: &graph.ReplicaSetFields{Owner: dep, Revision: 1, Replicas: n, Current: n, Ready: n, Images: []string{"web:v1"}}})
	s.node(&graph.Node{ID: svc, Kind: graph.KindService, Namespace: ns, Name: name, UID: "u-" + svc,
		Service: &graph.ServiceFields{Type: "ClusterIP", ClusterIP: "10.96.0.1", Ports: []graph.ServicePort{{Port: 80, TargetPort: "8080", Protocol: "TCP"}}, Selector: map[string]string{"app": name}}})
	s.edge(graph.EdgeOwns, dep, rs, "")
	for i := range n {
		p := s.node(synthPod(ns, rsName, fmt.Sprintf("%s-%05d", rsName, i), nodes[i%len(nodes)], "Running", true))
		s.edge(graph.EdgeOwns, rs, p.ID, "")
		s.edge(graph.EdgeSelects, svc, p.ID, graph.EndpointReady)
		s.edge(graph.EdgeRunsOn, p.ID, p.Pod.Node, "")
	}
	return rsName
}

// cluster builds apps×podsEach pods over nodeCount nodes in 5 namespaces.
func cluster(apps, podsEach, nodeCount int) *synth {
	s := &synth{}
	var nodes []string
	for i := range nodeCount {
		name := fmt.Sprintf("kwok-node-%03d", i)
		nodes = append(nodes, name)
		s.node(synthNode(name))
	}
	for i := range apps {
		s.app(fmt.Sprintf("team-%d", i%5), fmt.Sprintf("app%03d", i), podsEach, nodes)
	}
	return s
}

type frameStats struct {
	Frames   int     `json:"frames"`
	MeanFPS  float64 `json:"meanFps"`
	MinFPS   float64 `json:"minFps"` // lowest over any 500 ms window
	WorstMS  float64 `json:"worstMs"`
	Rendered int     `json:"rendered"`
}

// benchFrames is the page's query that turns its frame counter on
// (web/static/bench.js); without it the page counts nothing.
const benchFrames = "?bench=frames"

// sampleFrames reads the frame times the page's counter records over the
// next ms, after setting __sampling so the caller knows the window started.
const sampleFrames = `(async (ms) => {
  const st = window.podium.stats;
  if (!st.frameTimes) throw new Error('the frame counter is off: open the page with ` + benchFrames + `');
  const start = performance.now();
  window.__sampling = true;
  await new Promise(r => setTimeout(r, ms));
  await new Promise(r => requestAnimationFrame(() => r()));
  window.__sampling = false;
  const ts = st.frameTimes.filter(t => t >= start);
  const out = []; for (let i = 1; i < ts.length; i++) out.push(ts[i] - ts[i - 1]);
  let sum = 0, worst = 0; for (const f of out) { sum += f; worst = Math.max(worst, f); }
  let minFps = Infinity;
  for (let i = 0; i < out.length; i++) { let s = 0, k = 0; for (let j = i; j < out.length && s < 500; j++) { s += out[j]; k++; } if (s >= 500) minFps = Math.min(minFps, k / (s / 1000)); }
  return { frames: out.length, meanFps: out.length / (sum / 1000), minFps: Number.isFinite(minFps) ? minFps : 0, worstMs: worst, rendered: document.querySelectorAll('.pod[data-id]').length };
})`

// inputWork times one input (js, a statement) as issue #15's "≤ 16 ms"
// reads: the main thread's work for it, that is the handler plus the style,
// layout and paint of the frame that shows it (from that frame's
// requestAnimationFrame to a task posted there, which runs once the frame's
// rendering is done), without the wait for that frame to begin. The wait
// (0–17 ms at 60 Hz, whatever the page does) is in toPaint: input to the
// end of that frame's work. The probe starts just after a frame, so no
// earlier frame's work is counted.
const inputWork = `(async () => {
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  %s;
  const t1 = performance.now();
  const tf = await new Promise(r => requestAnimationFrame(() => r(performance.now())));
  const te = await new Promise(r => { const c = new MessageChannel(); c.port1.onmessage = () => r(performance.now()); c.port2.postMessage(0); });
  return { work: (t1 - t0) + (te - tf), toPaint: te - t0 };
})()`

type inputTiming struct {
	Work    float64 `json:"work"`
	ToPaint float64 `json:"toPaint"`
}

// median of xs (sorted in place).
func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// BenchmarkWeb5000Pods: first draw of 5,000 pods, then input latency (a
// hover that lights a path, a search, a zoom, opening a pod's details),
// each the median of 5 inputs timed by inputWork.
func BenchmarkWeb5000Pods(b *testing.B) {
	s := cluster(50, 100, 50)
	_, url := s.serve(b, "bench")
	br := newBrowser(b, false)
	for b.Loop() {
		start := time.Now()
		br.open(url)
		br.waitJS(`document.querySelectorAll('.pod[data-id]').length === 5000`, 120*time.Second, "5,000 pods drawn")
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/first-draw")
	}
	br.shot("5000-pods")
	const rounds = 5
	// probe times each of the inputs and reports the medians as ms/name
	// (the work) and ms/name-to-paint; between runs it runs reset, untimed.
	probe := func(name string, input func(i int) string, reset string) {
		var work, toPaint []float64
		for i := range rounds {
			t := eval[inputTiming](br, fmt.Sprintf(inputWork, input(i)))
			work = append(work, t.Work)
			toPaint = append(toPaint, t.ToPaint)
			if reset != "" {
				eval[bool](br, `(() => { `+reset+`; return true; })()`)
			}
		}
		b.Logf("%s: work %.1f ms, to paint %.1f ms", name, work, toPaint)
		b.ReportMetric(median(work), "ms/"+name)
		b.ReportMetric(median(toPaint), "ms/"+name+"-to-paint")
	}
	// Pods in different Deployments, and a query matching 10 Deployments'
	// 1,000 pods each time (app01… matches app010 to app019).
	pod := func(i int) string { return fmt.Sprintf(`document.querySelectorAll('.pod[data-id]')[%d]`, 1037*i%5000) }
	search := func(q string) string {
		return `const s = document.querySelector('[data-testid=search]'); s.value = '` + q + `'; s.dispatchEvent(new Event('input'))`
	}
	probe("hover", func(i int) string {
		return pod(i) + `.dispatchEvent(new PointerEvent('pointerover', {bubbles: true}))`
	}, "")
	probe("search", func(i int) string { return search(fmt.Sprintf("app%02d", i)) }, search(""))
	probe("zoom", func(i int) string {
		return `document.querySelector('[data-testid=zoom-` + []string{"in", "out"}[i%2] + `]').click()`
	}, "")
	probe("details", func(i int) string {
		return pod(i) + `.dispatchEvent(new MouseEvent('click', {bubbles: true}))`
	}, "")
	b.ReportMetric(eval[float64](br, `window.podium.stats.maxRenderMs`), "ms/max-render")
}

// BenchmarkWeb20000Pods: first draw of 20,000 pods (100 Deployments of
// 200), from opening the page to every pod's element in the DOM, and the
// slowest draw after it.
func BenchmarkWeb20000Pods(b *testing.B) {
	s := cluster(100, 200, 50)
	_, url := s.serve(b, "bench")
	br := newBrowser(b, false)
	for b.Loop() {
		start := time.Now()
		br.open(url)
		br.waitJS(`document.querySelectorAll('.pod[data-id]').length === 20000`, 240*time.Second, "20,000 pods drawn")
		// Painted: the frame after the last pod's element.
		eval[bool](br, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/first-draw")
	}
	br.shot("20000-pods")
	b.ReportMetric(eval[float64](br, `window.podium.stats.maxRenderMs`), "ms/max-render")
}

// BenchmarkWebScaleUp100 measures the frame rate while a Deployment scales up
// by 100 pods the way the lab shows it: pods arrive Pending in bursts, then
// start, then become ready endpoints.
func BenchmarkWebScaleUp100(b *testing.B) {
	for _, base := range []struct {
		name           string
		apps, podsEach int
		idle           bool // no scale-up: the machine's own frame rate, for comparison
	}{{"small", 3, 3, false}, {"small-idle", 3, 3, true}, {"5000", 50, 100, false}} {
		b.Run("base="+base.name, func(b *testing.B) {
			s := cluster(base.apps, base.podsEach, 20)
			log, url := s.serve(b, "bench")
			br := newBrowser(b, false)
			br.open(url + benchFrames)
			total := base.apps * base.podsEach
			br.waitJS(fmt.Sprintf(`document.querySelectorAll('.pod[data-id]').length === %d`, total), 120*time.Second, "base drawn")
			var st frameStats
			for b.Loop() {
				// Start sampling, then publish the scale-up from Go.
				done := make(chan frameStats, 1)
				go func() { done <- evalAsync[frameStats](br, sampleFrames+`(2500)`) }()
				br.waitJS(`window.__sampling === true`, 10*time.Second, "frame sampling to start")
				if base.idle {
					st = <-done
					continue
				}
				scaleUp(log, "team-0", "app000", 100, 20)
				st = <-done
				br.waitJS(fmt.Sprintf(`document.querySelectorAll('.pod[data-id]').length === %d`, total+100), 30*time.Second, "100 new pods")
			}
			br.shot("scaled-up-" + base.name)
			b.Logf("recent draws [layout ms, render ms]: %v; draws of a change that waited for the pace (web/static/pace.js): %v",
				eval[[][]float64](br, `window.podium.stats.recent`), eval[int](br, `window.podium.stats.paced`))
			b.ReportMetric(st.MinFPS, "fps-min")
			b.ReportMetric(st.MeanFPS, "fps-mean")
			b.ReportMetric(st.WorstMS, "ms/worst-frame")
		})
	}
}

// evalAsync is eval for use off the test goroutine: it reports errors
// instead of failing.
func evalAsync[T any](b *browser, expr string) T {
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Errorf("eval: %v", err)
	}
	return v
}

// scaleUp publishes n new pods of app in ns as the lab would: created in
// bursts of 20, then ContainerCreating, then Running and ready endpoints,
// 50 ms apart (the server's burst flush interval).
func scaleUp(log *graph.Log, ns, app string, n, nodeCount int) {
	rsName := app + "-5d5545b69c"
	rs := graph.ID(graph.KindReplicaSet, ns, rsName)
	svc := graph.ID(graph.KindService, ns, app)
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-n%04d", rsName, i)
	}
	tick := func() { time.Sleep(50 * time.Millisecond) } // pacing the publisher, like the informers' flush
	step := func(status string, ready bool, from, to int) {
		var d graph.Delta
		for i := from; i < to; i++ {
			p := synthPod(ns, rsName, names[i], fmt.Sprintf("kwok-node-%03d", i%nodeCount), status, ready)
			d.Upsert.Nodes = append(d.Upsert.Nodes, p)
			state := graph.EndpointNone
			if ready {
				state = graph.EndpointReady
			}
			d.Upsert.Edges = append(d.Upsert.Edges,
				&graph.Edge{ID: graph.EdgeID(graph.EdgeOwns, rs, p.ID), Kind: graph.EdgeOwns, From: rs, To: p.ID},
				&graph.Edge{ID: graph.EdgeID(graph.EdgeSelects, svc, p.ID), Kind: graph.EdgeSelects, From: svc, To: p.ID, State: state},
				&graph.Edge{ID: graph.EdgeID(graph.EdgeRunsOn, p.ID, p.Pod.Node), Kind: graph.EdgeRunsOn, From: p.ID, To: p.Pod.Node})
		}
		log.Append(d)
		tick()
	}
	// As Kubernetes does it: the desired count changes first (kubectl
	// scale), then the ReplicaSet's pods appear.
	var spec graph.Delta
	for _, id := range []string{graph.ID(graph.KindDeployment, ns, app), rs} {
		if cur := findNode(log, ns, id); cur != nil {
			next := *cur
			if next.Deployment != nil {
				d := *next.Deployment
				d.Replicas += n
				next.Deployment = &d
			}
			if next.ReplicaSet != nil {
				r := *next.ReplicaSet
				r.Replicas += n
				next.ReplicaSet = &r
			}
			spec.Upsert.Nodes = append(spec.Upsert.Nodes, &next)
		}
	}
	log.Append(spec)
	tick()
	for i := 0; i < n; i += 20 {
		step("Pending", false, i, min(n, i+20))
	}
	step("ContainerCreating", false, 0, n)
	for i := 0; i < n; i += 50 {
		step("Running", true, i, min(n, i+50))
	}
}

// findNode returns the published node id of namespace ns, or nil.
func findNode(log *graph.Log, ns, id string) *graph.Node {
	for _, n := range log.Snapshot(graph.NewFilter(ns)).Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}
