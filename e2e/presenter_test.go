//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/informers/graph"
)

// Presenter experience (issue 7): presenter mode, focus, languages, export,
// keyboard help and the latency readout, each set through the URL and keys
// and checked on the DOM and computed styles of a real Chromium.

// presenterPage opens Podium at 1280×720, the projector size of the issue,
// with query added to the namespace filter and, when acceptLang is set, that
// Accept-Language header; it waits until the page is live.
func presenterPage(t *testing.T, base, ns, query, acceptLang string, reducedMotion bool) *browser {
	t.Helper()
	br := newBrowser(t, reducedMotion)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	if acceptLang != "" {
		if _, err := chromedp.Call(br.ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(br.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": acceptLang}}); err != nil {
			t.Fatal(err)
		}
	}
	u := base + "?namespace=" + url.QueryEscape(ns)
	if query != "" {
		u += "&" + query
	}
	br.open(u)
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live' && window.podiumPresenter !== undefined`, 30*time.Second, "the page to be live")
	return br
}

// key presses one key on the page (outside any input).
func (b *browser) key(k string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(k)); err != nil {
		b.t.Fatalf("key %q: %v", k, err)
	}
}

// textSize is one visible text on screen and its rendered size.
type textSize struct {
	Px   float64 `json:"px"`
	Text string  `json:"text"`
	Cls  string  `json:"cls"`
}

// visibleTextJS lists every visible text node on screen with its on-screen
// font size: the computed font-size, times the zoom for SVG text (its
// screen CTM), smallest first.
const visibleTextJS = `(() => {
  const out = [];
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
    }
    return true;
  };
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('title, script, style, defs, option, select')) continue;
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right < 0 || r.bottom < 0 || r.left > innerWidth || r.top > innerHeight) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      px *= Math.hypot(m.a, m.b);
    }
    out.push({ px: Math.round(px * 100) / 100, text: text.slice(0, 40), cls: String(el.getAttribute('class') || el.tagName) });
  }
  return out.sort((a, b) => a.px - b.px);
})()`

// quietJS: no finite animation is running (pods fading in, captions), so
// sizes are final. Infinite ones (a spinner) do not count.
const quietJS = `document.getAnimations().filter((a) => a.playState === 'running' && a.effect && a.effect.getComputedTiming().iterations !== Infinity).length === 0`

// fitJS measures how the picture sits in the stage: inside it, and filling
// it in width or height.
const fitJS = `(() => {
  const s = document.querySelector('[data-testid=canvas]').getBoundingClientRect();
  const L = window.podium.layout, v = window.podium.view;
  const x0 = v.x, y0 = v.y, x1 = v.x + L.width * v.k, y1 = v.y + L.height * v.k;
  return { sw: s.width, sh: s.height, x0, y0, x1, y1, k: v.k, fill: Math.max((x1 - x0) / s.width, (y1 - y0) / s.height), lh: L.height };
})()`

type fitInfo struct {
	SW, SH, X0, Y0, X1, Y1, K, Fill, LH float64
}

func checkFit(t *testing.T, br *browser, what string) fitInfo {
	t.Helper()
	return checkFitAllowing(t, br, what, 0)
}

// checkFitAllowing is checkFit with checkTextAllowing's ratchet.
func checkFitAllowing(t *testing.T, br *browser, what string, knownOverlaps int) fitInfo {
	t.Helper()
	f := eval[fitInfo](br, fitJS)
	const tol = 2
	if f.X0 < -tol || f.Y0 < -tol || f.X1 > f.SW+tol || f.Y1 > f.SH+tol {
		t.Errorf("%s: picture [%.0f,%.0f]-[%.0f,%.0f] overflows the %.0f×%.0f stage", what, f.X0, f.Y0, f.X1, f.Y1, f.SW, f.SH)
	}
	if f.Fill < 0.9 {
		t.Errorf("%s: picture fills %.0f%% of the stage, want it fitted (≥ 90%% in width or height): %+v", what, f.Fill*100, f)
	}
	checkTextAllowing(t, br, what, knownOverlaps)
	return f
}

