package graph

import (
	"encoding/json"
	"testing"
)

// TestAppendEdgesMatchesMarshal holds the hand-written edge encoder to
// json.Marshal, byte for byte, for every edge field and for strings that
// need escaping.
func TestAppendEdgesMatchesMarshal(t *testing.T) {
	edges := []*Edge{
		{ID: "owns:ReplicaSet/a/web->Pod/a/web-1", Kind: EdgeOwns, From: "ReplicaSet/a/web", To: "Pod/a/web-1"},
		{ID: "selects:x->y", Kind: EdgeSelects, From: "x", To: "y", State: EndpointReady},
		{ID: "routes:i->s", Kind: EdgeRoutes, From: "i", To: "s", Detail: &Detail{Label: "shop.example/<cart>&\"q\"\\"}},
		{ID: "mounts:p->c", Kind: EdgeMounts, From: "p", To: "c", Detail: &Detail{As: "volume,env", Containers: []string{"web", "sidecar"}, Broken: true}},
		{ID: "runs-as:p->sa", Kind: EdgeRunsAs, From: "p", To: "sa", Detail: &Detail{Token: true}},
		{ID: "grants:sa->r@b", Kind: EdgeGrants, From: "sa", To: "r", Detail: &Detail{Binding: "RoleBinding/a/b", Namespace: "a"}},
		{ID: "routes:g->r", Kind: EdgeRoutes, From: "g", To: "r", Detail: &Detail{Accepted: StatusFalse, Label: "http,https"}},
		{ID: "routes:r->s", Kind: EdgeRoutes, From: "r", To: "s", Detail: &Detail{Weight: new(90), Share: new(-3)}},
		{ID: "routes:r->z", Kind: EdgeRoutes, From: "r", To: "z", Detail: &Detail{Weight: new(0)}},
		{ID: "e:\u00e9\u2028\x01\xff->x", Kind: "k\t", From: "日本", To: "\u2029"},
		{ID: "empty detail", Detail: &Detail{}},
		nil,
	}
	for _, e := range edges {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEdge(nil, e); string(got) != string(want) {
			t.Errorf("appendEdge:\n got %s\nwant %s", got, want)
		}
	}
	for _, list := range [][]*Edge{nil, {}, edges} {
		want, _ := json.Marshal(list)
		if got := appendEdges(nil, list); string(got) != string(want) {
			t.Errorf("appendEdges:\n got %s\nwant %s", got, want)
		}
	}
}

// FuzzAppendString holds appendString to encoding/json for any string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "Pod/a/b", "<&>", "\u2028", "\xff\xfe", "a\"b\\c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}
