package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func render(t *testing.T, v PageView) string {
	t.Helper()
	var b bytes.Buffer
	if err := Page(v).Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

func TestPageHasTheChrome(t *testing.T) {
	html := render(t, PageView{Version: "v1.2.3", Namespaces: []string{"default", "shop"}, Selected: []string{"shop"}})
	for _, id := range []string{"header", "banner", "namespace-picker", "search", "canvas", "details", "ticker", "legend", "fit", "theme-toggle", "empty"} {
		if !strings.Contains(html, `data-testid="`+id+`"`) {
			t.Errorf("no data-testid=%q in the page", id)
		}
	}
	if !strings.Contains(html, `src="static/app.js?v=v1.2.3"`) {
		t.Errorf("app.js is not loaded relative to the page with the version: %s", html)
	}
	if !regexp.MustCompile(`value="shop" checked`).MatchString(html) {
		t.Errorf("selected namespace is not pre-checked")
	}
	if regexp.MustCompile(`value="default" checked`).MatchString(html) {
		t.Errorf("unselected namespace is checked")
	}
	if !strings.Contains(html, `<html lang="en"`) {
		t.Errorf("default language is not en")
	}
}

func TestPageEscapes(t *testing.T) {
	html := render(t, PageView{Title: `<script>x</script>`, Namespaces: []string{`"><b>`}, Lang: "zh-CN"})
	if strings.Contains(html, "<script>x</script>") || strings.Contains(html, `"><b>`) {
		t.Fatalf("unescaped input in the page: %s", html)
	}
	if !strings.Contains(html, `lang="zh-CN"`) {
		t.Errorf("lang not passed through")
	}
}

func TestImportMapVersionsEveryModule(t *testing.T) {
	html := render(t, PageView{Version: "a b"})
	for _, m := range []string{"app.js", "store.js", "layout.js", "render.js", "conn.js", "format.js", "i18n.js"} {
		want := `"./static/` + m + `":"./static/` + m + `?v=a+b"`
		if !strings.Contains(html, want) {
			t.Errorf("import map lacks %s", want)
		}
	}
	if strings.Contains(render(t, PageView{}), "importmap") {
		t.Errorf("an unversioned page needs no import map")
	}
}

func TestStaticIsRootedAtTheAssets(t *testing.T) {
	for _, name := range []string{"app.js", "style.css", "i18n.js", "favicon.svg"} {
		if _, err := fs.Stat(Static, name); err != nil {
			t.Errorf("Static lacks %s: %v", name, err)
		}
	}
	if _, err := fs.Stat(Static, "static/app.js"); err == nil {
		t.Errorf("Static is not rooted at static/")
	}
}

func TestImportMapCSPHashesTheInlineScript(t *testing.T) {
	html := render(t, PageView{Version: "v9"})
	m := regexp.MustCompile(`<script type="importmap">(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no import map")
	}
	sum := sha256.Sum256([]byte(m[1]))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if got := ImportMapCSP("v9"); got != want {
		t.Errorf("ImportMapCSP = %s, want %s (the hash of the map as rendered)", got, want)
	}
	if ImportMapCSP("") != "" {
		t.Errorf("no version, no map, no hash")
	}
}