func TestPresenterMode(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	createApp(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	base := startPodium(t, lab.Kubeconfig(), ns)
	br := presenterPage(t, base, ns, "presenter=1&lang=en", "", false)
	pods := fmt.Sprintf(`.pod[data-id^="Pod/%s/web-"][data-state="ready"]`, ns)
	br.waitJS(countJS(pods)+` === 2 && `+quietJS, 30*time.Second, "two ready pods, drawn and still")

	t.Run("the chrome is hidden; the picture fills the screen", func(t *testing.T) {
		br := br.with(t)
		for _, sel := range []string{"header.top", "footer.ticker", "[data-testid=details]", "[data-testid=namespace-picker]"} {
			if d := eval[string](br, `getComputedStyle(document.querySelector('`+sel+`')).display`); d != "none" {
				if vis := eval[bool](br, `(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`); vis {
					t.Errorf("%s is shown in presenter mode (display %s)", sel, d)
				}
			}
		}
		if h := eval[float64](br, `document.querySelector('[data-testid=stage]').getBoundingClientRect().height`); h < 700 {
			t.Errorf("stage is %.0f px high, want the whole 720 px window", h)
		}
		checkFit(t, br, "2 replicas")
		if !strings.Contains(eval[string](br, `location.search`), "presenter=1") {
			t.Error("presenter mode is not in the URL")
		}
	})

	t.Run("at 1280×720 the smallest text on screen is at least 20 px", func(t *testing.T) {
		br := br.with(t)
		texts := eval[[]textSize](br, visibleTextJS)
		if len(texts) < 10 {
			t.Fatalf("only %d texts on screen: %+v", len(texts), texts)
		}
		small := 0
		for _, x := range texts {
			if x.Px < 20 {
				small++
				t.Errorf("%.1f px: %q (%s)", x.Px, x.Text, x.Cls)
			}
		}
		t.Logf("%d texts, smallest %.1f px (%q), largest %.1f px", len(texts), texts[0].Px, texts[0].Text, texts[len(texts)-1].Px)
		// Thick strokes: edges and box outlines are drawn wider than on the page.
		if w := eval[float64](br, `parseFloat(getComputedStyle(document.querySelector('.edge path')).strokeWidth)`); w < 4 {
			t.Errorf("edge stroke %.1f, want ≥ 4 in presenter mode", w)
		}
		if bg := eval[string](br, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(0, 0, 0)" {
			t.Errorf("background %s, want black for contrast", bg)
		}
		br.shot("presenter-en")
	})

	t.Run("scaling up: a large caption appears, fades and goes; the picture refits", func(t *testing.T) {
		br := br.with(t)
		before := checkFit(t, br, "before scaling")
		updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(7)) })
		br.waitJS(`[...document.querySelectorAll('[data-testid=captions] li')].some((li) => li.dataset.kind === 'scaled')`, 20*time.Second, "a caption for the scale")
		c := eval[map[string]any](br, `(() => { const li = [...document.querySelectorAll('[data-testid=captions] li')].find((l) => l.dataset.kind === 'scaled'); const cs = getComputedStyle(li); return { text: li.textContent, px: parseFloat(cs.fontSize), anim: cs.animationName }; })()`)
		if px, _ := c["px"].(float64); px < 20 {
			t.Errorf("caption %q is %.0f px, want ≥ 20", c["text"], px)
		}
		if !strings.Contains(fmt.Sprint(c["text"]), "2 → 7") {
			t.Errorf("caption %q does not say 2 → 7", c["text"])
		}
		if c["anim"] != "caption-life" {
			t.Errorf("caption animation %v, want the caption-life fade", c["anim"])
		}
		br.waitJS(countJS(pods)+` === 7`, 30*time.Second, "seven ready pods")
		br.shot("presenter-en-scaled")
		br.waitJS(`![...document.querySelectorAll('[data-testid=captions] li')].some((li) => li.dataset.kind === 'scaled')`, 12*time.Second, "the caption to go")
		br.waitJS(quietJS, 10*time.Second, "animations to end")
		checkFit(t, br, "7 replicas")
		// A second app makes the picture taller than the screen at this
		// zoom: it must refit smaller, and the text grow to stay readable.
		createApp(t, cs, ns, "api", 4)
		br.waitJS(countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/api-"][data-state="ready"]`, ns))+` === 4 && `+quietJS, 30*time.Second, "four api pods")
		after := checkFit(t, br, "two apps")
		if after.K >= before.K {
			t.Errorf("zoom %.3f → %.3f: the taller picture did not make it refit smaller", before.K, after.K)
		}
		for _, x := range eval[[]textSize](br, visibleTextJS) {
			if x.Px < 20 {
				t.Errorf("after refit: %.1f px: %q (%s)", x.Px, x.Text, x.Cls)
			}
		}
		br.shot("presenter-en-two-apps")
	})

	t.Run("p leaves presenter mode and comes back", func(t *testing.T) {
		br := br.with(t)
		br.key("p")
		br.waitJS(`document.body.dataset.presenter === 'false' && getComputedStyle(document.querySelector('header.top')).display !== 'none' && !location.search.includes('presenter=')`, 5*time.Second, "presenter mode off")
		br.key("p")
		br.waitJS(`document.body.dataset.presenter === 'true' && location.search.includes('presenter=1')`, 5*time.Second, "presenter mode on")
	})

	t.Run("zh-CN: the same screen in Chinese", func(t *testing.T) {
		br := br.with(t)
		br.key("l")
		br.waitJS(`document.documentElement.lang === 'zh-CN' && [...document.querySelectorAll('.col-head')].some((e) => e.textContent === '工作负载')`, 5*time.Second, "Chinese column headings")
		if err := cs.AppsV1().Deployments(ns).Delete(apiCtx(t), "api", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(4)) })
		br.waitJS(`[...document.querySelectorAll('[data-testid=captions] li')].some((li) => li.textContent.includes('扩缩容 7 → 4'))`, 20*time.Second, "a Chinese caption")
		br.waitJS(countJS(`.pod[data-id]`)+` === 4`, 30*time.Second, "four pods left")
		br.waitJS(`document.getAnimations().filter((a) => a.playState === 'running' && a.animationName !== 'caption-life' && a.effect && a.effect.getComputedTiming().iterations !== Infinity).length === 0`, 10*time.Second, "animations other than the caption to end")
		for _, x := range eval[[]textSize](br, visibleTextJS) {
			if x.Px < 20 {
				t.Errorf("zh-CN: %.1f px: %q (%s)", x.Px, x.Text, x.Cls)
			}
		}
		// Shrinking refits too: the picture fills the screen again.
		checkFit(t, br, "after scaling down")
		br.shot("presenter-zh")
	})
}

