package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/podiumhq/podium/informers/graph"
)

// lpod is a pod with labels, on Node/w, owned by its namespace's rs.
func lpod(ns, name, status string, kv ...string) *graph.Node {
	n := pod(ns, name, status)
	n.Pod.Node = "Node/w"
	n.Pod.Owner = graph.ID(graph.KindReplicaSet, ns, "rs")
	n.Pod.Labels = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Pod.Labels[kv[i]] = kv[i+1]
	}
	return n
}

// lpodEdges are a pod's owns and runs-on edges and its Service's selects.
func lpodEdges(n *graph.Node) []*graph.Edge {
	svc := graph.ID(graph.KindService, n.Namespace, "svc")
	return []*graph.Edge{
		{ID: graph.EdgeID(graph.EdgeOwns, n.Pod.Owner, n.ID), Kind: graph.EdgeOwns, From: n.Pod.Owner, To: n.ID},
		{ID: graph.EdgeID(graph.EdgeRunsOn, n.ID, n.Pod.Node), Kind: graph.EdgeRunsOn, From: n.ID, To: n.Pod.Node},
		{ID: graph.EdgeID(graph.EdgeSelects, svc, n.ID), Kind: graph.EdgeSelects, From: svc, To: n.ID, State: graph.EndpointReady},
	}
}

func withEdges(nodes ...*graph.Node) graph.Delta {
	d := graph.Delta{Upsert: graph.Items{Nodes: nodes}}
	for _, n := range nodes {
		if n.Pod != nil {
			d.Upsert.Edges = append(d.Upsert.Edges, lpodEdges(n)...)
		}
	}
	return d
}

// graphView lists a graph's nodes (pods with status and labels) and edges
// as sorted strings, for comparing two views of it.
func graphView(nodes []*graph.Node, edges []*graph.Edge) []string {
	out := []string{}
	for _, n := range nodes {
		s := "node " + n.ID
		if n.Pod != nil {
			var kv []string
			for _, k := range slices.Sorted(maps.Keys(n.Pod.Labels)) {
				kv = append(kv, k+"="+n.Pod.Labels[k])
			}
			s += " " + n.Pod.Status + " {" + strings.Join(kv, ",") + "}"
		}
		out = append(out, s)
	}
	for _, e := range edges {
		out = append(out, "edge "+e.ID+" "+e.State)
	}
	sort.Strings(out)
	return out
}

func getGraph(t *testing.T, ts string, query string) graph.Snapshot {
	t.Helper()
	resp, body := get(t, ts+"/api/graph"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/graph%s: %d %s", query, resp.StatusCode, body)
	}
	var s graph.Snapshot
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("/api/graph%s: %v", query, err)
	}
	return s
}

func podsOf(s graph.Snapshot) []string {
	var out []string
	for _, n := range s.Nodes {
		if n.Kind == graph.KindPod {
			out = append(out, n.ID)
		}
	}
	return out
}

func TestSelectorBadQueries(t *testing.T) {
	testPage := func(PageRequest) templ.Component { return templ.Raw("<p>page</p>") }
	ts, _ := newTestServer(t, Config{Page: testPage, SVG: func(context.Context, io.Writer, SVGRequest) error { return nil }})
	long := "app in (" + strings.Repeat("a,", 600) + "b)"
	for _, tc := range []struct{ query, want string }{
		{"selector=app%3Dwe%20b", `selector "app=we b" is not a valid label selector: found 'b', expected: ',' or 'end of string'`},
		{"selector=app%3Dweb%2C", `selector "app=web," is not a valid label selector: found '', expected: identifier after ','`},
		{"selector=app%3DWeb%2Fx", `selector "app=Web/x" is not a valid label selector: unable to parse requirement: values[0][app]: Invalid value: "Web/x"`},
		{"selector=" + url.QueryEscape("env in (a"), `selector "env in (a" is not a valid label selector: unable to parse requirement: found '', expected: ',' or ')'`},
		{"selector=" + url.QueryEscape(long), `…" is too long: at most 1024 bytes`},
		{"namespace=a&selector=%21", `selector "!" is not a valid label selector`},
	} {
		for _, path := range []string{"/api/graph", "/ws", "/api/graph.svg", "/"} {
			resp, body := get(t, ts.URL+path+"?"+tc.query)
			// The page answers in text, the API in JSON.
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) && !strings.Contains(body, jsonText(tc.want)) {
				t.Errorf("%s?%.60s: %d %s, want 400 saying %s", path, tc.query, resp.StatusCode, body, tc.want)
			}
		}
	}
	// A refused /ws is refused before the upgrade: a plain 400 to a
	// WebSocket client, never a socket.
	_, resp, err := dialErr(ts.URL, "?selector=%21%21")
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("dial with a bad selector: %v, %v; want a 400 before the upgrade", resp, err)
	}
}

