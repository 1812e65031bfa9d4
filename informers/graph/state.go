package graph

import (
	"slices"
	"strings"
)

// State is a graph held as maps: what a client rebuilds by applying a
// snapshot and then deltas in order. The Log publishes one; replays and
// tests rebuild others. It is not safe for concurrent use.
//
// Edges holds the edges no node implies. A pod's owns and runs-on edges
// follow from the pod's own fields (nodeEdges): for those, implied keeps
// one bit per edge saying it is present, and the edge is built when asked
// for (Edge, Snapshot). Two stored edges per pod were most of the Log's
// heap at 10,000 pods; a bit says exactly what was sent, so a State still
// holds what applying the deltas gives, whatever they say.
type State struct {
	Seq   uint64
	Nodes map[string]*Node
	Edges map[string]*Edge

	implied map[string]uint8 // pod id → which of nodeEdges are present
}

// Bits of State.implied, in nodeEdges' order.
const (
	impliedOwns   = 1
	impliedRunsOn = 2
)

// NewState returns an empty State.
func NewState() *State {
	return &State{Nodes: map[string]*Node{}, Edges: map[string]*Edge{}, implied: map[string]uint8{}}
}

// nodeEdge returns the edge of kind k (owns or runs-on) that pod n implies,
// or nil. The model builds the same edges from the same fields
// (impliedEdges).
func nodeEdge(n *Node, bit uint8) *Edge {
	if n == nil || n.Pod == nil {
		return nil
	}
	switch bit {
	case impliedOwns:
		if o := n.Pod.Owner; o != "" {
			return &Edge{ID: EdgeID(EdgeOwns, o, n.ID), Kind: EdgeOwns, From: o, To: n.ID}
		}
	case impliedRunsOn:
		if w := n.Pod.Node; w != "" {
			return &Edge{ID: EdgeID(EdgeRunsOn, n.ID, w), Kind: EdgeRunsOn, From: n.ID, To: w}
		}
	}
	return nil
}

// nodeEdges appends the edges pod n alone implies: its owns edge from its
// owner and its runs-on edge to its node.
func nodeEdges(out []*Edge, n *Node) []*Edge {
	for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
		if e := nodeEdge(n, bit); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// impliedAs returns the pod that implies e and e's bit, or nil when no
// node implies e (then the State stores it).
func (s *State) impliedAs(e *Edge) (*Node, uint8) {
	var pod string
	var bit uint8
	switch e.Kind {
	case EdgeOwns:
		pod, bit = e.To, impliedOwns
	case EdgeRunsOn:
		pod, bit = e.From, impliedRunsOn
	default:
		return nil, 0
	}
	n := s.Nodes[pod]
	if want := nodeEdge(n, bit); want == nil || !edgeEqual(want, e) {
		return nil, 0
	}
	return n, bit
}

// putEdge holds e: as a bit when its pod implies it, else stored.
func (s *State) putEdge(e *Edge) {
	if n, bit := s.impliedAs(e); n != nil {
		s.implied[n.ID] |= bit
		delete(s.Edges, e.ID)
		return
	}
	s.Edges[e.ID] = e
}

// removeEdge forgets the edge with this id, stored or implied.
func (s *State) removeEdge(id string) {
	if _, ok := s.Edges[id]; ok {
		delete(s.Edges, id)
		return
	}
	if e := s.impliedEdge(id); e != nil {
		n, bit := s.impliedAs(e)
		if s.implied[n.ID] &^= bit; s.implied[n.ID] == 0 {
			delete(s.implied, n.ID)
		}
	}
}

// impliedEdge returns the implied edge with this id if it is present.
func (s *State) impliedEdge(id string) *Edge {
	kind, rest, _ := strings.Cut(id, ":")
	from, to, _ := strings.Cut(rest, "->")
	var n *Node
	var bit uint8
	switch kind {
	case EdgeOwns:
		n, bit = s.Nodes[to], impliedOwns
	case EdgeRunsOn:
		n, bit = s.Nodes[from], impliedRunsOn
	default:
		return nil
	}
	if n == nil || s.implied[n.ID]&bit == 0 {
		return nil
	}
	if e := nodeEdge(n, bit); e != nil && e.ID == id {
		return e
	}
	return nil
}

// Edge returns the edge with this id, stored or implied, or nil.
func (s *State) Edge(id string) *Edge {
	if e := s.Edges[id]; e != nil {
		return e
	}
	return s.impliedEdge(id)
}

// setNode makes n the node of its id. The implied edges present for the
// old value that n no longer implies become stored edges: they stay until
// a delta removes them, as for any client.
func (s *State) setNode(id string, n *Node) {
	if bits := s.implied[id]; bits != 0 {
		old := s.Nodes[id]
		for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
			if bits&bit == 0 {
				continue
			}
			e := nodeEdge(old, bit)
			if now := nodeEdge(n, bit); now == nil || !edgeEqual(now, e) {
				s.Edges[e.ID] = e
				bits &^= bit
			}
		}
		if bits == 0 {
			delete(s.implied, id)
		} else {
			s.implied[id] = bits
		}
	}
	if n == nil {
		delete(s.Nodes, id)
		return
	}
	s.Nodes[id] = n
	// Edges stored before their pod arrived are implied from now on.
	for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
		if e := nodeEdge(n, bit); e != nil {
			if st := s.Edges[e.ID]; st != nil && edgeEqual(st, e) {
				delete(s.Edges, e.ID)
				s.implied[id] |= bit
			}
		}
	}
}

// Load replaces everything with a snapshot's contents.
func (s *State) Load(seq uint64, nodes []*Node, edges []*Edge) {
	s.Seq = seq
	s.Nodes = make(map[string]*Node, len(nodes))
	for _, n := range nodes {
		s.Nodes[n.ID] = n
	}
	s.Edges = make(map[string]*Edge, len(edges)/4)
	s.implied = make(map[string]uint8, len(nodes))
	for _, e := range edges {
		s.putEdge(e)
	}
}

// Apply folds a delta in: removals first, then upserts, as the protocol
// says (upserts are whole objects), then the delta's "warning" happenings,
// in order, merged by MergeWarning into the warnings of the node they are
// about. A warning about a node the same delta upserts is already in that
// upsert, and one about a node not held is dropped.
func (s *State) Apply(d *Delta) {
	for _, id := range d.Remove.Nodes {
		s.setNode(id, nil)
	}
	for _, id := range d.Remove.Edges {
		s.removeEdge(id)
	}
	for _, n := range d.Upsert.Nodes {
		s.setNode(n.ID, n)
	}
	for _, e := range d.Upsert.Edges {
		s.putEdge(e)
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
	out := Snapshot{Seq: s.Seq, Nodes: make([]*Node, 0, len(s.Nodes)), Edges: make([]*Edge, 0, len(s.Edges)+2*len(s.Nodes))}
	for id, n := range s.Nodes {
		if f.Node(id) {
			out.Nodes = append(out.Nodes, n)
		}
		if bits := s.implied[id]; bits != 0 {
			for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
				if e := nodeEdge(n, bit); bits&bit != 0 && e != nil && f.Edge(e.ID) {
					out.Edges = append(out.Edges, e)
				}
			}
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
