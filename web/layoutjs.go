package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// The server-side SVG (GET /api/graph.svg) uses the browser's own layout
// and status rules: static/layout.js and status.js, with format.js and
// focus.js, run in goja, a JavaScript engine in pure Go. One implementation
// draws both pictures, so they cannot drift apart; see docs/export.md for
// why this beat a Go port.

//go:embed svgview.js
var svgViewJS string

// layoutModules are bundled in dependency order.
var layoutModules = []string{"format.js", "gateway.js", "customowner.js", "i18n-presenter.js", "i18n-zh.js", "i18n.js", "nodegroups.js", "kinds.js", "layout.js", "edgelabel.js", "focus.js", "status.js"}

// intlShim stands in for the one Intl API i18n.js uses, which goja lacks:
// plural categories, for the two languages there are ("one" is English's
// singular; Chinese has only "other").
const intlShim = `var Intl = { PluralRules: function (lang) {
  this.select = function (n) { return String(lang).indexOf('en') === 0 && n === 1 ? 'one' : 'other'; };
} };
`

var (
	importRe = regexp.MustCompile(`(?m)^import\s*\{([^}]*)\}\s*from\s*'\./([\w-]+)\.js';?\s*$`)
	exportRe = regexp.MustCompile(`(?m)^export\s+(const|let|function|class)\s+([A-Za-z_$][\w$]*)`)
	leftRe   = regexp.MustCompile(`(?m)^\s*(import|export)\b`)
)

// bundle turns the named ES modules of fsys into one classic script that
// fills a global __mods with each module's exports. It understands the two
// forms the modules use, `import { a, b as c } from './m.js'` and
// `export const|let|function|class name`, and refuses anything else, so a
// new form of import or export fails the tests instead of the export.
func bundle(fsys fs.FS, names []string) (string, error) {
	var b strings.Builder
	b.WriteString("var __mods = {};\n")
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", err
		}
		mod := strings.TrimSuffix(name, ".js")
		s := importRe.ReplaceAllStringFunc(string(src), func(m string) string {
			sub := importRe.FindStringSubmatch(m)
			var parts []string
			for _, p := range strings.Split(sub[1], ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				if from, to, ok := strings.Cut(p, " as "); ok {
					p = strings.TrimSpace(from) + ": " + strings.TrimSpace(to)
				}
				parts = append(parts, p)
			}
			return fmt.Sprintf("const { %s } = __mods[%q];", strings.Join(parts, ", "), sub[2])
		})
		var exports []string
		s = exportRe.ReplaceAllStringFunc(s, func(m string) string {
			sub := exportRe.FindStringSubmatch(m)
			exports = append(exports, sub[2])
			return sub[1] + " " + sub[2]
		})
		if loc := leftRe.FindStringIndex(s); loc != nil {
			line := s[loc[0]:]
			line, _, _ = strings.Cut(line, "\n")
			return "", fmt.Errorf("bundle %s: unsupported module syntax: %q", name, strings.TrimSpace(line))
		}
		fmt.Fprintf(&b, "__mods[%q] = (function () {\n%s\nreturn { %s };\n})();\n", mod, s, strings.Join(exports, ", "))
	}
	return b.String(), nil
}

var (
	programOnce sync.Once
	program     *goja.Program
	programErr  error
)

func layoutProgram() (*goja.Program, error) {
	programOnce.Do(func() {
		src, err := bundle(Static, layoutModules)
		if err != nil {
			programErr = err
			return
		}
		program, programErr = goja.Compile("podium-layout.js", intlShim+src+"\n"+svgViewJS, true)
	})
	return program, programErr
}

// vmPool keeps idle layout runtimes for reuse (building one runs the whole
// bundle): a goja.Runtime is not safe for concurrent use, so each layout
// takes its own. An idle runtime holds on to what its last layout left in
// it, so the pool is bounded, and a runtime that laid out a large graph is
// dropped rather than kept. goja can neither report nor shrink a runtime's
// heap, so the input's size stands in for it. (A runtime kept about 3.5
// times its input while it was handed the graph as JSON text, 16 MiB after
// 5,000 pods; given decodeGraph's lists it keeps about 0.6 MiB.)
type vmPool struct {
	idle     chan *layoutVM
	maxInput int // bytes of graph JSON; a runtime given more is not pooled

	created     atomic.Int64 // runtimes built, for tests
	interrupted atomic.Int64 // layouts stopped while running, for tests
	// afterCall, when set, runs right after the layout call returns and
	// before its interrupt is disarmed: tests interrupt rt there, as a timer
	// or a hang-up would that came just then.
	afterCall func(rt *goja.Runtime)
	// atPeak, when set before the pool's first runtime is built, is what
	// svgview.js calls when all it builds is alive, just before it writes its
	// result: tests measure the heap there.
	atPeak func()
}

