package informers

import (
	"context"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/kube"
)

// The Gateway API (issue #16) is a set of CRDs a cluster may or may not
// have. Podium asks discovery whether gateway.networking.k8s.io/v1 serves
// each of the four resources it draws, at start and again whenever a CRD of
// that group is created, changed or deleted (seen through a metadata-only
// watch of CustomResourceDefinitions: names, never the large schemas). A
// served resource gets its informers; one that stops being served loses
// them, and its objects leave the picture. No timer polls: after a CRD
// event, discovery is asked again only while it disagrees with the CRDs
// (the API server publishes a new CRD's resources a moment after the CRD
// is established), with backoff, and for a bounded time.
//
// Typed informers over the v1 types of sigs.k8s.io/gateway-api (in
// kube.Scheme), not dynamic ones: the cache then holds the typed objects
// the transforms strip in place, as for every other kind, where a dynamic
// informer would cache unstructured maps and convert each object on every
// read. The types alone, not the module's clientset, keep the release
// binary's growth small.

// gatewayResources are the Gateway API resources Podium reads, v1 all.
var gatewayResources = []resource{
	{name: graph.GatewayClasses, group: graph.GatewayGroup, version: "v1", clustered: true, obj: &gatewayv1.GatewayClass{}},
	{name: graph.Gateways, group: graph.GatewayGroup, version: "v1", obj: &gatewayv1.Gateway{}},
	{name: graph.HTTPRoutes, group: graph.GatewayGroup, version: "v1", obj: &gatewayv1.HTTPRoute{}},
	{name: graph.GRPCRoutes, group: graph.GatewayGroup, version: "v1", obj: &gatewayv1.GRPCRoute{}},
}

// crdResource is the CustomResourceDefinitions, watched as metadata only.
var crdResource = resource{name: "customresourcedefinitions", group: "apiextensions.k8s.io", version: "v1", clustered: true}

var crdGVR = crdResource.gvr()

// isGatewayResource reports whether r is one of gatewayResources.
func isGatewayResource(r graph.Resource) bool {
	switch r {
	case graph.GatewayClasses, graph.Gateways, graph.HTTPRoutes, graph.GRPCRoutes:
		return true
	}
	return false
}

// typedInformer is what client-go's generated, metadata and dynamic
// informer constructors make, over a list and watch of lwClient's (whose
// watch-list support the reflector asks about: a fake one has none). Their
// packages are not used: they link client-go's all-groups scheme.
func typedInformer[L runtime.Object](obj runtime.Object, lwClient any, list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)) *informer {
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return list(ctx, o) },
		// Watch-lists come gzipped: the list is handed off to a plain
		// watch, as the built-in kinds' are.
		WatchFuncWithContext: kube.ListThenWatch(func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return watchFn(ctx, o)
		}),
	}
	return newInformerOf(cache.ToListWatcherWithWatchListSemantics(lw, lwClient), obj)
}

// gatewayWatch starts and stops the Gateway API informers as discovery
// finds the resources served or not.
type gatewayWatch struct {
	w        *Watcher
	meta     metadata.Interface // nil: no CRD watch (discovery at start only)
	discover func(ctx context.Context) (map[graph.Resource]bool, error)

	recheck chan struct{} // one slot: "a Gateway API CRD changed"
	crds    *informer

	// active is owned by run's goroutine (and Run's start, before it).
	active map[graph.Resource]*gatewayActive
}

