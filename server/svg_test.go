package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/web"
)

// The page's renderer reports its focus errors the way the server reads them.
var _ FocusError = (*web.FocusError)(nil)

// svgServer serves log with the page's own SVG renderer, as podium does.
func svgServer(t *testing.T, log *graph.Log) *httptest.Server {
	t.Helper()
	h, err := web.SVGStyleCSP()
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := newTestServer(t, Config{Log: log, SVG: pageSVG, StyleSources: []string{h}})
	return ts
}

// pageSVG draws with the page's own layout, uncached.
func pageSVG(ctx context.Context, w io.Writer, req SVGRequest) error {
	raw, err := req.Graph()
	if err != nil {
		return err
	}
	return web.RenderSVG(ctx, w, raw, req.Namespaces, req.Focus, req.Lang)
}

// rolloutLog is a log holding the web fixture: a Deployment mid-rollout, its
// Service and Ingress, a bare pod and two Nodes, plus a pod in namespace b.
func rolloutLog(t *testing.T) *graph.Log {
	t.Helper()
	raw, err := os.ReadFile("../web/test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap graph.Snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	l := graph.NewLog("ep1", 16)
	nodes := append(snap.Nodes, pod("b", "other", "Running"))
	l.Append(graph.Delta{Upsert: graph.Items{Nodes: nodes, Edges: snap.Edges}})
	return l
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// svgIDs parses doc as XML, failing on malformed output, and returns its
// sorted data-id values (the DOM contract's entity ids).
func svgIDs(t *testing.T, doc string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var ids []string
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if first && (se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg") {
			t.Fatalf("root is %v, want svg in the SVG namespace", se.Name)
		}
		first = false
		for _, a := range se.Attr {
			if a.Name.Local == "data-id" {
				ids = append(ids, a.Value)
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func graphIDs(t *testing.T, url string) []string {
	t.Helper()
	_, body := get(t, url)
	var snap graph.Snapshot
	if err := json.Unmarshal([]byte(body), &snap); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range snap.Nodes {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	return ids
}

func TestGraphSVGHasTheGraphsIDs(t *testing.T) {
	ts := svgServer(t, rolloutLog(t))
	for _, q := range []string{"", "?namespace=default", "?namespace=b", "?namespace=default,b"} {
		resp, body := get(t, ts.URL+"/api/graph.svg"+q)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", q, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
			t.Errorf("%s: Content-Type %q", q, ct)
		}
		want := graphIDs(t, ts.URL+"/api/graph"+q)
		if len(want) == 0 {
			t.Fatalf("%s: empty graph", q)
		}
		if diff := cmp.Diff(want, svgIDs(t, body)); diff != "" {
			t.Errorf("%s: data-id of the SVG differ from /api/graph's node ids (-graph +svg):\n%s", q, diff)
		}
	}
}

func TestGraphSVGFocus(t *testing.T) {
	ts := svgServer(t, rolloutLog(t))
	resp, body := get(t, ts.URL+"/api/graph.svg?focus=Deployment/default/hellok8s-deployment")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	svgIDs(t, body) // well-formed
	if !strings.Contains(body, `data-focus="Deployment/default/hellok8s-deployment"`) {
		t.Error("the SVG does not name its focus")
	}
	if !strings.Contains(body, ` dim"`) {
		t.Error("nothing outside the focused chain is dimmed")
	}
	for _, tc := range []struct {
		query string
		code  int
	}{
		{"?focus=Deployment/default/nope", http.StatusNotFound},
		{"?focus=a/b/c/d", http.StatusBadRequest},
		{"?focus=%3Cscript%3E", http.StatusBadRequest},
		{"?focus=" + strings.Repeat("x", 400), http.StatusBadRequest},
		{"?namespace=Bad_NS", http.StatusBadRequest},
		{"?zoom=2", http.StatusBadRequest},
	} {
		resp, body := get(t, ts.URL+"/api/graph.svg"+tc.query)
		if resp.StatusCode != tc.code || !strings.Contains(body, `"error"`) {
			t.Errorf("%.60s: status %d body %.120s, want %d with a JSON error", tc.query, resp.StatusCode, body, tc.code)
		}
	}
}

func TestGraphSVGLanguage(t *testing.T) {
	ts := svgServer(t, rolloutLog(t))
	_, zh := get(t, ts.URL+"/api/graph.svg?lang=zh-CN")
	if !strings.Contains(zh, "工作负载") {
		t.Error("?lang=zh-CN: no Chinese column heading")
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/graph.svg", nil)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "工作负载") {
		t.Error("Accept-Language zh-CN: no Chinese column heading")
	}
	if _, en := get(t, ts.URL+"/api/graph.svg"); !strings.Contains(en, ">WORKLOADS<") || strings.Contains(en, "工作负载") {
		t.Error("default: want English")
	}
}

func TestGraphSVGEmptyGraph(t *testing.T) {
	ts := svgServer(t, nil)
	resp, body := get(t, ts.URL+"/api/graph.svg")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ids := svgIDs(t, body); len(ids) != 0 {
		t.Errorf("empty graph drew %v", ids)
	}
}

// focusErr is a renderer's FocusError.
type focusErr struct {
	msg      string
	notFound bool
}

func (e *focusErr) Error() string       { return e.msg }
func (e *focusErr) FocusNotFound() bool { return e.notFound }

// TestGraphSVGRendererErrors: what a renderer reports becomes the answer's
// status, and its own words reach the client only for a focus error.
func TestGraphSVGRendererErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code int
		want string
	}{
		{"focus not in the graph", &focusErr{"Deployment/a/b is not in the graph", true}, http.StatusNotFound, "Deployment/a/b is not in the graph"},
		{"malformed focus", &focusErr{"focus must be Kind/namespace/name", false}, http.StatusBadRequest, "focus must be Kind/namespace/name"},
		{"wrapped focus error", fmt.Errorf("layout: %w", &focusErr{"no such thing", true}), http.StatusNotFound, "no such thing"},
		{"any other failure", errors.New("goja exploded at line 7"), http.StatusInternalServerError, "internal error"},
		{"busy", fmt.Errorf("render: %w", ErrBusy), http.StatusServiceUnavailable, "the server is drawing as many pictures as it may at once; try again in a second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotFocus, gotLang string
			var gotNS []string
			svg := func(_ context.Context, _ io.Writer, req SVGRequest) error {
				gotNS, gotFocus, gotLang = req.Namespaces, req.Focus, req.Lang
				return tc.err
			}
			ts, _ := newTestServer(t, Config{SVG: svg})
			resp, body := get(t, ts.URL+"/api/graph.svg?namespace=a&focus=Deployment/a/b&lang=zh-CN")
			var e apiError
			if resp.StatusCode != tc.code || json.Unmarshal([]byte(body), &e) != nil || e.Error != tc.want {
				t.Errorf("status %d body %s, want %d with error %q", resp.StatusCode, body, tc.code, tc.want)
			}
			if !cmp.Equal(gotNS, []string{"a"}) || gotFocus != "Deployment/a/b" || gotLang != "zh-CN" {
				t.Errorf("renderer got namespaces %v, focus %q, lang %q", gotNS, gotFocus, gotLang)
			}
		})
	}
}

// TestGraphSVGLayers: ?layers= reaches the renderer exactly as given ("*"
// when absent, "" when empty), the server reading nothing into it.
func TestGraphSVGLayers(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{"", "*"},
		{"?layers=storage,jobs", "storage,jobs"},
		{"?layers=", ""},
		{"?layers=bogus", "bogus"},
	} {
		var got string
		svg := func(_ context.Context, w io.Writer, req SVGRequest) error {
			got = req.Layers
			_, err := io.WriteString(w, "<svg/>")
			return err
		}
		ts, _ := newTestServer(t, Config{SVG: svg})
		if resp, body := get(t, ts.URL+"/api/graph.svg"+tc.query); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tc.query, resp.StatusCode, body)
		}
		if got != tc.want {
			t.Errorf("%s: the renderer got layers %q, want %q", tc.query, got, tc.want)
		}
	}
	ts, _ := newTestServer(t, Config{SVG: pageSVG})
	if resp, body := get(t, ts.URL+"/api/graph.svg?layers="+strings.Repeat("x", maxFocus+1)); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "layers is too long") {
		t.Errorf("an overlong layers: status %d %s, want 400 naming layers", resp.StatusCode, body)
	}
}

