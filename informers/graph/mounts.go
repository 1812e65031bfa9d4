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

// moveImplied records, for Flush, that an edge a pod implies moved from
// wasFrom → wasTo to isFrom → isTo (an end "" is no edge): the old edge's
// value, unless the id is dirty already, and the new id.
func (m *Model) moveImplied(kind, wasFrom, wasTo, isFrom, isTo string) {
	if wasFrom != "" && wasTo != "" {
		id := EdgeID(kind, wasFrom, wasTo)
		if _, ok := m.dirtyEdges[id]; !ok {
			m.dirtyEdges[id] = &Edge{ID: id, Kind: kind, From: wasFrom, To: wasTo}
		}
	}
	if isFrom != "" && isTo != "" {
		id := EdgeID(kind, isFrom, isTo)
		if _, ok := m.dirtyEdges[id]; !ok {
			m.dirtyEdges[id] = nil
		}
	}
}

// recolor is a selects edge a slice change may recolour, with its state
// before.
type recolor struct {
	svc, pod *Node
	was      string
}

// moveSelects records, for Flush, that the selects edge svc → pod may
// change: its value before (none unless wasSel), unless its id is dirty
// already. Selects edges are not stored: the Service, the pod's labels and
// the slices imply them (see edge).
func (m *Model) moveSelects(x *nsIndex, svc *Node, podID, podName string, wasSel bool) {
	id := EdgeID(EdgeSelects, svc.ID, podID)
	if _, ok := m.dirtyEdges[id]; ok {
		return
	}
	if !wasSel {
		m.dirtyEdges[id] = nil
		return
	}
	m.dirtyEdges[id] = &Edge{ID: id, Kind: EdgeSelects, From: svc.ID, To: podID, State: x.endpointState(svc.Name, podName)}
}

// edge returns the current edge with this id, or nil. A pod's owns,
// runs-on, runs-as, mounts and selects edges are built from the pod (and its
// Services and slices).
func (m *Model) edge(id string) *Edge {
	if e := m.edges[id]; e != nil {
		return e
	}
	kind, rest, ok := strings.Cut(id, ":")
	if !ok {
		return nil
	}
	from, to, ok := cutArrow(rest)
	if !ok {
		return nil
	}
	switch kind {
	case EdgeOwns:
		if p := m.pod(to); p != nil && p.Node.Pod.Owner == from {
			return &Edge{ID: id, Kind: EdgeOwns, From: p.Node.Pod.Owner, To: p.Node.ID}
		}
	case EdgeRunsOn:
		if p := m.pod(from); p != nil && p.Node.Pod.Node == to {
			return &Edge{ID: id, Kind: EdgeRunsOn, From: p.Node.ID, To: p.Node.Pod.Node}
		}
	case EdgeRunsAs:
		return m.runsAsEdge(from, to)
	case EdgeSelects:
		p := m.pod(to)
		if p == nil {
			return nil
		}
		x := m.ns[p.Node.Namespace]
		svcName, ok := strings.CutPrefix(from, KindService+"/"+p.Node.Namespace+"/")
		if !ok {
			return nil
		}
		if svc := x.services[svcName]; svc != nil && Selects(svc.Service.Selector, p.Node.Pod.Labels) {
			return &Edge{ID: id, Kind: EdgeSelects, From: svc.ID, To: p.Node.ID, State: x.endpointState(svcName, p.Node.Name)}
		}
	case EdgeIsolates:
		return m.isolatesEdge(id, from, to)
	case EdgeMounts:
		if p := m.pod(from); p != nil {
			for i := range p.refs {
				if p.refs[i].to == to {
					return mountEdge(p.Node, &p.refs[i])
				}
			}
		}
	}
	return nil
}

// impliedEdges appends the edges pod p implies: owns, runs-on, runs-as,
// mounts.
func (m *Model) impliedEdges(out []*Edge, p *CachedPod) []*Edge {
	n := p.Node
	out = nodeEdges(out, n)
	out = append(out, m.runsAs(p))
	for i := range p.refs {
		out = append(out, mountEdge(n, &p.refs[i]))
	}
	return out
}
