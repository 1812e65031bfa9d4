//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/informers/graph"
)

// cellJS defines cell(id): what the canvas of a canvas lane shows for pod
// id, whose cell is half wide: its lane-relative centre, the RGB at the
// centre and at its outline, and the page's colours to compare them with.
// The pod's element is not rendered; its centre (data-x, data-y, in the
// picture's units) goes to the screen through its layer, then into the
// canvas's units.
func cellJS(half float64) string {
	return fmt.Sprintf(`const hex = (h) => { h = h.trim().replace('#', ''); if (h.length === 3) h = [...h].map((c) => c + c).join(''); return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)); };
const cell = (id) => {
  const pod = document.querySelector('.pod[data-id="' + id + '"]');
  const cv = pod.closest('.lane-pods').querySelector('canvas[data-testid=lane-canvas]');
  const q = new DOMPoint(+pod.dataset.x, +pod.dataset.y).matrixTransform(document.querySelector('.layer-pods').getScreenCTM());
  const b = cv.getBoundingClientRect(), u = parseFloat(cv.style.width) / b.width;
  const x = (q.x - b.left) * u, y = (q.y - b.top) * u, r = %v;
  const k = cv.width / parseFloat(cv.style.width);
  const px = (lx, ly) => [...cv.getContext('2d').getImageData(Math.floor(lx * k), Math.floor(ly * k), 1, 1).data].slice(0, 3);
  const cs = getComputedStyle(document.querySelector('[data-testid=canvas]'));
  return { centre: px(x, y), edge: px(x - r + 0.1, y), ready: hex(cs.getPropertyValue('--ready')), failed: hex(cs.getPropertyValue('--failed')), accent: hex(cs.getPropertyValue('--accent')) };
};`, half)
}