// layoutVM is a runtime with the bundle loaded.
type layoutVM struct {
	rt   *goja.Runtime
	view goja.Callable // podiumSVGView
}

const (
	// defaultLayoutTimeout bounds one layout; 5,000 pods take about 1 s alone.
	defaultLayoutTimeout = 10 * time.Second
	// defaultMaxPooledInput: about 1,000 pods of graph JSON.
	defaultMaxPooledInput = 1 << 20
)

// defaultVMs serves ComputeSVGView and RenderSVG; an SVGRenderer has its own.
var defaultVMs = newVMPool(2, defaultMaxPooledInput)

func newVMPool(idle, maxInput int) *vmPool {
	return &vmPool{idle: make(chan *layoutVM, idle), maxInput: maxInput}
}

func (p *vmPool) get() (*layoutVM, error) {
	select {
	case vm := <-p.idle:
		return vm, nil
	default:
	}
	prog, err := layoutProgram()
	if err != nil {
		return nil, fmt.Errorf("layout script: %w", err)
	}
	rt := goja.New()
	if _, err := rt.RunProgram(prog); err != nil {
		return nil, fmt.Errorf("layout script: %w", err)
	}
	if p.atPeak != nil {
		if err := rt.Set("__atPeak", p.atPeak); err != nil {
			return nil, err
		}
	}
	view, ok := goja.AssertFunction(rt.Get("podiumSVGView"))
	if !ok {
		return nil, errors.New("layout script: podiumSVGView is not a function")
	}
	p.created.Add(1)
	return &layoutVM{rt: rt, view: view}, nil
}

// put returns vm to the pool, unless it laid out more than maxInput bytes
// or the pool is full. The caller has cleared any pending interrupt.
func (p *vmPool) put(vm *layoutVM, input int) {
	if input > p.maxInput {
		return
	}
	select {
	case p.idle <- vm:
	default:
	}
}

// layout lays out graphJSON with the browser's layout in a pooled runtime.
// The end of ctx (a client that hung up), or timeout, interrupts the script;
// the error then wraps context.Cause(ctx).
//
// layers is the viewer's ?layers= as given (AllLayers when it named none);
// the script reads it, and an unknown layer is a *FocusError too (a bad
// view parameter, answered 400).
func (p *vmPool) layout(ctx context.Context, timeout time.Duration, graphJSON []byte, namespaces []string, focus, lang, layers string) (*SVGLayout, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	vm, err := p.get()
	if err != nil {
		return nil, err
	}
	if namespaces == nil {
		namespaces = []string{}
	}
	nsJSON, _ := json.Marshal(namespaces)
	input := len(graphJSON)
	nodes, edges, err := decodeGraph(vm.rt, graphJSON)
	if err != nil {
		p.put(vm, input)
		return nil, fmt.Errorf("layout: %w", err)
	}
	// A graph that makes the layout run away must not hold the request.
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("layout took longer than %s: %w", timeout, context.DeadlineExceeded))
	defer cancel()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		vm.rt.Interrupt(context.Cause(ctx))
	})
	res, err := vm.view(goja.Undefined(), nodes, edges, vm.rt.ToValue(string(nsJSON)), vm.rt.ToValue(focus), vm.rt.ToValue(lang), vm.rt.ToValue(layers))
	if p.afterCall != nil {
		p.afterCall(vm.rt)
	}
	// The interrupt may have been started just as the call returned, and
	// would then be left pending, to fail the runtime's next layout at once:
	// wait for it to land, then clear it. (An interrupt that did stop the
	// script was cleared by goja already.)
	if !stop() {
		<-fired
	}
	vm.rt.ClearInterrupt()
	var view string
	if err == nil {
		view = res.String() // before the runtime, and res with it, is reused
	}
	// podiumSVGView keeps no state between calls (it sets the language
	// first), so neither a JavaScript exception nor an interrupt leaves the
	// runtime unusable.
	p.put(vm, input)
	if err != nil {
		var ie *goja.InterruptedError
		if cause := context.Cause(ctx); errors.As(err, &ie) && cause != nil {
			p.interrupted.Add(1)
			return nil, fmt.Errorf("layout: %w", cause)
		}
		return nil, fmt.Errorf("layout: %w", err)
	}
	var out SVGLayout
	if err := json.Unmarshal([]byte(view), &out); err != nil {
		return nil, fmt.Errorf("layout result: %w", err)
	}
	if out.Error != "" {
		return nil, &FocusError{Msg: out.Error, NotFound: out.NotFound}
	}
	return &out, nil
}

