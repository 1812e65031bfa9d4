package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/podiumhq/podium/informers/graph"
)

func pod(ns, name, status string) *graph.Node {
	return &graph.Node{ID: graph.ID(graph.KindPod, ns, name), Kind: graph.KindPod, Namespace: ns, Name: name,
		Pod: &graph.PodFields{Status: status, Images: []string{"web:v1"}}}
}

func upsert(nodes ...*graph.Node) graph.Delta {
	return graph.Delta{Upsert: graph.Items{Nodes: nodes}}
}

func newTestServer(t *testing.T, cfg Config) (*httptest.Server, *graph.Log) {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = graph.NewLog("ep1", 16)
	}
	s := New(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, cfg.Log
}

// wsClient reads protocol messages as generic maps.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dial(t *testing.T, ts *httptest.Server, query string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws"+query, nil)
	if err != nil {
		t.Fatalf("dial /ws%s: %v (response %v)", query, err, resp)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t, conn}
}

func (c *wsClient) next() map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("message is not JSON: %v: %s", err, b)
	}
	return m
}

// nextOf skips status messages.
func (c *wsClient) nextOf(typ string) map[string]any {
	c.t.Helper()
	for {
		m := c.next()
		if m["type"] == typ {
			return m
		}
		if m["type"] != "status" {
			c.t.Fatalf("got %v message, want %s: %v", m["type"], typ, m)
		}
	}
}

func nodeIDs(items any) []string {
	var out []string
	for _, n := range items.([]any) {
		out = append(out, n.(map[string]any)["id"].(string))
	}
	return out
}

func TestWSSnapshotThenDeltas(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	l.Append(upsert(pod("a", "p1", "Running")))
	c := dial(t, ts, "")
	snap := c.next()
	if snap["type"] != "snapshot" || snap["epoch"] != "ep1" || snap["seq"] != 1.0 {
		t.Fatalf("first message = %v, want the snapshot at seq 1", snap)
	}
	if st := c.next(); st["type"] != "status" || st["apiserver"] != "connected" {
		t.Fatalf("second message = %v, want status", st)
	}
	l.Append(upsert(pod("a", "p2", "Pending")))
	d := c.nextOf("delta")
	if d["from"] != 1.0 || d["seq"] != 2.0 {
		t.Fatalf("delta covers (%v, %v], want (1, 2]", d["from"], d["seq"])
	}
	if got := nodeIDs(d["upsert"].(map[string]any)["nodes"]); !cmp.Equal(got, []string{"Pod/a/p2"}) {
		t.Fatalf("upserted %v", got)
	}
}

func TestWSResume(t *testing.T) {
	ts, l := newTestServer(t, Config{Log: graph.NewLog("ep1", 2)})
	for i := range 4 {
		l.Append(upsert(pod("a", fmt.Sprint("p", i), "Running")))
	}
	t.Run("missing deltas only", func(t *testing.T) {
		c := dial(t, ts, "?epoch=ep1&since=3")
		d := c.nextOf("delta")
		if d["from"] != 3.0 || d["seq"] != 4.0 {
			t.Fatalf("resume gave (%v, %v], want (3, 4]", d["from"], d["seq"])
		}
	})
	t.Run("expired since gets a snapshot", func(t *testing.T) {
		c := dial(t, ts, "?epoch=ep1&since=1")
		if m := c.next(); m["type"] != "snapshot" || len(m["nodes"].([]any)) != 4 {
			t.Fatalf("got %v, want a snapshot of 4 pods", m)
		}
	})
	t.Run("other epoch gets a snapshot", func(t *testing.T) {
		c := dial(t, ts, "?epoch=old&since=3")
		if m := c.next(); m["type"] != "snapshot" {
			t.Fatalf("got %v, want a snapshot", m["type"])
		}
	})
}

func TestWSNamespaceFilter(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	c := dial(t, ts, "?namespace=b")
	c.nextOf("snapshot")
	l.Append(upsert(pod("a", "p1", "Running"))) // not for this viewer
	l.Append(upsert(pod("b", "p2", "Running")))
	d := c.nextOf("delta")
	if got := nodeIDs(d["upsert"].(map[string]any)["nodes"]); !cmp.Equal(got, []string{"Pod/b/p2"}) {
		t.Fatalf("viewer of b got %v", got)
	}
	if d["from"] != 0.0 || d["seq"] != 2.0 {
		t.Fatalf("delta covers (%v, %v], want (0, 2]: the skipped seq is not a gap", d["from"], d["seq"])
	}
}