func TestGraphSVGWithoutRenderer(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	resp, body := get(t, ts.URL+"/api/graph.svg")
	var e apiError
	if resp.StatusCode != http.StatusNotImplemented || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "SVG export is not configured") {
		t.Errorf("status %d body %s, want 501 saying SVG export is not configured", resp.StatusCode, body)
	}
}

// TestServerImportsNothingOfWeb: server knows HTTP; what it draws and how
// is injected (Config.Page, Login, SVG, the CSP hashes), so web can change
// without server knowing.
func TestServerImportsNothingOfWeb(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if strings.Contains(imp.Path.Value, "/podium/web") {
				t.Errorf("%s imports %s", f, imp.Path.Value)
			}
		}
	}
}

// TestGraphSVGStreams: the file goes to the client as the renderer writes
// it, not into a copy first (a 5,000-pod file is 1.4 MB a request): the
// client has the status, the headers and the first bytes while the
// renderer is still writing. A late error can then only cut the file short.
func TestGraphSVGStreams(t *testing.T) {
	first := strings.Repeat("<g/>", 64<<10) // past any write buffer
	received := make(chan struct{})
	svg := func(_ context.Context, w io.Writer, _ SVGRequest) error {
		if _, err := io.WriteString(w, first); err != nil {
			return err
		}
		select {
		case <-received:
		case <-time.After(10 * time.Second):
			return errors.New("the client had nothing 10s after the first write")
		}
		_, err := io.WriteString(w, "</svg>")
		return err
	}
	ts, _ := newTestServer(t, Config{Log: rolloutLog(t), SVG: svg})
	resp, err := http.Get(ts.URL + "/api/graph.svg")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" || resp.Header.Get("X-Podium-Seq") == "" || resp.Header.Get("X-Podium-Epoch") != "ep1" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	close(received)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(head) + string(rest); got != first+"</svg>" {
		t.Errorf("got %d bytes, want %d", len(got), len(first)+6)
	}
}
