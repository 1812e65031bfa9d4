//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/podiumhq/podium/e2e/labtest"
)

// The audience link (issue #14): the presenter's page leads, a follower in
// another browser follows it in its own language, cannot lead, and rejoins
// at the presenter's current step after losing its connection.

var leadRE = regexp.MustCompile(`\?lead=([A-Za-z0-9_-]{16,})`)

// leadSecret reads the presenter's link from Podium's start log.
func leadSecret(t *testing.T, logPath string) string {
	t.Helper()
	var secret string
	labtest.Eventually(t, 20*time.Second, func(context.Context) error {
		b, err := os.ReadFile(logPath)
		if err != nil {
			return err
		}
		m := leadRE.FindSubmatch(b)
		if m == nil {
			return fmt.Errorf("no presenter link (?lead=) in %s yet", logPath)
		}
		secret = string(m[1])
		return nil
	})
	return secret
}

// followStateJS reads a page's share of what followers follow.
const followStateJS = `(() => ({ step: Number(document.querySelector('[data-testid=lesson]').dataset.step), presenter: document.body.dataset.presenter === 'true',
  focus: window.podiumPresenter.focus ? window.podiumPresenter.focus.id : '', layers: document.body.dataset.layers || '' }))()`

type followView struct {
	Step      int
	Presenter bool
	Focus     string
	Layers    string
}

// waitFollowing waits until the follower shows what the presenter shows.
func waitFollowing(t *testing.T, pres, fol *browser, what string) followView {
	t.Helper()
	want := eval[followView](pres, followStateJS)
	fol.waitJS(fmt.Sprintf(`(() => { const s = %s; return s.step === %d && s.presenter === %v && s.focus === %s && s.layers === %s; })()`,
		followStateJS, want.Step, want.Presenter, jsString(want.Focus), jsString(want.Layers)), 20*time.Second, what+fmt.Sprintf(" (%+v)", want))
	return want
}

