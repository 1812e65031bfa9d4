package graph

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ktypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// cluster10k is a large cluster as the informer cache holds it after the
// transforms: 20 namespaces × 5 Deployments × 100 pods on 100 Nodes, one
// Service per Deployment, and its pods in EndpointSlices of 100.
type cluster10k struct {
	pods     []*CachedPod
	services []*corev1.Service
	slices   []*CachedSlice
	nodes    []*corev1.Node
	raw      []*corev1.Pod // the pods before the transform
}

func newCluster10k() *cluster10k {
	c := &cluster10k{}
	for n := range 100 {
		c.nodes = append(c.nodes, mkNode(fmt.Sprintf("worker-%d", n), true))
	}
	i := 0
	for ns := range 20 {
		namespace := fmt.Sprintf("team-%d", ns)
		for d := range 5 {
			app := fmt.Sprintf("app-%d", d)
			rs := app + "-7d9c5f6b8"
			labels := map[string]string{"app": app, "pod-template-hash": "7d9c5f6b8"}
			c.services = append(c.services, mkService(namespace, app, map[string]string{"app": app}))
			slice := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: app + "-x",
				Labels: map[string]string{LabelServiceName: app}}}
			for p := range 100 {
				name := fmt.Sprintf("%s-%05d", rs, p)
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, UID: ktypes.UID(fmt.Sprintf("uid-%d", i)),
						Labels: copyLabels(labels), CreationTimestamp: metav1.NewTime(t0),
						OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: rs, Controller: ptr.To(true)}}},
					Spec: corev1.PodSpec{NodeName: fmt.Sprintf("worker-%d", i%100),
						Containers: []corev1.Container{{Name: "web", Image: "web:v1"}}},
					Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.%d.%d.%d", ns, d, p),
						Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
						ContainerStatuses: []corev1.ContainerStatus{running("web", true, 0)}},
				}
				c.raw = append(c.raw, pod)
				c.pods = append(c.pods, NewCachedPod(pod))
				slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{
					TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: name},
					Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}})
				i++
			}
			c.slices = append(c.slices, NewCachedSlice(slice))
		}
	}
	return c
}

// copyLabels gives each pod its own map, as decoding does.
func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (c *cluster10k) load(m *Model, now time.Time) {
	for _, n := range c.nodes {
		m.Set(n, now)
	}
	for _, s := range c.services {
		m.Set(s, now)
	}
	for _, s := range c.slices {
		m.Set(s, now)
	}
	for _, p := range c.pods {
		m.Set(p, now)
	}
}

// BenchmarkModel10kPods folds a 10,000-pod cluster into a new model and
// flushes it. It reports allocation per pod, and the heap the model holds
// per pod afterwards (beyond the objects, which the informer cache owns).
func BenchmarkModel10kPods(b *testing.B) {
	c := newCluster10k()
	b.ReportAllocs()
	var d Delta
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	allocs0, bytes0 := ms.Mallocs, ms.TotalAlloc
	b.ResetTimer()
	for range b.N {
		m := NewModel()
		c.load(m, t0)
		d = m.Flush()
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	pods := float64(len(c.pods) * b.N)
	b.ReportMetric(float64(ms.Mallocs-allocs0)/pods, "allocs/pod")
	b.ReportMetric(float64(ms.TotalAlloc-bytes0)/pods, "B/pod")
	// Each pod has four edges: its ReplicaSet owns it, it runs on its Node,
	// its Service selects it and it runs as the default ServiceAccount.
	kinds := map[string]int{}
	for _, e := range d.Upsert.Edges {
		kinds[e.Kind]++
	}
	want := map[string]int{EdgeOwns: 10000, EdgeRunsOn: 10000, EdgeSelects: 10000, EdgeRunsAs: 10000}
	if len(d.Upsert.Nodes) != 10000+100+100 || !maps.Equal(kinds, want) {
		b.Fatalf("flushed %d nodes and edges %v; want %d nodes and edges %v", len(d.Upsert.Nodes), kinds, 10000+100+100, want)
	}
	model, withLog := retainedPerPod(c)
	b.ReportMetric(float64(model), "model-held-B/pod")
	b.ReportMetric(float64(withLog), "model+log-held-B/pod")
}

// retainedPerPod returns the heap a loaded model holds per pod, and the
// heap the model and a Log holding its output hold together, with the
// cluster's objects (the informer cache's) already alive. Nodes and edges
// are shared between the two.
func retainedPerPod(c *cluster10k) (model, withLog int) {
	heap := func() int {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int(ms.HeapAlloc)
	}
	before := heap()
	m := NewModel()
	c.load(m, t0)
	d := m.Flush()
	held := heap()
	l := NewLog("e", 1)
	l.Append(d)
	d = Delta{}
	l.Append(Delta{Remove: Removals{Nodes: []string{"none"}}}) // push the big delta out of the history
	both := heap()
	runtime.KeepAlive(m)
	runtime.KeepAlive(l)
	return (held - before) / len(c.pods), (both - before) / len(c.pods)
}

// BenchmarkModelPodChange10k measures one pod's status change and its Flush
// in a model holding 10,000 pods: the cost of a lone change.
func BenchmarkModelPodChange10k(b *testing.B) {
	c := newCluster10k()
	m := NewModel()
	c.load(m, t0)
	m.Flush()
	flapPod(b, m, c.raw[4242], func(Delta) string { return "" })
}

// flapPod turns pod p crash-looping and back, one change per iteration, and
// fails unless each Flush upserts exactly that pod and odd says nothing
// else is wrong with the delta.
func flapPod(b *testing.B, m *Model, p *corev1.Pod, odd func(Delta) string) {
	up, bad := p.DeepCopy(), p.DeepCopy()
	bad.Status.ContainerStatuses[0] = waiting("web", "CrashLoopBackOff", 1)
	bad.Status.Conditions = nil
	down := NewCachedPod(bad)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			m.Set(down, t0)
		} else {
			m.Set(NewCachedPod(up), t0)
		}
		if d := m.Flush(); len(d.Upsert.Nodes) != 1 || odd(d) != "" {
			b.Fatalf("flushed %d nodes %s", len(d.Upsert.Nodes), odd(d))
		}
	}
}

