package graph

import "sort"

// Namespaces returns the namespaces the published graph has objects in,
// sorted: the candidates a per-user view is decided among. It walks every
// node, so callers cache what they derive from it.
func (l *Log) Namespaces() []string {
	seen := map[string]bool{}
	l.mu.RLock()
	for _, n := range l.state.Nodes {
		if n.Namespace != "" {
			seen[n.Namespace] = true
		}
	}
	l.mu.RUnlock()
	out := make([]string, 0, len(seen))
	for ns := range seen {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}