// jsonText is s as it reads inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestGraphJSONSelector(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	l.Append(withEdges(lpod("a", "web-1", "Running", "app", "web"), lpod("a", "db-1", "Running", "app", "db"),
		lpod("b", "web-2", "Running", "app", "web", "tier", "front"), lpod("c", "db-2", "Running", "app", "db")))
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Pod/a/db-1", "Pod/a/web-1", "Pod/b/web-2", "Pod/c/db-2"}},
		{"?selector=app%3Dweb", []string{"Pod/a/web-1", "Pod/b/web-2"}},
		{"?selector=app%3Dweb&namespace=b,c", []string{"Pod/b/web-2"}},
		{"?selector=app%3Dweb&selector=tier", []string{"Pod/b/web-2"}},
		{"?selector=" + url.QueryEscape("app in (db, cache), app!=web"), []string{"Pod/a/db-1", "Pod/c/db-2"}},
		{"?selector=%21tier", []string{"Pod/a/db-1", "Pod/a/web-1", "Pod/c/db-2"}},
		{"?selector=", []string{"Pod/a/db-1", "Pod/a/web-1", "Pod/b/web-2", "Pod/c/db-2"}},
		{"?selector=app%3Dnone", nil},
	} {
		s := getGraph(t, ts.URL, tc.query)
		if diff := cmp.Diff(tc.want, podsOf(s)); diff != "" {
			t.Errorf("/api/graph%s pods (-want +got):\n%s", tc.query, diff)
		}
		// Every edge touching a pod touches one in the view.
		in := map[string]bool{}
		for _, id := range podsOf(s) {
			in[id] = true
		}
		for _, e := range s.Edges {
			for _, end := range []string{e.From, e.To} {
				if strings.HasPrefix(end, "Pod/") && !in[end] {
					t.Errorf("/api/graph%s: edge %s of a pod outside the view", tc.query, e.ID)
				}
			}
		}
	}
}

// TestWSSelectorFollowsLabels: a /ws viewer with a selector sees a pod
// relabelled into its view arrive with its edges, and one relabelled out
// leave with them.
func TestWSSelectorFollowsLabels(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	l.Append(withEdges(lpod("a", "web-1", "Running", "app", "web"), lpod("b", "db-1", "Running", "app", "db")))
	c := dial(t, ts, "?selector=app%3Dweb")
	if got := nodeIDs(c.nextOf("snapshot")["nodes"]); !cmp.Equal(got, []string{"Pod/a/web-1"}) {
		t.Fatalf("snapshot pods %v", got)
	}
	l.Append(upsert(lpod("b", "db-1", "Running", "app", "web"), lpod("a", "web-1", "Running", "app", "db")))
	d := c.nextOf("delta")
	var got struct {
		Upsert graph.Items
		Remove graph.Removals
	}
	b, _ := json.Marshal(d)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := graphView([]*graph.Node{lpod("b", "db-1", "Running", "app", "web")}, lpodEdges(lpod("b", "db-1", "")))
	if diff := cmp.Diff(want, graphView(got.Upsert.Nodes, got.Upsert.Edges)); diff != "" {
		t.Errorf("upserted (-want +got):\n%s", diff)
	}
	wantRemoved := append([]string{"Pod/a/web-1"}, edgeIDsOf(lpodEdges(lpod("a", "web-1", "")))...)
	gotRemoved := append(got.Remove.Nodes, got.Remove.Edges...)
	sort.Strings(wantRemoved)
	sort.Strings(gotRemoved)
	if diff := cmp.Diff(wantRemoved, gotRemoved); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
}

