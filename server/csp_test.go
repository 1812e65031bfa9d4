package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// cspDirective returns the sources of directive name in policy, failing
// when the policy has no such directive.
func cspDirective(t *testing.T, policy, name string) []string {
	t.Helper()
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	t.Fatalf("CSP %q has no %s", policy, name)
	return nil
}

// TestCSPNoInlineStyle: no answer admits inline style or script by
// 'unsafe-inline' (or 'unsafe-hashes', which would admit style attributes).
func TestCSPNoInlineStyle(t *testing.T) {
	ts, _ := newTestServer(t, Config{Log: rolloutLog(t)})
	for _, p := range []string{"/healthz", "/api/graph", "/api/graph.svg", "/static/style.css", "/nope"} {
		resp, _ := get(t, ts.URL+p)
		policy := resp.Header.Get("Content-Security-Policy")
		if policy == "" {
			t.Errorf("%s: no Content-Security-Policy", p)
			continue
		}
		for _, name := range []string{"style-src", "script-src"} {
			src := cspDirective(t, policy, name)
			if slices.Contains(src, "'unsafe-inline'") || slices.Contains(src, "'unsafe-hashes'") {
				t.Errorf("%s: %s %v admits inline code", p, name, src)
			}
			if !slices.Contains(src, "'self'") {
				t.Errorf("%s: %s %v does not admit the page's own files", p, name, src)
			}
		}
	}
}

// TestCSPAdmitsSVGStyle: a file from /api/graph.svg opened in a browser gets
// the answer's CSP; its one <style> element must be admitted by hash, and it
// must have no style attribute (no hash can admit one).
func TestCSPAdmitsSVGStyle(t *testing.T) {
	ts := svgServer(t, rolloutLog(t))
	resp, body := get(t, ts.URL+"/api/graph.svg")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/graph.svg: %d %.200s", resp.StatusCode, body)
	}
	var styles []string
	dec := xml.NewDecoder(strings.NewReader(body))
	in := false
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("malformed SVG: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				if a.Name.Local == "style" {
					t.Errorf("<%s style=%q>: the CSP refuses style attributes", tok.Name.Local, a.Value)
				}
			}
			if tok.Name.Local == "style" {
				in = true
				text.Reset()
			}
		case xml.CharData:
			if in {
				text.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "style" {
				in = false
				styles = append(styles, text.String())
			}
		}
	}
	if len(styles) != 1 || !strings.Contains(styles[0], "fill") {
		t.Fatalf("want one <style> with the palette, got %d: %.200q", len(styles), styles)
	}
	sum := sha256.Sum256([]byte(styles[0]))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if src := cspDirective(t, resp.Header.Get("Content-Security-Policy"), "style-src"); !slices.Contains(src, want) {
		t.Errorf("style-src %v does not admit the file's <style> (%s)", src, want)
	}
}
