//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// factsJS lists every fact the picture must show and does not: a text
// marked data-fact (a node's name on a pod row, a Service's ports, its
// endpoint count, a Node's IP, a lane's revision and image, a rollout's
// transition, an Ingress rule's target) that is drawn empty or cut with
// an ellipsis, and every drawn entity that should carry one and carries
// none (render.js marks them; the list of what each kind owes is here, so
// a renderer that stops drawing one fails).
const factsJS = `(() => {
  const bad = [];
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none' && !e.closest('[display=none]');
  const canvas = document.querySelector('[data-testid=canvas]');
  for (const f of canvas.querySelectorAll('[data-fact]')) {
    if (!shown(f)) continue;
    const owner = f.closest('[data-id], [data-lane]');
    const id = owner ? owner.dataset.id || owner.dataset.lane : '';
    const text = f.textContent.trim();
    if (!text) bad.push({ id, fact: f.dataset.fact, text: '(empty)' });
    else if (text.includes('…')) bad.push({ id, fact: f.dataset.fact, text });
  }
  const nodes = window.podium.store.nodes;
  const owes = (sel, fact, when = () => true) => {
    for (const g of canvas.querySelectorAll(sel)) {
      const n = nodes.get(g.dataset.id);
      if (!n || !when(n, g) || !shown(g)) continue;
      if (![...g.querySelectorAll('[data-fact="' + fact + '"]')].some(shown)) bad.push({ id: g.dataset.id, fact, text: '(not drawn)' });
    }
  };
  owes('.pod[data-id]:not(.compact)', 'node', (p) => !!p.node && nodes.has(p.node));
  owes('.box.kind-Service[data-id]', 'ports', (s) => (s.ports || []).length > 0);
  owes('.box.kind-Node[data-id]', 'ip', (n) => !!n.internalIP);
  owes('.box.kind-Ingress[data-id]', 'rule', (i) => (i.rules || []).length > 0);
  owes('.lane[data-id^="ReplicaSet/"]', 'image', (r) => (r.images || []).length > 0);
  return bad;
})()`

type missingFact struct{ ID, Fact, Text string }

// checkFacts fails the test for every fact factsJS finds missing or cut.
func checkFacts(t *testing.T, br *browser, what string) {
	t.Helper()
	for _, f := range eval[[]missingFact](br, factsJS) {
		t.Errorf("%s: %s: the %s reads %q", what, f.ID, f.Fact, f.Text)
	}
}

// TestProjectorFit (issue #14): the built-in demo, paused, seeked to every
// happening it holds (whatever the embedded recording is), at 1024×768,
// 1280×720 and 1920×1080, in English and Chinese, in presenter mode and
// out of it. At each step no text overlaps another or runs out of its box
// (checkText, overflowJS), no fact is empty, cut or missing (factsJS), and
// in presenter mode no text is under 20 px on screen and the picture fills
// the stage. Each size × language × mode is screenshotted at the step that
// draws the most (e2e/artifacts/TestProjectorFit-*); the README's and
// docs/img's presenter pictures come from the 1280×720 ones.
func TestProjectorFit(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	info, err := replayInfo(ctx, p.URL)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	steps := len(info.Happenings)
	if steps == 0 {
		t.Fatal("the built-in demo has no happenings")
	}
	t.Logf("the demo has %d happenings", steps)
	for _, size := range [][2]int64{{1024, 768}, {1280, 720}, {1920, 1080}} {
		br := newBrowser(t, true)
		if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "zh-CN"} {
			for _, presenter := range []bool{true, false} {
				mode := "dashboard"
				if presenter {
					mode = "presenter"
				}
				name := fmt.Sprintf("%dx%d-%s-%s", size[0], size[1], lang, mode)
				t.Run(name, func(t *testing.T) {
					br := br.with(t)
					q := "lang=" + lang
					if presenter {
						q += "&presenter=1"
					}
					br.open(p.URL + "/?" + q)
					br.waitJS(`window.podiumReplay !== undefined && window.podiumReplay.info.happenings.length > 0 && window.podiumPresenter !== undefined`, 20*time.Second, "the paused demo")
					most, mostAt := -1, 0
					for i := 0; i < steps; i++ {
						fitSeek(br, i)
						what := fmt.Sprintf("%s step %d (%s)", name, i, info.Happenings[i].Text)
						fitCheck(t, br, what, presenter)
						if n := eval[int](br, `document.querySelectorAll('[data-testid=canvas] [data-id]').length`); n > most {
							most, mostAt = n, i
						}
						if t.Failed() {
							br.shot(fmt.Sprintf("%s-step%02d-failed", name, i))
							return // one step's failures say enough
						}
					}
					fitSeek(br, mostAt)
					br.shot(name)
				})
			}
		}
	}
}

// fitSeek seeks the replay to happening i from the page, as its marker
// does, and waits until the page has drawn the snapshot the seek sent.
func fitSeek(br *browser, i int) {
	br.t.Helper()
	eval[bool](br, fmt.Sprintf(`(window.podiumReplay.post('seek-happening', %d), true)`, i))
	br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d && document.querySelector('[data-testid=canvas]').dataset.epoch === window.podiumReplay.info.epoch`, i),
		10*time.Second, fmt.Sprintf("happening %d drawn", i))
	// Two frames: a redraw the new layout scheduled (presenter type) is done.
	eval[bool](br, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
	br.waitJS(quietJS, 5*time.Second, "animations done")
}

// fitCheck is every check of TestProjectorFit on the page as drawn.
func fitCheck(t *testing.T, br *browser, what string, presenter bool) {
	t.Helper()
	if presenter {
		checkFit(t, br, what)
		for _, x := range eval[[]textSize](br, visibleTextJS) {
			if x.Px < 20 {
				t.Errorf("%s: %.1f px: %q (%s)", what, x.Px, x.Text, x.Cls)
			}
		}
	} else {
		checkText(t, br, what)
	}
	for _, o := range eval[[]overflow](br, overflowJS) {
		t.Errorf("%s: %s: %q (%s) overflows by %.0f px", what, o.ID, o.Text, o.Cls, o.Over)
	}
	checkFacts(t, br, what)
}
