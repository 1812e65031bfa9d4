//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// builtInDemo reads the recording `podium demo` plays, whatever its file
// is called.
func builtInDemo(t *testing.T) *replay.Recording {
	t.Helper()
	root, err := labtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "cmd", "podium", "demo", "*.jsonl.gz"))
	if len(files) != 1 {
		t.Fatalf("want one built-in demo recording in cmd/podium/demo, found %v", files)
	}
	rec, err := replay.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// pickSegment chooses happenings from..to of rec that play in at most
// limit and carry recorded changes after the first: the longest such range.
func pickSegment(t *testing.T, rec *replay.Recording, limit time.Duration) (from, to int, d time.Duration) {
	t.Helper()
	ms := rec.Markers()
	best := -1
	for i := range ms {
		for j := i + 1; j < len(ms); j++ {
			span := rec.Frames[ms[j].Frame].At - rec.Frames[ms[i].Frame].At
			if span > limit || ms[j].Frame == ms[i].Frame {
				continue
			}
			if j-i > best {
				best, from, to, d = j-i, i, j, span
			}
		}
	}
	if best < 0 {
		t.Fatalf("no two happenings of the demo (%d) are apart and within %v of each other", len(ms), limit)
	}
	return from, to, d
}

// endIDs are the node ids of rec's state right after happening to: what
// the page's store holds at the segment's end.
func endIDs(rec *replay.Recording, to int) []string {
	snap := rec.StateAfter(rec.Markers()[to].Frame).Snapshot(graph.Filter{})
	ids := make([]string, 0, len(snap.Nodes))
	for _, n := range snap.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

// drawnJS lists the data-ids the page's canvas draws, sorted, once each.
const drawnJS = `[...new Set([...document.querySelectorAll('[data-testid=canvas] [data-id]')].map((e) => e.getAttribute('data-id')))].sort()`

// pageDrawnIDs are the data-ids the page draws for rec's state right after
// happening to, with allLayers: what the segment's last frame must draw.
// Not every node of the state is drawn (a Namespace with nothing to say,
// an old ReplicaSet folded away, a StorageClass), so the page itself, live
// from `podium demo` seeked there, says which are.
func pageDrawnIDs(t *testing.T, rec *replay.Recording, to int) (ids []string, layers string) {
	t.Helper()
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused", "--no-lesson")
	info := replayControl(t, p.URL, fmt.Sprintf(`{"action":"seek","happening":%d}`, to))
	if ms := rec.Markers(); info.Position != ms[to].Time || info.Playing {
		t.Fatalf("after seeking to happening %d: position %.3f playing %v; want %.3f, paused", to, info.Position, info.Playing, ms[to].Time)
	}
	epoch, seq, _ := graphSVG(t, p.URL, allLayers)
	br := newBrowser(t, true)
	br.open(p.URL + "/?layers=" + allLayers)
	br.waitJS(fmt.Sprintf(`(() => { const c = document.querySelector('[data-testid=canvas]').dataset; return c.epoch === %s && c.seq === %s; })()`, jsString(epoch), jsString(seq)),
		20*time.Second, fmt.Sprintf("the page at happening %d (epoch %s seq %s)", to, epoch, seq))
	// The same set twice, apart: the picture has settled.
	deadline := time.Now().Add(10 * time.Second)
	prev := ""
	for {
		ids = eval[[]string](br, drawnJS)
		cur := strings.Join(ids, "\n")
		if cur == prev {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page's picture at happening %d did not settle", to)
		}
		prev = cur
		time.Sleep(300 * time.Millisecond) // the next look; the deadline bounds it
	}
	br.shot("live-at-end")
	layers = eval[string](br, `window.podium.layers`)
	if len(ids) == 0 {
		t.Fatalf("the page draws nothing at happening %d", to)
	}
	drawn := map[string]bool{}
	for _, id := range ids {
		drawn[id] = true
	}
	snap := rec.StateAfter(rec.Markers()[to].Frame).Snapshot(graph.Filter{})
	pods := 0
	for _, n := range snap.Nodes {
		if n.Kind != graph.KindPod {
			continue
		}
		pods++
		if !drawn[n.ID] {
			t.Errorf("the page at happening %d does not draw the recording's %s", to, n.ID)
		}
	}
	t.Logf("the page at happening %d draws %d ids of the state's %d nodes (%d pods), layers %s", to, len(ids), len(snap.Nodes), pods, layers)
	return ids, layers
}

// requestTrap takes the page off the network: the browser is offline, and
// every request that is not for a file fails and is written down.
type requestTrap struct {
	mu   sync.Mutex
	seen []string
}

func (tr *requestTrap) requests() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen...)
}

