package graph

import "strings"

// Automount is a pod's spec.automountServiceAccountToken in one byte: the
// runs-as edge's token depends on it.
type Automount uint8

// The values of Automount.
const (
	AutomountUnset Automount = iota // the ServiceAccount decides
	AutomountTrue
	AutomountFalse
)

// automountOf returns the Automount of a *bool.
func automountOf(b *bool) Automount {
	switch {
	case b == nil:
		return AutomountUnset
	case *b:
		return AutomountTrue
	}
	return AutomountFalse
}

// Runs-as edges: a pod implies its own (Model.edge, Model.impliedEdges), so
// the model stores none. Its token depends on the ServiceAccount too, so a
// ServiceAccount's change re-marks its pods' edges (retoken).

// The two runs-as Details, shared by every runs-as edge.
var (
	tokenMounted   = &Detail{Token: true}
	tokenUnmounted = &Detail{}
)

// podServiceAccount returns the name of the ServiceAccount a pod runs as.
func podServiceAccount(p *PodFields) string {
	if p.ServiceAccount == "" {
		return "default"
	}
	return p.ServiceAccount
}

// saToken reports whether a ServiceAccount (nil: not held) lets its pods
// mount its token by default.
func saToken(sa *Node) bool {
	if f := sa.ServiceAccount(); f != nil && f.Automount != nil {
		return *f.Automount
	}
	return true
}

// runsAs returns pod p's runs-as edge as the model holds it now.
func (m *Model) runsAs(p *CachedPod) *Edge {
	n := p.Node
	to := internID(ID(KindServiceAccount, n.Namespace, podServiceAccount(n.Pod)))
	return runsAsTo(p, to, m.nodes[to])
}

// runsAsTo returns pod p's runs-as edge to ServiceAccount to, whose entity
// is sa (nil: not held).
func runsAsTo(p *CachedPod, to string, sa *Node) *Edge {
	token := saToken(sa)
	switch p.automount {
	case AutomountTrue:
		token = true
	case AutomountFalse:
		token = false
	}
	d := tokenUnmounted
	if token {
		d = tokenMounted
	}
	n := p.Node
	return &Edge{ID: EdgeID(EdgeRunsAs, n.ID, to), Kind: EdgeRunsAs, From: n.ID, To: to, Detail: d}
}

// moveRunsAs records, for Flush, that a pod's runs-as edge moved from what
// oldPod implied to what newPod implies (either may be nil).
func (m *Model) moveRunsAs(oldPod, newPod *CachedPod) {
	if oldPod != nil {
		e := m.runsAs(oldPod)
		if _, ok := m.dirtyEdges[e.ID]; !ok {
			m.dirtyEdges[e.ID] = e
		}
	}
	if newPod != nil {
		n := newPod.Node
		id := EdgeID(EdgeRunsAs, n.ID, ID(KindServiceAccount, n.Namespace, podServiceAccount(n.Pod)))
		if _, ok := m.dirtyEdges[id]; !ok {
			m.dirtyEdges[id] = nil
		}
	}
}

// retoken records, for Flush, the runs-as edges whose token changes because
// a ServiceAccount changed from old to n (either nil: absent): those of its
// pods that leave the choice to it.
func (m *Model) retoken(old, n *Node) {
	sa := n
	if sa == nil {
		sa = old
	}
	if saToken(old) == saToken(n) {
		return
	}
	x := m.ns[sa.Namespace]
	if x == nil {
		return
	}
	for _, p := range x.pods {
		if p.automount != AutomountUnset || podServiceAccount(p.Node.Pod) != sa.Name {
			continue
		}
		e := runsAsTo(p, sa.ID, old)
		if _, ok := m.dirtyEdges[e.ID]; !ok {
			m.dirtyEdges[e.ID] = e
		}
	}
}

// runsAsEdge returns the runs-as edge pod → to if the pod implies it.
func (m *Model) runsAsEdge(from, to string) *Edge {
	p := m.pod(from)
	if p == nil {
		return nil
	}
	n := p.Node
	rest, ok := strings.CutPrefix(to, KindServiceAccount+"/")
	if !ok {
		return nil
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok || ns != n.Namespace || name != podServiceAccount(n.Pod) {
		return nil
	}
	return m.runsAs(p)
}
