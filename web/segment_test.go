package web

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSegmentBundle: the exported page carries app.js and everything it
// imports, with no import left that a blob: URL cannot resolve, and the
// style sheets the modules load beside themselves.
func TestSegmentBundle(t *testing.T) {
	b, err := loadBundle()
	if err != nil {
		t.Fatal(err)
	}
	names := b.moduleNames()
	for _, want := range []string{"app.js", "store.js", "conn.js", "player.js", "layout.js", "render.js", "i18n.js", "i18n-zh.js"} {
		if _, ok := b.Modules[want]; !ok {
			t.Errorf("the bundle lacks %s (has %v)", want, names)
		}
	}
	if _, ok := b.Modules["replay.js"]; ok {
		t.Errorf("the bundle carries replay.js, the server's replay controls")
	}
	rel := regexp.MustCompile(`(?:\bfrom|\bimport)\s*\(?\s*['"]\.\.?/`)
	for name, code := range b.Modules {
		if m := rel.FindString(code); m != "" {
			t.Errorf("%s still imports by relative path: %q", name, m)
		}
		if strings.Contains(code, "import.meta") {
			t.Errorf("%s still uses import.meta", name)
		}
	}
	for _, css := range []string{"presenter.css", "anatomy.css"} {
		if b.Assets[css] == "" {
			t.Errorf("the bundle lacks %s, which a module loads", css)
		}
	}
	if !strings.Contains(b.Modules["presenter.js"], `new URL(globalThis.podiumAssets["presenter.css"])`) {
		t.Errorf("presenter.js's style sheet is not taken from the page's assets")
	}
}

func TestSegmentBundleRefuses(t *testing.T) {
	base := fstest.MapFS{
		"style.css":   {Data: []byte("body{}")},
		"replay.css":  {Data: []byte(".replay{}")},
		"favicon.svg": {Data: []byte("<svg/>")},
		"b.js":        {Data: []byte("export const b = 1;\n")},
	}
	for _, c := range []struct {
		name, app, want string
	}{
		{"a missing module", "import { c } from './c.js';", "module c.js"},
		{"a missing file beside a module", "const u = new URL('./gone.css', import.meta.url);", "app.js loads gone.css"},
		{"another use of import.meta", "console.log(import.meta.url);", "app.js uses import.meta"},
	} {
		fs := fstest.MapFS{}
		for k, v := range base {
			fs[k] = v
		}
		fs["app.js"] = &fstest.MapFile{Data: []byte(c.app)}
		if _, err := buildBundle(fs, "app.js"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	fs := fstest.MapFS{}
	for k, v := range base {
		fs[k] = v
	}
	fs["app.js"] = &fstest.MapFile{Data: []byte("import { b } from './b.js';\nimport('./b.js');\n")}
	b, err := buildBundle(fs, "app.js")
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Modules["app.js"]; got != "import { b } from 'podium/b.js';\nimport('podium/b.js');\n" {
		t.Errorf("rewritten: %q", got)
	}
	fs["style.css"] = &fstest.MapFile{Data: []byte("a{}</STYLE><script>")}
	if _, err := buildBundle(fs, "app.js"); err == nil || !strings.Contains(err.Error(), "style.css contains </style") {
		t.Errorf("a sheet that ends the <style>: %v", err)
	}
}

// TestRenderSegment: one file with nothing to fetch: the shell's body, the
// sheets inlined, the segment and the code as JSON that no text inside can
// end early.
func TestRenderSegment(t *testing.T) {
	seg := []byte(`{"version":1,"name":"</script><script>alert(1)</script>","frames":[]}`)
	var out bytes.Buffer
	if err := RenderSegment(context.Background(), &out, SegmentView{Segment: seg, Title: "talk <1>", Lang: "zh-CN", Version: "v9"}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{`<html lang="zh-CN"`, `<title>talk &lt;1&gt;</title>`, `data-testid="canvas"`, `data-lang="zh-CN"`,
		`id="podium-segment"`, `id="podium-bundle"`, `<style>`, `href="data:image/svg+xml,`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, bad := range []string{`<link rel="stylesheet"`, `src="static/`, `href="static/`, `type="module" src`, "alert(1)</script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	// Three script elements: the segment, the bundle and the starter; a
	// name in the segment cannot open another.
	if n := strings.Count(page, "<script"); n != 3 {
		t.Errorf("%d <script> elements, want 3", n)
	}
	m := regexp.MustCompile(`(?s)id="podium-segment">(.*?)</script>`).FindStringSubmatch(page)
	var back map[string]any
	if m == nil || json.Unmarshal([]byte(m[1]), &back) != nil || back["name"] != "</script><script>alert(1)</script>" {
		t.Errorf("the segment does not read back: %v", back)
	}
	if err := RenderSegment(context.Background(), &out, SegmentView{Segment: []byte("{")}); err == nil {
		t.Errorf("a segment that is not JSON was written")
	}
	t.Logf("a page with an empty segment: %d bytes", len(page))
}

func TestShellBodyLoadsNothing(t *testing.T) {
	if _, err := shellBody(`<html><body><img src="static/x.svg"></body></html>`); err == nil || !strings.Contains(err.Error(), `"static/"`) {
		t.Errorf("a body that loads a file: %v", err)
	}
	if _, err := shellBody(`<html><body><script src="x.js"></script></body></html>`); err == nil || !strings.Contains(err.Error(), "<script") {
		t.Errorf("a body with a script: %v", err)
	}
	if _, err := shellBody(`<html></html>`); err == nil {
		t.Errorf("a page without a body")
	}
}

// moduleNames lists the bundle's modules, sorted.
func (b *segmentBundle) moduleNames() []string {
	names := make([]string, 0, len(b.Modules))
	for n := range b.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
