package server

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/podiumhq/podium/web"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type reply struct {
	code int
	hdr  http.Header
	body string
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func newLoginServer(t *testing.T) string {
	t.Helper()
	ts, _ := newTestServer(t, Config{
		AuthToken:   "s3cret",
		Static:      web.Static,
		LoginAssets: web.LoginAssets,
		Login: func(lang, problem string) templ.Component {
			return web.Login(web.LoginView{Lang: lang, Error: problem})
		},
	})
	return ts.URL
}

func postLogin(t *testing.T, base, token, lang string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return do(t, req)
}

func TestLoginPage(t *testing.T) {
	base := newLoginServer(t)
	req, _ := http.NewRequest("GET", base+"/login", nil)
	r := do(t, req)
	if r.code != http.StatusOK || !strings.Contains(r.body, `data-testid="login-form"`) {
		t.Fatalf("GET /login = %d:\n%s", r.code, r.body)
	}
	if strings.Contains(r.body, `data-testid="login-error"`) {
		t.Errorf("GET /login shows an error")
	}
	csp := r.hdr.Get("Content-Security-Policy")
	if csp != loginCSP || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("login CSP = %q, want %q", csp, loginCSP)
	}
}

// The login page's stylesheets load before the token is given; nothing
// else under /static does.
func TestLoginAssetsNeedNoToken(t *testing.T) {
	base := newLoginServer(t)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/static/login.css", 200},
		{"/static/style.css?v=1", 200},
		{"/static/favicon.svg", 200},
		{"/static/app.js", 401},
		{"/static/", 401},
		{"/static/login.css/../app.js", 401},
	} {
		req, _ := http.NewRequest("GET", base+tc.path, nil)
		r := do(t, req)
		if r.code != tc.want {
			t.Errorf("GET %s without a token = %d, want %d", tc.path, r.code, tc.want)
		}
		if tc.want == 200 && (r.body == "" || r.hdr.Get("Cache-Control") != "no-cache") {
			t.Errorf("GET %s: %d bytes, Cache-Control %q", tc.path, len(r.body), r.hdr.Get("Cache-Control"))
		}
	}
}

func TestLoginWithToken(t *testing.T) {
	base := newLoginServer(t)
	r := postLogin(t, base, "wrong", "")
	if r.code != http.StatusUnauthorized || !strings.Contains(r.body, `data-testid="login-error"`) || !strings.Contains(r.body, badToken) {
		t.Fatalf("wrong token = %d:\n%s", r.code, r.body)
	}
	if r.hdr.Get("Set-Cookie") != "" {
		t.Errorf("a wrong token set a cookie")
	}
	// The page translates the server's message: it must know it.
	r = postLogin(t, base, "wrong", "zh-CN,zh;q=0.9")
	if r.code != http.StatusUnauthorized || strings.Contains(r.body, badToken) || !strings.Contains(r.body, `lang="zh-CN"`) {
		t.Errorf("wrong token in Chinese = %d, still English or not zh-CN:\n%s", r.code, r.body)
	}

	r = postLogin(t, base, "s3cret", "")
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/" {
		t.Fatalf("right token = %d, Location %q", r.code, r.hdr.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.hdr}).Cookies() {
		if c.Name == tokenCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login cookie = %+v", cookie)
	}
	req, _ := http.NewRequest("GET", base+"/static/app.js", nil)
	req.AddCookie(cookie)
	if r := do(t, req); r.code != http.StatusOK {
		t.Errorf("GET /static/app.js with the login cookie = %d", r.code)
	}
}

// Without a login page configured, /login still says how to get in.
func TestLoginWithoutPage(t *testing.T) {
	ts, _ := newTestServer(t, Config{AuthToken: "s3cret"})
	req, _ := http.NewRequest("GET", ts.URL+"/login", nil)
	if r := do(t, req); r.code != http.StatusOK || !strings.Contains(r.body, "Authorization: Bearer") {
		t.Errorf("GET /login = %d %q", r.code, r.body)
	}
	r := postLogin(t, ts.URL, "nope", "")
	if r.code != http.StatusUnauthorized || !strings.Contains(r.body, badToken) {
		t.Errorf("POST /login with a wrong token = %d %q", r.code, r.body)
	}
}