// BenchmarkModelResync10k sets every object again unchanged, as a resync
// does: it must flush nothing.
func BenchmarkModelResync10k(b *testing.B) {
	c := newCluster10k()
	m := NewModel()
	c.load(m, t0)
	m.Flush()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.load(m, t0)
		if d := m.Flush(); !d.Empty() {
			b.Fatalf("resync flushed %d nodes", len(d.Upsert.Nodes))
		}
	}
}

func TestRetainedPerPodIsBounded(t *testing.T) {
	got, withLog := retainedPerPod(newCluster10k())
	t.Logf("model holds %d B per pod; with a Log sharing its nodes and edges, %d B", got, withLog)
	// The whole system's budget is 2 KB per pod, shared with the informer
	// cache (its CachedPods hold the pod entities); the model's own share,
	// mostly edges, must stay well under it. TestMemoryPerPod in informers
	// measures the whole.
	if withLog > 1100 {
		t.Errorf("model and log hold %d B per pod, want ≤ 1100", withLog)
	}
}

// TestBigFlushReadsEdgesAside: a flush of more than flushEdgesAside edges,
// whose edges are read on a goroutine of their own, is the flush read in
// one go: the first list of 10,000 pods, then, synced, 3,000 of them
// deleted and a Node cordoned (removals, endpoint and life happenings).
// Under -race it also checks that the two halves share no writes.
func TestBigFlushReadsEdgesAside(t *testing.T) {
	c := newCluster10k()
	run := func(aside int) []Delta {
		defer func(was int) { flushEdgesAside = was }(flushEdgesAside)
		flushEdgesAside = aside
		m := NewModel()
		c.load(m, t0)
		first := m.Flush()
		m.Synced()
		for _, p := range c.pods[:3000] {
			m.Delete(Pods, p.Node.Namespace, p.Node.Name, t0.Add(time.Second))
		}
		cordoned := c.nodes[7].DeepCopy()
		cordoned.Spec.Unschedulable = true
		m.Set(cordoned, t0.Add(time.Second))
		return []Delta{first, m.Flush()}
	}
	inOrder, aside := run(math.MaxInt), run(flushEdgesAside)
	for i := range inOrder {
		if n := len(aside[i].Upsert.Edges) + len(aside[i].Remove.Edges); n < flushEdgesAside {
			t.Fatalf("setup: flush %d changed %d edges, not more than %d", i, n, flushEdgesAside)
		}
		if !reflect.DeepEqual(inOrder[i], aside[i]) {
			t.Errorf("flush %d with the edges read aside differs: %d/%d nodes, %d/%d edges, %d/%d removed edges, %d/%d happenings",
				i, len(aside[i].Upsert.Nodes), len(inOrder[i].Upsert.Nodes), len(aside[i].Upsert.Edges), len(inOrder[i].Upsert.Edges),
				len(aside[i].Remove.Edges), len(inOrder[i].Remove.Edges), len(aside[i].Happenings), len(inOrder[i].Happenings))
		}
	}
}

// TestExpectKeepsWhatChanged: Expect only sizes the sets of what changed.
// Said after some objects were Set (lists arrive one after another), the
// flush is the same as without it, and so is the next one.
func TestExpectKeepsWhatChanged(t *testing.T) {
	c := newCluster10k()
	run := func(expect bool) []Delta {
		m := NewModel()
		m.Set(c.nodes[0], t0) // set again by load, as a relisted object is
		if expect {
			m.Expect(len(c.nodes) + len(c.services) + len(c.slices) + len(c.pods))
		}
		c.load(m, t0)
		first := m.Flush()
		m.Synced()
		if expect {
			m.Expect(3000)
		}
		for _, p := range c.pods[:3000] {
			m.Delete(Pods, p.Node.Namespace, p.Node.Name, t0.Add(time.Second))
		}
		return []Delta{first, m.Flush()}
	}
	without, with := run(false), run(true)
	for i := range without {
		if len(without[i].Upsert.Nodes)+len(without[i].Remove.Nodes) == 0 {
			t.Fatalf("setup: flush %d changed no node", i)
		}
		if !reflect.DeepEqual(without[i], with[i]) {
			t.Errorf("flush %d after Expect differs: %d/%d nodes, %d/%d edges, %d/%d removed nodes, %d/%d removed edges",
				i, len(with[i].Upsert.Nodes), len(without[i].Upsert.Nodes), len(with[i].Upsert.Edges), len(without[i].Upsert.Edges),
				len(with[i].Remove.Nodes), len(without[i].Remove.Nodes), len(with[i].Remove.Edges), len(without[i].Remove.Edges))
		}
	}
}
