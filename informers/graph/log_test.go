package graph

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pod(ns, name, status string) *Node {
	return &Node{ID: ID(KindPod, ns, name), Kind: KindPod, Namespace: ns, Name: name, Pod: &PodFields{Status: status}}
}

func ids(nodes []*Node) []string {
	out := []string{}
	for _, n := range nodes {
		out = append(out, n.ID+"="+n.Pod.Status)
	}
	sort.Strings(out)
	return out
}

func TestLogChanges(t *testing.T) {
	l := NewLog("e1", 3)
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p1", "Pending"), pod("b", "p2", "Pending")}}}) // 1
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p1", "Running")}}})                            // 2
	l.Append(Delta{Remove: Removals{Nodes: []string{"Pod/b/p2"}}})                                       // 3
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("b", "p3", "Running")}}})                            // 4

	tests := []struct {
		name        string
		epoch       string
		since       uint64
		filter      Filter
		wantOK      bool
		wantUpserts []string
		wantRemoved []string
	}{
		{name: "at head", epoch: "e1", since: 4, wantOK: true, wantUpserts: []string{}, wantRemoved: nil},
		{name: "one behind", epoch: "e1", since: 3, wantOK: true, wantUpserts: []string{"Pod/b/p3=Running"}},
		{name: "coalesced", epoch: "e1", since: 1, wantOK: true, wantUpserts: []string{"Pod/a/p1=Running", "Pod/b/p3=Running"}, wantRemoved: []string{"Pod/b/p2"}},
		{name: "filtered", epoch: "e1", since: 1, filter: NewFilter("a"), wantOK: true, wantUpserts: []string{"Pod/a/p1=Running"}},
		{name: "filtered to nothing", epoch: "e1", since: 3, filter: NewFilter("a"), wantOK: true, wantUpserts: []string{}},
		{name: "fell out of history", epoch: "e1", since: 0, wantOK: false},
		{name: "other epoch", epoch: "e0", since: 4, wantOK: false},
		{name: "from the future", epoch: "e1", since: 9, wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := l.Changes(tc.epoch, tc.since, tc.filter)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if d.From != tc.since || d.Seq != 4 {
				t.Errorf("delta covers (%d, %d], want (%d, 4]", d.From, d.Seq, tc.since)
			}
			if diff := cmp.Diff(tc.wantUpserts, ids(d.Upsert.Nodes)); diff != "" {
				t.Errorf("upserts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRemoved, d.Remove.Nodes); diff != "" {
				t.Errorf("removals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogEmptyDeltaPublishesNothing(t *testing.T) {
	l := NewLog("e", 8)
	wake, stop := l.Subscribe()
	defer stop()
	if seq := l.Append(Delta{}); seq != 0 {
		t.Fatalf("empty delta got seq %d", seq)
	}
	select {
	case <-wake:
		t.Fatal("empty delta woke a subscriber")
	default:
	}
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p", "Running")}}})
	select {
	case <-wake:
	default:
		t.Fatal("append did not wake the subscriber")
	}
}

func TestLogWakeNeverBlocks(t *testing.T) {
	l := NewLog("e", 8)
	_, stop := l.Subscribe() // never read
	defer stop()
	for i := range 100 {
		l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", fmt.Sprint(i), "Running")}}})
	}
	if got := l.Seq(); got != 100 {
		t.Fatalf("seq = %d, want 100", got)
	}
}

// The protocol's invariant: a snapshot at any seq plus Changes since it equals
// the snapshot at head, for every filter.
func TestLogInvariantRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	l := NewLog("e", 64)
	type snap struct {
		seq uint64
		s   map[string]Snapshot
	}
	filters := map[string]Filter{"all": {}, "a": NewFilter("a"), "b,c": NewFilter("b", "c")}
	var snaps []snap
	for step := range 300 {
		var d Delta
		for range 1 + rng.Intn(4) {
			ns := []string{"a", "b", "c"}[rng.Intn(3)]
			name := fmt.Sprint(rng.Intn(10))
			id := ID(KindPod, ns, name)
			edge := &Edge{ID: EdgeID(EdgeRunsOn, id, "Node/n"+name), Kind: EdgeRunsOn, From: id, To: "Node/n" + name}
			if rng.Intn(3) == 0 {
				d.Remove.Nodes = append(d.Remove.Nodes, id)
				d.Remove.Edges = append(d.Remove.Edges, edge.ID)
			} else {
				d.Upsert.Nodes = append(d.Upsert.Nodes, pod(ns, name, fmt.Sprint("s", step)))
				d.Upsert.Edges = append(d.Upsert.Edges, edge)
			}
		}
		seq := l.Append(d)
		s := snap{seq: seq, s: map[string]Snapshot{}}
		for k, f := range filters {
			s.s[k] = l.Snapshot(f)
		}
		snaps = append(snaps, s)
	}
	for k, f := range filters {
		head := l.Snapshot(f)
		for _, s := range snaps[len(snaps)-60:] {
			st := NewState()
			st.Load(s.s[k].Seq, s.s[k].Nodes, s.s[k].Edges)
			d, ok := l.Changes("e", s.seq, f)
			if !ok {
				t.Fatalf("filter %s since %d: snapshot needed", k, s.seq)
			}
			st.Apply(&d)
			got := st.Snapshot(Filter{})
			got.Epoch = "e"
			if diff := cmp.Diff(head, got, cmp.Comparer(func(a, b []*Node) bool { return cmp.Equal(ids(a), ids(b)) })); diff != "" {
				t.Fatalf("filter %s since %d (-head +replayed):\n%s", k, s.seq, diff)
			}
		}
	}
}

func TestLogResetStartsEpoch(t *testing.T) {
	l := NewLog("e1", 8)
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p", "Running")}}})
	l.Reset("e2", 0, []*Node{pod("a", "q", "Pending")}, nil, nil)
	if _, ok := l.Changes("e1", 1, Filter{}); ok {
		t.Fatal("old epoch resumed after Reset")
	}
	if got := ids(l.Snapshot(Filter{}).Nodes); !cmp.Equal(got, []string{"Pod/a/q=Pending"}) {
		t.Fatalf("snapshot after Reset = %v", got)
	}
}

func TestNodeJSONRoundTrip(t *testing.T) {
	n := &Node{ID: "Deployment/d/web", Kind: KindDeployment, Namespace: "d", Name: "web", UID: "u",
		Deployment: &DeploymentFields{Replicas: 3, Ready: 2, Images: []string{"web:v1"}, Strategy: Strategy{Type: "RollingUpdate", MaxSurge: "1"}}}
	b, err := n.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"Deployment/d/web","kind":"Deployment","namespace":"d","name":"web","uid":"u","replicas":3,"updated":0,"ready":2,"available":0,"revision":0,"images":["web:v1"],"strategy":{"type":"RollingUpdate","maxSurge":"1"},"rollout":""}`
	if string(b) != want {
		t.Fatalf("json:\n got %s\nwant %s", b, want)
	}
	var back Node
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(n, &back); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{}`, `{"id":"x","kind":"Nope"}`, `[1]`, `{"id":"Pod/a/b","kind":"Pod","ready":"yes"}`} {
		if err := new(Node).UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted bad input", bad)
		}
	}
}

