//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// warningsJS gives the fixture's pods and the autoscaler their warnings
// the way the server sends them (warning happenings, merged by the store),
// then redraws with w pressed twice (the warnings layer off and on).
const warningsJS = `(() => {
  const s = window.podium.store;
  const w = (ref, reason, message, count, last) => ({ time: last, kind: 'warning', ref, text: reason, params: { reason, message, count: String(count), last } });
  s.apply({ type: 'delta', from: s.seq, seq: s.seq + 1, upsert: { nodes: [], edges: [] }, remove: { nodes: [], edges: [] }, happenings: [
    w('Pod/shop/db-2', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.', 4, '2026-12-01T12:10:00Z'),
    w('Pod/shop/api-5f6b7c-h8j2k', 'Failed', 'Error: configmap "api-config" not found', 7, '2026-12-01T12:09:00Z'),
    w('HorizontalPodAutoscaler/shop/web', 'FailedGetResourceMetric', 'failed to get cpu utilization: unable to get metrics for resource cpu', 2, '2026-12-01T12:11:00Z'),
  ] });
  return true;
})()`

func (b *browser) redraw() {
	b.key("w")
	b.key("w")
}

// overflowJS lists every shown text of the wave-2 boxes and Job lanes that
// pokes out of its box (by more than 1 px, on screen), or is cut to
// nothing, and every pod row whose text runs into its node chip.
const overflowJS = `(() => {
  const bad = [];
  // Across, to the pixel; up and down, within the em box's padding above
  // the ascenders and below the descenders (a text's client rect is its
  // whole em box, not its ink).
  const inside = (r, o, px) => r.left >= o.left - 1 && r.right <= o.right + 1 && r.top >= o.top - 0.3 * px && r.bottom <= o.bottom + 0.3 * px;
  const kinds = ['Job', 'CronJob', 'HorizontalPodAutoscaler', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'];
  const sel = [...kinds.map((k) => '.box.kind-' + k), '.lane[data-id^="Job/"]', '.lane[data-lane^="Job/"]', '.ghost'].map((x) => '[data-testid=canvas] ' + x).join(', ');
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none';
  for (const g of document.querySelectorAll(sel)) {
    const bg = g.querySelector('.box-bg, .lane-bg');
    if (!bg) continue;
    const o = bg.getBoundingClientRect();
    for (const tx of g.querySelectorAll('text')) {
      if (tx.closest('.warn-badge') || !shown(tx)) continue; // the badge sits on the box's top edge by design
      const r = tx.getBoundingClientRect();
      if (!tx.textContent.trim()) bad.push({ id: g.dataset.id || g.dataset.lane || '', text: '(empty)', cls: tx.getAttribute('class') || '' });
      else if (!inside(r, o, parseFloat(getComputedStyle(tx).fontSize) * Math.hypot(tx.getScreenCTM().a, tx.getScreenCTM().b))) bad.push({ id: g.dataset.id || g.dataset.lane || g.dataset.ghost || '', text: tx.textContent.slice(0, 60), cls: tx.getAttribute('class') || '', over: Math.round(Math.max(r.right - o.right, o.left - r.left, r.bottom - o.bottom, o.top - r.top)) });
    }
  }
  // A pod row's text must end before its node chip.
  for (const p of document.querySelectorAll('[data-testid=canvas] .pod[data-id]:not(.compact)')) {
    const tx = p.querySelector('.pod-name'), chip = p.querySelector('.chip');
    if (tx && chip && tx.getBoundingClientRect().right > chip.getBoundingClientRect().left + 1) bad.push({ id: p.dataset.id, text: tx.textContent.slice(0, 60), cls: 'pod-name', over: Math.round(tx.getBoundingClientRect().right - chip.getBoundingClientRect().left) });
  }
  return bad;
})()`

type overflow struct {
	ID, Text, Cls string
	Over          float64
}

// TestWave2Fit: in presenter mode at 1280×720 and 1920×1080, in English and
// Chinese, with every layer on and the warnings in, each new box's text
// fits its box, the picture fits the stage, and the Pending pod says why.
// The screenshots are the docs' (e2e/artifacts/TestWave2Fit-*).
func TestWave2Fit(t *testing.T) {
	base := wave2Podium(t)
	for _, size := range [][2]int64{{1280, 720}, {1920, 1080}} {
		for _, lang := range []string{"en", "zh-CN"} {
			t.Run(fmt.Sprintf("%dx%d-%s", size[0], size[1], lang), func(t *testing.T) {
				br := newBrowser(t, true)
				if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
					t.Fatal(err)
				}
				br.open(base + "/?presenter=1&layers=storage,config,jobs,autoscaling,warnings&lang=" + lang)
				br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live' && document.querySelector('[data-id="ConfigMap/shop/web-config"]') !== null`, 20*time.Second, "the wave-2 fixture drawn")
				eval[bool](br, warningsJS)
				br.redraw()
				br.waitJS(`document.querySelector('[data-id="Pod/shop/db-2"] [data-testid=pod-why]') !== null && document.querySelector('[data-id="HorizontalPodAutoscaler/shop/web"] [data-testid=warning-badge]') !== null`, 5*time.Second, "the warnings drawn")
				// As much of the scheduler's message as the row has room for
				// (in presenter type at 1280×720, a few words), all of it on hover.
				why := eval[[]string](br, `[document.querySelector('[data-id="Pod/shop/db-2"] [data-testid=pod-why]').textContent, document.querySelector('[data-id="Pod/shop/db-2"] title').textContent]`)
				if !strings.HasPrefix(why[0], "0/3") || !strings.Contains(why[1], "0/3 nodes are available: 3 Insufficient cpu") {
					t.Errorf("the Pending pod says %q (hover: %q), want the scheduler's message", why[0], why[1])
				}
				br.waitJS(quietJS, 5*time.Second, "animations done")
				// Presenter rows are measured in lines of presenter type, so
				// the dense fixture fits without overlaps at 1280×720 too.
				checkFit(t, br, lang)
				for _, o := range eval[[]overflow](br, overflowJS) {
					t.Errorf("%s: %q (%s) overflows by %.0f px", o.ID, o.Text, o.Cls, o.Over)
				}
				br.shot("wave2")
			})
		}
	}
}
