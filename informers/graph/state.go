package graph

import (
	"slices"
	"strings"
)

// State is a graph held as maps: what a client rebuilds by applying a
// snapshot and then deltas in order. The Log publishes one; replays and
// tests rebuild others. It is not safe for concurrent use.
type State struct {
	Seq   uint64
	Nodes map[string]*Node
	Edges map[string]*Edge
}

// NewState returns an empty State.
func NewState() *State {
	return &State{Nodes: map[string]*Node{}, Edges: map[string]*Edge{}}
}

// Load replaces everything with a snapshot's contents.
func (s *State) Load(seq uint64, nodes []*Node, edges []*Edge) {
	s.Seq = seq
	s.Nodes = make(map[string]*Node, len(nodes))
	for _, n := range nodes {
		s.Nodes[n.ID] = n
	}
	s.Edges = make(map[string]*Edge, len(edges))
	for _, e := range edges {
		s.Edges[e.ID] = e
	}
}

// Apply folds a delta in: removals first, then upserts, as the protocol
// says (upserts are whole objects), then the delta's "warning" happenings,
// in order, merged by MergeWarning into the warnings of the node they are
// about. A warning about a node the same delta upserts is already in that
// upsert, and one about a node not held is dropped.
func (s *State) Apply(d *Delta) {
	for _, id := range d.Remove.Nodes {
		delete(s.Nodes, id)
	}
	for _, id := range d.Remove.Edges {
		delete(s.Edges, id)
	}
	for _, n := range d.Upsert.Nodes {
		s.Nodes[n.ID] = n
	}
	for _, e := range d.Upsert.Edges {
		s.Edges[e.ID] = e
	}
	s.applyWarnings(d)
	s.Seq = d.Seq
}

// Snapshot returns the graph restricted to f, sorted by id, as /api/graph
// serves it (Epoch left for the caller).
func (s *State) Snapshot(f Filter) Snapshot {
	out := s.collect(f)
	out.Sort()
	return out
}

// collect is Snapshot without the sort, so that the Log can sort outside
// its lock.
func (s *State) collect(f Filter) Snapshot {
	out := Snapshot{Seq: s.Seq, Nodes: make([]*Node, 0, len(s.Nodes)), Edges: make([]*Edge, 0, len(s.Edges))}
	for id, n := range s.Nodes {
		if f.Node(id) {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for id, e := range s.Edges {
		if f.Edge(id) {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

// Sort orders a snapshot's nodes and edges by id.
func (s *Snapshot) Sort() {
	slices.SortFunc(s.Nodes, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Edges, func(a, b *Edge) int { return strings.Compare(a.ID, b.ID) })
}

func (s *State) applyWarnings(d *Delta) {
	var upserted map[string]bool
	for i := range d.Happenings {
		h := &d.Happenings[i]
		w, ok := WarningFromHappening(h)
		if !ok {
			continue
		}
		if upserted == nil {
			upserted = make(map[string]bool, len(d.Upsert.Nodes))
			for _, n := range d.Upsert.Nodes {
				upserted[n.ID] = true
			}
		}
		if n := s.Nodes[h.Ref]; n != nil && !upserted[h.Ref] {
			s.Nodes[h.Ref] = withWarnings(n, MergeWarning(n.Warnings, w))
		}
	}
}