func edgeIDsOf(es []*graph.Edge) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// dialErr dials /ws on the server at base with query, reporting failure.
func dialErr(base, query string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws"+query, nil)
}

// follower is a /ws client that rebuilds its view from the messages, as
// the page's store does.
type follower struct {
	t     *testing.T
	ts    string
	query string
	state *graph.State
	epoch string
	gaps  int // snapshots after the first
}

type wireMessage struct {
	Type   string        `json:"type"`
	Epoch  string        `json:"epoch"`
	Seq    uint64        `json:"seq"`
	From   uint64        `json:"from"`
	Nodes  []*graph.Node `json:"nodes"`
	Edges  []*graph.Edge `json:"edges"`
	Upsert graph.Items   `json:"upsert"`
	Remove graph.Removals
}

// follow reads messages until the view reaches seq at least, or ctx ends.
// resume makes it connect with its epoch and seq.
func (f *follower) follow(ctx context.Context, until uint64, resume bool) error {
	q := f.query
	if resume {
		q += fmt.Sprintf("&epoch=%s&since=%d", f.epoch, f.state.Seq)
	}
	conn, _, err := dialErr(f.ts, "?"+q)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 20)
	for f.state == nil || f.state.Seq < until {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var m wireMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		switch m.Type {
		case "snapshot":
			if f.state != nil {
				f.gaps++
			}
			f.state, f.epoch = graph.NewState(), m.Epoch
			f.state.Load(m.Seq, m.Nodes, m.Edges)
		case "delta":
			if f.state == nil || m.From != f.state.Seq {
				return fmt.Errorf("%s: delta (%d, %d] after seq %v", f.query, m.From, m.Seq, f.state)
			}
			f.state.Apply(&graph.Delta{From: m.From, Seq: m.Seq, Upsert: m.Upsert, Remove: m.Remove})
		}
	}
	return nil
}