func offline(t *testing.T, b *browser) *requestTrap {
	t.Helper()
	tr := &requestTrap{}
	paused := make(chan *fetch.EventRequestPaused, 64)
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case paused <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Commands cannot be sent from the listener itself.
	go func() {
		for {
			select {
			case <-b.ctx.Done():
				return
			case e := <-paused:
				if strings.HasPrefix(e.Request.URL, "file:") {
					_, _ = chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
					continue
				}
				tr.mu.Lock()
				tr.seen = append(tr.seen, e.Request.URL)
				tr.mu.Unlock()
				_, _ = chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
			}
		}
	}()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		t.Fatal(err)
	}
	return tr
}

// exceptions collects the page's uncaught errors.
func exceptions(t *testing.T, b *browser) func() []string {
	t.Helper()
	var mu sync.Mutex
	var out []string
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			out = append(out, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), out...)
	}
}

// pollJS waits until pred is truthy in the page, or says it was not.
func pollJS(b *browser, pred string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](pred, chromedp.WithPollingInterval(50*time.Millisecond)))
	return err
}

// playsOffline opens the exported file, lets it play to its end, and
// returns what is wrong: the app not starting, play not ending, or the last
// frame not drawing exactly ids (with layers). It fails nothing itself, so
// that a broken export can be shown to fail it.
func playsOffline(b *browser, file string, ids []string, layers string, playFor time.Duration) error {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	err := chromedp.Do(ctx, chromedp.Navigate("file://"+file+"?layers="+allLayers))
	cancel()
	if err != nil {
		return fmt.Errorf("open %s: %v", file, err)
	}
	if err := pollJS(b, `window.podium !== undefined && window.podiumSegment !== undefined && document.querySelector('[data-testid=segment]') !== null`, 15*time.Second); err != nil {
		return fmt.Errorf("the page did not start its app and player: %v", err)
	}
	if err := pollJS(b, `window.podiumSegment.ended && document.querySelector('[data-testid=segment]').dataset.ended === 'true'`, playFor+30*time.Second); err != nil {
		return fmt.Errorf("the segment did not play to its end: %v", err)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](drawnJS))
		var l string
		if err == nil {
			l, err = chromedp.Run(ctx, chromedp.Evaluate[string](`window.podium.layers`))
		}
		cancel()
		var missing, extra []string
		have := map[string]bool{}
		for _, id := range got {
			have[id] = true
			if !want[id] {
				extra = append(extra, id)
			}
		}
		for _, id := range ids {
			if !have[id] {
				missing = append(missing, id)
			}
		}
		if err == nil && len(missing) == 0 && len(extra) == 0 && l == layers {
			return nil
		}
		if time.Now().After(deadline) {
			b.shot("missing")
			return fmt.Errorf("the last frame (layers %q, the page's %q) lacks %d of the page's %d ids and draws %d more (%v): lacks %s; more: %s",
				l, layers, len(missing), len(ids), len(extra), err, strings.Join(missing, ", "), strings.Join(extra, ", "))
		}
		time.Sleep(100 * time.Millisecond) // the next look at the page; the deadline bounds it
	}
}

