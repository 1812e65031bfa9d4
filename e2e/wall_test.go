//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/informers/graph"
)

// wallCluster is issue #15's wall-screen scenario: 5,000 pods in four
// Deployments of 2,000, 1,500, 1,000 and 500 replicas, each with its
// Service, over 24 Nodes in three zones, with trouble a wall must show: a
// NotReady Node, 7 pods failing, 11 pending and a stalled rollout.
func wallCluster() *synth {
	s := &synth{}
	var nodes []string
	for i := range 24 {
		n := synthNode(fmt.Sprintf("kwok-node-%03d", i))
		n.Node.Zone = fmt.Sprintf("zone-%c", 'a'+i%3)
		n.Node.Pool = "general"
		if i == 5 {
			n.Node.Ready = false
		}
		nodes = append(nodes, n.Name)
		s.node(n)
	}
	for i, size := range []int{2000, 1500, 1000, 500} {
		s.app("wall", fmt.Sprintf("app%d", i), size, nodes)
	}
	for _, n := range s.nodes {
		switch {
		case n.Kind == graph.KindDeployment && n.Name == "app1":
			n.Deployment.Rollout = "stalled"
		case n.Kind == graph.KindPod && strings.HasPrefix(n.Name, "app2-") && strings.HasSuffix(n.Name, "0") && n.Name < "app2-5d5545b69c-00070":
			n.Pod.Status, n.Pod.Ready = "CrashLoopBackOff", false
		case n.Kind == graph.KindPod && strings.HasPrefix(n.Name, "app3-") && n.Name < "app3-5d5545b69c-00011":
			n.Pod.Status, n.Pod.Ready, n.Pod.Node = "Pending", false, ""
		}
	}
	// A pending pod runs nowhere.
	pending := map[string]bool{}
	for _, n := range s.nodes {
		if n.Kind == graph.KindPod && n.Pod.Node == "" {
			pending[n.ID] = true
		}
	}
	edges := s.edges[:0]
	for _, e := range s.edges {
		if !(e.Kind == graph.EdgeRunsOn && pending[e.From]) {
			edges = append(edges, e)
		}
	}
	s.edges = edges
	return s
}

// TestWallMode (issue #15): ?wall=1 at 1920×1080 shows the whole of the
// wall-screen scenario on one screen, every Deployment, Service and Node,
// and keeps it so as a Deployment scales up by 300 pods; the page never
// scrolls, and the header counts the trouble. The plain dashboard, for
// comparison, leaves Deployments below the fold (logged).
func TestWallMode(t *testing.T) {
	s := wallCluster()
	log, url := s.serve(t, "wall")
	br := newBrowser(t, true)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1920, 1080)); err != nil {
		t.Fatal(err)
	}
	type offscreen struct {
		Off       []string // entities not wholly on screen
		Scrolls   bool
		MinTitle  float64 // the smallest workload title on screen, px
		Drawn     int
		Trouble   map[string]string
		TroubleTx string
	}
	check := func() offscreen {
		return eval[offscreen](br, `(() => {
  const W = innerWidth, H = innerHeight, off = [];
  for (const el of document.querySelectorAll('[data-testid=canvas] [data-id], [data-testid=canvas] [data-group]')) {
    const id = el.dataset.id || 'group ' + el.dataset.group;
    if (!/^(Deployment|Service|Node)\/|^group /.test(id)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) off.push(id);
  }
  let min = 1e9;
  for (const el of document.querySelectorAll('[data-testid=canvas] .box[data-id^="Deployment/"] .box-title')) min = Math.min(min, el.getBoundingClientRect().height);
  const se = document.scrollingElement, tr = document.querySelector('[data-testid=wall-trouble]');
  return { off, scrolls: se.scrollHeight > H + 1 || se.scrollWidth > W + 1, minTitle: min, drawn: document.querySelectorAll('.pod[data-id]').length,
    trouble: tr ? { ...tr.dataset } : {}, troubleTx: tr ? tr.textContent : '' };
})()`)
	}
	drawn := func(n int) {
		br.waitJS(fmt.Sprintf(`document.querySelectorAll('.pod[data-id]').length === %d && document.querySelector('[data-testid=canvas]').dataset.seq === '%d'`, n, log.Seq()), 120*time.Second, fmt.Sprintf("%d pods drawn", n))
		// The fit follows the draw (a frame later).
		eval[bool](br, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
	}

	br.open(url)
	drawn(5000)
	dash := check()
	t.Logf("the dashboard, for comparison: %d of the Deployments, Services and Nodes not wholly on screen (%v…)", len(dash.Off), dash.Off[:min(3, len(dash.Off))])

	start := time.Now()
	br.open(url + "?wall=1")
	drawn(5000)
	t.Logf("wall: 5,000 pods drawn and fitted %v after navigation", time.Since(start).Round(time.Millisecond))
	for _, step := range []string{"5,000 pods", "scaled up by 300"} {
		if step != "5,000 pods" {
			scaleUp(log, "wall", "app3", 300, 24)
			drawn(5300)
		}
		got := check()
		if len(got.Off) > 0 {
			t.Errorf("%s: not wholly on screen at 1920×1080: %v", step, got.Off)
		}
		if got.Scrolls {
			t.Errorf("%s: the page scrolls", step)
		}
		// Readable from across a room: no workload title under 12 px.
		if got.MinTitle < 12 {
			t.Errorf("%s: a Deployment's title is %.1f px on screen", step, got.MinTitle)
		}
		want := map[string]string{"trouble": "true", "nodes": "1", "failed": "7", "pending": "11", "stalled": "1"}
		for k, v := range want {
			if got.Trouble[k] != v {
				t.Errorf("%s: the header's trouble %s = %q, want %q (%q)", step, k, got.Trouble[k], v, got.TroubleTx)
			}
		}
		for _, n := range []string{"1 ", "7 ", "11 "} {
			if !strings.Contains(got.TroubleTx, n) {
				t.Errorf("%s: the header's trouble %q does not say %q", step, got.TroubleTx, n)
			}
		}
		br.shot("wall-" + strings.ReplaceAll(step, " ", "-"))
	}
}

// BenchmarkWebWall5000 times the wall screen of TestWallMode's scenario at
// 1920×1080: from navigation to its 5,000 pods drawn and fitted, the zoom it
// chose, and the slowest draw (layout and render).
func BenchmarkWebWall5000(b *testing.B) {
	s := wallCluster()
	_, url := s.serve(b, "wall")
	br := newBrowser(b, false)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1920, 1080)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		start := time.Now()
		br.open(url + "?wall=1")
		br.waitJS(`document.querySelectorAll('.pod[data-id]').length === 5000 && document.querySelector('[data-testid=wall-trouble]').textContent !== ''`, 120*time.Second, "the wall drawn")
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/first-draw")
	}
	b.ReportMetric(eval[float64](br, `Number(document.querySelector('[data-testid=canvas]').dataset.zoom)`), "zoom")
	b.ReportMetric(eval[float64](br, `window.podium.stats.maxRenderMs`), "ms/max-render")
}