// TestCanvasLanes: at 5,000 pods the big grids paint on canvases, and the
// page keeps its DOM contract and its behaviour: every pod has its element
// with data-id and data-status (out of the render tree), a lane is painted
// once it comes into view, the pointer over a cell finds that pod, lights
// its path and names it in the tooltip, a click opens its details, search
// lights the matching cells, and a pod's new state recolours its cell.
func TestCanvasLanes(t *testing.T) {
	s := cluster(50, 100, 50)
	log, url := s.serve(t, "canvas")
	br := newBrowser(t, false)
	br.open(url)
	br.waitJS(countJS(`.pod[data-id]`)+` === 5000`, 120*time.Second, "5,000 pods drawn")

	// Every pod of the graph has its element, with its status.
	var want []string
	for _, n := range s.nodes {
		if n.Kind == graph.KindPod {
			want = append(want, n.ID)
		}
	}
	ids, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	missing := eval[[]string](br, `((ids) => ids.filter((id) => { const e = document.querySelector('.pod[data-id="' + id + '"]'); return !e || e.getAttribute('data-status') !== 'Running'; }))(`+string(ids)+`)`)
	if len(want) != 5000 || len(missing) != 0 {
		t.Fatalf("%d pods in the graph; %d without an element carrying data-status=Running, e.g. %v", len(want), len(missing), missing[:min(3, len(missing))])
	}
	if n := eval[int](br, countJS(`canvas[data-testid=lane-canvas]`)); n != 50 {
		t.Errorf("%d lane canvases, want one per 100-pod lane (50)", n)
	}
	if n := eval[int](br, countJS(`.pod[data-id]:not(.in-canvas)`)); n != 0 {
		t.Errorf("%d pods of big lanes still painted in SVG", n)
	}
	// Out of the render tree: not rendered, no children to restyle or paint.
	if n := eval[int](br, `[...document.querySelectorAll('.pod.in-canvas')].filter((p) => getComputedStyle(p.parentNode).display !== 'none' || p.getClientRects().length || p.childElementCount).length`); n != 0 {
		t.Errorf("%d canvas-lane pods are rendered or have children", n)
	}
	cellJS := cellJS(eval[float64](br, `(async () => (await import('./static/layout.js')).GEOM.cellSize / 2)()`))
	cellOf := func(id string) map[string][]int {
		return eval[map[string][]int](br, `(() => { `+cellJS+` return cell(`+jsString(id)+`); })()`)
	}
	// reveal pans the view to pod id, as a click in the search results does.
	reveal := func(id string) {
		if !eval[bool](br, `window.podium.reveal(`+jsString(id)+`)`) {
			t.Fatalf("no pod %s to reveal", id)
		}
	}

	// A lane far below the screen is not painted by the first draw; brought
	// into view, it is.
	far := "Pod/team-4/app049-5d5545b69c-00000"
	if c := cellOf(far); fmt.Sprint(c["centre"]) == fmt.Sprint(c["ready"]) {
		t.Errorf("the first draw painted %s's lane, far off the screen", far)
	}
	reveal(far)
	br.waitJS(`(() => { `+cellJS+` const c = cell(`+jsString(far)+`); return c.centre.join() === c.ready.join(); })()`, 10*time.Second, "the lane brought into view painted")
	br.shot("canvas-lanes")
	// The page's SVG export keeps the cells: each lane canvas becomes an
	// image of its pixels.
	type exported struct{ Images, Canvases int }
	ex := eval[exported](br, `(async () => { const m = await import('./static/export.js'); const xml = m.svgMarkup(document.querySelector('[data-testid=canvas]'), { x: 0, y: 0, w: 3000, h: 3000 }, '#000');
	  return { images: (xml.match(/<image [^>]*href="data:image\/png;base64,/g) || []).length, canvases: (xml.match(/<canvas/g) || []).length }; })()`)
	if ex.Images != 50 || ex.Canvases != 0 {
		t.Errorf("the SVG export has %d lane images and %d canvases, want 50 and 0", ex.Images, ex.Canvases)
	}

	// The pointer over a cell: the canvas finds the pod whose cell is
	// there, which lights up, and names it in its tooltip; the canvas
	// outlines the cell.
	type spot struct {
		ID   string
		X, Y float64
	}
	sp := eval[spot](br, `(() => { const m = document.querySelector('.layer-pods').getScreenCTM();
	  for (const p of document.querySelectorAll('.pod.in-canvas[data-id]')) {
	    const q = new DOMPoint(+p.dataset.x, +p.dataset.y).matrixTransform(m);
	    if (q.x > 0 && q.y > 0 && q.x < innerWidth && q.y < innerHeight && document.elementFromPoint(q.x, q.y)?.matches('canvas.cells')) return { id: p.dataset.id, x: q.x, y: q.y };
	  } return null; })()`)
	if sp.ID == "" {
		t.Fatal("no canvas cell on screen")
	}
	if _, err := chromedp.Run(br.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, sp.X, sp.Y)); err != nil {
		t.Fatal(err)
	}
	br.waitJS(`document.querySelector('.pod[data-id="`+sp.ID+`"]').classList.contains('hl')`, 10*time.Second, "the hovered cell's pod to light up")
	tip := eval[string](br, `document.elementFromPoint(`+fmt.Sprint(sp.X)+`, `+fmt.Sprint(sp.Y)+`).title`)
	if want := sp.ID[len("Pod/team-0/"):] + " · Running"; tip != want {
		t.Errorf("the cell's tooltip says %q, want %q", tip, want)
	}
	br.waitJS(`(() => { `+cellJS+` const c = cell(`+jsString(sp.ID)+`); return c.edge.join() === c.accent.join(); })()`, 10*time.Second, "the hovered cell's outline painted")
	// A click there opens that pod's details.
	if _, err := chromedp.Run(br.ctx, chromedp.MouseClickXY(sp.X, sp.Y)); err != nil {
		t.Fatal(err)
	}
	br.waitJS(`document.querySelector('[data-testid=details]')?.dataset.id === `+jsString(sp.ID), 10*time.Second, "the clicked cell's pod's details")
	if _, err := chromedp.Run(br.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 2, 2)); err != nil {
		t.Fatal(err)
	}

	// Search lights exactly the matching cells.
	eval[bool](br, `(() => { const s = document.querySelector('[data-testid=search]'); s.value = 'app013'; s.dispatchEvent(new Event('input')); return true; })()`)
	br.waitJS(countJS(`.pod.match[data-id]`)+` === 100`, 10*time.Second, "app013's 100 pods to match")
	if n := eval[int](br, countJS(`.pod.match[data-id]:not([data-id*="app013-"])`)); n != 0 {
		t.Errorf("%d pods of other apps match app013", n)
	}
	hit, other := "Pod/team-3/app013-5d5545b69c-00042", "Pod/team-4/app014-5d5545b69c-00042"
	reveal(hit)
	br.waitJS(`(() => { `+cellJS+` const a = cell(`+jsString(hit)+`); return a.edge.join() === a.accent.join(); })()`, 10*time.Second, "the matching cell outlined")
	reveal(other)
	br.waitJS(`(() => { `+cellJS+` const b = cell(`+jsString(other)+`); return b.edge.join() !== b.accent.join() && b.centre.join() === b.ready.join(); })()`, 10*time.Second, "the other cell not outlined")
	eval[bool](br, `(() => { const s = document.querySelector('[data-testid=search]'); s.value = ''; s.dispatchEvent(new Event('input')); return true; })()`)
	br.waitJS(countJS(`.pod.match`)+` === 0`, 10*time.Second, "the search cleared")

	// A pod that starts failing recolours its cell.
	victim := "Pod/team-2/app007-5d5545b69c-00013"
	reveal(victim)
	br.waitJS(`(() => { `+cellJS+` const c = cell(`+jsString(victim)+`); return c.centre.join() === c.ready.join(); })()`, 10*time.Second, "before: the cell in the ready colour")
	p := synthPod("team-2", "app007-5d5545b69c", "app007-5d5545b69c-00013", "kwok-node-013", "CrashLoopBackOff", false)
	log.Append(graph.Delta{Upsert: graph.Items{Nodes: []*graph.Node{p}}})
	br.waitJS(`document.querySelector('.pod[data-id="`+victim+`"]').dataset.status === 'CrashLoopBackOff'`, 10*time.Second, "the new status")
	br.waitJS(`(() => { `+cellJS+` const c = cell(`+jsString(victim)+`); return c.centre.join() === c.failed.join(); })()`, 10*time.Second, "the cell painted in the failed colour")
	br.shot("canvas-failed-cell")
}

