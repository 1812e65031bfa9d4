package graph

import (
	"fmt"
	"maps"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// naiveState is the State as a client holds it: every edge in a map, no
// implication. State must always read the same.
type naiveState struct {
	nodes map[string]*Node
	edges map[string]*Edge
}

func (n *naiveState) apply(d *Delta) {
	for _, id := range d.Remove.Nodes {
		delete(n.nodes, id)
	}
	for _, id := range d.Remove.Edges {
		delete(n.edges, id)
	}
	for _, x := range d.Upsert.Nodes {
		n.nodes[x.ID] = x
	}
	for _, e := range d.Upsert.Edges {
		n.edges[e.ID] = e
	}
}

func edgeIDs(es []*Edge) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// TestStateImpliedEdgesAreExact: whatever the deltas say, even what the
// model never sends (an edge before its pod, a pod moved without its edge
// moving, an implied edge never sent), the State holds exactly the edges
// sent and not removed.
func TestStateImpliedEdgesAreExact(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	pods := []string{"Pod/a/p1", "Pod/a/p2", "Pod/b/p3"}
	owners := []string{"", "ReplicaSet/a/rs1", "ReplicaSet/a/rs2"}
	workers := []string{"", "Node/w1", "Node/w2"}
	podNode := func(id string) *Node {
		n := pod(NamespaceOf(id), id[len("Pod/"+NamespaceOf(id)+"/"):], "Running")
		n.Pod.Owner, n.Pod.Node = owners[r.Intn(3)], workers[r.Intn(3)]
		return n
	}
	anEdge := func() *Edge {
		p := pods[r.Intn(len(pods))]
		switch r.Intn(3) {
		case 0:
			o := owners[1+r.Intn(2)]
			return &Edge{ID: EdgeID(EdgeOwns, o, p), Kind: EdgeOwns, From: o, To: p}
		case 1:
			w := workers[1+r.Intn(2)]
			return &Edge{ID: EdgeID(EdgeRunsOn, p, w), Kind: EdgeRunsOn, From: p, To: w}
		}
		return &Edge{ID: EdgeID(EdgeSelects, "Service/a/s", p), Kind: EdgeSelects, From: "Service/a/s", To: p, State: EndpointReady}
	}
	for round := range 200 {
		s, ref := NewState(), &naiveState{nodes: map[string]*Node{}, edges: map[string]*Edge{}}
		for step := range 30 {
			var d Delta
			for range r.Intn(4) {
				switch r.Intn(4) {
				case 0:
					d.Remove.Nodes = append(d.Remove.Nodes, pods[r.Intn(len(pods))])
				case 1:
					d.Remove.Edges = append(d.Remove.Edges, anEdge().ID)
				case 2:
					d.Upsert.Nodes = append(d.Upsert.Nodes, podNode(pods[r.Intn(len(pods))]))
				case 3:
					d.Upsert.Edges = append(d.Upsert.Edges, anEdge())
				}
			}
			s.Apply(&d)
			ref.apply(&d)
			got := s.Snapshot(Filter{})
			want := slices.Sorted(maps.Keys(ref.edges))
			if g := edgeIDs(got.Edges); !slices.Equal(g, want) {
				t.Fatalf("round %d step %d: State edges %v, want %v (delta %+v)", round, step, g, want, d)
			}
			for _, id := range want {
				if e := s.Edge(id); e == nil || !edgeEqual(e, ref.edges[id]) {
					t.Fatalf("round %d step %d: Edge(%q) = %+v, want %+v", round, step, id, e, ref.edges[id])
				}
			}
			if e := s.Edge(fmt.Sprint("owns:ReplicaSet/a/none->", pods[0])); e != nil {
				t.Fatalf("Edge of an id never sent: %+v", e)
			}
		}
		if n := len(s.other) + len(s.compact); n > len(ref.edges) {
			t.Fatalf("round %d: %d edges stored, more than the %d held", round, n, len(ref.edges))
		}
	}
}

// TestStateBigFirstDelta: a first delta big enough for Apply's sized maps,
// with edges a pod implies, edges that only look like them, and others,
// then a delta that moves, drops and re-owns pods: the State holds exactly
// the edges sent and not removed; with the first delta's edges held on
// one goroutine and on two (putEdgesAside).
func TestStateBigFirstDelta(t *testing.T) {
	for _, aside := range []int{math.MaxInt, 1} {
		t.Run(fmt.Sprintf("aside=%d", aside), func(t *testing.T) {
			defer func(was int) { putEdgesAside = was }(putEdgesAside)
			putEdgesAside = aside
			testStateBigFirstDelta(t)
		})
	}
}

func testStateBigFirstDelta(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	s, ref := NewState(), &naiveState{nodes: map[string]*Node{}, edges: map[string]*Edge{}}
	var first, second Delta
	for i := range 1500 {
		n := pod("a", fmt.Sprintf("p%04d", i), "Running")
		n.Pod.Owner, n.Pod.Node = []string{"", "ReplicaSet/a/rs"}[r.Intn(2)], []string{"", "Node/w1", "Node/w2"}[r.Intn(3)]
		first.Upsert.Nodes = append(first.Upsert.Nodes, n)
		// A delta names an edge once.
		switch own := nodeEdges(nil, n); r.Intn(4) {
		case 0: // on another node than the pod says
			first.Upsert.Edges = append(first.Upsert.Edges, &Edge{ID: EdgeID(EdgeRunsOn, n.ID, "Node/w3"), Kind: EdgeRunsOn, From: n.ID, To: "Node/w3"})
		case 1: // the pod's own edges, saying more
			for _, e := range own {
				x := *e
				x.State = EndpointReady
				first.Upsert.Edges = append(first.Upsert.Edges, &x)
			}
		case 2:
			first.Upsert.Edges = append(first.Upsert.Edges, own...)
			first.Upsert.Edges = append(first.Upsert.Edges, &Edge{ID: EdgeID(EdgeSelects, "Service/a/s", n.ID), Kind: EdgeSelects, From: "Service/a/s", To: n.ID, State: EndpointReady})
		default:
			first.Upsert.Edges = append(first.Upsert.Edges, own...)
		}
		switch r.Intn(3) {
		case 0:
			m := *n
			p := *n.Pod
			p.Node = "Node/w2"
			m.Pod = &p
			second.Upsert.Nodes = append(second.Upsert.Nodes, &m)
		case 1:
			second.Remove.Nodes = append(second.Remove.Nodes, n.ID)
		}
	}
	for _, d := range []*Delta{&first, &second} {
		s.Apply(d)
		ref.apply(d)
		want := slices.Sorted(maps.Keys(ref.edges))
		if g := edgeIDs(s.Snapshot(Filter{}).Edges); !slices.Equal(g, want) {
			t.Fatalf("State holds %d edges, want %d", len(g), len(want))
		}
		for _, id := range want {
			if e := s.Edge(id); e == nil || !edgeEqual(e, ref.edges[id]) {
				t.Fatalf("Edge(%q) = %+v, want %+v", id, e, ref.edges[id])
			}
		}
	}
}

// TestImpliesEdge: impliesEdge says what comparing with nodeEdge's edge
// says, for pods with and without an owner and a node and edges that
// differ from theirs in each field.
func TestImpliesEdge(t *testing.T) {
	var nodes []*Node
	for _, owner := range []string{"", "ReplicaSet/a/rs"} {
		for _, node := range []string{"", "Node/w"} {
			n := pod("a", "p", "Running")
			n.Pod.Owner, n.Pod.Node = owner, node
			nodes = append(nodes, n)
		}
	}
	nodes = append(nodes, nil, &Node{ID: "Pod/a/p", Kind: KindPod})
	var edges []*Edge
	for _, kind := range []string{EdgeOwns, EdgeRunsOn, EdgeSelects} {
		for _, ends := range [][2]string{{"ReplicaSet/a/rs", "Pod/a/p"}, {"Pod/a/p", "Node/w"}, {"Pod/a/p", "Node/x"}} {
			id := EdgeID(kind, ends[0], ends[1])
			edges = append(edges,
				&Edge{ID: id, Kind: kind, From: ends[0], To: ends[1]},
				&Edge{ID: id, Kind: kind, From: ends[0], To: ends[1], State: EndpointReady},
				&Edge{ID: id, Kind: kind, From: ends[0], To: ends[1], Detail: &Detail{}},
				&Edge{ID: id + "x", Kind: kind, From: ends[0], To: ends[1]},
				&Edge{ID: id, Kind: kind, From: ends[1], To: ends[0]})
		}
	}
	for _, n := range nodes {
		for _, bit := range []uint8{impliedOwns, impliedRunsOn} {
			for _, e := range edges {
				want := nodeEdge(n, bit) != nil && edgeEqual(nodeEdge(n, bit), e)
				if got := impliesEdge(n, bit, e); got != want {
					t.Errorf("impliesEdge(%+v, %d, %+v) = %v, want %v", n, bit, e, got, want)
				}
			}
		}
	}
}

// TestSnapshotSort: Sort orders nodes and edges by id, each item still
// the one with its id, whatever order they came in.
func TestSnapshotSort(t *testing.T) {
	var s Snapshot
	for i := range 500 {
		id := fmt.Sprintf("Pod/ns-%d/p-%03d", i%7, i)
		// Name and From repeat the id: what each item must still carry.
		s.Nodes = append(s.Nodes, &Node{ID: id, Name: id})
		s.Edges = append(s.Edges, &Edge{ID: EdgeID(EdgeRunsOn, id, "Node/n"), From: id})
	}
	r := rand.New(rand.NewSource(1))
	r.Shuffle(len(s.Nodes), func(i, j int) { s.Nodes[i], s.Nodes[j] = s.Nodes[j], s.Nodes[i] })
	r.Shuffle(len(s.Edges), func(i, j int) { s.Edges[i], s.Edges[j] = s.Edges[j], s.Edges[i] })
	s.Sort()
	if len(s.Nodes) != 500 || !slices.IsSortedFunc(s.Nodes, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) }) {
		t.Fatal("nodes not sorted by id")
	}
	if len(s.Edges) != 500 || !slices.IsSortedFunc(s.Edges, func(a, b *Edge) int { return strings.Compare(a.ID, b.ID) }) {
		t.Fatal("edges not sorted by id")
	}
	for i, n := range s.Nodes {
		if n.Name != n.ID {
			t.Fatalf("node %d: id %s is now with the item of %s", i, n.ID, n.Name)
		}
	}
	for i, e := range s.Edges {
		if e.ID != EdgeID(EdgeRunsOn, e.From, "Node/n") {
			t.Fatalf("edge %d: id %s is now with the item from %s", i, e.ID, e.From)
		}
	}
}
