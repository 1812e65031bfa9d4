package web

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// decodeInto decodes graphJSON into a fresh runtime's globals nodes and
// edges, and parsed, the same text through JSON.parse, for comparison.
func decodeInto(t *testing.T, graphJSON string) *goja.Runtime {
	t.Helper()
	rt := goja.New()
	nodes, edges, err := decodeGraph(rt, []byte(graphJSON))
	if err != nil {
		t.Fatalf("decodeGraph(%s): %v", graphJSON, err)
	}
	rt.Set("nodes", nodes)
	rt.Set("edges", edges)
	rt.Set("text", graphJSON)
	if _, err := rt.RunString(`const parsed = JSON.parse(text); parsed.nodes = parsed.nodes || []; parsed.edges = parsed.edges || [];`); err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestDecodeGraphReadsAsJSONParse: what the layout reads from decodeGraph's
// objects is what it read from JSON.parse's: the same keys in the same
// order (a later duplicate in the first's place), the same values and
// types, nested objects and arrays that stay the same object between reads,
// and objects it may change like any other.
func TestDecodeGraphReadsAsJSONParse(t *testing.T) {
	const graphJSON = `{"epoch":"e","seq":3,"extra":{"nodes":[1]},"nodes":[
	{"id":"Pod/a/p","kind":"Pod","namespace":"a","name":"p","ready":true,"restarts":0,"ratio":0.5,"big":12345678901,"neg":-0,"owner":null,
	 "labels":{"app":"web","z":"1","a":"2"},"images":["x:1","y:2"],"deep":{"a":[{"b":[]}]},"name":"p2","esc":"tab\there \u00e9 \"q\" \ud83d\ude00"},
	{"id":"Node/n","kind":"Node","name":"n"},
	7, "loose", null, [1,{"a":2}]
	],"edges":[{"id":"runs-on:Pod/a/p->Node/n","kind":"runs-on","from":"Pod/a/p","to":"Node/n"},{"id":"x","kind":"owns","from":"a","to":"b","state":""}]}`
	rt := decodeInto(t, graphJSON)
	for _, check := range []string{
		// Whole lists, as JSON.stringify walks them: every key, value and order.
		`JSON.stringify(nodes) === JSON.stringify(parsed.nodes)`,
		`JSON.stringify(edges) === JSON.stringify(parsed.edges)`,
		`Array.isArray(nodes) && nodes.length === 6 && edges.length === 2`,
		// Types and odd values, one by one.
		`typeof nodes[0].ready === 'boolean' && nodes[0].restarts === 0 && nodes[0].ratio === 0.5 && nodes[0].big === 12345678901`,
		`Object.is(nodes[0].neg, parsed.nodes[0].neg) && nodes[0].owner === null && nodes[0].missing === undefined`,
		`nodes[0].name === 'p2' && Object.keys(nodes[0]).indexOf('name') === 3`,
		`nodes[0].esc === parsed.nodes[0].esc && nodes[0].esc.length === parsed.nodes[0].esc.length`,
		`nodes[2] === 7 && nodes[3] === 'loose' && nodes[4] === null && nodes[5][1].a === 2`,
		// Nested values: parsed once, then the same object.
		`nodes[0].labels === nodes[0].labels && nodes[0].labels.app === 'web' && Object.keys(nodes[0].labels).join() === 'app,z,a'`,
		`Array.isArray(nodes[0].images) && nodes[0].images[1] === 'y:2' && nodes[0].deep.a[0].b.length === 0`,
		// Reading as the layout does: in, keys, entries, spread, for-in.
		`'kind' in nodes[0] && !('nope' in nodes[0]) && nodes[0].hasOwnProperty('id')`,
		`JSON.stringify(Object.entries(edges[0])) === JSON.stringify(Object.entries(parsed.edges[0]))`,
		`JSON.stringify({ ...nodes[1], x: 1 }) === JSON.stringify({ ...parsed.nodes[1], x: 1 })`,
		`(() => { const k = []; for (const x in edges[1]) k.push(x); return k.join() === 'id,kind,from,to,state'; })()`,
		`new Map(nodes.filter((n) => n && n.id).map((n) => [n.id, n])).get('Node/n') === nodes[1]`,
		`typeof nodes[0].toString === 'function' && String(nodes[1]) === '[object Object]'`,
	} {
		v, err := rt.RunString(check)
		if err != nil {
			t.Errorf("%s: %v", check, err)
		} else if !v.ToBoolean() {
			t.Errorf("false: %s", check)
		}
	}
	// Changes, applied to both before anything is read: set, add, delete
	// and re-add a key, on objects that shared a shape; nested values
	// overwritten or deleted unread, and one read after them.
	rt = decodeInto(t, graphJSON)
	v, err := rt.RunString(`
		for (const list of [edges, parsed.edges]) {
			list[0].state = 'ready'; list[0].kind = 'owns'; delete list[0].from; list[0].from = 'z'; list[0].lx = 3;
			delete list[1].nothing; delete list[1].id;
		}
		for (const list of [nodes, parsed.nodes]) { list[0].labels = 'gone'; delete list[0].images; list[0].deep.a.push(1); }
		JSON.stringify(edges) === JSON.stringify(parsed.edges) && JSON.stringify(nodes) === JSON.stringify(parsed.nodes)
			&& Object.keys(edges[1]).join() === 'kind,from,to,state'`)
	if err != nil || !v.ToBoolean() {
		t.Errorf("after the same changes, the objects differ from JSON.parse's (%v): %s", err, rt.Get("nodes").String())
	}
}

// TestDecodeGraphEmptyLists: a missing, null or falsy list is empty, as
// svgview.js's `g.nodes || []` made it.
func TestDecodeGraphEmptyLists(t *testing.T) {
	for _, graphJSON := range []string{`{}`, `{"nodes":null,"edges":false}`, `{"nodes":0,"edges":""}`, ` {"nodes":[],"edges":[]} `} {
		rt := goja.New()
		nodes, edges, err := decodeGraph(rt, []byte(graphJSON))
		if err != nil {
			t.Errorf("%s: %v", graphJSON, err)
			continue
		}
		if n, e := nodes.ToObject(rt).Get("length").ToInteger(), edges.ToObject(rt).Get("length").ToInteger(); n != 0 || e != 0 {
			t.Errorf("%s: %d nodes and %d edges, want none", graphJSON, n, e)
		}
	}
}

// TestDecodeGraphBadInput: what is not a graph is an error that says why.
func TestDecodeGraphBadInput(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, "graph: EOF"},
		{`{"nodes":[{"id":"a",}]}`, "invalid character '}'"},
		{`[]`, "graph: want a JSON object, got an array"},
		{`null`, "graph: want a JSON object, got null"},
		{`{"nodes":{"id":"a"}}`, "graph: nodes: want an array, got an object"},
		{`{"edges":"x"}`, "graph: edges: want an array, got a string"},
		{`{"nodes":[]} {}`, "graph: data after the JSON object"},
		{`{"nodes":[{"id":"a"}]`, "graph: EOF"},
	} {
		_, _, err := decodeGraph(goja.New(), []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("decodeGraph(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestDecodeGraphHeap: the layout's input is the largest part of a render's
// memory after the layout's own (issue #15). JSON.parse made every pod and
// edge of bigGraph an object of about 1.3 KB; decodeGraph's are about 150 B
// (about 400 B under the race detector), and must stay under 600 B and half
// of JSON.parse's, measured here in the same process.
func TestDecodeGraphHeap(t *testing.T) {
	raw := bigGraph(t, 20, 100, 20) // 2,000 pods, 2,060 nodes, 6,020 edges
	objects := float64(2060 + 6020)
	measure := func(decode func(rt *goja.Runtime) (goja.Value, goja.Value)) float64 {
		rt := goja.New()
		before := liveHeap()
		nodes, edges := decode(rt)
		after := liveHeap()
		runtime.KeepAlive(nodes)
		runtime.KeepAlive(edges)
		runtime.KeepAlive(rt)
		return (float64(after) - float64(before)) / objects
	}
	ours := measure(func(rt *goja.Runtime) (goja.Value, goja.Value) {
		nodes, edges, err := decodeGraph(rt, raw)
		if err != nil {
			t.Fatal(err)
		}
		return nodes, edges
	})
	parsed := measure(func(rt *goja.Runtime) (goja.Value, goja.Value) {
		rt.Set("text", string(raw))
		g, err := rt.RunString(`text = JSON.parse(text); text`)
		if err != nil {
			t.Fatal(err)
		}
		rt.Set("text", nil)
		o := g.ToObject(rt)
		return o.Get("nodes"), o.Get("edges")
	})
	t.Logf("heap per node or edge: decodeGraph %.0f B, JSON.parse %.0f B", ours, parsed)
	if ours > 600 || ours > parsed/2 {
		t.Errorf("decodeGraph holds %.0f B per node or edge; want at most 600 B and half of JSON.parse's %.0f B", ours, parsed)
	}
}

// TestLayoutHeap: one render's own heap at its height, in svgview.js once
// everything it builds is alive (issue #15), per pod of bigGraph's 2,000:
// 9.8 KB with the graph from JSON.parse and an object per pod in the view,
// 8.1 KB with only the former, 5.2 KB with only the latter, 3.5 KB with
// neither (2026-12-02), most of it static/layout.js's own.
func TestLayoutHeap(t *testing.T) {
	const pods = 2000
	raw := bigGraph(t, 20, 100, 20)
	p := newVMPool(1, 0)
	var peak uint64
	p.atPeak = func() { peak = liveHeap() }
	if _, err := p.layout(context.Background(), time.Hour, raw[:0], nil, "", "en", AllLayers); err == nil {
		t.Fatal("an empty input laid out") // builds the runtime outside the measure
	}
	before := liveHeap()
	if _, err := p.layout(context.Background(), time.Hour, raw, nil, "", "en", AllLayers); err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(raw)
	perPod := (float64(peak) - float64(before)) / pods
	t.Logf("the render's heap at its height: %.1f MiB, %.0f B per pod", (float64(peak)-float64(before))/(1<<20), perPod)
	if perPod > 4500 {
		t.Errorf("a render holds %.0f B per pod at its height, want at most 4,500", perPod)
	}
}
