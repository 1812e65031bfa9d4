//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
)

// The Nodes of TestNodeGroups carry ngLabel=e2e (their cleanup deletes by
// it) and a NoSchedule taint of the same key, so no other test's pod lands
// on them in the shared lab; the test's own pods tolerate it.
const (
	ngLabel = "podium.dev/nodegroups"
	ngRack  = "podium.dev/nodegroups-rack"
	ngCount = 500
)

var ngZones = []string{"zone-a", "zone-b", "zone-c"}

// ngPools are the test's node pools, each set by another provider's label,
// so the server's pool precedence is exercised with the grouping.
var ngPools = []struct{ name, label string }{
	{"general", "eks.amazonaws.com/nodegroup"},
	{"spot", "karpenter.sh/nodepool"},
	{"batch", "kubernetes.azure.com/agentpool"},
	{"gpu", "cloud.google.com/gke-nodepool"},
}

// ngNode is one planned Node.
type ngNode struct {
	name, zone, pool, poolLabel, rack string
	notReady, cordoned                bool
}

func (n ngNode) group() string { return n.zone + "/" + n.pool }

// ngPlan spreads ngCount Nodes over 3 zones × 4 pools (41 or 42 each) and
// 4 racks; the first three of zone-b/spot are NotReady and the first two
// of zone-c/gpu cordoned.
func ngPlan() []ngNode {
	var out []ngNode
	seen := map[string]int{}
	for i := range ngCount {
		p := ngPools[(i/3)%len(ngPools)]
		n := ngNode{name: fmt.Sprintf("nodegroups-%03d", i), zone: ngZones[i%3], pool: p.name, poolLabel: p.label, rack: fmt.Sprintf("r%d", i%4)}
		k := seen[n.group()]
		seen[n.group()]++
		n.notReady = n.group() == "zone-b/spot" && k < 3
		n.cordoned = n.group() == "zone-c/gpu" && k < 2
		out = append(out, n)
	}
	return out
}

// ngNodeObject is n as created. A NotReady Node is not KWOK's (no fake
// annotation): nothing posts its status, so the Ready=False it is created
// with stays (the node lifecycle controller later makes it Unknown:
// NotReady still).
func ngNodeObject(i int, n ngNode) *corev1.Node {
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("16"),
		corev1.ResourceMemory: resource.MustParse("64Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	cidr := fmt.Sprintf("10.%d.%d.0/24", 200+i/256, i%256)
	obj := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.name,
			Labels: map[string]string{"kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", ngLabel: "e2e", ngRack: n.rack,
				"topology.kubernetes.io/zone": n.zone, n.poolLabel: n.pool, "node.kubernetes.io/instance-type": "m5.large"},
			Annotations: map[string]string{labtest.FakeNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"}},
		Spec: corev1.NodeSpec{PodCIDR: cidr, PodCIDRs: []string{cidr}, Unschedulable: n.cordoned,
			Taints: []corev1.Taint{{Key: ngLabel, Value: "e2e", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Capacity: res, Allocatable: res},
	}
	if n.notReady {
		delete(obj.Annotations, labtest.FakeNodeAnnotation)
		obj.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "NodegroupsE2E", Message: "made NotReady by TestNodeGroups"}}
	}
	return obj
}

// createNgNodes creates the planned Nodes (16 at a time) and deletes them
// all, by label, when t ends: other tests share the lab.
func createNgNodes(t *testing.T, cs kubernetes.Interface, plan []ngNode) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sel := metav1.ListOptions{LabelSelector: ngLabel + "=e2e"}
		if err := cs.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
			t.Errorf("delete the test's Nodes: %v", err)
			return
		}
		if err := labtest.Poll(ctx, 2*time.Minute, func(ctx context.Context) error {
			l, err := cs.CoreV1().Nodes().List(ctx, sel)
			if err != nil {
				return err
			}
			if len(l.Items) > 0 {
				return fmt.Errorf("%d of the test's Nodes left", len(l.Items))
			}
			return nil
		}); err != nil {
			t.Errorf("the test's Nodes are not gone: %v", err)
		}
	})
	var wg sync.WaitGroup
	errs := make(chan error, len(plan))
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				_, err := cs.CoreV1().Nodes().Create(context.Background(), ngNodeObject(i, plan[i]), metav1.CreateOptions{})
				if err != nil && !apierrors.IsAlreadyExists(err) {
					errs <- fmt.Errorf("create node %s: %w", plan[i].name, err)
				}
			}
		}()
	}
	for i := range plan {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// ngSpec puts a pod template on the test's Nodes of the given pool and zones.
func ngSpec(pool string, zones ...string) func(*corev1.PodSpec) {
	label := ""
	for _, p := range ngPools {
		if p.name == pool {
			label = p.label
		}
	}
	return func(s *corev1.PodSpec) {
		s.Tolerations = append(s.Tolerations, corev1.Toleration{Key: ngLabel, Operator: corev1.TolerationOpEqual, Value: "e2e", Effect: corev1.TaintEffectNoSchedule})
		s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
				{Key: label, Operator: corev1.NodeSelectorOpIn, Values: []string{pool}},
				{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpIn, Values: zones},
			}}}}}}
	}
}

