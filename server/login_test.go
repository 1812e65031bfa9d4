package server

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func loginCookie(t *testing.T, base, token string) *http.Cookie {
	t.Helper()
	resp, err := noRedirect.PostForm(base+"/login", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == tokenCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login with %q: %d, no session cookie", token, resp.StatusCode)
	return nil
}

func getWith(t *testing.T, url string, c *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if c != nil {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSessions: the login sets a signed, expiring session (not the token),
// logout ends it, and a rotated token file ends every session of the old one.
func TestSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	os.WriteFile(path, []byte("0123456789abcdef-first\n"), 0o600)
	tf, err := NewTokenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clk := time.Now()
	tf.now = func() time.Time { return clk }
	ts, _ := newTestServer(t, Config{TokenFile: tf, SessionTTL: time.Hour})

	c := loginCookie(t, ts.URL, "0123456789abcdef-first")
	if strings.Contains(c.Value, "0123456789abcdef-first") {
		t.Fatal("the session cookie carries the token")
	}
	if c.Expires.IsZero() || time.Until(c.Expires) > time.Hour+time.Minute {
		t.Errorf("cookie expires %v, want within --session-ttl", c.Expires)
	}
	if code := getWith(t, ts.URL+"/api/graph", c); code != 200 {
		t.Fatalf("GET with the session: %d", code)
	}

	// Logout ends that session, not others.
	other := loginCookie(t, ts.URL, "0123456789abcdef-first")
	req, _ := http.NewRequest("POST", ts.URL+"/logout", nil)
	req.AddCookie(c)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if code := getWith(t, ts.URL+"/api/graph", c); code != 401 {
		t.Errorf("GET after logout: %d, want 401", code)
	}
	if code := getWith(t, ts.URL+"/api/graph", other); code != 200 {
		t.Errorf("another session after this one's logout: %d, want 200", code)
	}

	// Rotation: the new token works, sessions of the old one end.
	os.WriteFile(path, []byte("0123456789abcdef-second\n"), 0o600)
	clk = clk.Add(2 * time.Second)
	if code := getWith(t, ts.URL+"/api/graph", other); code != 401 {
		t.Errorf("old session after the token rotated: %d, want 401", code)
	}
	if code := getWith(t, ts.URL+"/api/graph", loginCookie(t, ts.URL, "0123456789abcdef-second")); code != 200 {
		t.Errorf("session of the new token: %d", code)
	}
}

// TestLoginRefusals: cross-site, multipart and repeated failures.
func TestLoginRefusals(t *testing.T) {
	ts, _ := newTestServer(t, Config{AuthToken: "0123456789abcdef-token"})
	post := func(ctype, body string, hdr map[string]string) (int, http.Header) {
		req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	form := "application/x-www-form-urlencoded"
	if code, _ := post(form, "token=0123456789abcdef-token", map[string]string{"Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
		t.Errorf("cross-site login: %d, want 403", code)
	}
	if code, _ := post("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n0123456789abcdef-token\r\n--x--\r\n", nil); code != http.StatusUnsupportedMediaType {
		t.Errorf("multipart login: %d, want 415", code)
	}
	for i := 0; i < 5; i++ {
		if code, _ := post(form, "token=guess", nil); code != http.StatusUnauthorized {
			t.Fatalf("failed login %d: %d, want 401", i+1, code)
		}
	}
	code, hdr := post(form, "token=0123456789abcdef-token", nil)
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Errorf("a login after five failures: %d (Retry-After %q), want 429 with Retry-After", code, hdr.Get("Retry-After"))
	}
}
