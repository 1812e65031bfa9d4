package server

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
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
		if ns, err := parseNamespaces(c.QueryParam("namespace")); err == nil {
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
