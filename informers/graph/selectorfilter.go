package graph

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// The selector part of a Filter (the viewer's ?selector=, docs/protocol.md):
// it admits the Pods whose own labels it matches, and the edges that touch
// an admitted Pod; an edge touching a Pod outside the view is outside it
// too. Everything else is filtered by namespace alone. Only Pods carry
// labels in the model, and a Pod's containers are part of its entity, so
// nothing else hangs off a Pod.
//
// Unlike a namespace, labels change: a Pod whose labels change enters or
// leaves the view, and an edge's id does not say its Pod's labels. So a
// State (which holds the pods) applies the selector to a snapshot, and a
// Log turns the deltas it logged into the view's deltas (selectorlog.go).

// WithSelector returns f restricted to the Pods sel matches, and their
// edges. A nil or empty selector (labels.Everything) restricts nothing.
func (f Filter) WithSelector(sel labels.Selector) Filter {
	if sel == nil || sel.Empty() {
		f.sel = nil
	} else {
		f.sel = sel
	}
	f.canon = f.canonical()
	return f
}

// Selector returns f's label selector in its canonical form (requirements
// sorted by key, as labels.Parse leaves them), "" when f has none.
func (f Filter) Selector() string {
	if f.sel == nil {
		return ""
	}
	return f.sel.String()
}

// podIn reports whether pod n (nil: absent) is in f's view: present, in an
// admitted namespace, and matched by the selector if f has one.
func (f Filter) podIn(n *Node) bool {
	if n == nil || !f.Namespace(n.Namespace) {
		return false
	}
	return f.sel == nil || f.sel.Matches(labels.Set(podLabels(n)))
}

// matches reports whether the pod labels ls pass f's selector.
func (f Filter) matches(ls map[string]string) bool {
	return f.sel == nil || f.sel.Matches(labels.Set(ls))
}

// podLabels returns the labels of pod n (nil when absent).
func podLabels(n *Node) map[string]string {
	if n == nil || n.Pod == nil {
		return nil
	}
	return n.Pod.Labels
}

const podPrefix = KindPod + "/"

// isPodID reports whether id is a Pod's.
func isPodID(id string) bool { return strings.HasPrefix(id, podPrefix) }

// edgePod returns the Pod end of the edge with this id, "" when neither end
// is a Pod (no edge kind joins two Pods).
func edgePod(edgeID string) string {
	_, rest, _ := strings.Cut(edgeID, ":")
	from, to, _ := cutArrow(rest)
	switch {
	case isPodID(from):
		return from
	case isPodID(to):
		return to
	}
	return ""
}

// podEdgeIn reports whether the edge with this id, held in s, passes f's
// selector: it touches no Pod, or one in the view. (f.Edge says whether
// its namespace passes.)
func (s *State) podEdgeIn(f Filter, id string) bool {
	p := edgePod(id)
	return p == "" || f.podIn(s.Nodes[p])
}

// podEdgeIndex returns, for each Pod, the ids of the edges s holds that
// touch it, however they are held (and whether the Pod is held or not).
func (s *State) podEdgeIndex() map[string][]string {
	out := map[string][]string{}
	add := func(id string) {
		if p := edgePod(id); p != "" {
			out[p] = append(out[p], id)
		}
	}
	for id := range s.other {
		add(id)
	}
	for k := range s.compact {
		if isPodID(k.from) || isPodID(k.to) {
			add(EdgeID(k.kind, k.from, k.to))
		}
	}
	for id, bits := range s.implied {
		n := s.Nodes[id]
		for _, bit := range [...]uint8{impliedOwns, impliedRunsOn} {
			if e := nodeEdge(n, bit); bits&bit != 0 && e != nil {
				add(e.ID)
			}
		}
	}
	return out
}
