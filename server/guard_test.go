package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
)

// get sends method path to ts with the given Host header.
func getWithHost(t *testing.T, ts *httptest.Server, method, path, host string, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestDNSRebindingRefused: a page on an attacker's name that resolves to
// 127.0.0.1 reaches the same socket with its own Host (and Origin). On
// loopback only loopback names and --allowed-hosts are served.
func TestDNSRebindingRefused(t *testing.T) {
	fr := &fakeReplay{}
	ts, _ := newTestServer(t, Config{Replay: fr, AllowedHosts: []string{"podium.example", "*.talk.example"}})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	cases := []struct {
		host string
		want int
	}{
		{"attacker.example:" + port, http.StatusMisdirectedRequest},
		{"attacker.example", http.StatusMisdirectedRequest},
		{"localhost.attacker.example:" + port, http.StatusMisdirectedRequest},
		{"talk.example", http.StatusMisdirectedRequest},
		{"localhost:" + port, http.StatusOK},
		{"127.0.0.1:" + port, http.StatusOK},
		{"[::1]:" + port, http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"podium.example:" + port, http.StatusOK},
		{"room1.talk.example", http.StatusOK},
	}
	for _, c := range cases {
		if got := getWithHost(t, ts, "GET", "/api/graph", c.host, "").StatusCode; got != c.want {
			t.Errorf("GET /api/graph with Host %s: %d, want %d", c.host, got, c.want)
		}
	}
	if got := getWithHost(t, ts, "POST", "/api/replay", "attacker.example:"+port, `{"action":"pause"}`).StatusCode; got != http.StatusMisdirectedRequest || len(fr.got) != 0 {
		t.Errorf("POST /api/replay from a rebinding page: %d (applied %v), want 421 and nothing applied", got, fr.got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hdr := http.Header{"Origin": {"http://attacker.example:" + port}}
	conn, resp, err := websocket.Dial(ctx, "ws://attacker.example:"+port+"/ws", &websocket.DialOptions{
		HTTPHeader: hdr,
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, strings.TrimPrefix(ts.URL, "http://"))
		}}},
	})
	if err == nil {
		conn.CloseNow()
		t.Fatal("/ws accepted a rebinding page (Host and Origin attacker.example)")
	}
	if resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("/ws from a rebinding page: %v, want 421", resp)
	}
}

func TestPatternValidation(t *testing.T) {
	for _, c := range []struct {
		origins, hosts []string
		wantErr        string
	}{
		{origins: []string{"podium.example.com", "*.example.com", "localhost:8080"}},
		{origins: []string{"*"}, wantErr: "matches any site"},
		{origins: []string{"*:*"}, wantErr: ""}, // matches only host:port forms
		{origins: []string{"[a-"}, wantErr: "malformed"},
		{origins: []string{"https://podium.example.com"}, wantErr: "not a URL"},
		{origins: []string{""}, wantErr: "empty"},
		{hosts: []string{"podium.example", "*.example.com", "10.0.0.1"}},
		{hosts: []string{"*"}, wantErr: "any host"},
		{hosts: []string{"podium.example:8080"}, wantErr: "without scheme or port"},
		{hosts: []string{"http://podium.example"}, wantErr: "without scheme or port"},
	} {
		err := ValidateOriginPatterns(c.origins)
		if err == nil {
			err = ValidateHostPatterns(c.hosts)
		}
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("origins %q hosts %q: %v, want error containing %q", c.origins, c.hosts, err, c.wantErr)
		}
	}
}

// TestClientCaps: beyond --max-clients (and per address) a WebSocket is
// refused with 503 and Retry-After before the upgrade; a freed slot is
// taken again.
func TestClientCaps(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"total", Config{MaxClients: 2, MaxClientsPerAddr: 10}, "--max-clients"},
		{"per address", Config{MaxClients: 10, MaxClientsPerAddr: 2}, "--max-clients-per-address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts, _ := newTestServer(t, c.cfg)
			a, b := dial(t, ts, ""), dial(t, ts, "")
			a.next()
			b.next()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
			if err == nil {
				conn.CloseNow()
				t.Fatal("a third viewer was admitted")
			}
			if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("third viewer: %v, want 503 with Retry-After", resp)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), c.want) {
				t.Errorf("refusal %q does not name %s", body, c.want)
			}
			a.conn.Close(websocket.StatusNormalClosure, "")
			deadline := time.Now().Add(5 * time.Second)
			for {
				conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
				if err == nil {
					conn.CloseNow()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the freed slot was never given back: %v", err)
				}
				time.Sleep(20 * time.Millisecond) // polling for the release, with a deadline
			}
		})
	}
}

// TestBodyThatNeverArrives: a request whose body stalls is cut off after the
// read timeout instead of holding the connection forever.
func TestBodyThatNeverArrives(t *testing.T) {
	ts, _ := newTestServer(t, Config{Replay: &fakeReplay{}, ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/replay HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"action\":")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server still waited for the body after 10s")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the stalled request was answered after %v", took)
	}
}

// TestBodyLimit: the login form is parsed only after the body limit, so a
// large (or multipart) body costs nothing before authentication.
func TestBodyLimit(t *testing.T) {
	ts, _ := newTestServer(t, Config{AuthToken: "0123456789abcdef-token"})
	body := "token=" + strings.Repeat("a", 1<<20)
	resp, err := ts.Client().Post(ts.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB login form: %d, want 413", resp.StatusCode)
	}
}

// TestNoStore: the page and every /api answer carry Cache-Control: no-store,
// errors included; static assets revalidate.
func TestNoStore(t *testing.T) {
	ts, _ := newTestServer(t, Config{Replay: &fakeReplay{}, Static: fstest.MapFS{"app.js": {Data: []byte("//")}}})
	for _, path := range []string{"/", "/api/graph", "/api/status", "/api/replay", "/api/graph?namespace=BAD", "/api/nothing"} {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s (%d): Cache-Control %q, want no-store", path, resp.StatusCode, got)
		}
	}
	resp, err := ts.Client().Get(ts.URL + "/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || got != "no-cache" {
		t.Errorf("GET /static/app.js: %d, Cache-Control %q, want 200 no-cache", resp.StatusCode, got)
	}
}
