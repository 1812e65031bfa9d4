//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/podiumhq/podium/web"
)

// fakeStream serves the real page and assets, and a /ws that sends exactly
// the frames a test pushes: the page's answer to bad and odd input, which a
// correct server never sends.
type fakeStream struct {
	frames chan string
	conns  chan struct{}
}

func newFakeStream(t *testing.T) (*fakeStream, string) {
	f := &fakeStream{frames: make(chan string, 16), conns: make(chan struct{}, 16)}
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServerFS(web.Static)))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		_ = web.Page(web.PageView{Version: "fake"}).Render(r.Context(), w)
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(r.Context())
		f.conns <- struct{}{}
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-f.frames:
				wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := c.Write(wctx, websocket.MessageText, []byte(m))
				cancel()
				if err != nil {
					return
				}
			}
		}
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return f, ts.URL + "/"
}

func (f *fakeStream) connected(t *testing.T) {
	t.Helper()
	select {
	case <-f.conns:
	case <-time.After(20 * time.Second):
		t.Fatal("the page did not connect to /ws")
	}
}

const twoPods = `{"type":"snapshot","epoch":"E","seq":5,"nodes":[
 {"id":"Node/n1","kind":"Node","name":"n1","uid":"n1","ready":true,"roles":[],"internalIP":"10.0.0.1","unschedulable":false},
 {"id":"Pod/d/a","kind":"Pod","namespace":"d","name":"a","uid":"a","status":"Running","ready":true,"readyContainers":1,"containers":1,"restarts":0,"node":"Node/n1","owner":"","images":["x"]},
 {"id":"Pod/d/b","kind":"Pod","namespace":"d","name":"b","uid":"b","status":"Pending","ready":false,"readyContainers":0,"containers":1,"restarts":0,"node":"","owner":"","images":["x"]}],
 "edges":[{"id":"runs-on:Pod/d/a->Node/n1","kind":"runs-on","from":"Pod/d/a","to":"Node/n1"}]}`

// TestWebBadInput: an empty cluster, then malformed frames of several kinds;
// the page shows an error state, keeps its last good picture, never breaks,
// and recovers with a fresh snapshot.
func TestWebBadInput(t *testing.T) {
	f, url := newFakeStream(t)
	br := newBrowser(t, true)
	br.open(url)
	f.connected(t)

	f.frames <- `{"type":"snapshot","epoch":"E0","seq":1,"nodes":null,"edges":null}`
	br.waitJS(`document.querySelector('[data-testid=stage]').dataset.empty === 'true' && !document.querySelector('[data-testid=empty]').hidden && document.querySelector('[data-testid=banner]').dataset.state === 'live'`,
		10*time.Second, "the empty-cluster state")
	br.shot("empty-cluster")

	bad := []string{
		`this is not JSON`,
		`{"type":"delta","from":1,"seq":"two"}`,
		`{"type":"snapshot","epoch":"E","seq":1,"nodes":[{"kind":"Pod"}],"edges":[]}`,
		`[1,2,3]`,
		`{"type":"delta","from":5,"seq":6,"upsert":{"nodes":[{"id":"Pod/d/c","kind":"Pod"}]},"remove":{"nodes":[42]}}`,
	}
	for i, frame := range bad {
		// A good picture first, then the bad frame.
		f.frames <- twoPods
		br.waitJS(countJS(`.pod[data-id]`)+` === 2 && document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 10*time.Second, "the good snapshot")
		f.frames <- frame
		br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'error'`, 10*time.Second, "the error state for frame "+frame)
		if n := eval[int](br, countJS(`.pod[data-id]`)); n != 2 {
			t.Errorf("frame %d: %d pods drawn after a bad frame, want the last good 2", i, n)
		}
		if i == 0 {
			br.shot("malformed")
		}
		// The page starts over: a new connection, asking for a snapshot.
		f.connected(t)
	}
	// Recovery: a fresh snapshot makes it live again; the Go error text of a
	// broken page would have stopped every step above.
	f.frames <- strings.ReplaceAll(twoPods, `"seq":5`, `"seq":9`)
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live' && `+countJS(`.pod[data-id]`)+` === 2 && `+countJS(`[data-edge="runs-on:Pod/d/a->Node/n1"]`)+` === 1`,
		15*time.Second, "recovery to live")
	// A delta with a gap makes the page resume with since=9.
	f.frames <- `{"type":"delta","from":11,"seq":12,"upsert":{"nodes":[],"edges":[]},"remove":{"nodes":["Pod/d/a"],"edges":[]}}`
	f.connected(t)
	if n := eval[int](br, countJS(sel("data-id", "Pod/d/a"))); n != 1 {
		t.Errorf("a delta after a gap was applied")
	}
	br.shot("recovered")
}

