//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium tab for one test, with a fresh profile.
type browser struct {
	t   testing.TB
	ctx context.Context
	n   *int   // screenshots taken, shared by with() copies
	tag string // screenshot name prefix: the top-level test
}

// with returns the browser for subtest t: failures are reported on t, and
// screenshots keep one sequence.
func (b *browser) with(t testing.TB) *browser {
	c := *b
	c.t = t
	return &c
}

// chromiumCandidates are where Debian's and Ubuntu's packages and Google's
// put the browser; $PODIUM_CHROMIUM, when set, is the only candidate.
var chromiumCandidates = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// chromiumPath finds the browser, or says where it looked. A missing browser
// fails the test rather than skipping it: CI installs it, so a skip would
// hide every browser test.
func chromiumPath() (string, error) {
	if p := os.Getenv("PODIUM_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$PODIUM_CHROMIUM=%s: %v", p, err)
		}
		return p, nil
	}
	for _, p := range chromiumCandidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium binary at %s (or set $PODIUM_CHROMIUM): run `make deps-e2e` to install it", strings.Join(chromiumCandidates, ", "))
}

// newBrowser starts Chromium for t (1600×900, the projector size the design
// targets) and closes it when t ends. reducedMotion emulates the user
// preference, so tests can assert on final states without waiting out
// animations.
func newBrowser(t testing.TB, reducedMotion bool) *browser {
	t.Helper()
	exe, err := chromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1600, 900),
	)
	if reducedMotion {
		opts = append(opts, chromedp.Flag("force-prefers-reduced-motion", true))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelA()
	})
	return &browser{t: t, ctx: ctx, n: new(int), tag: t.Name()}
}

// open loads url and waits for the page's app to be running.
func (b *browser) open(url string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("open %s: %v", url, err)
	}
	b.waitJS("window.podium !== undefined", 15*time.Second, "the app to start")
}

// eval evaluates expr in the page and decodes the result into T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval %q: %v", expr, err)
	}
	return v
}

// waitJS polls a JavaScript predicate until it is truthy or the deadline
// passes; what names the condition in the failure.
func (b *browser) waitJS(pred string, d time.Duration, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	// The deadline is d (ctx): Poll's own timeout would cut every wait at 30 s.
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](pred, chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(0)))
	if err != nil {
		b.shot("timeout")
		banner, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=banner]')?.innerText || ''`))
		b.t.Fatalf("waiting for %s (%s): %v; banner: %q", what, pred, err, banner)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// shot saves a screenshot of the page to e2e/artifacts/<test>-NN-<step>.png.
func (b *browser) shot(step string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", step, err)
		return ""
	}
	dir := "artifacts"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot dir: %v", err)
		return ""
	}
	*b.n++
	name := fmt.Sprintf("%s-%02d-%s.png", unsafeName.ReplaceAllString(b.tag, "_"), *b.n, unsafeName.ReplaceAllString(step, "_"))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", step, err)
		return ""
	}
	b.t.Logf("screenshot %s", path)
	return path
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}

// sel is a CSS attribute selector for a data- attribute value.
func sel(attr, value string) string {
	return fmt.Sprintf(`[%s="%s"]`, attr, strings.ReplaceAll(value, `"`, `\"`))
}