func TestWSRefusesForeignOrigin(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	req, _ := http.NewRequest("GET", ts.URL+"/ws", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site upgrade got %d, want 403", resp.StatusCode)
	}

	ts2, _ := newTestServer(t, Config{AllowedOrigins: []string{"podium.example.com"}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts2.URL, "http")+"/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://podium.example.com"}}})
	if err != nil {
		t.Fatalf("allowed origin refused: %v", err)
	}
	conn.CloseNow()
}

func TestWSHostileFrames(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	c := dial(t, ts, "")
	c.nextOf("snapshot")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct{ send, want string }{
		{"not json", "not valid JSON"},
		{`{"type":"drop tables"}`, "unknown message type"},
	} {
		if err := c.conn.Write(ctx, websocket.MessageText, []byte(tc.send)); err != nil {
			t.Fatal(err)
		}
		m := c.nextOf("error")
		if !strings.Contains(m["message"].(string), tc.want) {
			t.Errorf("reply to %q = %v, want it to mention %q", tc.send, m["message"], tc.want)
		}
	}
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(`{"type":"ping","id":7}`)); err != nil {
		t.Fatal(err)
	}
	if m := c.nextOf("pong"); m["id"] != 7.0 {
		t.Fatalf("pong = %v", m)
	}
	// The connection still works after garbage.
	l.Append(upsert(pod("a", "p", "Running")))
	c.nextOf("delta")

	// An oversized frame closes the connection with "message too big".
	big := strings.Repeat("x", maxClientFrame+1)
	_ = c.conn.Write(ctx, websocket.MessageText, []byte(big))
	for {
		_, _, err := c.conn.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
				t.Fatalf("oversized frame: close status %v (%v), want 1009", got, err)
			}
			break
		}
	}
}

func TestBadQueries(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, tc := range []struct{ path, want string }{
		{"/api/graph?namespace=Bad_NS", "not a valid namespace name"},
		{"/api/graph?namspace=a", "unknown query parameter"},
		{"/api/graph?namespace=" + strings.Repeat("a,", 200) + "b", ""},
		{"/ws?since=-1&epoch=x", "not a sequence number"},
		{"/ws?since=1&epoch=%3Cscript%3E", "not an epoch"},
		{"/ws?namespace=..", "not a valid namespace name"},
	} {
		resp, err := http.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.want == "" { // 200 repeated names collapse to 2 namespaces: fine
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
			}
			continue
		}
		var e apiError
		if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: got %d %s, want 400 mentioning %q", tc.path, resp.StatusCode, body, tc.want)
		}
	}
}

func TestGraphJSONAndHeaders(t *testing.T) {
	ts, l := newTestServer(t, Config{})
	l.Append(upsert(pod("a", "p1", "Running"), pod("b", "p2", "Running")))
	resp, err := http.Get(ts.URL + "/api/graph?namespace=a")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var snap graph.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		t.Fatal(err)
	}
	if snap.Epoch != "ep1" || snap.Seq != 1 || len(snap.Nodes) != 1 || snap.Nodes[0].ID != "Pod/a/p1" {
		t.Fatalf("snapshot = %+v", snap)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
	}
}