func TestPresenterFocusDuringRollingUpdate(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	createApp(t, cs, ns, "web", 3)
	createApp(t, cs, ns, "other", 2)
	appsSettled(t, cs, ns, "web", "other")
	base := startPodium(t, lab.Kubeconfig(), ns)
	dep := "Deployment/" + ns + "/web"
	br := presenterPage(t, base, ns, "focus="+url.QueryEscape(dep), "", true)
	br.waitJS(countJS(`.pod[data-state="ready"]`)+` === 5 && document.body.dataset.focus === `+jsString(dep), 30*time.Second, "five pods, focused on web")

	// state samples the focus: which drawn entities are lit, and how the
	// rest looks.
	state := `(() => {
  const ns = ` + jsString(ns) + `;
  const pods = [...document.querySelectorAll('.pod[data-id]')];
  const web = pods.filter((p) => p.dataset.id.startsWith('Pod/' + ns + '/web-'));
  const other = pods.filter((p) => p.dataset.id.startsWith('Pod/' + ns + '/other-'));
  const lanes = [...document.querySelectorAll('.lane[data-id^="ReplicaSet/' + ns + '/web-"]')].filter((l) => Number(l.dataset.pods) > 0);
  const lit = (sel) => { const e = document.querySelector(sel); return !!e && e.classList.contains('focus'); };
  return {
    rolling: lanes.length >= 2,
    webPods: web.length, webLit: web.filter((p) => p.classList.contains('focus')).length,
    otherPods: other.length, otherLit: other.filter((p) => p.classList.contains('focus')).length,
    otherOpacity: Math.max(0, ...other.map((p) => Number(getComputedStyle(p).opacity))),
    lanesLit: lanes.every((l) => l.classList.contains('focus')),
    svc: lit('[data-id="Service/' + ns + '/web"]'), ing: lit('[data-id="Ingress/' + ns + '/web"]'),
    otherSvc: lit('[data-id="Service/' + ns + '/other"]'), dep: lit('[data-id="Deployment/' + ns + '/web"]'),
    nodesLit: web.every((p) => !p.dataset.node || lit('[data-id="' + p.dataset.node + '"]')),
    chip: document.querySelector('[data-testid=focus-chip]').textContent,
  };
})()`
	type sample struct {
		Rolling                                     bool
		WebPods, WebLit, OtherPods, OtherLit        int
		OtherOpacity                                float64
		LanesLit, Svc, Ing, OtherSvc, Dep, NodesLit bool
		Chip                                        string
	}
	check := func(t *testing.T, s sample, when string) {
		t.Helper()
		if s.WebPods == 0 || s.WebLit != s.WebPods {
			t.Errorf("%s: %d of %d web pods in focus", when, s.WebLit, s.WebPods)
		}
		if s.OtherPods == 0 || s.OtherLit != 0 || s.OtherOpacity > 0.5 {
			t.Errorf("%s: other pods %d, %d lit, opacity %.2f: want all dimmed", when, s.OtherPods, s.OtherLit, s.OtherOpacity)
		}
		if !s.LanesLit || !s.Svc || !s.Ing || !s.Dep || !s.NodesLit || s.OtherSvc {
			t.Errorf("%s: chain lit wrong: %+v", when, s)
		}
		if !strings.Contains(s.Chip, "web") {
			t.Errorf("%s: focus chip says %q", when, s.Chip)
		}
	}
	check(t, eval[sample](br, state), "before the update")

	t.Run("rolling update: both lanes and every pod of web stay in focus", func(t *testing.T) {
		br := br.with(t)
		updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v2" })
		mid := 0
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			s := eval[sample](br, state)
			if s.Rolling {
				mid++
				check(t, s, fmt.Sprintf("mid-rollout sample %d", mid))
				if mid == 1 {
					br.shot("focus-rollout")
				}
			} else if mid > 0 {
				break
			}
			if t.Failed() {
				return
			}
			time.Sleep(50 * time.Millisecond) // sampling interval, not a wait for a condition
		}
		if mid == 0 {
			t.Fatal("never saw the rollout with two lanes holding pods")
		}
		appsSettled(t, cs, ns, "web", "other")
		br.waitJS(countJS(`.pod[data-state="ready"]`)+` === 5 && `+countJS(`.pod[data-id]`)+` === 5`, 30*time.Second, "the rollout to finish")
		check(t, eval[sample](br, state), "after the rollout")
		t.Logf("%d mid-rollout samples", mid)
	})

	t.Run("the picture is fitted to the focused part", func(t *testing.T) {
		br := br.with(t)
		r := eval[map[string]float64](br, `(() => { const b = document.querySelector(`+jsString(sel("data-id", dep))+`).getBoundingClientRect(); const s = document.querySelector('[data-testid=canvas]').getBoundingClientRect(); return { l: b.left - s.left, r: s.right - b.right, t: b.top - s.top, b: s.bottom - b.bottom, w: b.width, sw: s.width }; })()`)
		if r["l"] < -2 || r["r"] < -2 || r["t"] < -2 || r["b"] < -2 {
			t.Errorf("the focused Deployment is not all on screen: %v", r)
		}
	})

	t.Run("presenter mode shows only the chain, fitted, and every text ≥ 20 px", func(t *testing.T) {
		br := br.with(t)
		br.key("p")
		br.waitJS(`document.body.dataset.presenter === 'true' && `+quietJS, 10*time.Second, "presenter mode")
		hidden := eval[map[string]float64](br, `(() => {
  const ns = `+jsString(ns)+`;
  const shown = (e) => !!e && getComputedStyle(e).display !== 'none';
  const other = [...document.querySelectorAll('.pod[data-id^="Pod/' + ns + '/other-"]')];
  const web = [...document.querySelectorAll('.pod[data-id^="Pod/' + ns + '/web-"]')];
  return { otherShown: other.filter(shown).length, webShown: web.filter(shown).length, web: web.length,
    otherSvc: shown(document.querySelector('[data-id="Service/' + ns + '/other"]')) ? 1 : 0 };
})()`)
		if hidden["otherShown"] != 0 || hidden["otherSvc"] != 0 || hidden["web"] == 0 || hidden["webShown"] != hidden["web"] {
			t.Errorf("presenter focus shows %v: want web's chain only", hidden)
		}
		r := eval[map[string]float64](br, `(() => { const b = document.querySelector(`+jsString(sel("data-id", dep))+`).getBoundingClientRect(); const s = document.querySelector('[data-testid=canvas]').getBoundingClientRect(); return { l: b.left - s.left, r: s.right - b.right, t: b.top - s.top, b: s.bottom - b.bottom }; })()`)
		if r["l"] < -2 || r["r"] < -2 || r["t"] < -2 || r["b"] < -2 {
			t.Errorf("the focused Deployment is not all on screen: %v", r)
		}
		for _, x := range eval[[]textSize](br, visibleTextJS) {
			if x.Px < 20 {
				t.Errorf("%.1f px: %q (%s)", x.Px, x.Text, x.Cls)
			}
		}
		br.shot("presenter-focus")
		br.key("p")
		br.waitJS(`document.body.dataset.presenter === 'false'`, 5*time.Second, "presenter mode off")
	})

	t.Run("double-click on a namespace's title focuses the namespace", func(t *testing.T) {
		br := br.with(t)
		eval[bool](br, `(document.querySelector('[data-testid=ns-band] .band-title').dispatchEvent(new MouseEvent('dblclick', { bubbles: true })), true)`)
		br.waitJS(`document.body.dataset.focus === 'Namespace/' + `+jsString(ns)+` && `+countJS(`.pod.focus`)+` === 5`, 5*time.Second, "the namespace in focus")
	})

	t.Run("double-click focuses another Deployment; Escape clears", func(t *testing.T) {
		br := br.with(t)
		other := "Deployment/" + ns + "/other"
		eval[bool](br, `(() => { document.querySelector(`+jsString(sel("data-id", other)+" .box-bg")+`).dispatchEvent(new MouseEvent('dblclick', { bubbles: true })); return true; })()`)
		br.waitJS(`document.body.dataset.focus === `+jsString(other)+` && new URL(location.href).searchParams.get('focus') === `+jsString(other), 5*time.Second, "focus on other")
		br.key(kb.Escape)
		br.waitJS(`!document.querySelector('[data-testid=canvas]').classList.contains('has-focus') && !new URL(location.href).searchParams.has('focus')`, 5*time.Second, "focus cleared")
	})

	t.Run("a focus that is not in the graph says so", func(t *testing.T) {
		br := presenterPage(t, base, ns, "focus=Deployment/"+ns+"/nope", "", true)
		br.waitJS(`document.querySelector('[data-testid=focus-chip]').dataset.state === 'missing'`, 10*time.Second, "the chip to say missing")
		if eval[bool](br, `document.querySelector('[data-testid=canvas]').classList.contains('has-focus')`) {
			t.Error("a missing focus dims the picture")
		}
	})
}