// gatewayActive is one served resource's informers (a Gateway API
// resource's, or a custom owner kind's: customowner.go).
type gatewayActive struct {
	watched []*watched
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

// gatewayDiscovery asks the API server which Gateway API resources it
// serves at v1; a group it does not serve at all is none, not an error.
func gatewayDiscovery(c *kube.Client) func(ctx context.Context) (map[graph.Resource]bool, error) {
	return func(ctx context.Context) (map[graph.Resource]bool, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		list, err := c.Resources(ctx, schema.GroupVersion(gatewayv1.GroupVersion))
		if apierrors.IsNotFound(err) {
			return map[graph.Resource]bool{}, nil
		}
		if err != nil {
			return nil, err
		}
		out := map[graph.Resource]bool{}
		for _, r := range list.APIResources {
			if isGatewayResource(graph.Resource(r.Name)) {
				out[graph.Resource(r.Name)] = true
			}
		}
		return out, nil
	}
}

func newGatewayWatch(w *Watcher, meta metadata.Interface, discover func(ctx context.Context) (map[graph.Resource]bool, error)) *gatewayWatch {
	g := &gatewayWatch{w: w, meta: meta, discover: discover,
		recheck: make(chan struct{}, 1), active: map[graph.Resource]*gatewayActive{}}
	if meta != nil {
		g.crds = metadataInformer(meta, crdGVR, metav1.NamespaceAll)
		// Names are all the handler reads; a CRD's labels and managed
		// fields would be cached for nothing.
		g.crds.transform = func(obj any) (any, error) {
			if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
				m.ObjectMeta = metav1.ObjectMeta{Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion}
			}
			return obj, nil
		}
		wd := &watched{res: crdResource, informer: g.crds}
		g.crds.onError = func(err error) { w.watchError(wd, err) }
		g.crds.handle = func(obj any, deleted bool) {
			m := metaOf(obj)
			if m == nil {
				return
			}
			if strings.HasSuffix(m.GetName(), "."+graph.GatewayGroup) {
				g.signal()
			}
			// The one CRD watch serves the custom owners too (customowner.go).
			if w.custom != nil {
				w.custom.crdChanged(m.GetName(), deleted)
			}
		}
	}
	return g
}

func (g *gatewayWatch) signal() {
	select {
	case g.recheck <- struct{}{}:
	default:
	}
}

// start asks discovery once and starts the informers of what is served,
// before Run waits for the first sync: a cluster that has the CRDs at
// start shows its Gateways in the first snapshot. A discovery that fails
// here is retried by run.
func (g *gatewayWatch) start(ctx context.Context) bool {
	served, err := g.discover(ctx)
	if err != nil {
		g.w.opts.Logger.Warn("Gateway API discovery failed; retrying", "error", err.Error())
		return false
	}
	g.apply(ctx, served)
	return true
}

// run watches CRDs and re-applies discovery on each change of a Gateway
// API CRD, until ctx ends; then it stops every informer it started.
func (g *gatewayWatch) run(ctx context.Context, retry bool) {
	var wg sync.WaitGroup
	defer func() {
		for r := range g.active {
			g.stop(r)
		}
		wg.Wait()
	}()
	if g.crds != nil {
		wg.Go(func() { g.crds.RunWithContext(ctx) })
		// A CRD watch denied at first and allowed later leaves denied.
		wg.Go(func() {
			select {
			case <-ctx.Done():
				return
			case <-g.crds.Synced():
			}
			w := g.w
			w.mu.Lock()
			delete(w.denied, crdResource.qualified())
			delete(w.missing, crdResource.qualified())
			w.updateStatusLocked()
			w.mu.Unlock()
			w.log.Wake()
		})
	}
	if retry {
		g.signal()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.recheck:
		}
		g.settle(ctx)
	}
}

// Backoff of the discovery re-checks after one CRD event.
const (
	gatewayRecheckFirst = 250 * time.Millisecond
	gatewayRecheckMax   = 4 * time.Second
	gatewayRecheckFor   = time.Minute
)

