package web

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// One layout of 5,000 pods takes about a second of CPU and allocates about
// 240 MiB, so GET /api/graph.svg must not start one per request: an
// SVGRenderer runs a few at once, answers the rest ErrBusy at once, lets
// identical requests share one render, and keeps the finished files.

// ErrBusy is Render's answer when every render slot, or the memory budget
// for layouts, is taken. A server answers 503 with a Retry-After of a
// second or so (a 5,000-pod picture takes about that).
var ErrBusy = errors.New("svg: too many renders at once, try again shortly")

// SVGKey names one picture: the graph at (Epoch, Seq), seen through Filter
// (the viewer's filter, in any canonical form the caller likes), cut to
// Focus, in Lang. Equal keys must mean equal inputs to Render.
type SVGKey struct {
	Epoch  string
	Seq    uint64
	Filter string
	Focus  string
	Lang   string
	// Layers is the viewer's ?layers= as given, AllLayers when it named none.
	Layers string
}

// SVGOptions bound an SVGRenderer. Zero values take the defaults.
type SVGOptions struct {
	// MaxConcurrent is how many renders may run at once (default
	// DefaultSVGConcurrency()).
	MaxConcurrent int
	// MaxLayoutBytes bounds the graph JSON being laid out at once, in bytes
	// (default 6 MiB): memory, not CPU, is what renders run out of. The
	// layout of 5,000 pods (4.6 MB of JSON) raises the process's peak RSS
	// by about 90 MiB (150 before issue #15), so the default admits one
	// such render at a time and many small ones. A graph over the budget
	// is laid out alone.
	MaxLayoutBytes int
	// CacheEntries is how many rendered files are kept (default 16;
	// negative: none), and CacheBytes their total size (default 4 MiB,
	// two 5,000-pod files of about 1.4 MB: the cache is live heap, which
	// the garbage collector lets grow to twice its size). A file over
	// CacheBytes is not kept.
	CacheEntries int
	CacheBytes   int
	// Timeout bounds one layout (default 10 s).
	Timeout time.Duration
	// MaxPooledInput is the graph JSON size, in bytes, above which a render's
	// runtime is dropped instead of kept for the next (default 1 MiB, about
	// 1,000 pods): goja has no heap-size API, and a runtime keeps part of
	// its last layout (vmPool).
	MaxPooledInput int
}

// DefaultSVGConcurrency is half the CPUs Go may use, at least one: a render
// is CPU-bound, and the rest of the server (the WebSocket stream above all)
// must keep its share.
func DefaultSVGConcurrency() int {
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// SVGRenderer renders graph snapshots to SVG files with the page's own
// layout, bounded in concurrency and cached. It is safe for concurrent use.
type SVGRenderer struct {
	timeout   time.Duration
	slots     chan struct{} // one token per running render
	maxLayout int           // MaxLayoutBytes
	vms       *vmPool

	mu        sync.Mutex
	flights   map[SVGKey]*flight // guarded by mu: renders running, by key
	layingOut int                // guarded by mu: bytes of graph JSON in layouts
	lastInput int                // guarded by mu: bytes of the last graph laid out
	cache     *svgCache          // guarded by mu

	renders atomic.Int64 // renders started, for tests and benchmarks
	// beforeLayout, when set, runs in each render before its layout: tests
	// hold renders there.
	beforeLayout func(ctx context.Context)
}

// flight is one render, shared by every request for its key.
type flight struct {
	done    chan struct{} // closed when svg and err are set
	svg     []byte
	err     error
	waiters int // guarded by SVGRenderer.mu; at 0 the render is cancelled
	cancel  context.CancelFunc
}

// NewSVGRenderer returns a renderer bounded by o.
func NewSVGRenderer(o SVGOptions) *SVGRenderer {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultSVGConcurrency()
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = 16
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 4 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultLayoutTimeout
	}
	if o.MaxLayoutBytes <= 0 {
		o.MaxLayoutBytes = 6 << 20
	}
	if o.MaxPooledInput <= 0 {
		o.MaxPooledInput = defaultMaxPooledInput
	}
	return &SVGRenderer{
		timeout:   o.Timeout,
		slots:     make(chan struct{}, o.MaxConcurrent),
		maxLayout: o.MaxLayoutBytes,
		vms:       newVMPool(o.MaxConcurrent, o.MaxPooledInput),
		flights:   map[SVGKey]*flight{},
		cache:     newSVGCache(max(0, o.CacheEntries), o.CacheBytes),
	}
}

