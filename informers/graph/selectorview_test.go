package graph

import (
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/labels"
)

// selPod is a pod with labels, on node Node/w.
func selPod(ns, name, status string, kv ...string) *Node {
	n := pod(ns, name, status)
	n.Pod.Node = "Node/w"
	n.Pod.Owner = ID(KindReplicaSet, ns, "rs")
	if len(kv) > 0 {
		n.Pod.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			n.Pod.Labels[kv[i]] = kv[i+1]
		}
	}
	return n
}

// podEdges are the edges the model derives for a pod: owns and runs-on
// (implied by its fields), a Service's selects and a mounts edge (stored).
func podEdges(n *Node) []*Edge {
	svc := ID(KindService, n.Namespace, "svc")
	cm := ID(KindConfigMap, n.Namespace, "cm")
	return []*Edge{
		{ID: EdgeID(EdgeOwns, n.Pod.Owner, n.ID), Kind: EdgeOwns, From: n.Pod.Owner, To: n.ID},
		{ID: EdgeID(EdgeRunsOn, n.ID, n.Pod.Node), Kind: EdgeRunsOn, From: n.ID, To: n.Pod.Node},
		{ID: EdgeID(EdgeSelects, svc, n.ID), Kind: EdgeSelects, From: svc, To: n.ID, State: EndpointReady},
		{ID: EdgeID(EdgeMounts, n.ID, cm), Kind: EdgeMounts, From: n.ID, To: cm},
	}
}

func mustSelector(t testing.TB, s string) labels.Selector {
	t.Helper()
	sel, err := labels.Parse(s)
	if err != nil {
		t.Fatalf("labels.Parse(%q): %v", s, err)
	}
	return sel
}

// view lists a graph's contents as strings, for comparing two views.
func view(nodes []*Node, edges []*Edge) []string {
	var out []string
	for _, n := range nodes {
		s := "node " + n.ID
		if n.Pod != nil {
			keys := slices.Sorted(maps.Keys(n.Pod.Labels))
			var kv []string
			for _, k := range keys {
				kv = append(kv, k+"="+n.Pod.Labels[k])
			}
			s += " " + n.Pod.Status + " {" + strings.Join(kv, ",") + "}"
		}
		out = append(out, s)
	}
	for _, e := range edges {
		out = append(out, "edge "+e.ID+" "+e.State)
	}
	sort.Strings(out)
	return out
}

// selLog is a log holding Service a/svc, ConfigMap a/cm, ReplicaSet a/rs,
// Node/w, and pods with their edges: web-1 (app=web), db-1 (app=db) in
// namespace a, and web-2 (app=web) in namespace b.
func selLog(t *testing.T) *Log {
	t.Helper()
	l := NewLog("e", 64)
	var d Delta
	for _, ns := range []string{"a", "b"} {
		d.Upsert.Nodes = append(d.Upsert.Nodes,
			&Node{ID: ID(KindService, ns, "svc"), Kind: KindService, Namespace: ns, Name: "svc", Service: &ServiceFields{}},
			&Node{ID: ID(KindReplicaSet, ns, "rs"), Kind: KindReplicaSet, Namespace: ns, Name: "rs", ReplicaSet: &ReplicaSetFields{}})
	}
	d.Upsert.Nodes = append(d.Upsert.Nodes, &Node{ID: "Node/w", Kind: KindNode, Name: "w", Node: &NodeFields{}})
	for _, p := range []*Node{selPod("a", "web-1", "Running", "app", "web"), selPod("a", "db-1", "Running", "app", "db"), selPod("b", "web-2", "Running", "app", "web")} {
		d.Upsert.Nodes = append(d.Upsert.Nodes, p)
		d.Upsert.Edges = append(d.Upsert.Edges, podEdges(p)...)
	}
	l.Append(d)
	return l
}