// appsSettled waits until every named Deployment of ns has rolled out and
// the namespace holds exactly their pods (settled() expects one app alone).
func appsSettled(t *testing.T, cs kubernetes.Interface, ns string, names ...string) {
	t.Helper()
	labtest.Eventually(t, 90*time.Second, func(ctx context.Context) error {
		total := int32(0)
		for _, name := range names {
			d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			want, s := *d.Spec.Replicas, d.Status
			if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != want || s.Replicas != want || s.ReadyReplicas != want || s.AvailableReplicas != want {
				return fmt.Errorf("%s rolling: %+v", name, s)
			}
			total += want
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(pods.Items) != int(total) {
			return fmt.Errorf("%d pods, want %d", len(pods.Items), total)
		}
		return nil
	})
}

func TestPresenterLanguages(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	createApp(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	base := startPodium(t, lab.Kubeconfig(), ns)

	t.Run("Accept-Language zh-CN: the page is Chinese, and l switches to English, kept in the URL", func(t *testing.T) {
		br := presenterPage(t, base, ns, "", "zh-CN,zh;q=0.9,en;q=0.5", true)
		br.waitJS(`document.documentElement.lang === 'zh-CN' && document.querySelector('[data-testid=banner] .banner-text').textContent === '实时' && document.querySelector('.kind-tag') !== null`, 15*time.Second, "a Chinese page with the Deployment drawn")
		zh := eval[map[string]string](br, `({ heads: [...document.querySelectorAll('.col-head')].map((e) => e.textContent).join('|'), ticker: document.querySelector('[data-testid=ticker] h2').textContent, search: document.querySelector('[data-testid=search]').placeholder, kind: document.querySelector('.kind-tag').textContent })`)
		if zh["heads"] != "INGRESS|SERVICE|工作负载|节点" || zh["ticker"] != "动态" || !strings.Contains(zh["search"], "搜索") || zh["kind"] != "DEPLOYMENT" {
			t.Errorf("Chinese page shows %v", zh)
		}
		// The screenshots show real glyphs: a CJK font is installed and used
		// (a missing one draws empty boxes, which no DOM check would notice).
		// Draw 工 with the page's fonts and compare it with a code point no
		// font has (drawn as the fallback box) and with nothing.
		glyphs := eval[bool](br, `(() => {
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const g = c.getContext('2d');
  const draw = (s) => { g.clearRect(0, 0, 48, 48); g.font = '36px ' + getComputedStyle(document.body).fontFamily; g.fillText(s, 4, 40); return c.toDataURL(); };
  const han = draw('工'), none = draw('\u{10FFFD}'), blank = draw(' ');
  return han !== none && han !== blank;
})()`)
		if !glyphs {
			t.Error("Chinese draws as empty boxes: no CJK font (make deps-e2e installs fonts-noto-cjk)")
		}
		updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(3)) })
		br.waitJS(`[...document.querySelectorAll('[data-testid=ticker] li[data-kind=scaled] span')].some((s) => s.textContent.includes('扩缩容 2 → 3'))`, 20*time.Second, "a Chinese happening")
		br.waitJS(quietJS, 5*time.Second, "animations done")
		checkText(t, br, "zh-CN")
		br.shot("zh-CN")

		br.key("l")
		br.waitJS(`document.documentElement.lang === 'en' && new URL(location.href).searchParams.get('lang') === 'en' && document.querySelector('[data-testid=banner] .banner-text').textContent === 'Live'`, 5*time.Second, "English after l")
		en := eval[map[string]string](br, `({ heads: [...document.querySelectorAll('.col-head')].map((e) => e.textContent).join('|'), ticker: document.querySelector('[data-testid=ticker] h2').textContent, happening: document.querySelector('[data-testid=ticker] li[data-kind=scaled] span').textContent, legend: document.querySelector('[data-testid=legend] li').textContent })`)
		if en["heads"] != "INGRESS|SERVICE|WORKLOADS|NODES" || en["ticker"] != "Happenings" || !strings.Contains(en["happening"], "scaled 2 → 3") || en["legend"] != "Running, ready" {
			t.Errorf("after l the page shows %v", en)
		}
		if n := eval[int](br, `[...document.querySelectorAll('body *')].filter((e) => e.children.length === 0 && e.getClientRects().length > 0 && /[\u4e00-\u9fff]/.test(e.textContent) && e.getAttribute('data-testid') !== 'lang-toggle').length`); n != 0 {
			t.Errorf("%d elements still show Chinese after switching to English", n)
		}
		// The URL keeps the choice over the header: a reload stays English.
		br.open(eval[string](br, `location.href`))
		br.waitJS(`document.documentElement.lang === 'en' && document.querySelector('[data-testid=banner] .banner-text').textContent === 'Live'`, 15*time.Second, "English after a reload, despite Accept-Language zh-CN")
	})
}

