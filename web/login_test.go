package web

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// renderDoc renders c and parses it, as a browser would.
func renderDoc(t *testing.T, v LoginView) *html.Node {
	t.Helper()
	var b bytes.Buffer
	if err := Login(v).Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(&b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the elements under n that match.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

// byTestID returns the one element with data-testid=id, or nil.
func byTestID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	els := find(doc, func(n *html.Node) bool { v, _ := attr(n, "data-testid"); return v == id })
	if len(els) > 1 {
		t.Fatalf("%d elements with data-testid=%q", len(els), id)
	}
	if len(els) == 0 {
		return nil
	}
	return els[0]
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

func TestLoginForm(t *testing.T) {
	doc := renderDoc(t, LoginView{Version: "v1"})
	form := byTestID(t, doc, "login-form")
	if form == nil {
		t.Fatal("no login-form")
	}
	if m, _ := attr(form, "method"); m != "post" {
		t.Errorf("form method = %q, want post", m)
	}
	if a, _ := attr(form, "action"); a != "login" {
		t.Errorf("form action = %q, want login (relative, so a path prefix works)", a)
	}
	tok := byTestID(t, doc, "login-token")
	if tok == nil {
		t.Fatal("no login-token input")
	}
	for k, want := range map[string]string{"name": "token", "type": "password", "autocomplete": "current-password"} {
		if got, _ := attr(tok, k); got != want {
			t.Errorf("token input %s = %q, want %q", k, got, want)
		}
	}
	if _, ok := attr(tok, "required"); !ok {
		t.Errorf("token input is not required")
	}
	if b := byTestID(t, doc, "login-submit"); b == nil || text(b) != "Log in" {
		t.Errorf("submit button missing or mislabelled")
	}
	if byTestID(t, doc, "login-error") != nil {
		t.Errorf("an error is shown on a first visit")
	}
}

func TestLoginError(t *testing.T) {
	doc := renderDoc(t, LoginView{Error: `That token is not valid.`})
	p := byTestID(t, doc, "login-error")
	if p == nil {
		t.Fatal("no login-error")
	}
	if role, _ := attr(p, "role"); role != "alert" || text(p) != "That token is not valid." {
		t.Errorf("error = role %q, %q", role, text(p))
	}

	doc = renderDoc(t, LoginView{Error: `<b>x</b>`})
	if p := byTestID(t, doc, "login-error"); p == nil || text(p) != "<b>x</b>" || len(find(p, func(n *html.Node) bool { return n.Data == "b" })) > 0 {
		t.Errorf("the error message is not escaped")
	}
}

func TestLoginLanguage(t *testing.T) {
	doc := renderDoc(t, LoginView{Lang: "zh-CN", Error: "That token is not valid."})
	if h := find(doc, func(n *html.Node) bool { return n.Data == "html" }); len(h) != 1 {
		t.Fatal("no html element")
	} else if l, _ := attr(h[0], "lang"); l != "zh-CN" {
		t.Errorf("lang = %q, want zh-CN", l)
	}
	if got := text(byTestID(t, doc, "login-submit")); got != "登录" {
		t.Errorf("submit = %q, want 登录", got)
	}
	if got := text(byTestID(t, doc, "login-error")); got != "该访问令牌无效。" {
		t.Errorf("error = %q, want it in Chinese", got)
	}
	doc = renderDoc(t, LoginView{Lang: "fr"})
	if h := find(doc, func(n *html.Node) bool { return n.Data == "html" }); len(h) != 1 {
		t.Fatal("no html element")
	} else if l, _ := attr(h[0], "lang"); l != "en" {
		t.Errorf("an untranslated language renders lang=%q, want en", l)
	}
}

// The login page is served with a CSP that forbids inline style and script,
// and before the token: it may load only LoginAssets, all of which exist.
func TestLoginLoadsOnlyLoginAssets(t *testing.T) {
	doc := renderDoc(t, LoginView{Version: "v1"})
	if els := find(doc, func(n *html.Node) bool {
		_, ok := attr(n, "style")
		return ok || n.Data == "style" || n.Data == "script"
	}); len(els) > 0 {
		t.Errorf("the login page has inline style or script: <%s>", els[0].Data)
	}
	urlRe := regexp.MustCompile(`^static/([\w.-]+)\?v=v1$`)
	var loaded []string
	for _, n := range find(doc, func(n *html.Node) bool { return n.Data == "link" || n.Data == "img" }) {
		u, _ := attr(n, "href")
		if n.Data == "img" {
			u, _ = attr(n, "src")
		}
		m := urlRe.FindStringSubmatch(u)
		if m == nil {
			t.Errorf("<%s> loads %q, not a versioned static/ asset", n.Data, u)
			continue
		}
		loaded = append(loaded, m[1])
	}
	for _, name := range loaded {
		found := false
		for _, a := range LoginAssets {
			found = found || a == name
		}
		if !found {
			t.Errorf("the login page loads %s, which is not in LoginAssets (the server would ask for the token)", name)
		}
	}
	if len(loaded) != len(LoginAssets) {
		t.Errorf("the login page loads %v; LoginAssets are %v", loaded, LoginAssets)
	}
	for _, a := range LoginAssets {
		if _, err := Static.Open(a); err != nil {
			t.Errorf("login asset %s: %v", a, err)
		}
	}
}

// login.css takes its colours from style.css's palette, so it has none of
// its own to drift.
func TestLoginCSSUsesThePalette(t *testing.T) {
	b, err := Static.Open("login.css")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var css bytes.Buffer
	if _, err := css.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	if c := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(`).FindString(css.String()); c != "" {
		t.Errorf("login.css has a colour of its own (%s); use style.css's variables", c)
	}
	th, _ := loadThemes(Static)
	for _, m := range varRe.FindAllStringSubmatch(css.String(), -1) {
		if _, ok := th.Dark[m[1]]; !ok {
			t.Errorf("login.css uses --%s, which style.css does not define", m[1])
		}
	}
}
