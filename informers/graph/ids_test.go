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