// downloads makes the browser save downloads into dir.
func (b *browser) downloads(dir string) {
	b.t.Helper()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		b.t.Fatal(err)
	}
}

// waitFile polls dir for a finished download ending in ext.
func waitFile(t *testing.T, dir, ext string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
		if len(m) == 1 {
			if st, err := os.Stat(m[0]); err == nil && st.Size() > 0 {
				return m[0]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s download in %s after %v", ext, dir, d)
	return ""
}

// xmlIDs parses an SVG document and returns its sorted data-id values.
func xmlIDs(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var ids []string
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Space + " " + se.Name.Local
			}
			for _, a := range se.Attr {
				if a.Name.Local == "data-id" {
					ids = append(ids, a.Value)
				}
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	sort.Strings(ids)
	return ids
}

func TestPresenterExport(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	createApp(t, cs, ns, "web", 3)
	settled(t, cs, ns, "web", false)
	base := startPodium(t, lab.Kubeconfig(), ns)
	br := presenterPage(t, base, ns, "lang=en", "", true)
	br.waitJS(countJS(`.pod[data-state="ready"]`)+` === 3`, 30*time.Second, "three ready pods")
	drawnPods := eval[[]string](br, `[...document.querySelectorAll('.pod[data-id]')].map((p) => p.dataset.id).sort()`)

	t.Run("SVG download: well-formed, every pod, styles inlined", func(t *testing.T) {
		br := br.with(t)
		dir := t.TempDir()
		br.downloads(dir)
		eval[bool](br, `(document.querySelector('[data-testid=export-svg]').click(), true)`)
		f := waitFile(t, dir, ".svg", 15*time.Second)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ids := xmlIDs(t, b)
		for _, p := range drawnPods {
			if i := sort.SearchStrings(ids, p); i == len(ids) || ids[i] != p {
				t.Errorf("%s is on screen but not in the SVG", p)
			}
		}
		if !bytes.Contains(b, []byte("fill:")) || !bytes.Contains(b, []byte("viewBox=")) {
			t.Error("the SVG has no inlined styles or no viewBox")
		}
		if !strings.HasPrefix(filepath.Base(f), "podium-") {
			t.Errorf("file name %s", filepath.Base(f))
		}
		_ = os.MkdirAll("artifacts", 0o755)
		_ = os.WriteFile(filepath.Join("artifacts", "presenter-export.svg"), b, 0o644)
	})

	t.Run("PNG download: a real PNG of the picture", func(t *testing.T) {
		br := br.with(t)
		dir := t.TempDir()
		br.downloads(dir)
		eval[bool](br, `(document.querySelector('[data-testid=export-png]').click(), true)`)
		f := waitFile(t, dir, ".png", 20*time.Second)
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		img, err := png.Decode(fh)
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		L := eval[map[string]float64](br, `({ w: window.podium.layout.width, h: window.podium.layout.height })`)
		if b := img.Bounds(); b.Dx() < int(L["w"]) || b.Dy() < int(L["h"]) {
			t.Errorf("PNG is %v, want at least the layout's %v×%v", b.Size(), L["w"], L["h"])
		}
		// Not blank: a grid of samples finds the background, boxes, text and
		// the ready green of the pods.
		colours := map[[3]uint32]bool{}
		green := false
		for y := 0; y < img.Bounds().Dy(); y += 3 {
			for x := 0; x < img.Bounds().Dx(); x += 3 {
				r, g, b, _ := img.At(x, y).RGBA()
				colours[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
				green = green || (g>>8 > 180 && r>>8 < 120 && b>>8 < 180) // --ready #3ddc97
			}
		}
		if len(colours) < 20 || !green {
			t.Errorf("PNG looks blank: %d colours, ready green found %v", len(colours), green)
		}
		_ = os.WriteFile(filepath.Join("artifacts", "presenter-export.png"), mustRead(t, f), 0o644)
	})

	t.Run("GET /api/graph.svg: well-formed, the node ids of /api/graph", func(t *testing.T) {
		for _, q := range []string{"?namespace=" + ns, "?namespace=" + ns + "&focus=" + url.QueryEscape("Deployment/"+ns+"/web")} {
			// The same snapshot: the graph may move on between the two
			// requests (a status update of the lab's), so ask for both again
			// until /api/graph's seq is the SVG's.
			var got, want []string
			labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
				svg, seq, err := getSVG(ctx, base+"api/graph.svg"+q)
				if err != nil {
					return err
				}
				snap, err := getGraph(ctx, base+"api/graph?namespace="+ns)
				if err != nil {
					return err
				}
				if fmt.Sprint(snap.Seq) != seq {
					return fmt.Errorf("the SVG is at seq %s, /api/graph at %d", seq, snap.Seq)
				}
				got, want = xmlIDs(t, svg), nil
				for _, n := range snap.Nodes {
					want = append(want, n.ID)
				}
				return nil
			})
			sort.Strings(want)
			if strings.Contains(q, "focus") {
				if len(got) != len(want) {
					t.Errorf("focused SVG names %d ids, graph has %d: focus dims, it must not drop", len(got), len(want))
				}
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("SVG ids %v\ngraph ids %v", got, want)
			}
		}
	})
}

// getSVG fetches an /api/graph.svg address and the seq of the graph drawn.
func getSVG(ctx context.Context, u string) (body []byte, seq string, err error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml") {
		return nil, "", fmt.Errorf("%s: %d %s: %.200s", u, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	seq = resp.Header.Get("X-Podium-Seq")
	if seq == "" {
		return nil, "", fmt.Errorf("%s: no X-Podium-Seq header", u)
	}
	return body, seq, nil
}

// getGraph fetches an /api/graph address.
func getGraph(ctx context.Context, u string) (graph.Snapshot, error) {
	var snap graph.Snapshot
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return snap, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return snap, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return snap, json.NewDecoder(resp.Body).Decode(&snap)
}

func mustRead(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPresenterKeyboardHelpAndLatency(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	createApp(t, cs, ns, "web", 1)
	settled(t, cs, ns, "web", false)
	base := startPodium(t, lab.Kubeconfig(), ns)
	br := presenterPage(t, base, ns, "lang=en", "", true)

	t.Run("? opens the help with every shortcut; Esc closes it", func(t *testing.T) {
		br := br.with(t)
		br.key("?")
		br.waitJS(`(() => { const h = document.querySelector('[data-testid=help]'); return !h.hidden && getComputedStyle(h).display !== 'none'; })()`, 5*time.Second, "the help")
		rows := eval[[]string](br, `[...document.querySelectorAll('[data-testid=help] dt')].map((d) => d.textContent + ' ' + d.nextElementSibling.textContent)`)
		joined := strings.Join(rows, "\n")
		for _, want := range []string{"? Show or hide this help", "p Presenter mode", "f Fit", "/ Search", "l Switch language", "t Light or dark theme", "← → Previous / next happening"} {
			if !strings.Contains(joined, want) {
				t.Errorf("help lacks %q:\n%s", want, joined)
			}
		}
		if px := eval[float64](br, `parseFloat(getComputedStyle(document.querySelector('[data-testid=help] dd')).fontSize)`); px < 18 {
			t.Errorf("help text is %.0f px", px)
		}
		br.shot("help")
		br.key(kb.Escape)
		br.waitJS(`document.querySelector('[data-testid=help]').hidden`, 5*time.Second, "the help to close")
	})

	t.Run("t, f and / do what the help says", func(t *testing.T) {
		br := br.with(t)
		theme := eval[string](br, `document.documentElement.dataset.theme`)
		br.key("t")
		br.waitJS(`document.documentElement.dataset.theme !== `+jsString(theme), 5*time.Second, "the theme to change")
		br.key("t")
		eval[bool](br, `(window.podium.view.k = 0.2, document.querySelector('[data-testid=zoom-in]').click(), true)`)
		br.key("f")
		br.waitJS(`Math.abs(window.podium.view.k - 0.25) > 0.01`, 5*time.Second, "f to refit")
		br.key("/")
		br.waitJS(`document.activeElement === document.querySelector('[data-testid=search]')`, 5*time.Second, "/ to focus the search")
		// (The key event also types the character into the field.)
		eval[bool](br, `(() => { const s = document.activeElement; s.value = ''; s.dispatchEvent(new Event('input')); s.blur(); return true; })()`)
	})

	t.Run("d shows the latency readout, which measures a change", func(t *testing.T) {
		br := br.with(t)
		br.key("d")
		br.waitJS(`!document.querySelector('[data-testid=latency]').hidden && location.search.includes('latency=1')`, 5*time.Second, "the readout")
		updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(3)) })
		br.waitJS(`Number(document.querySelector('[data-testid=latency-value]').dataset.count) > 0 && Number(document.querySelector('[data-testid=latency-rate]').dataset.rate) > 0`, 20*time.Second, "latency samples and an event rate")
		v := eval[map[string]string](br, `({ p50: document.querySelector('[data-testid=latency-value]').dataset.p50, text: document.querySelector('[data-testid=latency]').textContent })`)
		var p50 float64
		if _, err := fmt.Sscan(v["p50"], &p50); err != nil || p50 < 0 || p50 > 2000 {
			t.Errorf("server → paint p50 = %q ms, want a figure under 2 s on one machine (%s)", v["p50"], v["text"])
		}
		t.Logf("latency readout: %s", v["text"])
		br.shot("latency")
	})
}

