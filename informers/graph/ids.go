package graph

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// ID returns the protocol id of an entity: Kind/namespace/name for namespaced
// kinds and Kind/name for cluster-scoped ones (namespace "").
func ID(kind Kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}

// EdgeID returns the protocol id of an edge.
func EdgeID(kind, from, to string) string {
	return kind + ":" + from + "->" + to
}

// isEdgeID reports whether id == EdgeID(kind, from, to), without building
// that string: the first fold compares 50,000 pods' edges this way.
func isEdgeID(id, kind, from, to string) bool {
	k, f := len(kind), len(from)
	return len(id) == k+1+f+2+len(to) && id[:k] == kind && id[k] == ':' && id[k+1:k+1+f] == from &&
		id[k+1+f:k+3+f] == "->" && id[k+3+f:] == to
}

// NamespaceOf returns the namespace of an entity id, or "" for a
// cluster-scoped one.
func NamespaceOf(id string) string {
	_, rest, ok := strings.Cut(id, "/")
	if !ok {
		return ""
	}
	ns, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return ns
}

// EdgeFrom returns the from id of an edge id.
func EdgeFrom(edgeID string) string {
	_, rest, _ := strings.Cut(edgeID, ":")
	from, _, _ := cutArrow(rest)
	return from
}

// cutArrow is strings.Cut(s, "->"), the split of an edge id's ends, and
// their one home. It looks for the '>', which ids hardly ever hold, where
// strings.Cut stops at each '-' of the names before the arrow (a generated
// pod name in a long namespace has half a dozen): 9 ns instead of 65 for
// a pod's runs-on edge, split for each viewer's filter and in each fold.
func cutArrow(s string) (before, after string, found bool) {
	for i := 1; i < len(s); {
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		i += j
		if s[i-1] == '-' {
			return s[:i-1], s[i+1:], true
		}
		i++
	}
	return s, "", false
}

// Filter restricts a view to some namespaces and, optionally, to the Pods
// a label selector matches (WithSelector; selectorfilter.go). The zero
// Filter matches everything. Cluster-scoped entities (Nodes) match every
// filter, because pods in any namespace run on them; the one exception is
// a Namespace entity, which matches the filters that admit its own name.
type Filter struct {
	namespaces map[string]bool
	// sel, when not nil, admits only the Pods whose labels it matches, and
	// their edges. Node and Edge cannot apply it (an id carries no
	// labels): the Log and State do, where they hold the pods.
	sel labels.Selector
	// canon is the filter's canonical form (key), made with it: the Log
	// and the Encoder key each message of each viewer by it.
	canon string
}

// NewFilter returns a filter for the given namespaces; none means all.
func NewFilter(namespaces ...string) Filter {
	var f Filter
	for _, ns := range namespaces {
		if ns == "" {
			continue
		}
		if f.namespaces == nil {
			f.namespaces = map[string]bool{}
		}
		f.namespaces[ns] = true
	}
	f.canon = f.canonical()
	return f
}

// All reports whether f matches everything: every namespace, every pod.
func (f Filter) All() bool { return len(f.namespaces) == 0 && f.sel == nil }

// Namespace reports whether f admits namespace ns ("" is cluster scope).
func (f Filter) Namespace(ns string) bool {
	return f.namespaces == nil || ns == "" || f.namespaces[ns]
}

// Node reports whether f admits the entity with this id by its namespace;
// under a selector a Pod must also match by its labels (podIn).
func (f Filter) Node(id string) bool {
	if name, ok := strings.CutPrefix(id, KindNamespace+"/"); ok {
		return f.Namespace(name)
	}
	return f.Namespace(NamespaceOf(id))
}

// Edge reports whether f admits the edge with this id. An edge belongs to the
// namespace of its from end; edges never cross namespaces except into Nodes.
func (f Filter) Edge(id string) bool { return f.Namespace(NamespaceOf(EdgeFrom(id))) }
