//go:build e2e

package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/server"
	"github.com/podiumhq/podium/web"
)

// wsAddressesJS records the address of every WebSocket the page opens in
// window.__ws, before the page runs.
const wsAddressesJS = `window.__ws = [];
const PodiumWS = window.WebSocket;
window.WebSocket = class extends PodiumWS { constructor(u, p) { super(u, p); window.__ws.push(String(u)); } };`

// TestFirstPictureOverHTTP: the page's first picture is one /api/graph
// request for the page's view (namespace and label selector), made by
// first.js while the app's modules load, and gzipped; /ws then resumes
// from it (its address carries the picture's epoch and seq) and the page
// follows the log from there. With the import map admitted by the CSP, as
// the podium binary serves the page, and without it, where first.js loads
// twice (static/first.js?v=… from the page, static/first.js from app.js).
func TestFirstPictureOverHTTP(t *testing.T) {
	s := cluster(5, 100, 5) // app00N in team-N, 100 pods each
	rs := "app001-5d5545b69c"
	for _, importMap := range []bool{true, false} {
		t.Run(fmt.Sprintf("import-map=%v", importMap), func(t *testing.T) {
			log := graph.NewLog("first", 4096)
			log.Reset("first", 1, s.nodes, s.edges, nil)
			page := serveLog(t, log, func(c *server.Config) {
				if importMap {
					c.ScriptSources = []string{web.ImportMapCSP("bench")}
				}
			})
			br := newBrowser(t, true)
			if _, err := chromedp.Call(br.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: wsAddressesJS}); err != nil {
				t.Fatal(err)
			}
			br.open(page + "?namespace=team-1&selector=" + url.QueryEscape("app="+rs))
			br.waitJS(`document.querySelectorAll('.pod[data-id]').length === 100`, 30*time.Second, "the view's 100 pods drawn")

			type request struct {
				Name             string
				Encoded, Decoded float64
			}
			reqs := eval[[]request](br, `performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname === '/api/graph').map((r) => ({Name: r.name, Encoded: r.encodedBodySize, Decoded: r.decodedBodySize}))`)
			want := strings.TrimSuffix(page, "/") + "/api/graph?namespace=team-1&selector=app%3D" + rs
			if len(reqs) != 1 || reqs[0].Name != want {
				t.Fatalf("/api/graph requests %+v, want one, %s", reqs, want)
			}
			if r := reqs[0]; r.Encoded <= 0 || r.Encoded*4 > r.Decoded {
				t.Errorf("/api/graph: %v bytes on the wire for %v of JSON: not gzipped", r.Encoded, r.Decoded)
			}
			ws := eval[[]string](br, `window.__ws`)
			if len(ws) != 1 || !strings.HasSuffix(ws[0], "/ws?namespace=team-1&selector=app%3D"+rs+"&epoch=first&since=1") {
				t.Fatalf("WebSockets %q, want one resuming from the picture (epoch=first&since=1)", ws)
			}

			// /ws follows from the picture: a new pod of the view appears,
			// one outside it does not.
			mine := synthPod("team-1", rs, rs+"-00100", "kwok-node-000", "Running", true)
			other := synthPod("team-2", "app002-5d5545b69c", "app002-5d5545b69c-00100", "kwok-node-000", "Running", true)
			log.Append(graph.Delta{Upsert: graph.Items{Nodes: []*graph.Node{mine, other}}})
			br.waitJS(`document.querySelectorAll('.pod[data-id]').length === 101 && document.querySelector('[data-id="`+mine.ID+`"]') !== null`, 30*time.Second, "the new pod of the view")
			if n := eval[int](br, `document.querySelectorAll('[data-id="`+other.ID+`"]').length`); n != 0 {
				t.Errorf("a pod outside the view drawn (%d)", n)
			}
			br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 10*time.Second, "the connection live")
		})
	}
}