// breakExport writes a copy of the file at path without module name, as a
// bundler that lost one would.
func breakExport(t *testing.T, path, name string) string {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)(<script type="application/json" id="podium-bundle">)(.*?)(</script>)`)
	m := re.FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s carries no bundle", path)
	}
	var bundle map[string]json.RawMessage
	if err := json.Unmarshal(m[2], &bundle); err != nil {
		t.Fatal(err)
	}
	var modules map[string]string
	if err := json.Unmarshal(bundle["modules"], &modules); err != nil {
		t.Fatal(err)
	}
	if _, ok := modules[name]; !ok {
		t.Fatalf("the bundle has no %s to take out", name)
	}
	delete(modules, name)
	bundle["modules"], _ = json.Marshal(modules)
	b, _ := json.Marshal(bundle)
	out := filepath.Join(filepath.Dir(path), "broken-"+filepath.Base(path))
	broken := bytes.Replace(page, m[0], append(append(append([]byte{}, m[1]...), b...), m[3]...), 1)
	if err := os.WriteFile(out, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// segmentIn reads the segment an exported page carries.
func segmentIn(t *testing.T, page []byte) replay.Segment {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="podium-segment">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the file carries no segment (%d bytes)", len(page))
	}
	var seg replay.Segment
	if err := json.Unmarshal(m[1], &seg); err != nil {
		t.Fatal(err)
	}
	return seg
}

// TestExportPlaysOffline: `podium export` of the built-in demo, opened from
// a file:// URL with the network off, plays to its end and draws exactly
// the data-ids the page draws for the state after its last happening, without attempting a single request;
// the same file without one of its modules fails that check.
func TestExportPlaysOffline(t *testing.T) {
	rec := builtInDemo(t)
	from, to, span := pickSegment(t, rec, 15*time.Second)
	bin, err := podiumtest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "segment.html")
	cmd := exec.Command(bin, "export", "--demo", "--from", strconv.Itoa(from), "--to", strconv.Itoa(to), out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("podium export: %v\n%s", err, msg)
	}
	st, _ := os.Stat(out)
	ids, layers := pageDrawnIDs(t, rec, to)
	state := endIDs(rec, to)
	t.Logf("happenings %d to %d of the demo (%v): %d bytes, %d ids drawn in the last frame", from, to, span, st.Size(), len(ids))

	br := newBrowser(t, true)
	errs := exceptions(t, br)
	trap := offline(t, br)
	start := time.Now()
	if err := playsOffline(br, out, ids, layers, span); err != nil {
		t.Fatal(err)
	}
	t.Logf("played to its end in %v", time.Since(start).Round(100*time.Millisecond))
	br.shot("last-frame")
	if b := eval[string](br, `document.querySelector('[data-testid=banner] .banner-text').textContent`); b != "Recorded — not live" {
		t.Errorf("the exported page's banner says %q; a recording is not live", b)
	}
	if reqs := trap.requests(); len(reqs) > 0 {
		t.Errorf("the page asked the network for %v", reqs)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("uncaught errors in the page: %v", e)
	}
	// The picture is the recorded one: the page's graph at the end is the
	// recording's state after happening to.
	if got := eval[float64](br, `window.podium.store.nodes.size`); int(got) != len(state) {
		t.Errorf("the page's store holds %v nodes at the end, the recording %d", got, len(state))
	}

	broken := breakExport(t, out, "store.js")
	if err := playsOffline(br, broken, ids, layers, span); err == nil {
		t.Fatalf("an export without store.js passed the check")
	} else {
		t.Logf("an export without store.js fails as it should: %v", err)
	}
	// And says so, rather than "Connecting…" for ever.
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'error' && document.querySelector('[data-testid=banner] .banner-text').textContent.startsWith('This page could not start: ')`,
		10*time.Second, "the banner to say the broken page could not start")
	t.Logf("its banner: %q", eval[string](br, `document.querySelector('[data-testid=banner] .banner-text').textContent`))

	// The trap is real: a request the page makes past its own guard is
	// caught and fails.
	eval[bool](br, `(() => { const i = new Image(); i.src = 'https://podium.invalid/probe.png'; document.body.appendChild(i); return true; })()`)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(trap.requests(), " "), "podium.invalid/probe.png") {
		if time.Now().After(deadline) {
			t.Fatalf("the request trap did not see a probe request: it proves nothing")
		}
		time.Sleep(50 * time.Millisecond) // the next look; the deadline bounds it
	}
}

