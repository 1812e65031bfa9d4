package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/podiumhq/podium/informers/graph"
)

// rawGraph GETs /api/graph with Accept-Encoding ae ("" for none), without
// the transport's own decompression, and returns the response and its
// body as sent.
func rawGraph(t *testing.T, ctx context.Context, url, ae string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/graph", nil)
	req.Header.Set("Accept-Encoding", ae)
	if ae == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestGraphJSONGzip: /api/graph, the page's first picture, is gzipped for
// a client that offers gzip once it is big enough to be worth it, and the
// gzip holds exactly the JSON sent uncompressed; small answers, and
// clients that do not offer it, get it as it is.
func TestGraphJSONGzip(t *testing.T) {
	l, _ := podLog(500)
	ts := httptest.NewServer(New(Config{Log: l}).Handler())
	defer ts.Close()
	snap := l.Snapshot(graph.NewFilter())
	want, _ := json.Marshal(snap)
	want = append(want, '\n')
	if len(want) < gzipAbove {
		t.Fatalf("setup: %d bytes is under gzipAbove", len(want))
	}

	plain, body := rawGraph(t, context.Background(), ts.URL, "")
	if string(body) != string(want) || plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("without gzip: %d bytes, Content-Encoding %q, Vary %q; want the JSON as it is and Vary: Accept-Encoding",
			len(body), plain.Header.Get("Content-Encoding"), plain.Header.Get("Vary"))
	}
	for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.5", "*"} {
		resp, body := rawGraph(t, context.Background(), ts.URL, ae)
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want gzip", ae, resp.Header.Get("Content-Encoding"))
			continue
		}
		if len(body) > len(want)/4 {
			t.Errorf("Accept-Encoding %q: %d bytes for %d of JSON: not compressed", ae, len(body), len(want))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != string(want) {
			t.Errorf("Accept-Encoding %q: gunzipped %d bytes (%v), want the %d of the JSON", ae, len(got), err, len(want))
		}
	}
	for _, ae := range []string{"gzip;q=0", "identity", "br", "gzip;q=0, *"} {
		if resp, _ := rawGraph(t, context.Background(), ts.URL, ae); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want none", ae, resp.Header.Get("Content-Encoding"))
		}
	}

	// A small graph is not worth a compressor.
	small := graph.NewLog("ep1", 16)
	small.Append(upsert(pod("a", "web-1", "Running")))
	ts2 := httptest.NewServer(New(Config{Log: small}).Handler())
	defer ts2.Close()
	if resp, _ := rawGraph(t, context.Background(), ts2.URL, "gzip"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("a one-pod graph: Content-Encoding %q, want none", resp.Header.Get("Content-Encoding"))
	}
}

// TestGraphJSONGzipTakesTurns: a gzipped /api/graph holds a compressor
// while its client reads, so it takes one of the turns WebSocket
// snapshots take: with every turn taken it waits, and answers once one
// is free.
func TestGraphJSONGzipTakesTurns(t *testing.T) {
	l, _ := podLog(500)
	m := NewMetrics()
	s := New(Config{Log: l, Metrics: m})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	takeEveryTurn(s)
	done := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("GET", ts.URL+"/api/graph", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp
	}()
	waitForWaiting(t, m, 1)
	select {
	case <-done:
		t.Fatal("answered with every turn taken")
	default:
	}
	<-s.streaming // one turn free
	if resp := <-done; resp == nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("after the wait: %+v, want a gzipped answer", resp)
	}
	if w := testutil.ToFloat64(m.waiting); w != 0 {
		t.Errorf("%v requests still wait", w)
	}
}