// settle applies discovery, and asks again with backoff while it
// disagrees with the CRDs the metadata watch sees (or fails), for at most
// gatewayRecheckFor.
func (g *gatewayWatch) settle(ctx context.Context) {
	clk := g.w.opts.Clock
	deadline := clk.Now().Add(gatewayRecheckFor)
	wait := gatewayRecheckFirst
	for {
		served, err := g.discover(ctx)
		if err == nil {
			g.apply(ctx, served)
			if g.agrees(served) {
				return
			}
		}
		if clk.Now().After(deadline) {
			if err != nil {
				g.w.opts.Logger.Warn("Gateway API discovery failed; waiting for the next CRD change", "error", err.Error())
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-clk.After(wait):
		}
		wait = min(2*wait, gatewayRecheckMax)
	}
}

// agrees reports whether served matches the Gateway API CRDs the metadata
// watch holds; without a CRD watch there is nothing to disagree with.
func (g *gatewayWatch) agrees(served map[graph.Resource]bool) bool {
	if g.crds == nil || !g.crds.HasSynced() {
		return true
	}
	for _, r := range gatewayResources {
		_, exists, _ := g.crds.GetStore().GetByKey(string(r.name) + "." + r.group)
		if exists != served[r.name] {
			return false
		}
	}
	return true
}

// apply starts the informers of the served resources not yet watched,
// and stops those of the resources no longer served.
func (g *gatewayWatch) apply(ctx context.Context, served map[graph.Resource]bool) {
	for _, r := range gatewayResources {
		switch _, on := g.active[r.name]; {
		case served[r.name] && !on:
			g.startResource(ctx, r)
		case !served[r.name] && on:
			g.stop(r.name)
		}
	}
}

// startResource starts r's informers.
func (g *gatewayWatch) startResource(ctx context.Context, r resource) {
	var transform cache.TransformFunc = TransformGateway
	if g.w.opts.KeepWholeObjects {
		transform = nil
	}
	g.active[r.name] = g.w.startDynamic(ctx, r, func(ns string) (*informer, error) {
		return g.w.newInformer(r, ns, transform)
	})
}

// stop stops r's informers and takes their objects out of the picture:
// a resource no longer served has no objects left.
func (g *gatewayWatch) stop(r graph.Resource) {
	if a := g.active[r]; a != nil {
		delete(g.active, r)
		g.w.stopDynamic(a, r)
	}
}

// startDynamic starts the informers of r, a resource watched only while
// the cluster serves it (the Gateway API's, custom owners'): one
// cluster-wide, or one per namespace when Podium is restricted to some
// (as for the built-in kinds). newInformer makes the informer of one
// namespace ("" for all).
func (w *Watcher) startDynamic(ctx context.Context, r resource, newInformer func(ns string) (*informer, error)) *gatewayActive {
	ctx, cancel := context.WithCancel(ctx)
	a := &gatewayActive{cancel: cancel}
	nss := []string{""}
	if !r.clustered && len(w.opts.Namespaces) > 0 {
		nss = w.namespaceList()
	}
	for _, ns := range nss {
		inf, err := newInformer(ns)
		if err != nil {
			// Not one of kube.Scheme's kinds: a programming error, which
			// the tests of every kind would catch.
			w.opts.Logger.Error("cannot watch "+r.qualified(), "error", err.Error())
			continue
		}
		a.watched = append(a.watched, w.watch(r, ns, inf))
	}
	w.mu.Lock()
	w.gwWatched = append(w.gwWatched, a.watched...)
	w.updateStatusLocked()
	w.mu.Unlock()
	for _, wd := range a.watched {
		a.done.Go(func() { wd.informer.RunWithContext(ctx) })
		a.done.Go(func() { w.waitSynced(ctx, wd) })
	}
	w.opts.Logger.Info("watching " + r.qualified())
	return a
}

// stopDynamic stops the informers a of r, which startDynamic started, and
// takes their objects out of the picture.
func (w *Watcher) stopDynamic(a *gatewayActive, r graph.Resource) {
	a.cancel()
	a.done.Wait()
	w.mu.Lock()
	for _, wd := range a.watched {
		for i, x := range w.gwWatched {
			if x == wd {
				w.gwWatched = append(w.gwWatched[:i], w.gwWatched[i+1:]...)
				break
			}
		}
		delete(w.synced, wd)
		delete(w.denied, wd.res.qualified())
		delete(w.missing, wd.res.qualified())
	}
	w.updateStatusLocked()
	w.mu.Unlock()
	// Out of gwWatched first: the fold loop then finds no cache for these
	// keys, and deletes their entities.
	for _, wd := range a.watched {
		for _, obj := range wd.informer.GetStore().List() {
			w.changed(r, obj)
		}
	}
	w.signal()
	w.log.Wake()
}

// gatewayStore returns the cache of the Gateway API informer that holds
// k, or an empty one when none is running (the resource stopped being
// served: its objects are gone).
func (w *Watcher) gatewayStore(k key) cache.Store {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wd := range w.gwWatched {
		if wd.res.name == k.res && (wd.ns == "" || wd.ns == k.ns) {
			return wd.informer.GetStore()
		}
	}
	return emptyStore
}

// emptyStore is a cache with nothing in it; nothing ever adds to it.
var emptyStore = cache.NewStore(cache.MetaNamespaceKeyFunc)

// metadataInformer returns the informer of gvr's objects in ns as
// metadata only, as client-go's metadatainformer makes it.
func metadataInformer(meta metadata.Interface, gvr schema.GroupVersionResource, ns string) *informer {
	ri := meta.Resource(gvr).Namespace(ns)
	return typedInformer(&metav1.PartialObjectMetadata{}, meta, ri.List, ri.Watch)
}
