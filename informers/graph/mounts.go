package graph

import (
	"slices"
	"strings"
	"time"
)

// The model keeps no Edge for a mounts edge: a pod's references live on its
// CachedPod (24 bytes each, shared between replicas), and the edge is built
// from them when Flush or Edges needs its value.

// refFields is every reference-only node's fields: they never differ.
var refFields = &RefFields{Referenced: true}

// mountEdges moves a pod's mounts edges, and the reference counts of the
// ConfigMaps and Secrets they point at, from what oldPod implied to what
// newPod implies; either may be nil.
func (m *Model) mountEdges(oldPod, newPod *CachedPod, now time.Time) {
	var was, is []podRef
	var wasNode, isNode *Node
	if oldPod != nil {
		was, wasNode = oldPod.refs, oldPod.Node
	}
	if newPod != nil {
		is, isNode = newPod.refs, newPod.Node
	}
	if len(was) == 0 && len(is) == 0 {
		return
	}
	if wasNode != nil && isNode != nil && slices.Equal(was, is) &&
		sameContainerNames(wasNode.Pod, isNode.Pod) {
		return // the common case: a status change
	}
	// Every edge the old references implied is recorded as it was before
	// the new ones are looked at, so an id both have keeps its old value.
	for i := range was {
		e := mountEdge(wasNode, &was[i])
		if _, ok := m.dirtyEdges[e.ID]; !ok {
			m.dirtyEdges[e.ID] = e
		}
	}
	for i := range is {
		id := EdgeID(EdgeMounts, isNode.ID, is[i].to)
		if _, ok := m.dirtyEdges[id]; !ok {
			m.dirtyEdges[id] = nil
		}
	}
	for i := range is {
		m.countRef(is[i].to, 1, now)
	}
	for i := range was {
		m.countRef(was[i].to, -1, now)
	}
}

// sameContainerNames reports whether two pods name their containers alike,
// which is all a mounts edge reads of the entity besides its id.
func sameContainerNames(a, b *PodFields) bool {
	if len(a.Containers) != len(b.Containers) || len(a.InitContainers) != len(b.InitContainers) {
		return false
	}
	for i := range a.Containers {
		if a.Containers[i].Name != b.Containers[i].Name {
			return false
		}
	}
	for i := range a.InitContainers {
		if a.InitContainers[i].Name != b.InitContainers[i].Name {
			return false
		}
	}
	return true
}

// countRef adds d to the count of pods referencing id, and makes the
// reference-only node of a ConfigMap or Secret exist exactly while the count
// is positive. Claims are real objects from their own informer: not counted.
func (m *Model) countRef(id string, d int, now time.Time) {
	kind, rest, _ := strings.Cut(id, "/")
	if kind != KindConfigMap && kind != KindSecret {
		return
	}
	n := m.refCount[id] + d
	switch {
	case n > 0:
		m.refCount[id] = n
		if n == d { // from none to some
			ns, name, _ := strings.Cut(rest, "/")
			node := &Node{ID: id, Kind: kind, Namespace: internID(ns), Name: name}
			if kind == KindConfigMap {
				node.ConfigMap = refFields
			} else {
				node.Secret = refFields
			}
			m.setNode(node, now)
		}
	default:
		delete(m.refCount, id)
		m.removeNode(id, now)
	}
}

// edge returns the current edge with this id, or nil; mounts edges are
// built from their pod's references.
func (m *Model) edge(id string) *Edge {
	if e := m.edges[id]; e != nil {
		return e
	}
	rest, ok := strings.CutPrefix(id, EdgeMounts+":")
	if !ok {
		return nil
	}
	from, to, ok := strings.Cut(rest, "->")
	if !ok {
		return nil
	}
	p := m.pod(from)
	if p == nil {
		return nil
	}
	for i := range p.refs {
		if p.refs[i].to == to {
			return mountEdge(p.Node, &p.refs[i])
		}
	}
	return nil
}