// ngHeader is what a group header says, from its data attributes.
type ngHeader struct {
	Nodes, Pods, NotReady, Cordoned, Trouble, Collapsed string
}

const ngHeadersJS = `Object.fromEntries([...document.querySelectorAll('[data-testid=nodegroup]')].map((e) => [e.dataset.nodegroup,
  { Nodes: e.dataset.nodes, Pods: e.dataset.pods, NotReady: e.dataset.notReady, Cordoned: e.dataset.cordoned, Trouble: e.dataset.trouble, Collapsed: e.dataset.collapsed }]))`

// ngHeaderTextOut lists the header texts that run out of their header's
// frame (the headers are not entities, so checkText does not look).
const ngHeaderTextOut = `[...document.querySelectorAll('[data-testid=nodegroup]')].flatMap((g) => {
  const r = g.querySelector('.nodegroup-bg').getBoundingClientRect();
  return [...g.querySelectorAll('text')].filter((tx) => {
    const q = tx.getBoundingClientRect();
    return q.left < r.left - 1 || q.right > r.right + 1 || q.top < r.top - 1 || q.bottom > r.bottom + 1;
  }).map((tx) => g.dataset.nodegroup + ': ' + tx.textContent);
})`

// ngDanglingJS lists drawn runs-on edges whose end is neither a drawn
// entity nor a drawn group header.
const ngDanglingJS = `[...document.querySelectorAll('[data-edge^="runs-on:"], [data-agg^="agg:runs-on:"]')].map((e) => e.dataset.edge || e.dataset.agg)
  .filter((id) => { const to = id.split('->')[1]; return !document.querySelector('[data-id="' + CSS.escape(to) + '"], [data-group="' + CSS.escape(to) + '"]'); })`

