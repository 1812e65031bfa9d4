//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The server's Content-Security-Policy admits no inline style (issue 11):
// these tests run the page, the replay bar, presenter mode and the exports of
// the built-in demo, and a /api/graph.svg file opened on its own, in a real
// Chromium, and fail on any violation the browser reports.

// cspWatch collects the CSP violations of a browser tab: the
// securitypolicyviolation events of every document (a script run before
// each one's own) and the browser's console messages about the CSP, which
// also cover documents no script reaches.
type cspWatch struct {
	br *browser
	mu sync.Mutex
	lg []string
}

// cspEventsJS records each violation in window.__csp, before the page runs.
const cspEventsJS = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.effectiveDirective + ' refused ' + (e.blockedURI || '?') + ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + JSON.stringify(e.sample || ''));
}, true);`

func watchCSP(t *testing.T, br *browser) *cspWatch {
	t.Helper()
	w := &cspWatch{br: br}
	if _, err := chromedp.Call(br.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: cspEventsJS}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(br.ctx)
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") {
				w.mu.Lock()
				w.lg = append(w.lg, m.Text)
				w.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return w
}

// violations takes every violation seen since the last call: the current
// document's events, then the console's. It reports a missing event
// recorder, since then no event could have been seen.
func (w *cspWatch) violations() []string {
	w.br.t.Helper()
	ev := eval[[]string](w.br, `Array.isArray(window.__csp) ? window.__csp.splice(0) : ['the violation recorder did not run in this document']`)
	w.mu.Lock()
	defer w.mu.Unlock()
	ev = append(ev, w.lg...)
	w.lg = nil
	return ev
}

// podShapes counts the circles and rects of pods (g.pod with a data-id) in
// an SVG file, and those of them with no class whose rule sets a fill.
func podShapes(t *testing.T, doc []byte, rules map[string]string) (shapes, unfilled int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var inPod []bool // per open element: inside a pod
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return shapes, unfilled
		}
		if err != nil {
			t.Fatalf("malformed SVG: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			pod := len(inPod) > 0 && inPod[len(inPod)-1]
			var class string
			id := false
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "class":
					class = a.Value
				case "data-id":
					id = true
				}
			}
			if tok.Name.Local == "g" && id && slices.Contains(strings.Fields(class), "pod") {
				pod = true
			}
			if pod && (tok.Name.Local == "circle" || tok.Name.Local == "rect") {
				shapes++
				filled := false
				for _, c := range strings.Fields(class) {
					filled = filled || regexp.MustCompile(`(^|;)fill:`).MatchString(rules[c])
				}
				if !filled {
					unfilled++
				}
			}
			inPod = append(inPod, pod)
		case xml.EndElement:
			inPod = inPod[:len(inPod)-1]
		}
	}
}

// none fails t with every violation seen since the last call.
func (w *cspWatch) none(t *testing.T, when string) {
	t.Helper()
	for _, v := range w.violations() {
		t.Errorf("CSP violation %s: %s", when, v)
	}
}

// TestCSPDemoPage: the page, the replay bar with its markers, presenter mode
// and both exports run under the CSP without a violation, and still look as
// they should: markers spread along the track, the replay bar styled, the
// exported files styled.
func TestCSPDemoPage(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused", "--no-lesson")
	br := newBrowser(t, true)
	if err := chromedp.Do(br.ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	resp, _ := httpGet(t, p.URL+"/")
	if csp := resp.Header.Get("Content-Security-Policy"); !regexp.MustCompile(`style-src [^;]*'self'`).MatchString(csp) || strings.Contains(csp, "'unsafe-inline'") {
		t.Errorf("the page's CSP admits inline style, or not the page's style sheets: %q", csp)
	}
	w := watchCSP(t, br)
	br.open(p.URL + "/?lang=en")
	br.waitJS(`window.podiumReplay !== undefined && window.podiumReplay.info.happenings.length > 3 && document.querySelectorAll('[data-testid=replay-marker]').length === window.podiumReplay.info.happenings.length`, 20*time.Second, "the replay bar and its markers")
	// The paused demo starts before any pod: step to its last happening.
	eval[bool](br, `(window.podiumReplay.post('seek-happening', window.podiumReplay.info.happenings.length - 1), true)`)
	br.waitJS(`document.querySelectorAll('.pod[data-id]').length > 0`, 20*time.Second, "pods drawn")

	// The bar's look comes from replay.css, the markers' places from the CSSOM.
	if d := eval[string](br, `getComputedStyle(document.querySelector('[data-testid=replay]')).display`); d != "flex" {
		t.Errorf("the replay bar is not styled (display %q)", d)
	}
	xs := eval[[]float64](br, `[...document.querySelectorAll('[data-testid=replay-marker]')].map((m) => m.getBoundingClientRect().left)`)
	spread := map[int]bool{}
	for _, x := range xs {
		spread[int(x)] = true
	}
	if len(spread) < 3 {
		t.Errorf("the replay markers are not placed along the track: x %v", xs)
	}
	w.none(t, "on the page with the replay bar")

	t.Run("presenter mode", func(t *testing.T) {
		br := br.with(t)
		// Stepped to the middle of the replay, so → has a next happening.
		eval[bool](br, `window.podiumReplay.post('seek-happening', window.podiumReplay.info.happenings.length >> 1).then(() => true)`)
		br.open(p.URL + "/?lang=en&presenter=1")
		br.waitJS(`document.body.dataset.presenter === 'true' && document.querySelectorAll('.pod[data-id]').length > 0 && window.podiumReplay !== undefined`, 20*time.Second, "presenter mode")
		br.key(kb.ArrowRight) // a step through the replay, with its caption
		br.waitJS(`document.querySelectorAll('[data-testid=captions] li').length > 0`, 10*time.Second, "a caption")
		w.none(t, "in presenter mode")
	})

	t.Run("SVG export", func(t *testing.T) {
		br := br.with(t)
		dir := t.TempDir()
		br.downloads(dir)
		eval[bool](br, `(document.querySelector('[data-testid=export-svg]').click(), true)`)
		b := mustRead(t, waitFile(t, dir, ".svg", 15*time.Second))
		if len(xmlIDs(t, b)) == 0 {
			t.Error("the SVG has no entities")
		}
		if bytes.Contains(b, []byte(" style=")) {
			t.Error("the SVG has style attributes, which the page's CSP refuses to set")
		}
		sheet := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindSubmatch(b)
		if sheet == nil || !bytes.Contains(sheet[1], []byte("fill:")) {
			t.Fatalf("the SVG carries no style sheet: %.300s", b)
		}
		// Every pod's shapes get a fill from the sheet: each has a class
		// whose rule sets one.
		rules := map[string]string{}
		for _, m := range regexp.MustCompile(`\.(s\d+)\{([^}]*)\}`).FindAllSubmatch(sheet[1], -1) {
			rules[string(m[1])] = string(m[2])
		}
		shapes, unfilled := podShapes(t, b, rules)
		if shapes == 0 || unfilled > 0 {
			t.Errorf("%d of the SVG's %d pod shapes have no fill rule", unfilled, shapes)
		}
		w.none(t, "exporting an SVG")
	})

	t.Run("PNG export", func(t *testing.T) {
		br := br.with(t)
		dir := t.TempDir()
		br.downloads(dir)
		eval[bool](br, `(document.querySelector('[data-testid=export-png]').click(), true)`)
		raw := mustRead(t, waitFile(t, dir, ".png", 20*time.Second))
		_ = os.MkdirAll("artifacts", 0o755)
		_ = os.WriteFile(filepath.Join("artifacts", "csp-export.png"), raw, 0o644)
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		colours := map[[3]uint32]bool{}
		for y := 0; y < img.Bounds().Dy(); y += 3 {
			for x := 0; x < img.Bounds().Dx(); x += 3 {
				r, g, b, _ := img.At(x, y).RGBA()
				colours[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
			}
		}
		if len(colours) < 20 {
			t.Errorf("the PNG looks unstyled: %d colours", len(colours))
		}
		w.none(t, "exporting a PNG")
	})

	// The watch itself: a style attribute in markup is reported.
	t.Run("a style attribute is caught", func(t *testing.T) {
		br := br.with(t)
		eval[bool](br, `(document.body.insertAdjacentHTML('beforeend', '<i data-testid="csp-canary" style="color: red"></i>'), true)`)
		br.waitJS(`window.__csp.some((v) => v.startsWith('style-src'))`, 5*time.Second, "the canary's violation")
	})
}

// httpGet fetches url, failing t on a transport error or a status other than
// 200.
func httpGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %.200s", url, resp.StatusCode, err, b)
	}
	return resp, b
}

// TestCSPGraphSVG: /api/graph.svg opened in the browser gets the server's
// CSP, which admits its <style> by hash: the file renders in its palette,
// without a violation.
func TestCSPGraphSVG(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	// Unless inline style is refused, a quiet console proves nothing.
	resp, _ := httpGet(t, p.URL+"/api/graph.svg")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src") || strings.Contains(csp, "'unsafe-inline'") {
		t.Errorf("/api/graph.svg's CSP admits any inline style: %q", csp)
	}
	br := newBrowser(t, true)
	w := watchCSP(t, br)
	// Not br.open: the file has no app to wait for.
	ctx, cancel := context.WithTimeout(br.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(p.URL+"/api/graph.svg")); err != nil {
		t.Fatal(err)
	}
	br.waitJS(`document.documentElement.localName === 'svg' && document.querySelector('.box .box-bg') !== null`, 20*time.Second, "the SVG file")
	// style.css's dark box colour, not SVG's initial black.
	if fill := eval[string](br, `getComputedStyle(document.querySelector('.box .box-bg')).fill`); fill == "" || fill == "rgb(0, 0, 0)" {
		t.Errorf("the file's boxes are unstyled: fill %q", fill)
	}
	w.none(t, "opening /api/graph.svg")
}