// FocusError is a focus the request named badly, or that is not in the graph.
type FocusError struct {
	Msg      string
	NotFound bool
}

func (e *FocusError) Error() string { return e.Msg }

// FocusNotFound reports a well-formed focus that is not in the graph, for
// the server (server.FocusError).
func (e *FocusError) FocusNotFound() bool { return e.NotFound }

// ComputeSVGView lays out graphJSON (a /api/graph snapshot) with the
// browser's layout and returns what the SVG template draws. namespaces are
// the viewer's filter (drawn even when empty); focus is a ?focus= value or
// ""; lang picks the page's message table ("zh-CN", "en"; others fall back
// to English).
func ComputeSVGView(graphJSON []byte, namespaces []string, focus, lang string) (*SVGLayout, error) {
	return defaultVMs.layout(context.Background(), defaultLayoutTimeout, graphJSON, namespaces, focus, lang, AllLayers)
}

// AllLayers is the layers value of a request that named none: every layer
// is drawn (static/layout.js's LAYERS), so a file from curl shows all.
const AllLayers = "*"

// SVGLayout is the picture as laid out by static/layout.js (svgview.js
// shapes it); units are the layout's.
type SVGLayout struct {
	Error    string      `json:"error"`
	NotFound bool        `json:"notFound"`
	Width    float64     `json:"width"`
	BandW    float64     `json:"bandW"` // a namespace band's width: every column but the Nodes'
	Height   float64     `json:"height"`
	Lang     string      `json:"lang"`    // the table in use
	Missing  string      `json:"missing"` // the label of a missing Service
	Columns  []SVGColumn `json:"columns"`
	Bands    []SVGBand   `json:"bands"`
	Boxes    []SVGBox    `json:"boxes"`
	Lanes    []SVGLane   `json:"lanes"`
	Pods     []SVGPod    `json:"pods"`
	Edges    []SVGEdge   `json:"edges"`
	Ghosts   []SVGGhost  `json:"ghosts"`
	Folded   []SVGFolded `json:"folded"`
	Rect     *SVGRect    `json:"rect"` // the focused part, when focused
}

type SVGColumn struct {
	ID    string  `json:"id"`
	X     float64 `json:"x"`
	W     float64 `json:"w"`
	Title string  `json:"title"`
}

type SVGBand struct {
	NS   string  `json:"ns"`
	Y    float64 `json:"y"`
	H    float64 `json:"h"`
	Pods int     `json:"pods"`
	Dim  bool    `json:"dim"`
	// The Namespace entity, when the quotas layer draws it: its id, status
	// and quotas in a line.
	NSID     string  `json:"nsID"`
	NSStatus string  `json:"nsStatus"`
	Quotas   string  `json:"quotas"`
	QuotaY   float64 `json:"quotaY"`
}

type SVGBox struct {
	ID     string  `json:"id"`
	Kind   string  `json:"kind"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
	Colour int     `json:"colour"`
	Title  string  `json:"title"`
	Tag    string  `json:"tag"` // the kind, as the box's corner label
	Sub    string  `json:"sub"`
	Sub2   string  `json:"sub2"`
	Status string  `json:"status"`
	Dim    bool    `json:"dim"`
	Group  bool    `json:"group"` // a pod group, not an entity
}

type SVGLane struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
	Label    string  `json:"label"`
	Dim      bool    `json:"dim"`
	IsEntity bool    `json:"isEntity"` // a ReplicaSet: carries data-id
	Status   string  `json:"status"`   // a ReplicaSet's: new or old (static/status.js)
}

type SVGPod struct {
	ID      string  `json:"id"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	R       float64 `json:"r"`
	Compact bool    `json:"compact"`
	State   string  `json:"state"`
	Status  string  `json:"status"`
	Name    string  `json:"name"`
	Colour  int     `json:"colour"`
	Dim     bool    `json:"dim"`
}

type SVGEdge struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	State  string `json:"state"`
	D      string `json:"d"`
	Agg    bool   `json:"agg"` // aggregated or synthetic: not a protocol edge
	Count  int    `json:"count"`
	Colour int    `json:"colour"`
	Dim    bool   `json:"dim"`
	// Label is the text beside the path (static/edgelabel.js), at LX, LY,
	// with its class and text-anchor; "" for none.
	Label       string  `json:"label"`
	LX          float64 `json:"lx"`
	LY          float64 `json:"ly"`
	LabelClass  string  `json:"labelClass"`
	LabelAnchor string  `json:"labelAnchor"`
}

type SVGGhost struct {
	ID   string  `json:"id"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
	Name string  `json:"name"`
}

type SVGFolded struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

type SVGRect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}
