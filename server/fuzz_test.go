package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

// FuzzClientInput covers everything the server parses from a client: the
// query of /ws and /api/graph, and the frames a browser sends.
func FuzzClientInput(f *testing.F) {
	f.Add("namespace=a,b&epoch=abc&since=3", []byte(`{"type":"ping","id":1}`), true)
	f.Add("namespace=..&since=-1", []byte("not json"), false)
	f.Add("since=18446744073709551616&epoch=%00", []byte(`{"type":`), true)
	f.Add("namespace=%E4%B8%AD", []byte(`{"type":"ping","id":{"x":[1,2]}}`), true)
	e := echo.New()
	f.Fuzz(func(t *testing.T, query string, frame []byte, text bool) {
		req := httptest.NewRequest("GET", "/ws", nil)
		req.URL.RawQuery = query
		c := e.NewContext(req, httptest.NewRecorder())
		if ns, err := queryNamespaces(c); err == nil {
			for _, n := range ns {
				if n == "" || len(n) > 63 || !utf8.ValidString(n) {
					t.Fatalf("accepted namespace %q", n)
				}
			}
		}
		if r, err := parseResume(c); err == nil && r.ok {
			if _, perr := url.ParseQuery(query); perr == nil && r.epoch == "" {
				t.Fatalf("resume without epoch")
			}
		}
		typ := websocket.MessageBinary
		if text {
			typ = websocket.MessageText
		}
		reply := replyTo(typ, frame)
		b, err := json.Marshal(reply)
		if err != nil {
			t.Fatalf("reply to %q does not encode: %v", frame, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || (m["type"] != "pong" && m["type"] != "error") {
			t.Fatalf("reply %s", b)
		}
	})
}

// FuzzAuthProxyHeaders: whatever a client puts in the identity headers or
// its address, an identity is taken only from the proxy's addresses, is
// never blank, and carries no control characters (it goes into logs and
// SubjectAccessReviews).
func FuzzAuthProxyHeaders(f *testing.F) {
	f.Add("10.1.2.3:4000", "alice", "team-a, viewers")
	f.Add("192.168.0.1:1", "admin", "")
	f.Add("10.0.0.1:1", " \t", ",,,")
	f.Add("[::1]:80", "x\r\nX-Forwarded-User: admin", "a\x00b")
	f.Add("garbage", "bob", "g")
	cidrs, _ := ParseCIDRs([]string{"10.0.0.0/8"})
	p := &AuthProxy{UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups", CIDRs: cidrs}
	f.Fuzz(func(t *testing.T, remote, user, groups string) {
		req := httptest.NewRequest("GET", "/api/graph", nil)
		req.RemoteAddr = remote
		req.Header["X-Forwarded-User"] = []string{user}
		req.Header["X-Forwarded-Groups"] = []string{groups}
		id, err := p.readIdentity(req)
		if err != nil {
			return
		}
		host, _, herr := net.SplitHostPort(remote)
		if herr != nil {
			host = remote
		}
		if ip := net.ParseIP(host); ip == nil || !cidrs[0].Contains(ip) {
			t.Fatalf("identity %q taken from %q, outside the proxy's range", id.User, remote)
		}
		if strings.TrimSpace(id.User) == "" || strings.ContainsFunc(id.User, isControl) {
			t.Fatalf("accepted user %q", id.User)
		}
		for _, g := range id.Groups {
			if strings.TrimSpace(g) == "" || strings.ContainsFunc(g, isControl) {
				t.Fatalf("accepted group %q", g)
			}
		}
	})
}

// FuzzLoginForm: whatever is posted to /login, the server never panics,
// only the right token makes a session, and a refused login sets no cookie.
func FuzzLoginForm(f *testing.F) {
	const token = "0123456789abcdef-token"
	f.Add("application/x-www-form-urlencoded", "token="+token, "")
	f.Add("application/x-www-form-urlencoded", "token=%ZZ&token=x", "same-origin")
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nx\r\n--x--", "")
	f.Add("application/x-www-form-urlencoded; charset=%", "token="+token+"&token=x", "cross-site")
	f.Add("text/plain", "", "none")
	h := New(Config{AuthToken: token}).Handler()
	f.Fuzz(func(t *testing.T, ctype, body, site string) {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Sec-Fetch-Site", site)
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1", len(body)%256, len(ctype)%256, len(site)%256)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		cookie := rr.Header().Get("Set-Cookie")
		if rr.Code == http.StatusSeeOther {
			if !strings.HasPrefix(cookie, tokenCookie+"=") || strings.Contains(cookie, token) {
				t.Fatalf("login succeeded with cookie %q", cookie)
			}
			if err := req.ParseForm(); err != nil || req.PostForm.Get("token") != token {
				t.Fatalf("a session for body %q (%s)", body, ctype)
			}
			return
		}
		if cookie != "" {
			t.Fatalf("refused login (%d) set a cookie %q", rr.Code, cookie)
		}
	})
}
