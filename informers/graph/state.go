package graph

import (
	"slices"
	"strings"
	"sync"
)

// State is a graph held as maps: what a client rebuilds by applying a
// snapshot and then deltas in order. The Log publishes one; replays and
// tests rebuild others. It is not safe for concurrent use.
//
// Edges no node implies are stored. A pod's owns and runs-on edges
// follow from the pod's own fields (nodeEdges): for those, implied keeps
// one bit per edge saying it is present, and the edge is built when asked
// for (Edge, Snapshot). Two stored edges per pod were most of the Log's
// heap at 10,000 pods; a bit says exactly what was sent, so a State still
// holds what applying the deltas gives, whatever they say.
//
// Other edges whose id is EdgeID(kind, from, to) are held as a compact
// entry: the kind, the ends (sharing the strings of the nodes' ids) and
// what the edge says besides, with no Edge or id string of their own.
// other holds the rest (a grants edge's id names its binding too).
type State struct {
	Seq   uint64
	Nodes map[string]*Node

	// Edges are held three ways (read them with Edge or Snapshot):
	other   map[string]*Edge // edges with neither a bit nor a compact entry
	implied map[string]uint8 // pod id → which of nodeEdges are present
	compact map[edgeKey]edgeVal
}

type edgeKey struct{ kind, from, to string }

type edgeVal struct {
	state  string
	detail *Detail
}

// edgeKeyOf parses an edge id into its compact key, if it has one.
func edgeKeyOf(id string) (edgeKey, bool) {
	kind, rest, ok := strings.Cut(id, ":")
	if !ok {
		return edgeKey{}, false
	}
	from, to, ok := cutArrow(rest)
	return edgeKey{kind, from, to}, ok
}

// intern returns the node id equal to id when the node is held, so that
// compact entries share its string.
func (s *State) intern(id string) string {
	if n := s.Nodes[id]; n != nil {
		return n.ID
	}
	return id
}

// internWord returns the constant equal to w, so that decoded edges share
// one string per kind and state.
func internWord(w string) string {
	switch w {
	case EdgeRoutes, EdgeSelects, EdgeOwns, EdgeRunsOn, EdgeMounts, EdgeBound, EdgeScales, EdgeRunsAs, EdgeGrants, EdgeIsolates,
		EndpointReady, EndpointServing, EndpointTerminating, EndpointNone, "":
		for _, c := range [...]string{EdgeRoutes, EdgeSelects, EdgeOwns, EdgeRunsOn, EdgeMounts, EdgeBound, EdgeScales, EdgeRunsAs,
			EdgeGrants, EdgeIsolates, EndpointReady, EndpointServing, EndpointTerminating, EndpointNone} {
			if c == w {
				return c
			}
		}
	}
	return w
}

// store holds e (not implied), compactly when its id allows.
func (s *State) store(e *Edge) {
	if k, ok := edgeKeyOf(e.ID); ok && k.kind == e.Kind && k.from == e.From && k.to == e.To {
		delete(s.other, e.ID)
		s.compact[edgeKey{internWord(k.kind), s.intern(k.from), s.intern(k.to)}] = edgeVal{internWord(e.State), e.Detail}
		return
	}
	s.other[e.ID] = e
}

// stored returns the stored (not implied) edge with this id, or nil.
func (s *State) stored(id string) *Edge {
	if e := s.other[id]; e != nil {
		return e
	}
	if k, ok := edgeKeyOf(id); ok {
		if v, ok := s.compact[k]; ok {
			return &Edge{ID: id, Kind: k.kind, From: k.from, To: k.to, State: v.state, Detail: v.detail}
		}
	}
	return nil
}

// unstore forgets the stored edge with this id, reporting whether there
// was one.
func (s *State) unstore(id string) bool {
	if _, ok := s.other[id]; ok {
		delete(s.other, id)
		return true
	}
	if k, ok := edgeKeyOf(id); ok {
		if _, ok := s.compact[k]; ok {
			delete(s.compact, k)
			return true
		}
	}
	return false
}

// Bits of State.implied, in nodeEdges' order.
const (
	impliedOwns   = 1
	impliedRunsOn = 2
)

// NewState returns an empty State.
func NewState() *State {
	return &State{Nodes: map[string]*Node{}, other: map[string]*Edge{}, implied: map[string]uint8{}, compact: map[edgeKey]edgeVal{}}
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
	if !impliesEdge(n, bit, e) {
		return nil, 0
	}
	return n, bit
}

// impliesEdge is edgeEqual(nodeEdge(n, bit), e) for a non-nil e, without
// building nodeEdge's edge: Apply asks it of every pod's edges.
func impliesEdge(n *Node, bit uint8, e *Edge) bool {
	if n == nil || n.Pod == nil || e.State != "" || e.Detail != nil {
		return false
	}
	var kind, from, to string
	switch {
	case bit == impliedOwns && n.Pod.Owner != "":
		kind, from, to = EdgeOwns, n.Pod.Owner, n.ID
	case bit == impliedRunsOn && n.Pod.Node != "":
		kind, from, to = EdgeRunsOn, n.ID, n.Pod.Node
	default:
		return false
	}
	return e.Kind == kind && e.From == from && e.To == to && isEdgeID(e.ID, kind, from, to)
}

// storesNone reports whether no edge is stored, only implied ones: then
// nothing need be looked up or unstored (a first delta's nodes).
func (s *State) storesNone() bool { return len(s.other) == 0 && len(s.compact) == 0 }

// putEdge holds e: as a bit when its pod implies it, else stored.
func (s *State) putEdge(e *Edge) {
	if n, bit := s.impliedAs(e); n != nil {
		s.implied[n.ID] |= bit
		if !s.storesNone() {
			s.unstore(e.ID)
		}
		return
	}
	s.store(e)
}

