package graph

import (
	"strings"
	"testing"
)

// FuzzCutArrow: cutArrow splits every string exactly as strings.Cut(s,
// "->") does; the seeds run as a unit test.
func FuzzCutArrow(f *testing.F) {
	for _, s := range []string{"", "-", ">", "->", "-->", "->>", "a>->b", ">->", "a-b->c-d>e", "a->b->c", "a-", ">a",
		"Pod/bench-benchmarkscale50k-pods-50000-x7k2p/web-7d9c5b8f4-00001->Node/big-0001",
		"Service/default/web->Pod/default/web-7d9c5b8f4-00001", "Ingress/a/x>y-z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, a, ok := cutArrow(s)
		wb, wa, wok := strings.Cut(s, "->")
		if b != wb || a != wa || ok != wok {
			t.Errorf("cutArrow(%q) = %q, %q, %v; strings.Cut gives %q, %q, %v", s, b, a, ok, wb, wa, wok)
		}
	})
}

// FuzzIsEdgeID: isEdgeID says exactly whether id is EdgeID's; the seeds
// run as a unit test.
func FuzzIsEdgeID(f *testing.F) {
	for _, c := range [][4]string{
		{"runs-on:Pod/ns/a->Node/n", "runs-on", "Pod/ns/a", "Node/n"},
		{"runs-on:Pod/ns/a->Node/m", "runs-on", "Pod/ns/a", "Node/n"},
		{"owns:Pod/ns/a->Node/n", "runs-on", "Pod/ns/a", "Node/n"},
		{"runs-on:Pod/ns/a-Node/n", "runs-on", "Pod/ns/a", "Node/n"},
		{"runs-on:Pod/ns/a->Node/nn", "runs-on", "Pod/ns/a", "Node/n"},
		{"a:b->c", "a", "b-", ">c"}, {":->", "", "", ""}, {"", "", "", ""},
	} {
		f.Add(c[0], c[1], c[2], c[3])
	}
	f.Fuzz(func(t *testing.T, id, kind, from, to string) {
		if got, want := isEdgeID(id, kind, from, to), id == EdgeID(kind, from, to); got != want {
			t.Errorf("isEdgeID(%q, %q, %q, %q) = %v, want %v", id, kind, from, to, got, want)
		}
	})
}
