package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func followRequest(t *testing.T, h http.Handler, method, url, body string, hdr map[string]string) (int, FollowState, string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://podium.test"+url, strings.NewReader(body))
	req.Host = "podium.test"
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	var st FollowState
	if rr.Code == http.StatusOK {
		_ = json.Unmarshal(rr.Body.Bytes(), &st)
	}
	return rr.Code, st, rr.Body.String()
}

// TestFollowLeadAndFollow: only the secret leads; followers see each lead,
// a follower at the current version waits for the next one, and one that
// reconnects gets the current state at once.
func TestFollowLeadAndFollow(t *testing.T) {
	secret := NewLeadSecret()
	f, err := NewFollow(secret)
	if err != nil {
		t.Fatal(err)
	}
	f.setWait(200 * time.Millisecond)
	h := New(Config{Follow: f}).Handler()
	lead := map[string]string{"Content-Type": "application/json", "X-Podium-Lead": secret}
	state := `{"step":2,"focus":"Deployment/default/web","layers":["config","identity"],"presenter":true,"marker":-1}`

	for _, c := range []struct {
		name string
		hdr  map[string]string
		body string
		code int
		want string
	}{
		{"no secret", map[string]string{"Content-Type": "application/json"}, state, 403, "only the presenter"},
		{"wrong secret", map[string]string{"Content-Type": "application/json", "X-Podium-Lead": secret + "x"}, state, 403, "only the presenter"},
		{"cross-site", map[string]string{"Content-Type": "application/json", "X-Podium-Lead": secret, "Sec-Fetch-Site": "cross-site"}, state, 403, ""},
		{"a form", map[string]string{"Content-Type": "text/plain", "X-Podium-Lead": secret}, state, 415, "application/json"},
		{"unknown field", lead, `{"step":1,"drive":true}`, 400, "unknown field"},
		{"bad focus", lead, `{"step":1,"focus":"<script>"}`, 400, "not an entity id"},
		{"bad layer", lead, `{"step":1,"layers":["Config!"]}`, 400, "not a layer name"},
		{"step out of range", lead, `{"step":-5}`, 400, "out of range"},
		{"too big", lead, `{"step":1,"focus":"` + strings.Repeat("a", 5000) + `"}`, 413, ""},
	} {
		if code, _, body := followRequest(t, h, "POST", "/api/follow", c.body, c.hdr); code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, body, c.code, c.want)
		}
	}
	if st := f.State(); st.Version != 0 {
		t.Fatalf("a refused lead changed the state: %+v", st)
	}

	// A follower waiting at version 0 wakes on the lead.
	got := make(chan FollowState, 1)
	go func() {
		_, st, _ := followRequest(t, h, "GET", "/api/follow?since=0", "", nil)
		got <- st
	}()
	deadline := time.Now().Add(5 * time.Second)
	for f.waitingNow() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling for the follower to be waiting
	}
	f.setWait(5 * time.Second)
	if code, st, body := followRequest(t, h, "POST", "/api/follow", state, lead); code != 200 || st.Version != 1 {
		t.Fatalf("lead: %d %s", code, body)
	}
	select {
	case st := <-got:
		if st.Version != 1 || st.Step != 2 || st.Focus != "Deployment/default/web" || len(st.Layers) != 2 || !st.Presenter {
			t.Errorf("the follower got %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting follower was not woken by the lead")
	}
	// Rejoining (since an old version, or none) answers at once.
	start := time.Now()
	if code, st, _ := followRequest(t, h, "GET", "/api/follow", "", nil); code != 200 || st.Version != 1 || time.Since(start) > time.Second {
		t.Errorf("a rejoining follower: %d %+v after %v", code, st, time.Since(start))
	}
	f.setWait(50 * time.Millisecond)
	if code, st, _ := followRequest(t, h, "GET", "/api/follow?since=1", "", nil); code != 200 || st.Version != 1 {
		t.Errorf("a follower at the current version after the wait: %d %+v", code, st)
	}
	if code, _, body := followRequest(t, h, "GET", "/api/follow?since=x", "", nil); code != 400 || !strings.Contains(body, "not a version") {
		t.Errorf("since=x: %d %s", code, body)
	}
	if _, err := NewFollow("short"); err == nil {
		t.Error("a 5-byte lead secret was accepted")
	}
}

func (f *Follow) waitingNow() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiting
}

// TestFollowWaitEndsWithTheRequest: a follower that goes away stops
// waiting, so followers never pile up.
func TestFollowWaitEndsWithTheRequest(t *testing.T) {
	f, _ := NewFollow(NewLeadSecret())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.await(ctx, 0); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("await outlived its request")
	}
	if n := f.waitingNow(); n != 0 {
		t.Errorf("%d still counted as waiting", n)
	}
}

func TestQRSVG(t *testing.T) {
	h := New(Config{}).Handler()
	req := httptest.NewRequest("GET", "http://podium.test/api/qr.svg?text=http://podium.test/?follow", nil)
	req.Host = "podium.test"
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != 200 || rr.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(rr.Body.String(), "<svg") || strings.Count(rr.Body.String(), "h1v1") < 100 {
		t.Errorf("qr.svg: %d %s %.80s", rr.Code, rr.Header().Get("Content-Type"), rr.Body)
	}
	for _, bad := range []string{"", strings.Repeat("x", 600)} {
		req := httptest.NewRequest("GET", "http://podium.test/api/qr.svg?text="+bad, nil)
		req.Host = "podium.test"
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if rr.Code != 400 {
			t.Errorf("qr.svg with %d bytes of text: %d", len(bad), rr.Code)
		}
	}
}

func (f *Follow) setWait(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wait = d
}

// TestFollowLink: the short audience link redirects to the follower's view,
// relative (a path prefix keeps working), keeping the other parameters and
// never doubling follow.
func TestFollowLink(t *testing.T) {
	f, err := NewFollow(NewLeadSecret())
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{Follow: f}).Handler()
	for _, c := range []struct{ url, want string }{
		{"/f", "./?follow=1"},
		{"/f?lang=zh-CN", "./?follow=1&lang=zh-CN"},
		{"/f?follow=0&namespace=a,b", "./?follow=1&namespace=a%2Cb"},
	} {
		req := httptest.NewRequest("GET", "http://podium.test"+c.url, nil)
		req.Host = "podium.test"
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if rr.Code != http.StatusFound || rr.Header().Get("Location") != c.want {
			t.Errorf("GET %s: %d Location %q; want 302 %q", c.url, rr.Code, rr.Header().Get("Location"), c.want)
		}
	}
	// Without an audience link there is no short link either.
	rr := httptest.NewRecorder()
	New(Config{}).Handler().ServeHTTP(rr, httptest.NewRequest("GET", "http://podium.test/f", nil))
	if rr.Code != http.StatusNotFound {
		t.Errorf("GET /f without Follow: %d, want 404", rr.Code)
	}
}