// removeEdge forgets the edge with this id, stored or implied.
func (s *State) removeEdge(id string) {
	if s.unstore(id) {
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
	from, to, _ := cutArrow(rest)
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
	if e := s.stored(id); e != nil {
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
				s.store(e)
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
	if s.storesNone() {
		return
	}
	// Edges stored before their pod arrived are implied from now on.
	for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
		if e := nodeEdge(n, bit); e != nil {
			if st := s.stored(e.ID); st != nil && edgeEqual(st, e) {
				s.unstore(e.ID)
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
	s.other = map[string]*Edge{}
	s.implied = make(map[string]uint8, len(nodes))
	s.compact = make(map[edgeKey]edgeVal, len(edges))
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
	s.sizeFor(d)
	for _, id := range d.Remove.Nodes {
		s.setNode(id, nil)
	}
	for _, id := range d.Remove.Edges {
		s.removeEdge(id)
	}
	for _, n := range d.Upsert.Nodes {
		s.setNode(n.ID, n)
	}
	if len(d.Upsert.Edges) >= putEdgesAside && len(d.Remove.Edges) == 0 && s.storesNone() && len(s.implied) == 0 {
		s.putFirstEdges(d.Upsert.Edges)
	} else {
		for _, e := range d.Upsert.Edges {
			s.putEdge(e)
		}
	}
	s.applyWarnings(d)
	s.Seq = d.Seq
}

// putEdgesAside is how many edges of a first delta make Apply hold them on
// two goroutines (putFirstEdges).
var putEdgesAside = 4096

// putFirstEdges is putEdge for each of a first delta's edges (nothing
// stored or implied yet, nothing removed), on two goroutines: a pod's owns
// and runs-on edges become bits in implied on one while the rest are stored
// on the other (at 50,000 pods, 100,000 of the first and 50,000 runs-as
// edges of the second). The two write different maps and only read Nodes,
// which is whole by then; the cores are idle once a big list is in, and the
// graph is published after this. An owns or runs-on edge its pod does not
// imply (rare) is stored after both are done.
func (s *State) putFirstEdges(edges []*Edge) {
	var leftover []*Edge
	var implied sync.WaitGroup
	implied.Go(func() {
		for _, e := range edges {
			if e.Kind != EdgeOwns && e.Kind != EdgeRunsOn {
				continue
			}
			if n, bit := s.impliedAs(e); n != nil {
				s.implied[n.ID] |= bit
			} else {
				leftover = append(leftover, e)
			}
		}
	})
	for _, e := range edges {
		if e.Kind != EdgeOwns && e.Kind != EdgeRunsOn {
			s.store(e)
		}
	}
	implied.Wait()
	for _, e := range leftover {
		s.store(e)
	}
}

// sizeFor sizes empty maps for a big delta, a first one (the initial
// list's), so that they are not grown and rehashed again and again while
// it is applied (the stored edges' map alone: a 50,000-pod Append took
// 169-191 ms without sizing it, 119-132 with).
func (s *State) sizeFor(d *Delta) {
	const big = 1024
	if len(d.Upsert.Nodes) > big && len(s.Nodes) == 0 && len(s.implied) == 0 {
		s.Nodes = make(map[string]*Node, len(d.Upsert.Nodes))
		s.implied = make(map[string]uint8, len(d.Upsert.Nodes))
	}
	if len(d.Upsert.Edges) > big && len(s.compact) == 0 {
		// At most the edges no pod implies are stored.
		n := 0
		for _, e := range d.Upsert.Edges {
			if e.Kind != EdgeOwns && e.Kind != EdgeRunsOn {
				n++
			}
		}
		s.compact = make(map[edgeKey]edgeVal, n)
	}
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
	out := Snapshot{Seq: s.Seq, Nodes: make([]*Node, 0, len(s.Nodes)), Edges: make([]*Edge, 0, len(s.other)+len(s.compact)+2*len(s.Nodes))}
	// Without a selector this is exactly the id filter, at its speed.
	labelled := f.sel != nil
	for id, n := range s.Nodes {
		in := f.Node(id)
		if labelled && n.Kind == KindPod {
			in = f.podIn(n)
		}
		if in {
			out.Nodes = append(out.Nodes, n)
		}
		// A pod's implied edges go with it under a selector.
		if bits := s.implied[id]; bits != 0 && (in || !labelled) {
			for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
				if e := nodeEdge(n, bit); bits&bit != 0 && e != nil && f.Edge(e.ID) {
					out.Edges = append(out.Edges, e)
				}
			}
		}
	}
	for id, e := range s.other {
		if f.Edge(id) && (!labelled || s.podEdgeIn(f, id)) {
			out.Edges = append(out.Edges, e)
		}
	}
	for k, v := range s.compact {
		if id := EdgeID(k.kind, k.from, k.to); f.Edge(id) && (!labelled || s.podEdgeIn(f, id)) {
			out.Edges = append(out.Edges, &Edge{ID: id, Kind: k.kind, From: k.from, To: k.to, State: v.state, Detail: v.detail})
		}
	}
	return out
}

// Sort orders a snapshot's nodes and edges by id.
func (s *Snapshot) Sort() {
	sortByID(s.Nodes, func(n *Node) string { return n.ID })
	sortByID(s.Edges, func(e *Edge) string { return e.ID })
}

// sortByID sorts items by id with the ids side by side in one slice:
// reaching each id through its item's pointer, a cache miss per comparison,
// was most of the sort of a 50,000-pod snapshot.
func sortByID[T any](items []*T, id func(*T) string) {
	type keyed struct {
		id   string
		item *T
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		ks[i] = keyed{id(it), it}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.id, b.id) })
	for i := range ks {
		items[i] = ks[i].item
	}
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
