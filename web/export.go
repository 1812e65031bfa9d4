package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
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
	G     Geom   // layout.js's GEOM
	Style string // svgCSS, resolved against style.css's dark theme
}

// SVGStyleCSP is the Content-Security-Policy style-src source that admits
// the <style> element of GraphSVG's files ("'sha256-…'" of its exact text):
// a file opened in a browser straight from /api/graph.svg gets the server's
// CSP, which admits no other inline style.
func SVGStyleCSP() (string, error) {
	style, err := svgStyle()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(style))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'", nil
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
	l, err := defaultVMs.layout(ctx, defaultLayoutTimeout, graphJSON, namespaces, focus, lang, AllLayers)
	if err != nil {
		return err
	}
	return drawSVG(ctx, w, l, focus)
}

// drawSVG writes the laid-out picture l as a standalone SVG file.
func drawSVG(ctx context.Context, w io.Writer, l *SVGLayout, focus string) error {
	g, err := geom()
	if err != nil {
		return err
	}
	style, err := svgStyle()
	if err != nil {
		return err
	}
	rect := SVGRect{X: 0, Y: 0, W: l.Width, H: l.Height}
	if l.Rect != nil {
		rect = *l.Rect
	}
	title := "Podium"
	if focus != "" {
		title += " · " + focus
	}
	return GraphSVG(SVGPage{L: l, Rect: rect, Title: title, Focus: focus, G: g, Style: style}).Render(ctx, w)
}

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
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "CustomOwner", "group":
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
	if (e.Kind != "selects" && e.Kind != "mounts") || e.Agg {
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

// svgCSS is the export's stylesheet. Its colours are style.css's custom
// properties, written in by svgStyle (a file has no page to inherit them
// from); --c and --nc are the file's own, per pod state and per node.
const svgCSS = `
.bg{fill:var(--bg)}
text{fill:var(--text)}
.col-head{font-size:15px;letter-spacing:.16em;fill:var(--faint);font-weight:600}
.band-bg{fill:var(--band);stroke:var(--band-stroke)}
.band-title{font-size:17px;font-weight:700;fill:var(--text-2)}
.box-bg{fill:var(--box);stroke:var(--box-stroke);stroke-width:2}
.box-bg.work{fill:var(--work);stroke:var(--work-stroke)}
.box-title{font-size:19px;font-weight:650;fill:var(--text)}
.box-sub{font-size:14.5px;fill:var(--muted)}
.box-sub.ok{fill:var(--ready)}.box-sub.warn{fill:var(--terminating)}.box-sub.bad{fill:var(--failed)}
.kind-tag{font-size:12px;letter-spacing:.14em;fill:var(--faint);font-weight:600}
.ghost .box-bg{fill:none;stroke:var(--failed);stroke-dasharray:6 5}
.node-swatch{fill:var(--nc)}
.kind-Node .box-bg{stroke:var(--nc)}
.lane-bg{fill:var(--lane);stroke:var(--lane-stroke)}
.lane-label{font-size:14px;fill:var(--muted)}
.edge-label{font-size:13.5px;fill:var(--muted);paint-order:stroke;stroke:var(--bg);stroke-width:4px;stroke-linejoin:round}
.edge-label.bad{fill:var(--failed);font-weight:600}.edge-label.grants-label{fill:var(--accent);font-weight:600}
.st-ready{--c:var(--ready)}.st-notready{--c:var(--notready)}.st-pending{--c:var(--pending)}.st-creating{--c:var(--creating)}
.st-terminating{--c:var(--terminating)}.st-failed{--c:var(--failed)}.st-completed{--c:var(--completed)}
.g-ring{fill:none;stroke:var(--c);stroke-width:3}
.st-pending .g-ring{stroke-dasharray:2 4}.st-terminating .g-ring,.st-creating .g-ring{stroke-dasharray:5 4}
.g-fill{fill:var(--c)}
.cell{fill:var(--c);stroke:var(--c)}
.pod-name{font-size:15px;font-weight:600;fill:var(--text)}
.pod-status{font-weight:400;font-size:14px;fill:var(--c)}
.st-ready .pod-status{fill:var(--muted)}
.node-c0{--nc:var(--node-0)}.node-c1{--nc:var(--node-1)}.node-c2{--nc:var(--node-2)}.node-c3{--nc:var(--node-3)}
.node-c4{--nc:var(--node-4)}.node-c5{--nc:var(--node-5)}.node-c6{--nc:var(--node-6)}.node-c7{--nc:var(--node-7)}
.edge path{fill:none;stroke-width:2.5}
.edge.k-routes path{stroke:var(--muted)}
.edge.k-routes.s-dangling path{stroke:var(--failed);stroke-dasharray:6 5}
.edge.k-selects.s-ready path{stroke:var(--ready)}
.edge.k-selects.s-serving path{stroke:var(--notready);stroke-dasharray:12 5}
.edge.k-selects.s-terminating path{stroke:var(--terminating);stroke-dasharray:8 6}
.edge.k-selects.s-none path{stroke:var(--faint);stroke-dasharray:2 6}
.edge.k-runs-on path{stroke:var(--nc);stroke-width:1.6;opacity:.6}
.edge.agg path{stroke-width:5}
.dim{opacity:.13}
`

// svgOwnVars are the variables svgCSS sets itself.
var svgOwnVars = []string{"c", "nc"}
