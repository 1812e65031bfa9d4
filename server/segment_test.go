package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/replay"
)

func segmentRequest(h http.Handler, query string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "http://podium.test/api/replay/segment"+query, nil)
	req.Host = "podium.test"
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return rr
}

// errorOf is the JSON error of a refused request, or "" when there is none.
func errorOf(rr *httptest.ResponseRecorder) string {
	var e struct{ Error string }
	if json.Unmarshal(rr.Body.Bytes(), &e) != nil {
		return ""
	}
	return e.Error
}

func TestReplaySegmentRoute(t *testing.T) {
	var gotFrom, gotTo int
	var gotLang string
	seg := func(_ context.Context, w io.Writer, from, to int, lang string) error {
		gotFrom, gotTo, gotLang = from, to, lang
		switch {
		case from > to:
			return &replay.RangeError{Msg: "from 5 is after to 2: a segment runs forwards"}
		case to == 99:
			// Past the cap, in pieces, as RenderSegment writes.
			chunk := make([]byte, 1<<20)
			for i := 0; i <= MaxSegmentBytes>>20; i++ {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
		}
		_, err := io.WriteString(w, "<!DOCTYPE html><title>segment</title>")
		return err
	}
	h := New(Config{Replay: &fakeReplay{}, Segment: seg}).Handler()

	rr := segmentRequest(h, "?from=1&to=3&lang=zh-CN")
	if rr.Code != 200 || rr.Body.String() != "<!DOCTYPE html><title>segment</title>" || gotFrom != 1 || gotTo != 3 || gotLang != "zh-CN" {
		t.Fatalf("GET ?from=1&to=3: %d %q (from %d, to %d, lang %q)", rr.Code, rr.Body.String(), gotFrom, gotTo, gotLang)
	}
	if cd := rr.Header().Get("Content-Disposition"); cd != `attachment; filename="podium-segment-1-3.html"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := rr.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, c := range []struct {
		query string
		code  int
		want  string
	}{
		{"", 400, "missing from"},
		{"?from=1", 400, "missing to"},
		{"?from=x&to=2", 400, `from "x": want a happening index`},
		{"?from=1&to=2.5", 400, `to "2.5": want a happening index`},
		{"?from=5&to=2", 400, "from 5 is after to 2"},
		{"?from=0&to=99", 413, "happenings 0 to 99 make a file over 32 MiB"},
	} {
		rr := segmentRequest(h, c.query)
		if rr.Code != c.code || !strings.Contains(errorOf(rr), c.want) {
			t.Errorf("GET %s: %d %s, want %d with %q", c.query, rr.Code, rr.Body.String(), c.code, c.want)
		}
	}

	// A server that does not export says so; one that does not replay has
	// no such route.
	if rr := segmentRequest(New(Config{Replay: &fakeReplay{}}).Handler(), "?from=0&to=1"); rr.Code != 501 || !strings.Contains(errorOf(rr), "does not export") {
		t.Errorf("without Segment: %d %s", rr.Code, rr.Body.String())
	}
	if rr := segmentRequest(New(Config{Segment: seg}).Handler(), "?from=0&to=1"); rr.Code != 404 {
		t.Errorf("without Replay: %d %s", rr.Code, rr.Body.String())
	}
}

// TestReplaySegmentBusy: at most MaxSegmentBuilds files are built at once;
// one more is refused at once with 503, never queued, and a slot frees
// when a build ends.
func TestReplaySegmentBusy(t *testing.T) {
	started := make(chan struct{}, MaxSegmentBuilds)
	release := make(chan struct{})
	seg := func(ctx context.Context, w io.Writer, from, to int, _ string) error {
		if from == 0 {
			started <- struct{}{}
			<-release
		}
		_, err := io.WriteString(w, "ok")
		return err
	}
	h := New(Config{Replay: &fakeReplay{}, Segment: seg}).Handler()
	var wg sync.WaitGroup
	codes := make(chan int, MaxSegmentBuilds)
	for range MaxSegmentBuilds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- segmentRequest(h, "?from=0&to=1").Code
		}()
	}
	for range MaxSegmentBuilds {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("the first builds did not start")
		}
	}
	rr := segmentRequest(h, "?from=1&to=2")
	if rr.Code != 503 || !strings.Contains(errorOf(rr), "busy: 2 segments are being built") || rr.Header().Get("Retry-After") == "" {
		t.Errorf("a third build while two run: %d %s %v", rr.Code, rr.Body.String(), rr.Header())
	}
	close(release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("a build that held a slot answered %d", c)
		}
	}
	if rr := segmentRequest(h, "?from=1&to=2"); rr.Code != 200 {
		t.Errorf("after the builds ended: %d %s", rr.Code, rr.Body.String())
	}
}
