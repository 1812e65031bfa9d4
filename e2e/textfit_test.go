//go:build e2e

package e2e

import "testing"

// textClashJS lists, on screen, every pair of shown texts in the picture
// that overlap by more than 2 px both across and up and down, and every
// text that runs out of its own entity's box (the nearest [data-id] with a
// box or lane background). Up and down a text counts as its em box, not its
// client rect: an SVG text's client rect is the font's whole ascent+descent
// (about 1.4 em), so two lines set at 1.2 em would touch without any glyphs
// meeting.
const textClashJS = `(() => {
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[display=none]');
  // An entity's box: its own background, not one of a nested entity's.
  const bgOf = (g) => [...g.querySelectorAll('.box-bg, .lane-bg')].find((r) => r.closest('[data-id], [data-lane]') === g);
  const texts = [];
  for (const tx of document.querySelectorAll('[data-testid=canvas] text')) {
    if (!tx.textContent.trim() || !shown(tx)) continue;
    const r = tx.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const m = tx.getScreenCTM();
    const px = parseFloat(getComputedStyle(tx).fontSize) * Math.hypot(m.a, m.b);
    const pad = Math.max(0, (r.height - px) / 2);
    let owner = tx.parentElement.closest('[data-id], [data-lane]');
    while (owner && !bgOf(owner)) owner = owner.parentElement.closest('[data-id], [data-lane]');
    const id = (tx.closest('[data-id]') || {}).dataset?.id || (tx.closest('[data-lane]') || {}).dataset?.lane || '';
    texts.push({ tx, id, text: tx.textContent.trim().slice(0, 50), l: r.left, r: r.right, t: r.top + pad, b: r.bottom - pad, owner });
  }
  const bad = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      const dx = Math.min(a.r, b.r) - Math.max(a.l, b.l), dy = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (dx > 2 && dy > 2) bad.push({ what: 'overlap', a: a.id + ' ' + JSON.stringify(a.text), b: b.id + ' ' + JSON.stringify(b.text), dx: Math.round(dx), dy: Math.round(dy) });
    }
  }
  for (const a of texts) {
    // A warning badge sits on its box's top edge by design.
    if (!a.owner || a.tx.closest('.warn-badge')) continue;
    const o = bgOf(a.owner).getBoundingClientRect();
    const over = Math.max(a.r - o.right, o.left - a.l, a.b - o.bottom, o.top - a.t);
    if (over > 2) bad.push({ what: 'outside', a: a.id + ' ' + JSON.stringify(a.text), b: (a.owner.dataset.id || a.owner.dataset.lane) + ' box', dx: Math.round(over), dy: 0 });
  }
  return bad;
})()`

type textClash struct {
	What, A, B string
	DX, DY     float64
}

// checkText fails the test for every text the audience would see on top of
// another or out of its box, and returns how many there were.
func checkText(t *testing.T, br *browser, what string) int {
	t.Helper()
	return checkTextAllowing(t, br, what, 0)
}

// checkTextAllowing is checkText that lets up to knownOverlaps overlapping
// pairs pass, logged: a ratchet for a known miss, which fails as soon as
// there are more. Text out of its box always fails.
func checkTextAllowing(t *testing.T, br *browser, what string, knownOverlaps int) int {
	t.Helper()
	bad := eval[[]textClash](br, textClashJS)
	overlaps := 0
	for _, c := range bad {
		if c.What == "overlap" {
			overlaps++
		}
	}
	for _, c := range bad {
		if c.What == "overlap" && overlaps <= knownOverlaps {
			t.Logf("%s: known miss: text %s overlaps %s by %.0f×%.0f px", what, c.A, c.B, c.DX, c.DY)
		} else if c.What == "overlap" {
			t.Errorf("%s: text %s overlaps %s by %.0f×%.0f px", what, c.A, c.B, c.DX, c.DY)
		} else {
			t.Errorf("%s: text %s runs %.0f px out of its %s", what, c.A, c.DX, c.B)
		}
	}
	return len(bad)
}