// Render writes the picture named by key to w, as RenderSVG would.
// graphJSON returns the graph (a /api/graph snapshot, as JSON) and is called
// only when a render starts, so a request served from the cache, or by a
// render already running for its key, and one refused, costs no encoding.
// Otherwise, with every slot or the layout budget taken, Render returns
// ErrBusy at once (the budget is judged by the last graph's size, and again
// by this one's once graphJSON returns). When ctx ends Render returns its
// cause; the render itself stops (its layout is interrupted) once no request
// is waiting for it. A bad focus is a *FocusError, given to every request
// that waited for it, and not cached.
func (r *SVGRenderer) Render(ctx context.Context, w io.Writer, key SVGKey, graphJSON func() ([]byte, error), namespaces []string, focus, lang string) error {
	r.mu.Lock()
	if svg, ok := r.cache.get(key); ok {
		r.mu.Unlock()
		_, err := w.Write(svg)
		return err
	}
	f := r.flights[key]
	if f == nil && r.layingOut > 0 && r.layingOut+r.lastInput > r.maxLayout {
		// The next graph is likely the size of the last: refuse it before
		// it is encoded, as it would be once it is.
		r.mu.Unlock()
		return ErrBusy
	}
	if f == nil {
		select {
		case r.slots <- struct{}{}:
		default:
			r.mu.Unlock()
			return ErrBusy
		}
		// The render outlives the request that started it when others wait
		// for it too: it ends with its last waiter, or at the timeout.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		r.flights[key] = f
		go r.run(fctx, f, key, graphJSON, namespaces, focus, lang)
	}
	f.waiters++
	r.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			return f.err
		}
		_, err := w.Write(f.svg)
		return err
	case <-ctx.Done():
		r.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
			// A new request for the key starts afresh rather than joining a
			// render that is being stopped.
			if r.flights[key] == f {
				delete(r.flights, key)
			}
		}
		r.mu.Unlock()
		return context.Cause(ctx)
	}
}

// run renders f's picture in a slot already taken, and frees it.
func (r *SVGRenderer) run(ctx context.Context, f *flight, key SVGKey, graphJSON func() ([]byte, error), namespaces []string, focus, lang string) {
	r.renders.Add(1)
	var buf bytes.Buffer
	raw, err := graphJSON()
	if err == nil {
		err = r.layOut(ctx, &buf, raw, key, namespaces, focus, lang)
	}
	f.cancel()
	<-r.slots // freed first, so a request answered below can retry at once
	r.mu.Lock()
	if r.flights[key] == f {
		delete(r.flights, key)
	}
	if err == nil {
		r.cache.add(key, buf.Bytes())
	}
	f.svg, f.err = buf.Bytes(), err
	r.mu.Unlock()
	close(f.done)
}

// layOut lays out raw and draws it to w, within the layout byte budget.
func (r *SVGRenderer) layOut(ctx context.Context, w io.Writer, raw []byte, key SVGKey, namespaces []string, focus, lang string) error {
	r.mu.Lock()
	if r.layingOut > 0 && r.layingOut+len(raw) > r.maxLayout {
		r.mu.Unlock()
		return ErrBusy
	}
	n := len(raw) // raw itself is let go once it is decoded
	r.layingOut += n
	r.lastInput = n
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.layingOut -= n
		r.mu.Unlock()
	}()
	if r.beforeLayout != nil {
		r.beforeLayout(ctx)
	}
	layers := key.Layers
	if layers == "" {
		layers = AllLayers // a key written before layers existed
	}
	l, err := r.vms.layout(ctx, r.timeout, raw, namespaces, focus, lang, layers)
	if err != nil {
		return err
	}
	return drawSVG(ctx, w, l, focus)
}

// svgCache is a least-recently-used set of rendered files, bounded in
// entries and bytes. It holds one file per picture (a key but for its Seq):
// the graph's seq only grows within an epoch, so once a later seq of a
// picture is drawn its earlier files can never be asked for again, and
// keeping them would only hold memory (issue #15).
type svgCache struct {
	maxEntries, maxBytes int
	bytes                int
	order                list.List                // of *svgEntry, most recent first
	byPicture            map[SVGKey]*list.Element // by key with Seq 0
}

func newSVGCache(entries, bytes int) *svgCache {
	return &svgCache{maxEntries: entries, maxBytes: bytes, byPicture: map[SVGKey]*list.Element{}}
}

type svgEntry struct {
	key SVGKey
	svg []byte
}

// picture is k without its seq.
func picture(k SVGKey) SVGKey {
	k.Seq = 0
	return k
}

func (c *svgCache) get(k SVGKey) ([]byte, bool) {
	e, ok := c.byPicture[picture(k)]
	if !ok || e.Value.(*svgEntry).key != k {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*svgEntry).svg, true
}

func (c *svgCache) add(k SVGKey, svg []byte) {
	if c.maxEntries == 0 || len(svg) > c.maxBytes {
		return
	}
	if e, ok := c.byPicture[picture(k)]; ok {
		if e.Value.(*svgEntry).key.Seq >= k.Seq {
			return // this file, or a later graph's, is kept already
		}
		c.remove(e)
	}
	c.byPicture[picture(k)] = c.order.PushFront(&svgEntry{key: k, svg: svg})
	c.bytes += len(svg)
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *svgCache) remove(e *list.Element) {
	c.order.Remove(e)
	ent := e.Value.(*svgEntry)
	delete(c.byPicture, picture(ent.key))
	c.bytes -= len(ent.svg)
}
