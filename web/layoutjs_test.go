package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestBundleRewritesImportsAndExports(t *testing.T) {
	fsys := fstest.MapFS{
		"a.js": {Data: []byte("export const X = 2;\nexport function f(v) { return v * X; }\n")},
		"b.js": {Data: []byte("import { f, X as Y } from './a.js';\nexport const g = (v) => f(v) + Y;\n")},
	}
	src, err := bundle(fsys, []string{"a.js", "b.js"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`const { f, X: Y } = __mods["a"];`, "return { X, f };", "return { g };"} {
		if !strings.Contains(src, want) {
			t.Errorf("bundle lacks %q:\n%s", want, src)
		}
	}
}

func TestBundleRefusesUnknownSyntax(t *testing.T) {
	for name, js := range map[string]string{
		"default export": "export default function () {}\n",
		"re-export":      "export { a } from './a.js';\n",
		"star import":    "import * as a from './a.js';\n",
	} {
		_, err := bundle(fstest.MapFS{"m.js": {Data: []byte(js)}}, []string{"m.js"})
		if err == nil || !strings.Contains(err.Error(), "unsupported module syntax") {
			t.Errorf("%s: err = %v, want unsupported module syntax", name, err)
		}
	}
}

func TestComputeSVGViewRollout(t *testing.T) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := ComputeSVGView(raw, nil, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if v.Width != 1600 || v.Height < 400 {
		t.Errorf("size %vx%v, want 1600 wide and at least 400 high", v.Width, v.Height)
	}
	if len(v.Pods) == 0 || len(v.Boxes) == 0 || len(v.Edges) == 0 {
		t.Fatalf("empty picture: %d boxes, %d pods, %d edges", len(v.Boxes), len(v.Pods), len(v.Edges))
	}
	t.Logf("%d boxes, %d lanes, %d pods, %d edges, %d folded", len(v.Boxes), len(v.Lanes), len(v.Pods), len(v.Edges), len(v.Folded))
}

func TestRenderSVGNamesEveryEntity(t *testing.T) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := RenderSVG(context.Background(), &buf, raw, nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Nodes []struct{ ID string } `json:"nodes"`
		Edges []struct{ ID string } `json:"edges"`
	}
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	ids, edges := svgIDs(t, buf.String())
	want := map[string]bool{}
	for _, n := range snap.Nodes {
		want[n.ID] = true
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("data-id set (-graph +svg):\n%s", diff)
	}
	if len(edges) == 0 {
		t.Error("no data-edge in the SVG")
	}
	for id := range edges {
		found := false
		for _, e := range snap.Edges {
			found = found || e.ID == id
		}
		if !found {
			t.Errorf("data-edge %q is not a graph edge", id)
		}
	}
}

func TestRenderSVGFocus(t *testing.T) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	var all, focused strings.Builder
	if err := RenderSVG(context.Background(), &all, raw, nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	if err := RenderSVG(context.Background(), &focused, raw, nil, "Deployment/default/hellok8s-deployment", "en"); err != nil {
		t.Fatal(err)
	}
	vb := regexp.MustCompile(`viewBox="([^"]+)"`)
	a, f := vb.FindStringSubmatch(all.String()), vb.FindStringSubmatch(focused.String())
	if a == nil || f == nil || a[1] == f[1] {
		t.Errorf("focus did not cut the view: all %v, focused %v", a, f)
	}
	// The Deployment's chain is lit; the other Node's pods and anything
	// outside the chain are dimmed.
	if !regexp.MustCompile(`class="box kind-Deployment[^"]*"`).MatchString(focused.String()) ||
		regexp.MustCompile(`class="box kind-Deployment[^"]* dim"`).MatchString(focused.String()) {
		t.Error("the focused Deployment is missing or dimmed")
	}
	for _, bad := range []string{"Deployment/default/nope", "a/b/c/d", "<script>"} {
		err := RenderSVG(context.Background(), io.Discard, raw, nil, bad, "en")
		var fe *FocusError
		if !errors.As(err, &fe) {
			t.Errorf("focus %q: err = %v, want a FocusError", bad, err)
		}
	}
}

// svgIDs parses the SVG as XML (failing on malformed output) and returns
// its data-id and data-edge values.
func svgIDs(t *testing.T, doc string) (ids, edges map[string]bool) {
	t.Helper()
	ids, edges = map[string]bool{}, map[string]bool{}
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			if se.Name.Local != "svg" || se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("root element %v, want svg in the SVG namespace", se.Name)
			}
			root = false
		}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "data-id":
				ids[a.Value] = true
			case "data-edge":
				edges[a.Value] = true
			}
		}
	}
	return ids, edges
}

// BenchmarkRenderSVG lays out and draws the rollout fixture (a typical demo
// graph) through goja.
func BenchmarkRenderSVG(b *testing.B) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := RenderSVG(context.Background(), io.Discard, raw, nil, "", "en"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRenderSVGLanguages: the file's labels come from the page's own message
// tables, in the language asked for.
func TestRenderSVGLanguages(t *testing.T) {
	raw, err := os.ReadFile("test/fixtures/rollout.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, tag  string
		want, lack []string
	}{
		{"en", "en", []string{">WORKLOADS<", ">NODES<", "3 desired", "rev 3"}, []string{"工作负载"}},
		{"zh-CN", "zh-CN", []string{">工作负载<", ">节点<", "期望 3", "版本 3", ">INGRESS<", ">DEPLOYMENT<"}, []string{">WORKLOADS<", "desired"}},
		{"fr", "en", []string{">WORKLOADS<"}, nil},
	} {
		var buf strings.Builder
		if err := RenderSVG(context.Background(), &buf, raw, nil, "", tc.lang); err != nil {
			t.Fatal(err)
		}
		svg := buf.String()
		svgIDs(t, svg)
		if !strings.Contains(svg, `lang="`+tc.tag+`"`) {
			t.Errorf("%s: the SVG is not marked lang=%q", tc.lang, tc.tag)
		}
		for _, w := range tc.want {
			if !strings.Contains(svg, w) {
				t.Errorf("%s: SVG lacks %q", tc.lang, w)
			}
		}
		for _, w := range tc.lack {
			if strings.Contains(svg, w) {
				t.Errorf("%s: SVG has %q", tc.lang, w)
			}
		}
	}
}

// TestRenderSVGPolicy: the file of issue #13's fixture (every new kind, all
// layers) names every entity, and draws the grants, runs-as and isolates
// edges the page draws.
func TestRenderSVGPolicy(t *testing.T) {
	raw, err := os.ReadFile("test/fixtures/policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := RenderSVG(context.Background(), &buf, raw, nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Nodes []struct{ ID string } `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	ids, edges := svgIDs(t, buf.String())
	for _, n := range snap.Nodes {
		if !ids[n.ID] {
			t.Errorf("the SVG does not name %s", n.ID)
		}
	}
	for _, id := range []string{
		"grants:ServiceAccount/shop/web->ClusterRole/view@RoleBinding/shop/web-view",
		"runs-as:Pod/shop/debug->ServiceAccount/shop/default",
		"isolates:NetworkPolicy/shop/default-deny->Pod/shop/debug",
	} {
		if !edges[id] {
			t.Errorf("the SVG does not draw %s", id)
		}
	}
	for _, want := range []string{"IDENTITY &amp; POLICY", "can read Secrets", "from app=api :TCP/8080", "1 disruption allowed"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the SVG does not say %q", want)
		}
	}
}
