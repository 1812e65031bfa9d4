//go:build e2e

package e2e

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/replay"
)

// demoPath is the built-in demo's recording (cmd/podium/demo.go embeds it).
const demoPath = "../cmd/podium/demo/talk.jsonl.gz"

// pageStatusesJS lists what the page draws: [role, id, data-status] of
// every entity (role box, lane, pod or ns-info: a namespace band's Namespace)
// and every protocol edge.
const pageStatusesJS = `[...document.querySelectorAll('[data-testid=canvas] [data-id], [data-testid=canvas] [data-edge]')].map((e) => [
  e.hasAttribute('data-edge') ? 'edge' : ['box', 'lane', 'pod', 'ns-info'].find((c) => e.classList.contains(c)) || e.tagName,
  e.getAttribute('data-id') || e.getAttribute('data-edge'), e.getAttribute('data-status') || ''])`

// TestStatusParity plays the built-in demo paused and, at every frame of
// its recording, compares the data-status of everything the page draws with
// the same object's in GET /api/graph.svg at the same epoch and seq: the
// page and the file must never tell a viewer two different things.
func TestStatusParity(t *testing.T) {
	f, err := os.Open(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := replay.Read(demoPath, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "demo", "--listen", addr, "--paused")
	br := newBrowser(t, true)
	br.open(p.URL + "/")
	br.waitJS(`window.podium !== undefined && document.querySelector('[data-testid=canvas]').dataset.epoch !== undefined`, 20*time.Second, "the first picture")

	// Production pages count no frames: only ?bench=frames turns it on.
	if n := eval[float64](br, `(async () => { await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); return window.podium.stats.frames; })()`); n != 0 {
		t.Errorf("the page counted %v frames without ?bench=frames", n)
	}

	info := replayControl(t, p.URL, `{"action":"pause"}`)
	if info.Frames != len(rec.Frames) {
		t.Fatalf("the player has %d frames, the recording %d", info.Frames, len(rec.Frames))
	}
	// Every frame's time (a seek by time lands on the last frame at that
	// time), then every happening (its own frame).
	var seeks []string
	for i, fr := range rec.Frames {
		if i+1 < len(rec.Frames) && rec.Frames[i+1].At == fr.At {
			continue
		}
		seeks = append(seeks, fmt.Sprintf(`{"action":"seek","time":%v}`, fr.At.Seconds()))
	}
	for i := range info.Happenings {
		seeks = append(seeks, fmt.Sprintf(`{"action":"seek","happening":%d}`, i))
	}
	// The file draws the layers the page shows, as the page's export link
	// asks: the page opens with its default layers, the file with all.
	layers := eval[string](br, `window.podium.layers`)
	seen := map[int]bool{}
	var failures []string
	for _, body := range seeks {
		at := replayControl(t, p.URL, body)
		seen[at.Frame-1] = true
		epoch, seq, svg := graphSVG(t, p.URL, layers)
		br.waitJS(fmt.Sprintf(`(() => { const c = document.querySelector('[data-testid=canvas]').dataset; return c.epoch === %s && c.seq === %s; })()`, jsString(epoch), jsString(seq)),
			20*time.Second, fmt.Sprintf("the page at epoch %s seq %s (%s)", epoch, seq, body))
		page := map[string]string{}
		for _, e := range eval[[][3]string](br, pageStatusesJS) {
			page[e[0]+" "+e[1]] = e[2]
		}
		file := svgStatuses(t, svg)
		if len(page) == 0 {
			t.Fatalf("%s: the page draws nothing", body)
		}
		if d := statusDiff(page, file); d != "" {
			failures = append(failures, fmt.Sprintf("frame %d (%s, seq %s):\n%s", at.Frame-1, body, seq, d))
		}
	}
	var missed []int
	for i := range rec.Frames {
		if !seen[i] && (i+1 == len(rec.Frames) || rec.Frames[i+1].At != rec.Frames[i].At) {
			missed = append(missed, i)
		}
	}
	if len(missed) > 0 {
		t.Errorf("frames never shown: %v", missed)
	}
	// A frame that shares its time with the next is never a state of its own.
	t.Logf("%d seeks showed %d of the recording's %d frames", len(seeks), len(seen), len(rec.Frames))
	if len(failures) > 0 {
		t.Errorf("page and /api/graph.svg disagree (page | file) at %d of %d seeks:\n%s", len(failures), len(seeks), strings.Join(failures, "\n"))
	}
}

// graphSVG fetches GET /api/graph.svg?layers= with the epoch and seq it
// drew.
func graphSVG(t *testing.T, base, layers string) (epoch, seq, body string) {
	t.Helper()
	resp, err := http.Get(base + "/api/graph.svg?layers=" + url.QueryEscape(layers))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/graph.svg: %v %s %.200s", err, resp.Status, b)
	}
	epoch, seq = resp.Header.Get("X-Podium-Epoch"), resp.Header.Get("X-Podium-Seq")
	if epoch == "" || seq == "" {
		t.Fatalf("GET /api/graph.svg: no X-Podium-Epoch or X-Podium-Seq header")
	}
	return epoch, seq, string(b)
}

// svgStatuses keys the file's entities and protocol edges as the page's
// are ("role id" → data-status); folded entities are not drawn.
func svgStatuses(t *testing.T, doc string) map[string]string {
	t.Helper()
	out := map[string]string{}
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		a := map[string]string{}
		for _, at := range el.Attr {
			a[at.Name.Local] = at.Value
		}
		switch {
		case a["data-folded"] != "":
		case a["data-edge"] != "":
			out["edge "+a["data-edge"]] = a["data-status"]
		case a["data-id"] != "":
			role, _, _ := strings.Cut(a["class"], " ")
			out[role+" "+a["data-id"]] = a["data-status"]
		}
	}
}

// statusDiff lists the keys whose status differs or that only one side draws.
func statusDiff(page, file map[string]string) string {
	var lines []string
	for k, v := range page {
		w, ok := file[k]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("  %s: %q | not drawn", k, v))
		case v != w:
			lines = append(lines, fmt.Sprintf("  %s: %q | %q", k, v, w))
		}
	}
	for k, w := range file {
		if _, ok := page[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: not drawn | %q", k, w))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