// TestWSInvariantSelectorsUnderLoad is the protocol's invariant under
// load, with filters: 1,000 changes a second (pod creates, status changes,
// relabels in and out of the selectors, deletes, edges alone), three
// filtered viewers and a selector viewer that disconnects midway and
// resumes from its cursor. At the end each viewer's rebuilt graph equals
// /api/graph with its filter at the same seq.
func TestWSInvariantSelectorsUnderLoad(t *testing.T) {
	ts, l := newTestServer(t, Config{Log: graph.NewLog("ep1", 8192)})
	var base graph.Delta
	for _, ns := range []string{"a", "b", "c"} {
		base.Upsert.Nodes = append(base.Upsert.Nodes,
			&graph.Node{ID: graph.ID(graph.KindService, ns, "svc"), Kind: graph.KindService, Namespace: ns, Name: "svc", Service: &graph.ServiceFields{}},
			&graph.Node{ID: graph.ID(graph.KindReplicaSet, ns, "rs"), Kind: graph.KindReplicaSet, Namespace: ns, Name: "rs", ReplicaSet: &graph.ReplicaSetFields{}})
	}
	base.Upsert.Nodes = append(base.Upsert.Nodes, &graph.Node{ID: "Node/w", Kind: graph.KindNode, Name: "w", Node: &graph.NodeFields{}})
	l.Append(base)

	queries := map[string]string{
		"namespace":          "namespace=a,b",
		"selector":           "selector=" + url.QueryEscape("app=web"),
		"namespace+selector": "namespace=b,c&selector=" + url.QueryEscape("app in (db,cache),tier!=x"),
		"resuming selector":  "selector=" + url.QueryEscape("!tier"),
	}
	const changes = 1500
	final := uint64(changes + 2) // base, the changes, and one last change every view sees
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	followers := map[string]*follower{}
	var wg sync.WaitGroup
	errs := make(chan error, len(queries))
	for name, q := range queries {
		f := &follower{t: t, ts: ts.URL, query: q}
		followers[name] = f
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if name == "resuming selector" {
				// Part way in, it goes away, and comes back from its
				// cursor while changes keep coming.
				if err = f.follow(ctx, changes/3, false); err == nil {
					time.Sleep(50 * time.Millisecond) // a reconnect's backoff; what it misses is the test
					err = f.follow(ctx, final, true)
				}
			} else {
				err = f.follow(ctx, final, false)
			}
			if err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	// Every viewer has its snapshot before the changes start.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if l.Encoder().Len() >= len(queries) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the viewers never got their snapshots")
		}
		time.Sleep(5 * time.Millisecond)
	}

	rng := rand.New(rand.NewSource(15))
	apps := []string{"web", "db", "cache"}
	tick := time.NewTicker(time.Millisecond) // 1,000 changes a second
	start := time.Now()
	for i := range changes {
		<-tick.C
		ns := []string{"a", "b", "c"}[rng.Intn(3)]
		name := fmt.Sprint("p", rng.Intn(60))
		kv := []string{"app", apps[rng.Intn(len(apps))]}
		if rng.Intn(3) == 0 {
			kv = append(kv, "tier", []string{"x", "y"}[rng.Intn(2)])
		}
		p := lpod(ns, name, fmt.Sprint("s", i), kv...)
		var d graph.Delta
		switch r := rng.Intn(10); {
		case r < 2:
			d.Remove.Nodes = []string{p.ID}
			d.Remove.Edges = edgeIDsOf(lpodEdges(p))
		case r < 3:
			e := *lpodEdges(p)[2]
			e.State = []string{graph.EndpointReady, graph.EndpointTerminating, graph.EndpointNone}[rng.Intn(3)]
			d.Upsert.Edges = []*graph.Edge{&e}
		default:
			d = withEdges(p)
		}
		l.Append(d)
	}
	tick.Stop()
	elapsed := time.Since(start)
	if got := l.Append(upsert(&graph.Node{ID: "Node/last", Kind: graph.KindNode, Name: "last", Node: &graph.NodeFields{}})); got != final {
		t.Fatalf("the last change is seq %d, want %d", got, final)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	for name, f := range followers {
		want := getGraph(t, ts.URL, "?"+queries[name])
		if want.Seq != f.state.Seq {
			t.Fatalf("%s: /api/graph at %d, the viewer at %d", name, want.Seq, f.state.Seq)
		}
		got := f.state.Snapshot(graph.Filter{})
		if diff := cmp.Diff(graphView(want.Nodes, want.Edges), graphView(got.Nodes, got.Edges)); diff != "" {
			t.Errorf("%s: rebuilt from /ws (-/api/graph +rebuilt):\n%s", name, diff)
		}
		if f.gaps != 0 {
			t.Errorf("%s: %d snapshots after the first: the resume or the pace fell back", name, f.gaps)
		}
		if len(podsOf(want)) == 0 {
			t.Errorf("%s: an empty view proves little", name)
		}
	}
	t.Logf("%d changes in %v", changes, elapsed)
}

// TestGraphSVGSelector: /api/graph.svg draws the selector's view and names
// the selector to the renderer (canonical), which keys its cache on it.
func TestGraphSVGSelector(t *testing.T) {
	var got SVGRequest
	var raw []byte
	svg := func(_ context.Context, w io.Writer, req SVGRequest) error {
		got = req
		var err error
		if raw, err = req.Graph(); err != nil {
			return err
		}
		_, err = io.WriteString(w, "<svg/>")
		return err
	}
	ts, l := newTestServer(t, Config{SVG: svg})
	l.Append(withEdges(lpod("a", "web-1", "Running", "app", "web"), lpod("a", "db-1", "Running", "app", "db")))
	if resp, body := get(t, ts.URL+"/api/graph.svg?selector="+url.QueryEscape("tier notin (x), app = web")); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got.Selector != "app=web,tier notin (x)" {
		t.Errorf("the renderer got selector %q, want the canonical %q", got.Selector, "app=web,tier notin (x)")
	}
	var s graph.Snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if pods := podsOf(s); !cmp.Equal(pods, []string{"Pod/a/web-1"}) {
		t.Errorf("the renderer drew pods %v, want the view's [Pod/a/web-1]", pods)
	}
}