// pausedDemo starts the built-in demo paused, without its lesson (the arrow
// keys step through the happenings then), and opens it at 1280×720, the
// projector size, with query.
func pausedDemo(t *testing.T, query string) *browser {
	t.Helper()
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused", "--no-lesson")
	br := newBrowser(t, true)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	br.open(p.URL + "/?" + query)
	return br
}

// TestPresenterReplayArrows: during a replay (the built-in demo), the arrow
// keys step through the happenings, in presenter mode too, where the replay
// bar is hidden; each step shows its happening as a caption.
func TestPresenterReplayArrows(t *testing.T) {
	br := pausedDemo(t, "presenter=1&lang=zh-CN")
	br.waitJS(`window.podiumReplay !== undefined && window.podiumReplay.info.happenings.length > 3 && window.podiumReplay.info.playing === false`, 20*time.Second, "a paused replay")
	if d := eval[string](br, `getComputedStyle(document.querySelector('[data-testid=replay]')).display`); d != "none" {
		t.Errorf("the replay bar shows in presenter mode (display %s)", d)
	}
	at := func() int {
		return int(eval[float64](br, `Number(document.querySelector('[data-testid=replay]').dataset.happening)`))
	}
	start := at()
	br.key(kb.ArrowRight)
	br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d`, start+1), 10*time.Second, "→ to step to the next happening")
	br.key(kb.ArrowRight)
	br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d`, start+2), 10*time.Second, "→ again")
	br.key(kb.ArrowLeft)
	br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d`, start+1), 10*time.Second, "← to step back")
	br.waitJS(`document.querySelectorAll('[data-testid=captions] li').length > 0 && [...document.querySelectorAll('[data-testid=captions] li')].every((li) => /[\u4e00-\u9fff]/.test(li.textContent))`, 10*time.Second, "Chinese captions for the happenings stepped to")
	br.shot("replay-step-zh")
}

// TestPresenterScreenshots captures presenter mode in English and zh-CN on
// the built-in demo in the middle of its rollback (two ReplicaSet lanes), at
// 1280×720, with the step's caption: the README's pictures come from here
// (docs/img/presenter-en.png, presenter-zh.png). Each must also keep every
// text at 20 px or more.
func TestPresenterScreenshots(t *testing.T) {
	br := pausedDemo(t, "presenter=1&lang=en")
	br.waitJS(`window.podiumReplay !== undefined && window.podiumReplay.info.happenings.length > 3`, 20*time.Second, "the replay")
	idx := int(eval[float64](br, `window.podiumReplay.info.happenings.findIndex((h) => h.kind === 'rollout' && h.text.includes('revision 2 → 3'))`))
	if idx < 1 {
		t.Fatalf("the demo has no 'revision 2 → 3' happening after the first")
	}
	rsPrefix := eval[string](br, fmt.Sprintf(`window.podiumReplay.info.happenings[%d].ref.replace(/^Deployment\//, 'ReplicaSet/') + '-'`, idx))
	lanes := fmt.Sprintf(`[...document.querySelectorAll(%s)].filter((l) => l.dataset.pods !== '0').length === 2`, jsString(fmt.Sprintf(".lane[data-id^=%q]", rsPrefix)))
	// Happenings of one delta share a time, and the bar shows the last of
	// them: step from the happening before the rollback's delta, and land
	// on the last happening of that delta.
	shown := func(i int) int {
		return int(eval[float64](br, fmt.Sprintf(`(() => { const hs = window.podiumReplay.info.happenings; return hs.filter((h) => h.time <= hs[%d].time + 1e-6).length - 1; })()`, i)))
	}
	before := int(eval[float64](br, fmt.Sprintf(`(() => { const hs = window.podiumReplay.info.happenings; return hs.findIndex((h) => h.frame === hs[%d].frame) - 1; })()`, idx)))
	if before < 0 {
		t.Fatalf("no happening before the rollback's delta")
	}
	at := shown(idx)
	for _, lang := range []string{"en", "zh-CN"} {
		if eval[string](br, `document.documentElement.lang`) != lang {
			br.key("l")
			br.waitJS(`document.documentElement.lang === `+jsString(lang), 5*time.Second, "language "+lang)
		}
		// Step onto the rollback with →, so it is captioned as in a talk.
		eval[bool](br, fmt.Sprintf(`(window.podiumReplay.post('seek-happening', %d), true)`, before))
		br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d`, shown(before)), 10*time.Second, "the step before the rollback")
		eval[bool](br, `([...document.querySelectorAll('[data-testid=captions] li')].forEach((li) => li.remove()), true)`)
		br.key(kb.ArrowRight)
		br.waitJS(fmt.Sprintf(`Number(document.querySelector('[data-testid=replay]').dataset.happening) === %d && %s && document.querySelector('[data-testid=captions] li[data-kind=' + window.podiumReplay.info.happenings[%d].kind + ']') !== null`, at, lanes, at), 20*time.Second, "the rollback, two lanes and its caption")
		br.waitJS(quietJS+` || true`, time.Second, "")
		for _, x := range eval[[]textSize](br, visibleTextJS) {
			if x.Px < 20 {
				t.Errorf("%s: %.1f px: %q (%s)", lang, x.Px, x.Text, x.Cls)
			}
		}
		checkText(t, br, lang)
		br.shot("readme-presenter-" + lang)
	}
}
