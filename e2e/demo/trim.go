package main

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// scope is what the talk's recording keeps. `podium record --namespace`
// already keeps only the talk's namespaced objects, but every cluster-scoped
// object comes along: the lab's own Nodes and the Nodes other people's tests
// add and remove meanwhile, every Namespace of the shared lab, dozens of
// system ClusterRoles, Users and Groups. A recording of those would change
// from one re-recording to the next and bury the talk; the scope keeps the
// talk's Namespaces and Nodes, and the cluster-scoped objects the talk's own
// objects point at (the ClusterRole its ServiceAccount is granted, the
// PersistentVolumes its claims are bound to, their StorageClass).
type scope struct {
	namespaces map[string]bool
	nodes      map[string]bool // Node names
	linked     map[string]bool // ids of cluster-scoped objects kept
	// poolTaint is the taint that keeps other people's pods off the
	// talk's Nodes on the shared lab: lab plumbing, not a point of the
	// talk, so it is not drawn on every Node box.
	poolTaint string
}

func newScope(namespaces, nodes []string) *scope {
	s := &scope{namespaces: map[string]bool{}, nodes: map[string]bool{}, linked: map[string]bool{}}
	for _, ns := range namespaces {
		s.namespaces[ns] = true
	}
	for _, n := range nodes {
		s.nodes[n] = true
	}
	return s
}

// edgeEnds splits an edge id "<kind>:<from>-><to>" (graph.EdgeID).
func edgeEnds(id string) (from, to string) {
	_, rest, _ := strings.Cut(id, ":")
	from, to, _ = strings.Cut(rest, "->")
	return from, to
}

// own reports whether id is one of the talk's own objects: in its
// namespaces, or one of its Namespaces or Nodes.
func (s *scope) own(id string) bool {
	if name, ok := strings.CutPrefix(id, string(graph.KindNamespace)+"/"); ok {
		return s.namespaces[name]
	}
	if name, ok := strings.CutPrefix(id, string(graph.KindNode)+"/"); ok {
		return s.nodes[name]
	}
	ns := graph.NamespaceOf(id)
	return ns != "" && s.namespaces[ns]
}

func (s *scope) keeps(id string) bool { return s.own(id) || s.linked[id] }

// link notes the cluster-scoped objects the talk's objects point at, in one
// message's nodes and edges.
func (s *scope) link(nodes []*graph.Node, edges []*graph.Edge) {
	for _, e := range edges {
		if s.own(e.From) && !s.own(e.To) && graph.NamespaceOf(e.To) == "" {
			s.linked[e.To] = true
		}
	}
	for _, n := range nodes {
		if !s.own(n.ID) {
			continue
		}
		if c := n.PersistentVolumeClaim; c != nil && c.StorageClass != "" {
			s.linked[graph.ID(graph.KindStorageClass, "", c.StorageClass)] = true
		}
	}
}

// trim returns rec within the scope: nodes, edges and happenings outside
// it are dropped, and a delta left with nothing is dropped with the seq
// chain kept whole (each delta's from is the previous message's seq).
func trim(rec *replay.Recording, s *scope) []replay.Frame {
	// Two passes: an object linked late (a claim bound near the end) is
	// kept from its first appearance.
	for _, f := range rec.Frames {
		switch {
		case f.Snapshot != nil:
			s.link(f.Snapshot.Nodes, f.Snapshot.Edges)
		case f.Delta != nil:
			s.link(f.Delta.Upsert.Nodes, f.Delta.Upsert.Edges)
		}
	}
	for _, f := range rec.Frames {
		for _, n := range nodesOf(f) {
			if pv := n.PersistentVolume; pv != nil && s.linked[n.ID] && pv.StorageClass != "" {
				s.linked[graph.ID(graph.KindStorageClass, "", pv.StorageClass)] = true
			}
		}
	}
	keepNode := func(n *graph.Node) bool { return s.keeps(n.ID) }
	untaint := func(nodes []*graph.Node) []*graph.Node {
		for i, n := range nodes {
			if n.Node == nil || !slices.ContainsFunc(n.Node.Taints, func(t graph.Taint) bool { return t.Key == s.poolTaint }) {
				continue
			}
			c, f := *n, *n.Node
			f.Taints = filter(f.Taints, func(t graph.Taint) bool { return t.Key != s.poolTaint })
			if len(f.Taints) == 0 {
				f.Taints = nil
			}
			c.Node = &f
			nodes[i] = &c
		}
		return nodes
	}
	keepEdge := func(e *graph.Edge) bool { return s.keeps(e.From) && s.keeps(e.To) }
	keepHappening := func(h graph.Happening) bool { return h.Ref == "" || s.keeps(h.Ref) }
	keepEdgeID := func(id string) bool { from, to := edgeEnds(id); return s.keeps(from) && s.keeps(to) }

	var out []replay.Frame
	var seq uint64
	for _, f := range rec.Frames {
		switch {
		case f.Snapshot != nil:
			snap := *f.Snapshot
			snap.Nodes = untaint(filter(snap.Nodes, keepNode))
			snap.Edges = filter(snap.Edges, keepEdge)
			snap.Happenings = filter(snap.Happenings, keepHappening)
			f.Snapshot, seq = &snap, snap.Seq
		case f.Delta != nil:
			d := *f.Delta
			d.Upsert.Nodes = untaint(filter(d.Upsert.Nodes, keepNode))
			d.Upsert.Edges = filter(d.Upsert.Edges, keepEdge)
			d.Remove.Nodes = filter(d.Remove.Nodes, s.keeps)
			d.Remove.Edges = filter(d.Remove.Edges, keepEdgeID)
			d.Happenings = filter(d.Happenings, keepHappening)
			if d.Empty() {
				continue
			}
			d.From, seq = seq, d.Seq
			f.Delta = &d
		}
		out = append(out, f)
	}
	return out
}

