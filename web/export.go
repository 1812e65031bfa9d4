package web

import (
	"context"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// SVGPage is what GraphSVG draws: a laid-out picture, the part of it to
// show, and its title.
type SVGPage struct {
	L     *SVGLayout
	Rect  SVGRect // the viewBox: the whole picture, or the focused part
	Title string
	Focus string
}

func (v SVGPage) viewBox() string {
	return num(v.Rect.X) + " " + num(v.Rect.Y) + " " + num(v.Rect.W) + " " + num(v.Rect.H)
}

// RenderSVG lays out graphJSON (a /api/graph snapshot, as JSON) with the
// page's layout and writes it to w as a standalone SVG file. namespaces
// is the viewer's filter; focus a ?focus= value ("" for none), whose chain
// the file is cut to, with the rest dimmed; lang the labels' language, from
// the page's own tables. A bad focus is a *FocusError. The end of ctx stops
// the layout.
//
// RenderSVG neither bounds nor caches its work: a server uses an
// SVGRenderer.
func RenderSVG(ctx context.Context, w io.Writer, graphJSON []byte, namespaces []string, focus, lang string) error {
	l, err := defaultVMs.layout(ctx, defaultLayoutTimeout, graphJSON, namespaces, focus, lang)
	if err != nil {
		return err
	}
	return drawSVG(ctx, w, l, focus)
}

// drawSVG writes the laid-out picture l as a standalone SVG file.
func drawSVG(ctx context.Context, w io.Writer, l *SVGLayout, focus string) error {
	rect := SVGRect{X: 0, Y: 0, W: l.Width, H: l.Height}
	if l.Rect != nil {
		rect = *l.Rect
	}
	title := "Podium"
	if focus != "" {
		title += " · " + focus
	}
	return GraphSVG(SVGPage{L: l, Rect: rect, Title: title, Focus: focus}).Render(ctx, w)
}

// Geometry the template shares with static/layout.js and render.js.
const (
	headY = 64 - 22   // GEOM.top - 22: column headings
	bandW = 660 + 560 // GEOM.col.work.x + w: bands span the first three columns
)

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func translate(x, y float64) string { return "translate(" + num(x) + "," + num(y) + ")" }

// attrs builds optional attributes from name, value pairs, leaving out the
// empty ones (templ's ?= is for boolean attributes only).
func attrs(kv ...string) templ.Attributes {
	a := templ.Attributes{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			a[kv[i]] = kv[i+1]
		}
	}
	return a
}

func when(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

func isWork(kind string) bool {
	switch kind {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "group":
		return true
	}
	return false
}

func titleMax(kind string) int {
	if isWork(kind) {
		return 34
	}
	return 22
}

func subMax(kind string) int {
	if isWork(kind) {
		return 62
	}
	return 32
}

func statusTone(status string) string {
	switch status {
	case "Ready", "complete":
		return "ok"
	case "progressing", "Progressing", "NoEndpoints":
		return "warn"
	case "NotReady", "stalled":
		return "bad"
	}
	return ""
}

func nodeColour(c int) string {
	if c < 0 {
		return ""
	}
	return "node-c" + strconv.Itoa(c%8)
}

func nodeColourIf(ok bool, c int) string {
	if !ok {
		return ""
	}
	return nodeColour(c)
}

func stateOr(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func selectsState(e SVGEdge) string {
	if e.Kind != "selects" || e.Agg {
		return ""
	}
	return stateOr(e.State)
}

// fillRatio: a ready pod is a full disc, a not-ready one a smaller core,
// others only their ring (the browser's glyphs, simplified for a file).
func fillRatio(state string) float64 {
	switch state {
	case "ready", "failed":
		return 1
	case "notready", "creating":
		return 0.45
	}
	return 0
}

// ellipsize shortens s to max runes with "…".
func ellipsize(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// svgCSS is style.css's dark theme, resolved: a file has no variables to
// inherit and no page around it.
const svgCSS = `
.bg{fill:#0f1520}
text{fill:#e8eef8}
.col-head{font-size:15px;letter-spacing:.16em;fill:#5d7396;font-weight:600}
.band-bg{fill:rgba(120,150,200,.05);stroke:rgba(120,150,200,.14)}
.band-title{font-size:17px;font-weight:700;fill:#b9c7dc}
.box-bg{fill:#1b2638;stroke:#3a4d6e;stroke-width:2}
.box-bg.work{fill:#141c29;stroke:#4d6a99}
.box-title{font-size:19px;font-weight:650;fill:#e8eef8}
.box-sub{font-size:14.5px;fill:#8aa4c8}
.box-sub.ok{fill:#3ddc97}.box-sub.warn{fill:#f0b44c}.box-sub.bad{fill:#ff6b5a}
.kind-tag{font-size:12px;letter-spacing:.14em;fill:#5d7396;font-weight:600}
.ghost .box-bg{fill:none;stroke:#ff6b5a;stroke-dasharray:6 5}
.node-swatch{fill:var(--nc)}
.kind-Node .box-bg{stroke:var(--nc)}
.lane-bg{fill:#1a2232;stroke:#2c3a52}
.lane-label{font-size:14px;fill:#8aa4c8}
.st-ready{--c:#3ddc97}.st-notready{--c:#56b4e9}.st-pending{--c:#8a9ab3}.st-creating{--c:#a7bde0}
.st-terminating{--c:#f0b44c}.st-failed{--c:#ff6b5a}.st-completed{--c:#6f819c}
.g-ring{fill:none;stroke:var(--c);stroke-width:3}
.st-pending .g-ring{stroke-dasharray:2 4}.st-terminating .g-ring,.st-creating .g-ring{stroke-dasharray:5 4}
.g-fill{fill:var(--c)}
.cell{fill:var(--c);stroke:var(--c)}
.pod-name{font-size:15px;font-weight:600;fill:#e8eef8}
.pod-status{font-weight:400;font-size:14px;fill:var(--c)}
.st-ready .pod-status{fill:#8aa4c8}
.node-c0{--nc:#c792ea}.node-c1{--nc:#7fd1e6}.node-c2{--nc:#f7a072}.node-c3{--nc:#b5e48c}
.node-c4{--nc:#ffd166}.node-c5{--nc:#82aaff}.node-c6{--nc:#f28fad}.node-c7{--nc:#9ad1c1}
.edge path{fill:none;stroke-width:2.5}
.edge.k-routes path{stroke:#8aa4c8}
.edge.k-routes.s-dangling path{stroke:#ff6b5a;stroke-dasharray:6 5}
.edge.k-selects.s-ready path{stroke:#3ddc97}
.edge.k-selects.s-serving path{stroke:#56b4e9;stroke-dasharray:12 5}
.edge.k-selects.s-terminating path{stroke:#f0b44c;stroke-dasharray:8 6}
.edge.k-selects.s-none path{stroke:#5d7396;stroke-dasharray:2 6}
.edge.k-runs-on path{stroke:var(--nc);stroke-width:1.6;opacity:.6}
.edge.agg path{stroke-width:5}
.dim{opacity:.13}
`