// TestWebMotion: pods animate in, restart badges pulse and joining
// endpoints draw in; with prefers-reduced-motion nothing animates at all.
func TestWebMotion(t *testing.T) {
	base := strings.ReplaceAll(twoPods, `"edges":[`, `"edges":[{"id":"selects:Service/d/s->Pod/d/a","kind":"selects","from":"Service/d/s","to":"Pod/d/a","state":"none"},`)
	base = strings.ReplaceAll(base, `"nodes":[`, `"nodes":[{"id":"Service/d/s","kind":"Service","namespace":"d","name":"s","uid":"s","type":"ClusterIP","clusterIP":"10.0.0.9","ports":[],"selector":{"app":"a"}},`)
	// A new pod, pod a restarts, and a's endpoint becomes ready.
	change := `{"type":"delta","from":5,"seq":6,"upsert":{"nodes":[
 {"id":"Pod/d/c","kind":"Pod","namespace":"d","name":"c","uid":"c","status":"ContainerCreating","ready":false,"readyContainers":0,"containers":1,"restarts":0,"node":"Node/n1","owner":"","images":["x"]},
 {"id":"Pod/d/a","kind":"Pod","namespace":"d","name":"a","uid":"a","status":"Running","ready":true,"readyContainers":1,"containers":1,"restarts":1,"node":"Node/n1","owner":"","images":["x"]}],
 "edges":[{"id":"selects:Service/d/s->Pod/d/a","kind":"selects","from":"Service/d/s","to":"Pod/d/a","state":"ready"}]},"remove":{"nodes":[],"edges":[]}}`
	// record notes the kind of element of every Web Animation started from
	// now on, so a slow machine cannot miss a short one; animating adds the
	// CSS animations running now.
	const record = `(() => { const kind = (el) => !el || !el.closest ? 'other' : el.closest('.badge') ? 'badge' : el.closest('.edge') ? 'edge' : el.closest('.pod') ? 'pod' : 'other';
  window.__kind = kind; window.__anims = new Set(); const orig = Element.prototype.animate;
  Element.prototype.animate = function (...a) { window.__anims.add(kind(this)); return orig.apply(this, a); }; return true; })()`
	const animating = `[...new Set([...window.__anims, ...document.getAnimations().map(a => window.__kind(a.effect && a.effect.target))])].sort().join(',')`

	for _, reduced := range []bool{false, true} {
		t.Run(map[bool]string{false: "motion", true: "reduced"}[reduced], func(t *testing.T) {
			f, url := newFakeStream(t)
			br := newBrowser(t, reduced)
			br.open(url)
			f.connected(t)
			f.frames <- base
			br.waitJS(countJS(`.pod[data-id]`)+` === 2`, 10*time.Second, "the first picture")
			eval[bool](br, record)
			f.frames <- change
			br.waitJS(countJS(sel("data-id", "Pod/d/c"))+` === 1`, 10*time.Second, "the new pod")
			got := eval[string](br, animating)
			if reduced {
				if got != "" {
					t.Errorf("animations with prefers-reduced-motion: %q", got)
				}
				return
			}
			for _, want := range []string{"badge", "edge", "pod"} {
				if !strings.Contains(got, want) {
					t.Errorf("no %s animation after the change (running: %q)", want, got)
				}
			}
			br.shot("mid-animation")
		})
	}
}