func nodesOf(f replay.Frame) []*graph.Node {
	switch {
	case f.Snapshot != nil:
		return f.Snapshot.Nodes
	case f.Delta != nil:
		return f.Delta.Upsert.Nodes
	}
	return nil
}

// filter keeps the items keep says yes to, in a new slice (never nil, as
// the protocol writes empty lists as []).
func filter[T any](items []T, keep func(T) bool) []T {
	out := make([]T, 0, len(items))
	for _, x := range items {
		if keep(x) {
			out = append(out, x)
		}
	}
	return slices.Clip(out)
}

// writeFrames writes a gzipped recording of frames with header h, whose end
// line is at duration.
func writeFrames(w io.Writer, h replay.Header, frames []replay.Frame, duration time.Duration) error {
	rw, err := replay.NewWriter(w, true, h)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if err := rw.Write(h.Start.Add(f.At), f.Message()); err != nil {
			return err
		}
	}
	return rw.Close(h.Start.Add(duration))
}

// coalesce merges the deltas that follow one another within window into
// one, as a recorder with --flush-interval window would have published
// them: what one kubectl command sets off within a moment lands in one
// delta, so a rollout's new revision comes with its new ReplicaSet's first
// pod and its happening shows two lanes. The merged delta is stamped with
// the time of its last part (a flush publishes at the end of its window)
// and carries every part's happenings, in order. A status or a snapshot
// ends a group.
func coalesce(frames []replay.Frame, window time.Duration) []replay.Frame {
	var out []replay.Frame
	var group []replay.Frame
	flush := func() {
		if len(group) > 0 {
			out = append(out, mergeDeltas(group))
			group = nil
		}
	}
	for _, f := range frames {
		if f.Delta == nil {
			flush()
			out = append(out, f)
			continue
		}
		if len(group) > 0 && f.At-group[0].At > window {
			flush()
		}
		group = append(group, f)
	}
	flush()
	return out
}

// mergeDeltas folds consecutive deltas into one: a later upsert or removal
// of an id wins over an earlier one.
func mergeDeltas(group []replay.Frame) replay.Frame {
	if len(group) == 1 {
		return group[0]
	}
	first, last := group[0].Delta, group[len(group)-1].Delta
	d := graph.Delta{Type: first.Type, From: first.From, Seq: last.Seq, Time: first.Time}
	nodes := newMerge[*graph.Node]()
	edges := newMerge[*graph.Edge]()
	for _, f := range group {
		for _, n := range f.Delta.Upsert.Nodes {
			nodes.upsert(n.ID, n)
		}
		for _, id := range f.Delta.Remove.Nodes {
			nodes.remove(id)
		}
		for _, e := range f.Delta.Upsert.Edges {
			edges.upsert(e.ID, e)
		}
		for _, id := range f.Delta.Remove.Edges {
			edges.remove(id)
		}
		d.Happenings = append(d.Happenings, f.Delta.Happenings...)
	}
	d.Upsert.Nodes, d.Remove.Nodes = nodes.result()
	d.Upsert.Edges, d.Remove.Edges = edges.result()
	out := group[len(group)-1]
	out.Delta = &d
	return out
}

// merge is the net effect of upserts and removals of ids, in first-seen
// order.
type merge[T any] struct {
	order   []string
	upserts map[string]T
	removed map[string]bool
}

func newMerge[T any]() *merge[T] {
	return &merge[T]{upserts: map[string]T{}, removed: map[string]bool{}}
}

func (m *merge[T]) see(id string) {
	if _, up := m.upserts[id]; !up && !m.removed[id] {
		m.order = append(m.order, id)
	}
}

func (m *merge[T]) upsert(id string, v T) {
	m.see(id)
	m.upserts[id] = v
	delete(m.removed, id)
}

func (m *merge[T]) remove(id string) {
	m.see(id)
	delete(m.upserts, id)
	m.removed[id] = true
}

func (m *merge[T]) result() (up []T, removed []string) {
	up, removed = []T{}, []string{}
	for _, id := range m.order {
		if v, ok := m.upserts[id]; ok {
			up = append(up, v)
		} else if m.removed[id] {
			removed = append(removed, id)
		}
	}
	return up, removed
}