// TestMovedBoxKeepsElements: when a lane grows (a scale-up's new desired
// count), the boxes below it move by their transform and keep their
// elements: re-parsing every moved box's markup was much of the slowest
// frame of a scale-up.
func TestMovedBoxKeepsElements(t *testing.T) {
	s := cluster(3, 3, 20)
	log, url := s.serve(t, "canvas")
	br := newBrowser(t, false)
	br.open(url)
	br.waitJS(countJS(`.pod[data-id]`)+` === 9`, 60*time.Second, "9 pods drawn")
	// app002 (team-2) is drawn below app000 (team-0), whose lane grows.
	const box = `document.querySelector('.box[data-id="Deployment/team-2/app002"]')`
	before := eval[string](br, `(() => { const b = `+box+`; b.querySelector('.body').firstElementChild.__kept = true; return b.style.transform; })()`)
	scaleUp(log, "team-0", "app000", 100, 20)
	br.waitJS(countJS(`.pod[data-id]`)+` === 109`, 30*time.Second, "100 new pods")
	after := eval[string](br, box+`.style.transform`)
	if after == before {
		t.Fatalf("app002's box did not move (%s): the test needs a box below the growing lane", after)
	}
	if !eval[bool](br, `!!`+box+`.querySelector('.body').firstElementChild.__kept`) {
		t.Errorf("app002's box moved from %s to %s and its markup was drawn anew", before, after)
	}
}