func TestSelectorSnapshot(t *testing.T) {
	l := selLog(t)
	web1, web2 := selPod("a", "web-1", "Running", "app", "web"), selPod("b", "web-2", "Running", "app", "web")
	common := []string{"node Node/w", "node ReplicaSet/a/rs", "node ReplicaSet/b/rs", "node Service/a/svc", "node Service/b/svc"}
	tests := []struct {
		name   string
		filter Filter
		want   []*Node // the pods, with their edges
		other  []string
	}{
		{"app=web across namespaces", NewFilter().WithSelector(mustSelector(t, "app=web")), []*Node{web1, web2}, common},
		{"app=web in namespace b", NewFilter("b").WithSelector(mustSelector(t, "app=web")), []*Node{web2}, []string{"node Node/w", "node ReplicaSet/b/rs", "node Service/b/svc"}},
		{"app!=web", NewFilter().WithSelector(mustSelector(t, "app!=web")), []*Node{selPod("a", "db-1", "Running", "app", "db")}, common},
		{"no pod", NewFilter().WithSelector(mustSelector(t, "tier in (x, y)")), nil, common},
		{"empty selector is no selector", NewFilter().WithSelector(mustSelector(t, "")),
			[]*Node{web1, selPod("a", "db-1", "Running", "app", "db"), web2}, common},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var edges []*Edge
			for _, p := range tc.want {
				edges = append(edges, podEdges(p)...)
			}
			want := append(view(tc.want, edges), tc.other...)
			sort.Strings(want)
			s := l.Snapshot(tc.filter)
			if diff := cmp.Diff(want, view(s.Nodes, s.Edges)); diff != "" {
				t.Errorf("snapshot (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSelectorLabelChanges: a pod relabelled out of the view leaves it with
// every edge it had, including ones the delta did not touch; one relabelled
// in enters with every edge it has; a pod outside the view that changes
// sends nothing; a deleted pod leaves with its edges.
func TestSelectorLabelChanges(t *testing.T) {
	f := NewFilter().WithSelector(mustSelector(t, "app=web"))
	type want struct {
		upsert, remove []string
	}
	steps := []struct {
		name  string
		delta Delta
		want  want
	}{
		{"web-1 relabelled db leaves with all its edges",
			Delta{Upsert: Items{Nodes: []*Node{selPod("a", "web-1", "Running", "app", "db")}}},
			want{remove: append([]string{"node Pod/a/web-1"}, edgeIDs(podEdges(selPod("a", "web-1", "")))...)}},
		{"db-1 relabelled web enters with all its edges",
			Delta{Upsert: Items{Nodes: []*Node{selPod("a", "db-1", "Running", "app", "web")}}},
			want{upsert: append([]string{"node Pod/a/db-1"}, edgeIDs(podEdges(selPod("a", "db-1", "")))...)}},
		{"a change out of the view sends nothing",
			Delta{Upsert: Items{Nodes: []*Node{selPod("a", "web-1", "Pending", "app", "db")}}},
			want{}},
		{"a change in the view is itself",
			Delta{Upsert: Items{Nodes: []*Node{selPod("b", "web-2", "Pending", "app", "web")}}},
			want{upsert: []string{"node Pod/b/web-2"}}},
		{"a deleted pod leaves with its edges",
			Delta{Remove: Removals{Nodes: []string{"Pod/b/web-2"}, Edges: []string{EdgeID(EdgeSelects, "Service/b/svc", "Pod/b/web-2")}}},
			want{remove: append([]string{"node Pod/b/web-2"}, edgeIDs(podEdges(selPod("b", "web-2", "")))...)}},
		{"a new edge of a pod out of the view sends nothing",
			Delta{Upsert: Items{Edges: []*Edge{{ID: EdgeID(EdgeIsolates, "NetworkPolicy/a/np", "Pod/a/web-1"), Kind: EdgeIsolates, From: "NetworkPolicy/a/np", To: "Pod/a/web-1"}}}},
			want{}},
	}
	l := selLog(t)
	l.Snapshot(f)
	for _, st := range steps {
		since := l.Seq()
		l.Append(st.delta)
		d, ok := l.Changes("e", since, f)
		if !ok {
			t.Fatalf("%s: Changes needs a snapshot", st.name)
		}
		var got want
		for _, n := range d.Upsert.Nodes {
			got.upsert = append(got.upsert, "node "+n.ID)
		}
		got.upsert = append(got.upsert, edgeIDs(d.Upsert.Edges)...)
		for _, id := range d.Remove.Nodes {
			got.remove = append(got.remove, "node "+id)
		}
		got.remove = append(got.remove, d.Remove.Edges...)
		slices.Sort(got.upsert)
		slices.Sort(got.remove)
		slices.Sort(st.want.upsert)
		slices.Sort(st.want.remove)
		if diff := cmp.Diff(st.want, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
	}
}

// TestSelectorHappenings: a happening about a pod goes to the views that
// hold the pod before or after its delta; a snapshot's recent ones, to the
// views that hold it now.
func TestSelectorHappenings(t *testing.T) {
	f := NewFilter().WithSelector(mustSelector(t, "app=web"))
	l := selLog(t)
	l.Snapshot(f)
	since := l.Seq()
	l.Append(Delta{Remove: Removals{Nodes: []string{"Pod/a/web-1"}}, Happenings: []Happening{{Kind: HappeningDeleted, Ref: "Pod/a/web-1", Text: "web-1"}}})
	l.Append(Delta{Happenings: []Happening{{Kind: HappeningRestarted, Ref: "Pod/a/db-1", Text: "db-1"}, {Kind: HappeningRestarted, Ref: "Pod/b/web-2", Text: "web-2"}}})
	l.Append(Delta{Happenings: []Happening{{Kind: HappeningScaled, Ref: "Deployment/a/d", Text: "d"}}})
	d, ok := l.Changes("e", since, f)
	if !ok {
		t.Fatal("Changes needs a snapshot")
	}
	var got []string
	for _, h := range d.Happenings {
		got = append(got, h.Text)
	}
	if want := []string{"web-1", "web-2", "d"}; !slices.Equal(got, want) {
		t.Errorf("delta happenings %v, want %v", got, want)
	}
	got = nil
	for _, h := range l.Snapshot(f).Happenings {
		got = append(got, h.Text)
	}
	if want := []string{"web-2", "d"}; !slices.Equal(got, want) {
		t.Errorf("snapshot happenings %v, want %v", got, want)
	}
}

// TestSelectorCostsNothingUntilAsked: a Log keeps what selector views need
// only from the first one on, and a client resuming from before that gets
// a snapshot instead of deltas it cannot be sure of.
func TestSelectorCostsNothingUntilAsked(t *testing.T) {
	l := selLog(t)
	before := l.Seq()
	l.Append(Delta{Upsert: Items{Nodes: []*Node{selPod("a", "web-1", "Running", "app", "db")}}})
	for _, f := range []Filter{{}, NewFilter("a")} {
		l.Snapshot(f)
		l.Changes("e", before, f)
	}
	if l.labels != nil {
		t.Fatal("namespace views made the log keep label history")
	}
	f := NewFilter().WithSelector(mustSelector(t, "app=web"))
	if _, ok := l.Changes("e", before, f); ok {
		t.Error("resumed a selector view from before the log kept label history")
	}
	at := l.Seq()
	l.Append(Delta{Upsert: Items{Nodes: []*Node{selPod("a", "web-1", "Running", "app", "web")}}})
	if d, ok := l.Changes("e", at, f); !ok || len(d.Upsert.Nodes) != 1 {
		t.Errorf("Changes since the first selector view: %v, %v; want web-1 upserted", d, ok)
	}
}

// The protocol's invariant under selectors: a view's snapshot at any seq
// plus its Changes since then equals its snapshot at head, and so does
// following every delta one at a time, through label changes in and out,
// pod deletes and re-creates, edges that outlive their pod and a Reset.
func TestLogInvariantSelectorRandom(t *testing.T) {
	for seed := range int64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { selectorInvariant(t, seed) })
	}
}

func selectorInvariant(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	filters := map[string]Filter{
		"all":                {},
		"ns a":               NewFilter("a"),
		"app=web":            NewFilter().WithSelector(mustSelector(t, "app=web")),
		"a,b app=web tier":   NewFilter("a", "b").WithSelector(mustSelector(t, "app=web,tier")),
		"app in (db,cache)":  NewFilter().WithSelector(mustSelector(t, "app in (db,cache)")),
		"!tier":              NewFilter().WithSelector(mustSelector(t, "!tier")),
		"c app!=web":         NewFilter("c").WithSelector(mustSelector(t, "app!=web")),
		"app=web (resumer)":  NewFilter().WithSelector(mustSelector(t, "app=web")),
		"ns b,c (follower)":  NewFilter("b", "c"),
		"app=db (follower)":  NewFilter().WithSelector(mustSelector(t, "app=db")),
		"no pod (follower)":  NewFilter().WithSelector(mustSelector(t, "app=none")),
		"!app (coalescing)":  NewFilter().WithSelector(mustSelector(t, "!app")),
		"tier=x (coalesced)": NewFilter("a").WithSelector(mustSelector(t, "tier=x")),
	}
	l := NewLog("e", 64)
	for _, f := range filters {
		l.Snapshot(f) // from here on the log keeps label history
	}
	// followers apply every delta of their view as it comes.
	followers := map[string]*State{}
	for k, f := range filters {
		s := l.Snapshot(f)
		st := NewState()
		st.Load(s.Seq, s.Nodes, s.Edges)
		followers[k] = st
	}
	type point struct {
		seq uint64
		s   map[string]Snapshot
	}
	var points []point
	apps := []string{"web", "db", "cache", ""}
	for step := range 400 {
		var d Delta
		for range 1 + rng.Intn(4) {
			ns := []string{"a", "b", "c"}[rng.Intn(3)]
			name := fmt.Sprint(rng.Intn(8))
			id := ID(KindPod, ns, name)
			var kv []string
			if app := apps[rng.Intn(len(apps))]; app != "" {
				kv = append(kv, "app", app)
			}
			if rng.Intn(2) == 0 {
				kv = append(kv, "tier", []string{"x", "y"}[rng.Intn(2)])
			}
			p := selPod(ns, name, fmt.Sprint("s", step), kv...)
			edges := podEdges(p)
			switch r := rng.Intn(10); {
			case r < 2: // the pod goes, with its edges
				d.Remove.Nodes = append(d.Remove.Nodes, id)
				d.Remove.Edges = append(d.Remove.Edges, edgeIDs(edges)...)
			case r < 3: // the pod goes, its selects edge stays a while
				d.Remove.Nodes = append(d.Remove.Nodes, id)
			case r < 4: // an edge changes alone
				e := *edges[2]
				e.State = []string{EndpointReady, EndpointServing, EndpointNone}[rng.Intn(3)]
				d.Upsert.Edges = append(d.Upsert.Edges, &e)
			case r < 5: // an edge goes alone
				d.Remove.Edges = append(d.Remove.Edges, edges[rng.Intn(len(edges))].ID)
			default: // the pod comes or changes, maybe relabelled
				d.Upsert.Nodes = append(d.Upsert.Nodes, p)
				d.Upsert.Edges = append(d.Upsert.Edges, edges[:1+rng.Intn(len(edges))]...)
			}
		}
		if step == 200 {
			// A replay loop: a new epoch, from another graph (half the
			// edges gone, every pod isolated by a policy); every view
			// takes a snapshot.
			s := l.Snapshot(Filter{})
			edges := slices.DeleteFunc(s.Edges, func(*Edge) bool { return rng.Intn(2) == 0 })
			for _, n := range s.Nodes {
				if n.Kind != KindPod {
					continue
				}
				np := ID(KindNetworkPolicy, n.Namespace, "np")
				edges = append(edges, &Edge{ID: EdgeID(EdgeIsolates, np, n.ID), Kind: EdgeIsolates, From: np, To: n.ID})
			}
			l.Reset("e2", 1000, s.Nodes, edges, nil)
			points = nil
			for k, f := range filters {
				s := l.Snapshot(f)
				followers[k].Load(s.Seq, s.Nodes, s.Edges)
			}
		}
		seq := l.Append(d)
		epoch := l.Epoch()
		p := point{seq: seq, s: map[string]Snapshot{}}
		for k, f := range filters {
			p.s[k] = l.Snapshot(f)
			if strings.Contains(k, "(follower)") || step%5 == 0 {
				st := followers[k]
				dd, ok := l.Changes(epoch, st.Seq, f)
				if !ok {
					t.Fatalf("filter %s at %d: follower needs a snapshot", k, st.Seq)
				}
				st.Apply(&dd)
				if diff := cmp.Diff(view(p.s[k].Nodes, p.s[k].Edges), stateView(st)); diff != "" {
					t.Fatalf("filter %s step %d: following (-snapshot +followed):\n%s", k, step, diff)
				}
			}
		}
		points = append(points, p)
	}
	for k, f := range filters {
		head := l.Snapshot(f)
		for _, p := range points[max(0, len(points)-60):] {
			st := NewState()
			st.Load(p.s[k].Seq, p.s[k].Nodes, p.s[k].Edges)
			d, ok := l.Changes(l.Epoch(), p.seq, f)
			if !ok {
				t.Fatalf("filter %s since %d: snapshot needed", k, p.seq)
			}
			st.Apply(&d)
			if diff := cmp.Diff(view(head.Nodes, head.Edges), stateView(st)); diff != "" {
				t.Fatalf("filter %s since %d (-head +resumed):\n%s", k, p.seq, diff)
			}
		}
	}
}

func stateView(st *State) []string {
	s := st.Snapshot(Filter{})
	return view(s.Nodes, s.Edges)
}

// TestSelectorSendsOnlyTheView: a selector view's deltas carry nothing of
// the pods outside it (no removes of pods it never had).
func TestSelectorSendsOnlyTheView(t *testing.T) {
	f := NewFilter().WithSelector(mustSelector(t, "app=web"))
	l := selLog(t)
	l.Snapshot(f)
	since := l.Seq()
	db := selPod("a", "db-2", "Running", "app", "db")
	l.Append(Delta{Upsert: Items{Nodes: []*Node{db}, Edges: podEdges(db)}})
	l.Append(Delta{Remove: Removals{Nodes: []string{db.ID}, Edges: edgeIDs(podEdges(db))}})
	l.Append(Delta{Upsert: Items{Nodes: []*Node{selPod("a", "db-1", "Pending", "app", "db")}}})
	for s := since; s < l.Seq(); s++ {
		if d, ok := l.Changes("e", s, f); !ok || !d.Empty() {
			t.Errorf("Changes since %d = %+v, %v: want an empty delta", s, d, ok)
		}
	}
}

func TestFilterSelectorKey(t *testing.T) {
	key := func(ns []string, sel string) string {
		return NewFilter(ns...).WithSelector(mustSelector(t, sel)).key()
	}
	if a, b := key(nil, "b=1,a in (y,x)"), key(nil, "a in (x, y), b = 1"); a != b {
		t.Errorf("one selector written two ways has keys %q and %q", a, b)
	}
	distinct := map[string]string{}
	for _, c := range []struct {
		ns  []string
		sel string
	}{{nil, ""}, {nil, "app=web"}, {nil, "app!=web"}, {[]string{"a"}, ""}, {[]string{"a"}, "app=web"}, {[]string{"a", "b"}, "app=web"}, {nil, "app"}} {
		k := key(c.ns, c.sel)
		if o, ok := distinct[k]; ok {
			t.Errorf("filters %v %q and %s share the key %q", c.ns, c.sel, o, k)
		}
		distinct[k] = fmt.Sprint(c.ns, " ", c.sel)
	}
}

// TestEncodeSharedPerSelector: subscribers with the same selector share
// one encoding; another selector gets its own.
func TestEncodeSharedPerSelector(t *testing.T) {
	l := selLog(t)
	e := l.Encoder()
	enc := func(f Filter) []byte {
		c := NewCursor(l, f, func() Status { return Status{} })
		m, _ := c.Next()
		b, err := e.Encode(m, f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	web1 := enc(NewFilter().WithSelector(mustSelector(t, "app=web")))
	web2 := enc(NewFilter().WithSelector(mustSelector(t, "app = web")))
	db := enc(NewFilter().WithSelector(mustSelector(t, "app=db")))
	if n := e.Encodings(); n != 2 {
		t.Errorf("%d encodings for two selectors", n)
	}
	if &web1[0] != &web2[0] {
		t.Error("one selector written two ways did not share its snapshot")
	}
	if strings.Contains(string(web1), "db-1") || !strings.Contains(string(db), "db-1") {
		t.Errorf("snapshots mixed up: app=web %s, app=db %s", web1, db)
	}
}

// BenchmarkSelectorDelta5k: one pod change at 5,000 pods, as a selector
// view gets it (the namespace view's for comparison).
func BenchmarkSelectorDelta5k(b *testing.B) {
	for _, bc := range []struct {
		name   string
		filter Filter
		change *Node
	}{
		{"namespace", NewFilter("a"), selPod("a", "p0", "Pending", "app", "web")},
		{"selector", NewFilter().WithSelector(mustSelector(b, "app=web")), selPod("a", "p2", "Pending", "app", "web")},
		{"selector relabel", NewFilter().WithSelector(mustSelector(b, "app=web")), selPod("a", "p4", "Running", "app", "db")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := NewLog("e", 4096)
			var d Delta
			for i := range 5000 {
				p := selPod("a", fmt.Sprint("p", i), "Running", "app", []string{"web", "db"}[i%2])
				d.Upsert.Nodes = append(d.Upsert.Nodes, p)
				d.Upsert.Edges = append(d.Upsert.Edges, podEdges(p)...)
			}
			l.Append(d)
			l.Snapshot(bc.filter)
			since := l.Seq()
			l.Append(Delta{Upsert: Items{Nodes: []*Node{bc.change}}})
			for b.Loop() {
				if d, ok := l.Changes("e", since, bc.filter); !ok || d.Empty() {
					b.Fatal("no delta")
				}
			}
		})
	}
}

// BenchmarkAppend5kSelectorView: what a pod change costs Append at 5,000
// pods before any selector view (nothing more than before selectors) and
// after one (the pod's labels compared, its prior noted on a relabel).
func BenchmarkAppend5kSelectorView(b *testing.B) {
	for _, viewed := range []bool{false, true} {
		b.Run(fmt.Sprint("selector view ", viewed), func(b *testing.B) {
			l := NewLog("e", 4096)
			var d Delta
			for i := range 5000 {
				p := selPod("a", fmt.Sprint("p", i), "Running", "app", "web")
				d.Upsert.Nodes = append(d.Upsert.Nodes, p)
				d.Upsert.Edges = append(d.Upsert.Edges, podEdges(p)...)
			}
			l.Append(d)
			if viewed {
				l.Snapshot(NewFilter().WithSelector(mustSelector(b, "app=web")))
			}
			i := 0
			for b.Loop() {
				i++
				app := "web"
				if i%10 == 0 {
					app = "db" // a relabel now and then
				}
				l.Append(Delta{Upsert: Items{Nodes: []*Node{selPod("a", fmt.Sprint("p", i%5000), fmt.Sprint(i), "app", app)}}})
			}
		})
	}
}