// TestFollowAudienceLink: two browsers on the built-in demo with its
// built-in lesson (its steps and markers read from GET /api/lesson).
func TestFollowAudienceLink(t *testing.T) {
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	secret := leadSecret(t, p.LogPath)
	les, markers := builtinLesson(t, p.URL)
	steps := les.Steps
	// k: the first step after the first that seeks the replay and focuses,
	// followed by one that seeks too (the presenter moves between them).
	k := -1
	for i := 1; i+1 < len(steps); i++ {
		if markers[i] >= 0 && steps[i].Focus != "" && markers[i+1] >= 0 {
			k = i
			break
		}
	}
	if k < 0 {
		t.Fatalf("the built-in lesson has no two steps in a row with markers after the first: %v", markers)
	}

	pres := lessonBrowser(t, p.URL+"/?lead="+secret+"&lang=en", 1280, 720)
	t.Run("the presenter's link leaves the address bar", func(t *testing.T) {
		br := pres.with(t)
		br.waitJS(`document.body.dataset.lead === 'true'`, 10*time.Second, "the page to lead")
		if href := eval[string](br, `location.href`); strings.Contains(href, secret) || strings.Contains(href, "lead=") {
			t.Errorf("the address still shows the secret: %s", href)
		}
		if got := eval[string](br, `sessionStorage.getItem('podium-lead')`); got != secret {
			t.Errorf("the tab keeps %q, want the secret", got)
		}
	})
	waitPanel(pres, 0, firstState(steps[0]), "the presenter's first step")

	t.Run("presenter mode shows the QR code and the short link", func(t *testing.T) {
		br := pres.with(t)
		br.key("p")
		br.waitJS(`(() => { const a = document.querySelector('[data-testid=audience]'), img = a.querySelector('img'), r = a.getBoundingClientRect();
			return document.body.dataset.presenter === 'true' && r.width > 0 && r.bottom <= innerHeight && img.complete && img.naturalWidth > 0; })()`, 10*time.Second, "the QR code on screen")
		link := eval[string](br, `document.querySelector('[data-testid=audience-url]').textContent`)
		if want := strings.TrimPrefix(p.URL, "http://") + "/f"; link != want {
			t.Errorf("the short link reads %q, want %q", link, want)
		}
		// The QR code is the link, and the link leads to the follower's view.
		resp, err := http.Get(p.URL + "/api/qr.svg?text=" + "http://" + link)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("the QR code: %v %v", err, resp)
		}
		resp.Body.Close()
		if src := eval[string](br, `document.querySelector('[data-testid=audience-qr]').src`); !strings.Contains(src, "api/qr.svg?text=http%3A%2F%2F"+strings.ReplaceAll(strings.TrimPrefix(p.URL, "http://"), ":", "%3A")+"%2Ff") {
			t.Errorf("the QR code draws %s, want the short link", src)
		}
		checkBand(t, br, "presenter-qr")
	})

	// The follower: a browser of its own, in Chinese, recording every
	// request that is not a GET.
	fol := newBrowser(t, true)
	if err := chromedp.Do(fol.ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sent []string
	var cut bool // the audience link's requests fail, as on a lost network
	err := chromedp.Listen(fol.ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Request.Method != "GET" && e.Request.Method != "HEAD" {
				mu.Lock()
				sent = append(sent, e.Request.Method+" "+e.Request.URL)
				mu.Unlock()
			}
		case *fetch.EventRequestPaused:
			go func() {
				mu.Lock()
				fail := cut
				mu.Unlock()
				if fail {
					_, _ = chromedp.Call(fol.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
				} else {
					_, _ = chromedp.Call(fol.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				}
			}()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(fol.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	fol.open(p.URL + "/f?lang=zh-CN")

	t.Run("the follower follows, in its own language", func(t *testing.T) {
		br := fol.with(t)
		br.waitJS(`document.body.dataset.follow === 'true' && location.search.includes('follow=1')`, 10*time.Second, "the short link to open the follower's view")
		waitFollowing(t, pres, br, "the follower to take the presenter's state")
		br.waitJS(`document.querySelector('[data-testid=follow]').dataset.state === 'on' && document.querySelector('[data-testid=follow]').textContent === '正在跟随演讲者'`, 10*time.Second, "the follower's status, in Chinese")
		if got := eval[panelView](br, panelJS); got.Title != steps[0].Title.ZhCN {
			t.Errorf("the follower's panel: %+v, want the step in Chinese", got)
		}
		if got := eval[panelView](pres, panelJS); got.Title != steps[0].Title.En {
			t.Errorf("the presenter's panel: %+v, want it in English", got)
		}
		// No leading controls: no step buttons, no replay bar, no QR code.
		for _, sel := range []string{"[data-testid=lesson-nav]", "[data-testid=replay]", "[data-testid=audience]"} {
			if shown := eval[bool](br, `(() => { const n = document.querySelector('`+sel+`'); return !!n && n.getClientRects().length > 0 && getComputedStyle(n).display !== 'none'; })()`); shown {
				t.Errorf("%s is shown on the follower's page", sel)
			}
		}
		checkBand(t, br, "follower")
	})

	t.Run("the presenter moves step, focus and layers; the follower follows", func(t *testing.T) {
		for i := 1; i <= k; i++ {
			pres.key(kb.ArrowRight)
			waitPanel(pres, i, stepState(steps[i], markers[i]), fmt.Sprintf("the presenter's step %d", i+1))
		}
		pres.waitJS(replayAtJS(markers[k]), 20*time.Second, fmt.Sprintf("the replay at step %d's happening %d", k+1, markers[k]))
		got := waitFollowing(t, pres, fol.with(t), fmt.Sprintf("step %d and its focus", k+1))
		if got.Focus != steps[k].Focus {
			t.Errorf("step %d focuses %q, want %q", k+1, got.Focus, steps[k].Focus)
		}
		// The presenter's replay shows the step's happening: done there too.
		waitPanel(fol.with(t), k, "done", fmt.Sprintf("the follower's step %d done", k+1))
		// c toggles the config layer (the step's layers may have it on).
		had := eval[bool](pres, `document.body.dataset.layers.split(',').includes('config')`)
		pres.key("c")
		pres.waitJS(fmt.Sprintf(`document.body.dataset.layers.split(',').includes('config') === %v`, !had), 5*time.Second, "the config layer toggled")
		waitFollowing(t, pres, fol.with(t), "the config layer")
	})

	t.Run("the follower cannot lead", func(t *testing.T) {
		br := fol.with(t)
		before := eval[followView](pres, followStateJS)
		at := eval[string](pres, `document.querySelector('[data-testid=replay]').dataset.happening`)
		for _, k := range []string{kb.ArrowRight, kb.ArrowLeft, " ", "]"} {
			br.key(k)
		}
		// Key handlers run as the key is dispatched: nothing moved, here or
		// for the presenter (the replay stays where the presenter put it).
		if got := eval[followView](br, followStateJS); got != before {
			t.Errorf("the follower's keys moved it: %+v, want %+v", got, before)
		}
		if got := eval[string](pres, `document.querySelector('[data-testid=replay]').dataset.happening`); got != at {
			t.Errorf("the follower's keys moved the replay: happening %s, want %s", got, at)
		}
		// The page refuses to send at all.
		if got := eval[string](br, `fetch('api/replay', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"action":"play"}' }).then(() => 'sent', (e) => String(e))`); !strings.Contains(got, "does not send") {
			t.Errorf("a POST from the follower's page: %s", got)
		}
		// And the server refuses a lead without the secret.
		for _, hdr := range []string{"", secret + "x"} {
			req, _ := http.NewRequest("POST", p.URL+"/api/follow", strings.NewReader(`{"step":0}`))
			req.Header.Set("Content-Type", "application/json")
			if hdr != "" {
				req.Header.Set("X-Podium-Lead", hdr)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST /api/follow with secret %q: %d %s, want 403", hdr, resp.StatusCode, body)
			}
		}
	})

	t.Run("a follower that lost its connection rejoins at the current step", func(t *testing.T) {
		br := fol.with(t)
		mu.Lock()
		cut = true
		mu.Unlock()
		if _, err := chromedp.Call(fol.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/follow*"}}}); err != nil {
			t.Fatal(err)
		}
		// The long poll in flight (asked before the cut) brings this step;
		// the next one fails.
		pres.key(kb.ArrowRight)
		waitPanel(pres, k+1, "done", fmt.Sprintf("the presenter's step %d", k+2))
		waitFollowing(t, pres, br, fmt.Sprintf("step %d, before the cut", k+2))
		br.waitJS(`document.querySelector('[data-testid=follow]').dataset.state === 'lost'`, 30*time.Second, "the follower to see it lost the presenter")
		if got := eval[string](br, `document.querySelector('[data-testid=follow]').textContent`); !strings.Contains(got, "与演讲者失去连接") {
			t.Errorf("the lost follower says %q", got)
		}
		br.shot("follower-lost")
		// The presenter moves on meanwhile.
		pres.key(kb.ArrowLeft)
		waitPanel(pres, k, "done", fmt.Sprintf("the presenter back at step %d", k+1))
		if got := eval[followView](br, followStateJS); got.Step != k+1 {
			t.Errorf("the cut-off follower moved to step %d", got.Step+1)
		}
		mu.Lock()
		cut = false
		mu.Unlock()
		if _, err := chromedp.Call(fol.ctx, fetch.Disable, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		waitFollowing(t, pres, br, "the follower back at the presenter's current step")
		br.waitJS(`document.querySelector('[data-testid=follow]').dataset.state === 'on'`, 20*time.Second, "the follower following again")
	})

	mu.Lock()
	defer mu.Unlock()
	if len(sent) > 0 {
		t.Errorf("the follower's page sent %d requests that are not GET: %v", len(sent), sent)
	}
}