func TestReadyz(t *testing.T) {
	synced := false
	ts, _ := newTestServer(t, Config{Status: func() graph.Status { return graph.Status{Synced: synced} }})
	get := func() int {
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != http.StatusServiceUnavailable {
		t.Fatalf("readyz before sync = %d", got)
	}
	synced = true
	if got := get(); got != http.StatusOK {
		t.Fatalf("readyz after sync = %d", got)
	}
}

func TestAuthToken(t *testing.T) {
	ts, _ := newTestServer(t, Config{AuthToken: "s3cret"})
	get := func(path string, hdr map[string]string) int {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		path string
		hdr  map[string]string
		want int
	}{
		{"/healthz", nil, 200},
		{"/api/graph", nil, 401},
		{"/api/graph", map[string]string{"Authorization": "Bearer wrong"}, 401},
		{"/api/graph", map[string]string{"Authorization": "Bearer s3cret"}, 200},
		{"/api/graph", map[string]string{"Authorization": "bearer s3cret"}, 200},
		// The cookie holds a signed session, never the token itself.
		{"/api/graph", map[string]string{"Cookie": tokenCookie + "=s3cret"}, 401},
		{"/", nil, http.StatusSeeOther},
		{"/ws", nil, 401},
		{"/metrics", nil, 401},
	} {
		if got := get(tc.path, tc.hdr); got != tc.want {
			t.Errorf("GET %s %v = %d, want %d", tc.path, tc.hdr, got, tc.want)
		}
	}
	resp, err := noRedirect.
		PostForm(ts.URL+"/login", map[string][]string{"token": {"s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "HttpOnly") {
		t.Fatalf("login = %d, cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
}

// A client that stops reading must not delay the others, and is eventually
// closed with a policy violation instead of being queued for.
func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	const writeTimeout = 2 * time.Second
	ts, l, logs, slow := stalledClient(t, writeTimeout)
	// The slow client stops reading until the server judges it too slow,
	// then takes what was buffered for it, and must find a close frame.
	closed := make(chan websocket.StatusCode, 1)
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(logs.String(), "cannot keep up") && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		for {
			if _, _, err := slow.conn.Read(ctx); err != nil {
				closed <- websocket.CloseStatus(err)
				return
			}
		}
	}()
	fast := dial(t, ts, "")
	fast.nextOf("snapshot")
	// Enough bytes to fill the slow client's socket buffers many times over.
	fat := strings.Repeat("x", 64<<10)
	var worst time.Duration
	for i := range 200 {
		p := pod("a", fmt.Sprint("p", i%10), "Running")
		p.Pod.Images = []string{fat}
		start := time.Now()
		seq := l.Append(upsert(p))
		for {
			d := fast.nextOf("delta")
			if d["seq"].(float64) >= float64(seq) {
				break
			}
		}
		worst = max(worst, time.Since(start))
	}
	t.Logf("fast client's worst delay with a stalled peer: %s", worst)
	// A hub that waited for the stalled peer would hold everyone up for
	// at least its write timeout (in fact twice that, when the server gives
	// up on the write); a loaded machine running -race needs the margin.
	if worst >= writeTimeout {
		t.Fatalf("fast client waited %s: the slow client held it up", worst)
	}

	select {
	case got := <-closed:
		if got != websocket.StatusPolicyViolation {
			t.Fatalf("slow client closed with status %v, want 1008 (policy violation); server log:\n%s", got, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the slow client was not closed; server log:\n%s", logs.String())
	}
}

// A client that stops reading for good is judged too slow after the write
// timeout, then dropped once its write has taken twice that, without a
// close frame, which could never reach it.
func TestClientThatNeverReadsIsDropped(t *testing.T) {
	_, l, logs, _ := stalledClient(t, 300*time.Millisecond) // it never reads again
	fat := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; !strings.Contains(logs.String(), "dropped a client that stopped reading"); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("the client that stopped reading was not dropped in 30 s; server log:\n%s", logs.String())
		}
		p := pod("a", fmt.Sprint("p", i%10), "Running")
		p.Pod.Images = []string{fat, fmt.Sprint(i)}
		l.Append(upsert(p))
		time.Sleep(5 * time.Millisecond) // a steady stream, not a wait for a condition
	}
	log := logs.String()
	judged := strings.Index(log, "closing a client that cannot keep up")
	if judged < 0 || judged > strings.Index(log, "dropped a client that stopped reading") {
		t.Fatalf("the client was dropped without being judged too slow first; server log:\n%s", log)
	}
}

// stalledClient starts a server with writeTimeout whose log is logs, and a
// client of it that has read its snapshot and reads nothing more until the
// test says.
func stalledClient(t *testing.T, writeTimeout time.Duration) (*httptest.Server, *graph.Log, *lockedBuffer, *wsClient) {
	logs := &lockedBuffer{}
	ts, l := newTestServer(t, Config{WriteTimeout: writeTimeout, Log: graph.NewLog("ep1", 4),
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	c := dial(t, ts, "")
	c.nextOf("snapshot")
	return ts, l, logs, c
}

// lockedBuffer is a log sink that tests may read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestPreferredLanguage(t *testing.T) {
	for in, want := range map[string]string{"": "en", "zh-CN,zh;q=0.9": "zh-CN", "en-US,en;q=0.8,zh;q=0.5": "en", "fr, zh-TW": "zh-CN", "de": "en"} {
		if got := PreferredLanguage(in); got != want {
			t.Errorf("PreferredLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
