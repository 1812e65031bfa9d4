//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The wave-2 picture (issue #12) against a served fixture: web/test/
// fixtures/wave2.json (Jobs, a CronJob, an autoscaler, ConfigMaps, Secrets,
// claims, volumes, a class, a broken reference) played by `podium replay`,
// so the page, /api/graph.svg and the layers work without the model's new
// informers.

// wave2Podium serves the wave-2 fixture as a paused recording and returns
// its URL.
func wave2Podium(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../web/test/fixtures/wave2.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	hdr := `{"format":"podium-recording","version":1,"podiumVersion":"dev","clusterVersion":"v1.37.2","start":"2026-12-01T12:00:00Z","namespaces":["shop"]}`
	msg, _ := json.Marshal(map[string]any{"t": 0, "msg": snap})
	rec := filepath.Join(t.TempDir(), "wave2.jsonl")
	if err := os.WriteFile(rec, []byte(hdr+"\n"+string(msg)+"\n"+`{"t":600000,"end":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := runPodium(t, os.Environ(), addr, "replay", rec, "--listen", addr, "--paused")
	return p.URL
}

// layersOf is the page's layers: what it draws with, and what the URL and
// this browser's storage say.
type layersState struct {
	Body, URL, Stored string
	HasURL            bool
}

const layersJS = `({ body: document.body.dataset.layers, url: new URL(location.href).searchParams.get('layers') || '', hasURL: new URL(location.href).searchParams.has('layers'), stored: localStorage.getItem('podium-layers') || '' })`

func drawn(b *browser, sel string) int {
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// TestLayers: a first-time viewer gets the default layers; a key toggles a
// layer, which the URL and this browser remember; ?layers= wins over what
// was remembered and names what it does not know; the toolbar control does
// the same as the keys; the help lists the keys; and /api/graph.svg draws
// the layers it is given.
func TestLayers(t *testing.T) {
	base := wave2Podium(t)
	br := newBrowser(t, true)
	br.open(base + "/")
	live := `document.querySelector('[data-testid=banner]').dataset.state === 'live' && document.querySelector('[data-id="Deployment/shop/web"]') !== null`
	br.waitJS(live, 20*time.Second, "the wave-2 fixture drawn")

	st := eval[layersState](br, layersJS)
	if st.Body != "storage,jobs,autoscaling,warnings,quotas" || st.HasURL || st.Stored != "" {
		t.Errorf("a first-time viewer: %+v, want the default layers and nothing in the URL or storage", st)
	}
	if n := drawn(br, `[data-id^="ConfigMap/"]`); n != 0 {
		t.Errorf("config is off by default, yet %d ConfigMaps are drawn", n)
	}
	for _, sel := range []string{`[data-id="PersistentVolumeClaim/shop/data-db-0"]`, `[data-id="Job/shop/migrate"]`, `[data-id="HorizontalPodAutoscaler/shop/web"]`, `[data-edge^="mounts:Pod/shop/db-0->"]`, `[data-edge^="bound:"]`, `[data-edge^="scales:"]`} {
		if drawn(br, sel) == 0 {
			t.Errorf("by default the page draws %s: it does not", sel)
		}
	}

	br.key("c")
	br.waitJS(`document.querySelector('[data-id="ConfigMap/shop/web-config"]') !== null`, 5*time.Second, "ConfigMaps after c")
	st = eval[layersState](br, layersJS)
	all := "storage,config,jobs,autoscaling,warnings,quotas"
	if st.Body != all || st.URL != all || st.Stored != all {
		t.Errorf("after c: %+v, want %s drawn, in the URL and stored", st, all)
	}
	// A broken reference reads as broken: its own edge, state and label.
	br.waitJS(`(() => { const e = document.querySelector('[data-edge="mounts:Pod/shop/api-5f6b7c-h8j2k->ConfigMap/shop/api-config"]'); return e && e.dataset.status === 'broken' && e.querySelector('text')?.textContent === 'missing'; })()`, 5*time.Second, "the broken mounts edge")
	br.shot("all-layers")

	br.key("j")
	br.waitJS(`document.querySelector('[data-id="Job/shop/migrate"]') === null && document.querySelector('[data-id="Pod/shop/migrate-a1"]') === null && document.body.dataset.layers === 'storage,config,autoscaling,warnings,quotas'`, 5*time.Second, "no Jobs nor their pods after j")

	// Remembered: a new visit without ?layers= draws what this viewer chose.
	br.open(base + "/")
	br.waitJS(live, 20*time.Second, "the page again")
	if st := eval[layersState](br, layersJS); st.Body != "storage,config,autoscaling,warnings,quotas" || st.HasURL {
		t.Errorf("a new visit: %+v, want the remembered layers", st)
	}

	// The URL wins, and an unknown layer is named in the banner.
	br.open(base + "/?layers=jobs,bogus")
	br.waitJS(live+` && document.body.dataset.layers === 'jobs'`, 20*time.Second, "?layers=jobs")
	if n := drawn(br, `[data-id^="PersistentVolumeClaim/"], [data-id^="ConfigMap/"], [data-id^="HorizontalPodAutoscaler/"]`); n != 0 {
		t.Errorf("?layers=jobs draws %d storage, config or autoscaling objects", n)
	}
	if b := eval[string](br, `document.querySelector('[data-testid=banner] .banner-text').textContent`); !strings.Contains(b, "bogus") {
		t.Errorf("the banner does not name the unknown layer: %q", b)
	}

	// The toolbar control does what the keys do.
	eval[bool](br, `(document.querySelector('[data-testid=layers]').open = true, document.querySelector('[data-testid=layer-option][value=storage]').click(), true)`)
	br.waitJS(`document.body.dataset.layers === 'storage,jobs' && document.querySelector('[data-id="PersistentVolumeClaim/shop/data-db-0"]') !== null && new URL(location.href).searchParams.get('layers') === 'storage,jobs'`, 5*time.Second, "storage on from the toolbar")
	if got := eval[string](br, `document.querySelector('[data-testid=layers] .layers-current').textContent`); got != "2/8" {
		t.Errorf("the control says %q, want 2/8", got)
	}

	// The help lists the layer keys.
	eval[bool](br, `(document.activeElement?.blur(), true)`)
	br.key("?")
	br.waitJS(`(() => { const d = document.querySelector('[data-testid=help] dd[data-key-id="key.layers"]'); return d && d.getClientRects().length > 0 && d.textContent.includes('s storage') && d.previousElementSibling.textContent === 's c j a w i n q'; })()`, 5*time.Second, "the layer keys in the help")

	// The file draws the layers it is asked for; none asked, every layer.
	for _, c := range []struct {
		q          string
		want, none []string
	}{
		{"layers=jobs", []string{"Job/shop/migrate"}, []string{"PersistentVolumeClaim/shop/data-db-0", "ConfigMap/shop/web-config"}},
		{"layers=storage,config", []string{"PersistentVolumeClaim/shop/data-db-0", "ConfigMap/shop/web-config"}, []string{"Job/shop/migrate", "HorizontalPodAutoscaler/shop/web"}},
		{"", []string{"Job/shop/migrate", "PersistentVolumeClaim/shop/data-db-0", "ConfigMap/shop/web-config", "HorizontalPodAutoscaler/shop/web"}, nil},
	} {
		resp, err := http.Get(base + "/api/graph.svg?" + c.q)
		if err != nil {
			t.Fatal(err)
		}
		ids := drawnIDs(t, mustReadBody(t, resp))
		for _, id := range c.want {
			if !slices.Contains(ids, id) {
				t.Errorf("graph.svg?%s lacks %s", c.q, id)
			}
		}
		for _, id := range c.none {
			if slices.Contains(ids, id) {
				t.Errorf("graph.svg?%s draws %s, which its layers hide", c.q, id)
			}
		}
	}
	resp, err := http.Get(base + "/api/graph.svg?layers=" + url.QueryEscape("jobs,nope"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(mustReadBody(t, resp))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nope") {
		t.Errorf("graph.svg with an unknown layer: %s %s, want 400 naming it", resp.Status, body)
	}
}

// drawnIDs lists the data-id of what an SVG file draws: the file names
// every id of the graph, the hidden ones in a display:none group with
// data-folded, which are not drawn.
func drawnIDs(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var ids []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ids
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		id, folded := "", false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "data-id":
				id = a.Value
			case "data-folded":
				folded = a.Value == "true"
			}
		}
		if id != "" && !folded {
			ids = append(ids, id)
		}
	}
}

func mustReadBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