// TestSnapshotRecentHappenings: a snapshot carries the last
// RecentHappenings happenings, oldest first, within its filter, so a page
// opened mid-rollout shows what led here; a Reset carries what it is given.
func TestSnapshotRecentHappenings(t *testing.T) {
	l := NewLog("e", 4) // a history shorter than the happenings kept
	h := func(ns string, i int) Happening {
		return Happening{Kind: HappeningScaled, Ref: ID(KindDeployment, ns, "web"), Text: fmt.Sprint(i)}
	}
	var want []string
	for i := range RecentHappenings + 10 {
		ns := "a"
		if i%2 == 1 {
			ns = "b"
		}
		l.Append(Delta{Upsert: Items{Nodes: []*Node{pod(ns, fmt.Sprint("p", i), "Running")}}, Happenings: []Happening{h(ns, i)}})
		if i >= 10 && ns == "a" {
			want = append(want, fmt.Sprint(i))
		}
	}
	texts := func(hs []Happening) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Text)
		}
		return out
	}
	if got := l.Snapshot(Filter{}).Happenings; len(got) != RecentHappenings || got[0].Text != "10" || got[len(got)-1].Text != fmt.Sprint(RecentHappenings+9) {
		t.Errorf("snapshot happenings %v, want the last %d (10 … %d) oldest first", texts(got), RecentHappenings, RecentHappenings+9)
	}
	if got := texts(l.Snapshot(NewFilter("a")).Happenings); !slices.Equal(got, want) {
		t.Errorf("filtered to namespace a: %v, want %v", got, want)
	}
	l.Reset("e2", 1, nil, nil, []Happening{h("a", 1), h("b", 2)})
	if got := texts(l.Snapshot(NewFilter("b")).Happenings); !slices.Equal(got, []string{"2"}) {
		t.Errorf("after a Reset, namespace b: %v, want [2]", got)
	}
}

// TestChangesMergedOnce: subscribers at the same point with the same filter
// get one merge of the history, shared (500 viewers of one namespace each
// merged it); each gets what a merge of its own gives, other points and
// filters are merged apart, and a Reset forgets what was merged.
func TestChangesMergedOnce(t *testing.T) {
	up := func(nodes ...*Node) Delta { return Delta{Upsert: Items{Nodes: nodes}} }
	l := NewLog("e1", 16)
	l.Append(up(pod("a", "web-1", "Pending"), pod("b", "db-1", "Pending")))
	l.Append(up(pod("a", "web-1", "Running"), pod("a", "web-2", "Pending")))
	l.Append(up(pod("b", "db-1", "Running")))
	fresh := func(since uint64, f Filter) Delta {
		t.Helper()
		l.mergedMu.Lock()
		l.merged = nil
		l.mergedMu.Unlock()
		d, ok := l.Changes("e1", since, f)
		if !ok {
			t.Fatalf("no changes since %d", since)
		}
		return d
	}
	for _, f := range []Filter{NewFilter("a"), NewFilter(), NewFilter("b")} {
		for since := range uint64(3) {
			want := fresh(since, f)
			before := l.MergedHits()
			for range 3 {
				got, ok := l.Changes("e1", since, f)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("since %d, filter %q: the shared merge %+v differs from a fresh one %+v", since, f.key(), got, want)
				}
			}
			// The whole filter's single delta is the log's own, never merged.
			wantHits := uint64(3)
			if since == 2 && f.All() {
				wantHits = 0
			}
			if hits := l.MergedHits() - before; hits != wantHits {
				t.Errorf("since %d, filter %q: %d of 3 answered with the shared merge, want %d", since, f.key(), hits, wantHits)
			}
		}
	}
	l.Changes("e1", 0, NewFilter("a"))
	l.Reset("e1", 3, nil, nil, nil)
	l.Append(up(pod("a", "other", "Running")))
	before := l.MergedHits()
	d, ok := l.Changes("e1", 3, NewFilter("a"))
	if !ok || len(d.Upsert.Nodes) != 1 || d.Upsert.Nodes[0].Name != "other" || l.MergedHits() != before {
		t.Errorf("after a Reset: %+v, %v, %d hits; want only the new pod, merged anew", d, ok, l.MergedHits()-before)
	}
}