// TestNodeGroups is issue #15's "End-to-end: 500 nodes grouped": 500 KWOK
// Nodes in 3 zones and 4 pools (three NotReady, two cordoned), pods of two
// Deployments on some of them, and a page at 1920×1080. The Node column
// shows a collapsed group per zone and pool, with the right Node and pod
// counts and the trouble on the right groups, every text inside its frame;
// the pods' edges end on their group's header, one per lane, and no edge
// ends on a Node that is not drawn. Opening a group draws its Nodes and
// the pods' own edges, in the address; a reload keeps it. ?nodegroup=
// groups by a chosen label, ?hide=Node hides the Nodes and their edges,
// and bad values are named in the banner, not fatal.
func TestNodeGroups(t *testing.T) {
	cs := lab.Client()
	ctx := t.Context()
	ns := labtest.NamespacePrefixed(t, lab, "nodegroups")
	plan := ngPlan()
	byName := map[string]ngNode{}
	want := map[string]*ngHeader{}
	racks := map[string]int{}
	for _, n := range plan {
		byName[n.name] = n
		racks[n.rack]++
		h := want[n.group()]
		if h == nil {
			h = &ngHeader{Collapsed: "true"}
			want[n.group()] = h
		}
		h.Nodes = fmt.Sprint(atoi(h.Nodes) + 1)
		h.NotReady = fmt.Sprint(atoi(h.NotReady) + b2i(n.notReady))
		h.Cordoned = fmt.Sprint(atoi(h.Cordoned) + b2i(n.cordoned))
	}
	for _, h := range want {
		h.Trouble = fmt.Sprint(h.NotReady != "0" || h.Cordoned != "0")
	}
	start := time.Now()
	createNgNodes(t, cs, plan)
	labtest.Eventually(t, 3*time.Minute, func(ctx context.Context) error {
		l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: ngLabel + "=e2e"})
		if err != nil {
			return err
		}
		ready := 0
		for i := range l.Items {
			if labtest.NodeReady(&l.Items[i]) {
				ready++
			}
		}
		if ready != ngCount-3 {
			return fmt.Errorf("%d of %d Nodes Ready, want all but 3", ready, len(l.Items))
		}
		return nil
	})
	t.Logf("%d Nodes created and Ready (but 3) in %s", ngCount, time.Since(start).Round(time.Millisecond))

	// web: a grid lane (24 pods) on zone-a and zone-b's general pool; api:
	// four pods, each with its own row, on zone-c's gpu pool.
	for _, d := range []struct {
		name     string
		replicas int32
		spec     func(*corev1.PodSpec)
	}{{"web", 24, ngSpec("general", "zone-a", "zone-b")}, {"api", 4, ngSpec("gpu", "zone-c")}} {
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, fastDeployment(d.name, d.replicas, d.spec), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"web", "api"} {
		labtest.Eventually(t, 2*time.Minute, func(ctx context.Context) error { return deploymentReady(ctx, cs, ns, name) })
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var podIDs, apiEdges []string
	for _, p := range pods.Items {
		n, ok := byName[p.Spec.NodeName]
		if !ok {
			t.Fatalf("pod %s runs on %q, not one of the test's Nodes", p.Name, p.Spec.NodeName)
		}
		want[n.group()].Pods = fmt.Sprint(atoi(want[n.group()].Pods) + 1)
		podIDs = append(podIDs, "Pod/"+ns+"/"+p.Name)
		if p.Labels["app"] == "api" {
			apiEdges = append(apiEdges, fmt.Sprintf("runs-on:Pod/%s/%s->Node/%s", ns, p.Name, p.Spec.NodeName))
		}
	}
	for _, h := range want {
		h.Pods = fmt.Sprint(atoi(h.Pods))
	}
	withPods := []string{}
	for k, h := range want {
		if h.Pods != "0" {
			withPods = append(withPods, "nodegroup:"+k)
		}
	}
	slices.Sort(withPods)

	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns}})
	// On the wire: each Node's zone and pool from its labels, and the labels.
	settle(t, 60*time.Second, func(ctx context.Context) error {
		g, err := p.Graph(ctx, "")
		if err != nil {
			return err
		}
		seen := 0
		for _, n := range g.Nodes {
			want, ok := byName[n.Name]
			if n.Node == nil || !ok {
				continue
			}
			seen++
			if f := n.Node; f.Zone != want.zone || f.Pool != want.pool || f.Labels[ngRack] != want.rack || f.Labels[want.poolLabel] != want.pool {
				return fmt.Errorf("/api/graph: %s has zone %q pool %q rack %q, want %q %q %q", n.ID, f.Zone, f.Pool, f.Labels[ngRack], want.zone, want.pool, want.rack)
			}
		}
		if seen != ngCount {
			return fmt.Errorf("/api/graph holds %d of the test's %d Nodes", seen, ngCount)
		}
		return nil
	})
	b := newBrowser(t, true)
	b.tag = "nodegroups"
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1920, 1080)); err != nil {
		t.Fatal(err)
	}
	b.open(p.URL + "/?lang=en")
	b.waitJS(`document.querySelectorAll('[data-testid=nodegroup]').length >= 12`, 60*time.Second, "the Node groups")
	firstDraw := eval[float64](b, `performance.now()`)

	// headersMatch waits until the page's headers of the test's groups say
	// what want says (the stream may still be bringing Nodes and pods).
	headersMatch := func(step string, want map[string]*ngHeader) {
		t.Helper()
		var diff string
		deadline := time.Now().Add(60 * time.Second)
		for {
			got := eval[map[string]*ngHeader](b, ngHeadersJS)
			mine := map[string]*ngHeader{}
			for k := range want {
				mine[k] = got[k]
			}
			if diff = cmp.Diff(want, mine); diff == "" {
				return
			}
			if time.Now().After(deadline) {
				b.shot(step + "-headers")
				t.Fatalf("%s: the group headers differ (-want +got):\n%s", step, diff)
			}
			time.Sleep(100 * time.Millisecond) // the next poll of the page; the deadline bounds it
		}
	}
	headersMatch("collapsed", want)
	t.Logf("first draw of %d Nodes in %d groups: %.0f ms after navigation start (browser-timed, not asserted)", ngCount, len(want), firstDraw)
	waitDrawn(t, b, "collapsed", podIDs, []string{}, []string{})
	if n := eval[int](b, `document.querySelectorAll('[data-id^="Node/nodegroups-"]').length`); n != 0 {
		t.Errorf("collapsed: %d of the test's Nodes drawn, want none", n)
	}
	if d := eval[[]string](b, ngDanglingJS); len(d) > 0 {
		t.Errorf("collapsed: edges drawn to nothing: %v", d)
	}
	// One edge per (lane, group) into the headers, counting every pod.
	type agg struct {
		To    string
		Count int
	}
	aggs := eval[[]agg](b, `window.podium.layout.edges.filter((e) => e.agg && e.kind === 'runs-on').map((e) => ({ To: e.to, Count: e.count }))`)
	gotTo := map[string]int{}
	for _, a := range aggs {
		gotTo[a.To] += a.Count
	}
	if diff := cmp.Diff(withPods, slices.Sorted(maps.Keys(gotTo))); diff != "" {
		t.Errorf("collapsed: groups the aggregated edges end on (-want +got):\n%s", diff)
	}
	for to, c := range gotTo {
		if w := want[strings.TrimPrefix(to, "nodegroup:")].Pods; fmt.Sprint(c) != w {
			t.Errorf("collapsed: edges into %s count %d pods, its header %s", to, c, w)
		}
	}
	for _, to := range withPods {
		if !eval[bool](b, fmt.Sprintf(`document.querySelector('[data-agg^="agg:runs-on:"][data-agg$=%q]') !== null`, "->"+to)) {
			t.Errorf("collapsed: no aggregated edge drawn into %s", to)
		}
	}
	checkText(t, b, "collapsed")
	if out := eval[[]string](b, ngHeaderTextOut); len(out) > 0 {
		t.Errorf("collapsed: header text out of its frame: %v", out)
	}
	b.shot("collapsed")

	// Opening zone-c/gpu draws its Nodes (two cordoned) and the api pods'
	// own edges to them; the address says so.
	var gpu []string
	for _, n := range plan {
		if n.group() == "zone-c/gpu" {
			gpu = append(gpu, "Node/"+n.name)
		}
	}
	b.waitJS(`(document.querySelector('[data-nodegroup="zone-c/gpu"]').dispatchEvent(new MouseEvent('click', { bubbles: true })), true)`, 5*time.Second, "a click on zone-c/gpu")
	waitDrawn(t, b, "opened", gpu, apiEdges, []string{})
	if n := eval[int](b, `document.querySelectorAll('[data-id^="Node/nodegroups-"]').length`); n != len(gpu) {
		t.Errorf("opened: %d of the test's Nodes drawn, want zone-c/gpu's %d", n, len(gpu))
	}
	if n := eval[int](b, `document.querySelectorAll('[data-id^="Node/nodegroups-"][data-cordoned=true]').length`); n != 2 {
		t.Errorf("opened: %d cordoned Nodes drawn, want 2", n)
	}
	if got := eval[string](b, `new URL(location.href).searchParams.get('nodegroups')`); got != "zone-c/gpu" {
		t.Errorf("opened: the address says nodegroups=%q, want zone-c/gpu", got)
	}
	if d := eval[[]string](b, ngDanglingJS); len(d) > 0 {
		t.Errorf("opened: edges drawn to nothing: %v", d)
	}
	opened := maps.Clone(want)
	g := *opened["zone-c/gpu"]
	g.Collapsed = "false"
	opened["zone-c/gpu"] = &g
	headersMatch("opened", opened)
	checkText(t, b, "opened")
	b.shot("opened")

	// A reload keeps the open group.
	b.open(eval[string](b, `location.href`))
	waitDrawn(t, b, "reloaded", gpu, apiEdges, []string{})
	headersMatch("reloaded", opened)

	// Grouped by a label the viewer picks: the racks.
	b.open(p.URL + "/?lang=en&nodegroup=" + url.QueryEscape(ngRack))
	byRack := map[string]string{}
	for r, c := range racks {
		byRack[r] = fmt.Sprint(c)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := eval[map[string]*ngHeader](b, ngHeadersJS)
		mine := map[string]string{}
		for r := range racks {
			if got[r] != nil {
				mine[r] = got[r].Nodes
			}
		}
		if cmp.Equal(byRack, mine) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodegroup=%s: racks' Node counts %v, want %v", ngRack, mine, byRack)
		}
		time.Sleep(100 * time.Millisecond) // the next poll of the page; the deadline bounds it
	}
	b.shot("by-rack")

	// hide=Node: no Node, no group, no edge into either; the pods stay.
	b.open(p.URL + "/?lang=en&hide=Node")
	waitDrawn(t, b, "hide=Node", podIDs, []string{}, []string{})
	if n := eval[int](b, `document.querySelectorAll('[data-id^="Node/"], [data-testid=nodegroup], [data-edge^="runs-on:"], [data-agg^="agg:runs-on:"]').length`); n != 0 {
		t.Errorf("hide=Node: %d Nodes, groups or runs-on edges drawn, want none", n)
	}
	if eval[bool](b, `document.querySelector('[data-testid=kind-option][value=Node]').checked`) {
		t.Errorf("hide=Node: the kinds control shows Node as shown")
	}
	b.shot("hide-node")
	eval[bool](b, `(document.querySelector('[data-testid=layers]').open = true, true)`)
	b.shot("kinds-menu")
	eval[bool](b, `(document.querySelector('[data-testid=layers]').open = false, true)`)
	// Turned back on in the control: the groups return, the address loses
	// hide=, and the layers (the same menu) are as they were.
	layersBefore := eval[string](b, `document.querySelector('[data-testid=layers] .layers-current').textContent + ' ' + window.podium.layers`)
	b.waitJS(`(() => { const i = document.querySelector('[data-testid=kind-option][value=Node]'); i.checked = true; i.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`, 5*time.Second, "Node turned on")
	b.waitJS(`document.querySelectorAll('[data-testid=nodegroup]').length >= 12 && !new URL(location.href).searchParams.has('hide')`, 30*time.Second, "the groups back, hide= gone")
	if got := eval[string](b, `document.querySelector('[data-testid=layers] .layers-current').textContent + ' ' + window.podium.layers`); got != layersBefore {
		t.Errorf("turning Node on changed the layers: %q, was %q", got, layersBefore)
	}

	// Bad values are named in the banner; the page still groups.
	b.open(p.URL + "/?lang=en&nodegroup=" + url.QueryEscape("not a label") + "&hide=Bogus")
	b.waitJS(`document.querySelectorAll('[data-testid=nodegroup]').length >= 12`, 30*time.Second, "the default groups despite bad values")
	b.waitJS(`(() => { const s = document.querySelector('[data-testid=banner] .banner-text').textContent;
	  return s.includes('nodegroup=, ignored: not a label') && s.includes('hide=, ignored: Bogus'); })()`, 30*time.Second, "the banner to name both bad values")
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkWebNodeGroups500: first draw of 500 Nodes (in 12 zone and pool
// groups, collapsed, and ungrouped with ?nodegroup=none for comparison)
// under 1,000 pods at 1920×1080, from a synthetic graph (web_bench_test.go).
// Browser-timed and noisy on a shared machine: reported, never asserted.
func BenchmarkWebNodeGroups500(b *testing.B) {
	s := cluster(50, 20, ngCount)
	i := 0
	for _, n := range s.nodes {
		if n.Node != nil {
			n.Node.Zone, n.Node.Pool = ngZones[i%3], ngPools[(i/3)%len(ngPools)].name
			i++
		}
	}
	_, url := s.serve(b, "bench")
	for _, c := range []struct{ name, query, drawn string }{
		{"grouped", "?lang=en", `document.querySelectorAll('[data-testid=nodegroup]').length === 12`},
		{"ungrouped", "?lang=en&nodegroup=none", `document.querySelectorAll('.kind-Node[data-id]').length === 500`},
	} {
		b.Run(c.name, func(b *testing.B) {
			br := newBrowser(b, true)
			if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1920, 1080)); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				start := time.Now()
				br.open(url + c.query)
				br.waitJS(c.drawn+` && document.querySelectorAll('.pod[data-id]').length === 1000`, 60*time.Second, "500 Nodes and 1,000 pods drawn")
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/first-draw")
			}
			b.ReportMetric(eval[float64](br, `window.podium.stats.maxRenderMs`), "ms/max-render")
			b.ReportMetric(eval[float64](br, `Math.max(...window.podium.stats.recent.map((r) => r[0]))`), "ms/max-layout")
			b.Logf("%s: draws [layout ms, render ms]: %v", c.name, eval[[][]float64](br, `window.podium.stats.recent`))
		})
	}
}
