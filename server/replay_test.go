package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/podiumhq/podium/informers/replay"
)

// fakeReplay records the controls it was given; Apply fails with err.
type fakeReplay struct {
	got []replay.Control
	err error
}

func (f *fakeReplay) Info() replay.Info { return replay.Info{Speed: 1, Duration: 4} }
func (f *fakeReplay) Apply(c replay.Control) error {
	f.got = append(f.got, c)
	return f.err
}

func replayRequest(t *testing.T, h http.Handler, method, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://podium.test/api/replay", strings.NewReader(body))
	req.Host = "podium.test"
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != 200 {
		// Error bodies are JSON; read the message without its escapes.
		var m map[string]any
		if json.Unmarshal(rr.Body.Bytes(), &m) == nil {
			return rr.Code, fmt.Sprint(m)
		}
	}
	return rr.Code, rr.Body.String()
}

func TestReplayControlsHTTP(t *testing.T) {
	fr := &fakeReplay{}
	h := New(Config{Replay: fr}).Handler()
	jsonHdr := map[string]string{"Content-Type": "application/json"}

	if code, body := replayRequest(t, h, "GET", "", nil); code != 200 || !strings.Contains(body, `"duration":4`) {
		t.Fatalf("GET: %d %s", code, body)
	}
	if code, body := replayRequest(t, h, "POST", `{"action":"seek","happening":1}`, jsonHdr); code != 200 {
		t.Fatalf("seek: %d %s", code, body)
	}
	if code, body := replayRequest(t, h, "POST", `{"action":"seek","time":0.5}`, map[string]string{"Content-Type": "application/json; charset=utf-8",
		"Origin": "http://podium.test", "Sec-Fetch-Site": "same-origin"}); code != 200 {
		t.Errorf("seek time from the page: %d %s", code, body)
	}
	if len(fr.got) != 2 || fr.got[0].Action != "seek" || *fr.got[0].Happening != 1 || *fr.got[1].Time != 0.5 {
		t.Errorf("controls applied: %+v", fr.got)
	}

	bad := []struct {
		name, body string
		hdr        map[string]string
		code       int
		want       string
	}{
		{"form post", `action=pause`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"},
		{"text/plain (a no-preflight fetch)", `{"action":"pause"}`, map[string]string{"Content-Type": "text/plain"}, 415, "application/json"},
		{"cross-site", `{"action":"pause"}`, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403, "cross-site"},
		{"foreign origin", `{"action":"pause"}`, map[string]string{"Content-Type": "application/json", "Origin": "http://evil.test"}, 403, "cross-origin"},
		{"unknown field", `{"action":"play","volume":11}`, jsonHdr, 400, "unknown field"},
		{"not JSON", `{"action":`, jsonHdr, 400, "body"},
		{"huge body", `{"action":"play","x":"` + strings.Repeat("a", 5000) + `"}`, jsonHdr, 413, "over"},
	}
	for _, c := range bad {
		code, body := replayRequest(t, h, "POST", c.body, c.hdr)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d mentioning %q", c.name, code, body, c.code, c.want)
		}
	}
	if len(fr.got) != 2 {
		t.Errorf("a refused request reached the player: %+v", fr.got[2:])
	}
	fr.err = errors.New("seek: 99s is outside the recording")
	if code, body := replayRequest(t, h, "POST", `{"action":"seek","time":99}`, jsonHdr); code != 400 || !strings.Contains(body, "outside the recording") {
		t.Errorf("player error: %d %s, want 400 with its message", code, body)
	}
}

// TestReplayControlsNeedTheToken: with auth on, the replay controls are
// behind it like every other route.
func TestReplayControlsNeedTheToken(t *testing.T) {
	fr := &fakeReplay{}
	h := New(Config{Replay: fr, AuthToken: "0123456789abcdef-token"}).Handler()
	code, _ := replayRequest(t, h, "POST", `{"action":"pause"}`, map[string]string{"Content-Type": "application/json"})
	if code != http.StatusUnauthorized || len(fr.got) != 0 {
		t.Errorf("POST /api/replay without the token: %d, applied %v; want 401 and nothing applied", code, fr.got)
	}
}