// TestExportSaveSegmentButton: in a replay page, "Save segment" downloads
// the file for the range chosen, which plays offline like podium export's;
// a range the recording refuses is said in the bar and saves nothing.
func TestExportSaveSegmentButton(t *testing.T) {
	rec := builtInDemo(t)
	from, to, span := pickSegment(t, rec, 15*time.Second)
	ids, layers := pageDrawnIDs(t, rec, to)
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	br := newBrowser(t, true)
	dir := t.TempDir()
	br.downloads(dir)
	br.open(p.URL + "/")
	br.waitJS(`document.querySelector('[data-testid=segment-save]') !== null && document.querySelectorAll('[data-testid=segment-from] option').length > 1`,
		15*time.Second, "the Save segment control in the replay bar")
	br.shot("replay-bar")
	// The default is the step on screen: the current happening (the first
	// before any) and the next.
	pos := eval[float64](br, `window.podiumReplay.info.position`)
	ms := rec.Markers()
	cur := 0
	for i, m := range ms {
		if m.Time <= pos+1e-6 {
			cur = i
		}
	}
	want := []string{strconv.Itoa(cur), strconv.Itoa(min(cur+1, len(ms)-1))}
	if got := eval[[]string](br, `['segment-from', 'segment-to'].map((id) => document.querySelector('[data-testid=' + id + ']').value)`); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paused at %.2fs, Save segment offers happenings %v, want %v", pos, got, want)
	}
	choose := func(f, t int) {
		eval[bool](br, fmt.Sprintf(`(() => { for (const [id, v] of [['segment-from', %d], ['segment-to', %d]]) { const s = document.querySelector('[data-testid=' + id + ']'); s.value = String(v); s.dispatchEvent(new Event('change')); } return true; })()`, f, t))
	}

	// A backwards range: the server's reason, and no file.
	choose(to, from)
	eval[bool](br, `(() => { document.querySelector('[data-testid=segment-save]').click(); return true; })()`)
	br.waitJS(fmt.Sprintf(`document.querySelector('[data-testid=segment-save-status]').textContent.includes('from %d is after to %d')`, to, from),
		15*time.Second, "the refusal of a backwards range")

	choose(from, to)
	eval[bool](br, `(() => { document.querySelector('[data-testid=segment-save]').click(); return true; })()`)
	file := waitFile(t, dir, ".html", 30*time.Second)
	if files, _ := filepath.Glob(filepath.Join(dir, "*.html")); len(files) != 1 {
		t.Errorf("downloads: %v, want the one file", files)
	}
	if got, want := filepath.Base(file), fmt.Sprintf("podium-segment-%d-%d.html", from, to); got != want {
		t.Errorf("the download is called %s, want %s", got, want)
	}
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seg := segmentIn(t, page)
	if seg.From != from || seg.To != to {
		t.Errorf("the download holds happenings %d to %d, want %d to %d", seg.From, seg.To, from, to)
	}
	if !bytes.Contains(page, []byte(`id="podium-bundle"`)) || !bytes.Contains(page, []byte(`data-testid="canvas"`)) {
		t.Errorf("the download is not an exported page")
	}

	// The same kind of file: it plays offline.
	off := newBrowser(t, true)
	trap := offline(t, off)
	if err := playsOffline(off, file, ids, layers, span); err != nil {
		t.Fatal(err)
	}
	if reqs := trap.requests(); len(reqs) > 0 {
		t.Errorf("the downloaded page asked the network for %v", reqs)
	}
}
