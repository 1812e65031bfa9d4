package informers

import (
	"context"
	"fmt"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/kube"
)

// Custom owners (issue #16): the controller owner references of the
// watched kinds (pods, ReplicaSets, StatefulSets, DaemonSets, Jobs) are
// read as the objects enter the caches; a custom kind seen there for the
// first time is looked up in discovery (kind → resource, scope) and
// watched as metadata only (PartialObjectMetadata: no spec, no status),
// scoped as the built-in kinds are. For a resource the user opted into
// (Options.ReadStatus, --read-status) a dynamic informer reads the objects
// instead, and the transform keeps their status conditions alone.
//
// A kind discovery does not serve is ignored, logged once, and asked again
// when a CRD is created (through the Gateway API's CRD watch, gateway.go:
// one watch of CRDs). A custom kind whose CRD is deleted stops being
// watched, and its owners leave the picture. At most MaxCustomOwnerKinds
// kinds are watched: owner references are data anyone who may create a
// pod writes, and each kind costs an informer.

// MaxCustomOwnerKinds bounds the custom owner kinds watched.
const MaxCustomOwnerKinds = 32

// ParseReadStatus parses a --read-status value, GROUP/RESOURCE (the
// resource's plural, e.g. argoproj.io/rollouts).
func ParseReadStatus(v string) (schema.GroupResource, error) {
	group, res, ok := strings.Cut(strings.TrimSpace(v), "/")
	switch {
	case !ok || group == "" || res == "":
		return schema.GroupResource{}, fmt.Errorf("--read-status %q: want GROUP/RESOURCE, e.g. argoproj.io/rollouts", v)
	case strings.Contains(res, "/"):
		return schema.GroupResource{}, fmt.Errorf("--read-status %q: want GROUP/RESOURCE without a version or subresource", v)
	case !graph.IsCustomGroup(group):
		return schema.GroupResource{}, fmt.Errorf("--read-status %q: %q is not a custom resource group (want a domain such as argoproj.io)", v, group)
	case strings.ToLower(res) != res:
		return schema.GroupResource{}, fmt.Errorf("--read-status %q: the resource is its lower-case plural (%q)", v, strings.ToLower(res))
	}
	return schema.GroupResource{Group: group, Resource: res}, nil
}

// customResolver finds the resource of a kind: its plural and whether it
// is namespaced; found is false when discovery does not serve the kind.
type customResolver func(ctx context.Context, gvk schema.GroupVersionKind) (plural string, namespaced, found bool, err error)

// discoveryResolver resolves kinds through the API server's discovery.
func discoveryResolver(c *kube.Client) customResolver {
	return func(ctx context.Context, gvk schema.GroupVersionKind) (string, bool, bool, error) {
		list, err := c.Resources(ctx, gvk.GroupVersion())
		if apierrors.IsNotFound(err) {
			return "", false, false, nil
		}
		if err != nil {
			return "", false, false, err
		}
		for _, r := range list.APIResources {
			if r.Kind == gvk.Kind && !strings.Contains(r.Name, "/") {
				return r.Name, r.Namespaced, true, nil
			}
		}
		return "", false, false, nil
	}
}

// customWatch starts an informer per custom owner kind the caches see.
type customWatch struct {
	w          *Watcher
	meta       metadata.Interface
	dyn        dynamic.Interface
	resolve    customResolver
	readStatus map[schema.GroupResource]bool

	wake chan struct{} // one slot: "pending or unserved changed"

	mu sync.Mutex
	// Guarded by mu.
	seen     map[schema.GroupKind]bool // noted, bounded by MaxCustomOwnerKinds
	pending  []schema.GroupVersionKind // to resolve and start
	unserved map[schema.GroupKind]schema.GroupVersionKind
	deleted  []graph.Resource // CRDs deleted, by name (= the resource's)
	over     bool             // the bound was hit (logged once)

	// active is owned by run's goroutine: the started kinds, by resource.
	active map[graph.Resource]*gatewayActive
	byGK   map[schema.GroupKind]graph.Resource
}

func newCustomWatch(w *Watcher, meta metadata.Interface, dyn dynamic.Interface, resolve customResolver, readStatus []schema.GroupResource) *customWatch {
	c := &customWatch{w: w, meta: meta, dyn: dyn, resolve: resolve, readStatus: map[schema.GroupResource]bool{},
		wake: make(chan struct{}, 1), seen: map[schema.GroupKind]bool{}, unserved: map[schema.GroupKind]schema.GroupVersionKind{},
		active: map[graph.Resource]*gatewayActive{}, byGK: map[schema.GroupKind]graph.Resource{}}
	for _, gr := range readStatus {
		c.readStatus[gr] = true
	}
	return c
}

func (c *customWatch) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// note records the custom controller owners of obj, an object on its way
// into a cache. It runs in the informers' transforms, so it never blocks:
// a short lock, and only for an owner kind not seen before.
func (c *customWatch) note(obj any) {
	var refs []metav1.OwnerReference
	switch obj.(type) { // the kinds that have owners Podium draws
	case *corev1.Pod, *appsv1.ReplicaSet, *appsv1.StatefulSet, *appsv1.DaemonSet, *batchv1.Job:
		refs = obj.(metav1.Object).GetOwnerReferences()
	}
	if len(refs) == 0 {
		return
	}
	for _, gvk := range graph.CustomOwnerRefs(refs) {
		c.mu.Lock()
		added, over := c.addLocked(gvk)
		c.mu.Unlock()
		if over {
			c.w.opts.Logger.Warn(fmt.Sprintf("more than %d custom owner kinds; not watching %s (nor any further kind)", MaxCustomOwnerKinds, gvk.GroupKind()))
		}
		if added {
			c.signal()
		}
	}
}

// addLocked notes gvk; added when it is new, over the first time the
// bound refuses one.
func (c *customWatch) addLocked(gvk schema.GroupVersionKind) (added, over bool) {
	gk := gvk.GroupKind()
	if c.seen[gk] {
		return false, false
	}
	if len(c.seen) >= MaxCustomOwnerKinds {
		over = !c.over
		c.over = true
		return false, over
	}
	c.seen[gk] = true
	c.pending = append(c.pending, gvk)
	return true, false
}

// crdChanged is told of every CRD event (the Gateway API's CRD watch): a
// new CRD may serve a kind discovery did not, and a deleted one ends the
// watch of its kind.
func (c *customWatch) crdChanged(name string, deleted bool) {
	c.mu.Lock()
	if !deleted {
		for _, gvk := range c.unserved {
			c.pending = append(c.pending, gvk)
		}
		clear(c.unserved)
	} else {
		c.deleted = append(c.deleted, graph.Resource(name))
	}
	c.mu.Unlock()
	c.signal()
}

// run resolves and starts the noted kinds until ctx ends; then it stops
// every informer it started.
func (c *customWatch) run(ctx context.Context) {
	defer func() {
		for r := range c.active {
			c.w.stopDynamic(c.active[r], r)
			delete(c.active, r)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		c.mu.Lock()
		todo, gone := c.pending, c.deleted
		c.pending, c.deleted = nil, nil
		c.mu.Unlock()
		for _, r := range gone {
			c.crdDeleted(r)
		}
		for _, gvk := range todo {
			c.startKind(ctx, gvk)
		}
	}
}

// crdDeleted stops the watch of the resource the CRD named r served (a
// CRD's name is plural.group, the resource's qualified name), and forgets
// the kind, so that a later owner reference looks it up again.
func (c *customWatch) crdDeleted(r graph.Resource) {
	a := c.active[r]
	if a == nil {
		return
	}
	delete(c.active, r)
	c.w.stopDynamic(a, r)
	for gk, res := range c.byGK {
		if res == r {
			delete(c.byGK, gk)
			c.mu.Lock()
			delete(c.seen, gk)
			c.mu.Unlock()
		}
	}
}

// startKind resolves gvk and starts its informers; a kind not served is
// logged once and kept for the next CRD creation.
func (c *customWatch) startKind(ctx context.Context, gvk schema.GroupVersionKind) {
	log := c.w.opts.Logger
	plural, namespaced, found, err := c.resolve(ctx, gvk)
	if err != nil || !found {
		c.mu.Lock()
		_, again := c.unserved[gvk.GroupKind()]
		c.unserved[gvk.GroupKind()] = gvk
		c.mu.Unlock()
		if !again {
			msg := "owner kind " + gvk.String() + " is not served; its owners are not drawn"
			if err != nil {
				log.Warn(msg, "error", err.Error())
			} else {
				log.Info(msg)
			}
		}
		return
	}
	r := resource{name: graph.CustomResource(gvk.Group, plural), clustered: !namespaced}
	if c.active[r.name] != nil {
		return
	}
	gvr := gvk.GroupVersion().WithResource(plural)
	status := c.readStatus[gvr.GroupResource()]
	a := c.w.startDynamic(ctx, r, func(ns string) (*informer, error) {
		var inf *informer
		if status && c.dyn != nil {
			ri := c.dyn.Resource(gvr).Namespace(ns)
			inf = typedInformer(&unstructured.Unstructured{}, c.dyn, ri.List, ri.Watch)
		} else {
			inf = metadataInformer(c.meta, gvr, ns)
		}
		inf.transform = customTransform(gvk, r.name)
		return inf, nil
	})
	c.active[r.name] = a
	c.byGK[gvk.GroupKind()] = r.name
}

// customTransform turns a cached custom owner into a graph.CustomObject:
// its identity, and its status conditions when read (opted in).
func customTransform(gvk schema.GroupVersionKind, r graph.Resource) cache.TransformFunc {
	return func(obj any) (any, error) {
		var m metav1.Object
		var conds []graph.Condition
		switch o := obj.(type) {
		case *graph.CustomObject:
			return o, nil
		case *metav1.PartialObjectMetadata:
			m = o
		case *unstructured.Unstructured:
			m = o
			conds = unstructuredConditions(o.Object)
		default:
			return obj, nil
		}
		return &graph.CustomObject{
			ObjectMeta: metav1.ObjectMeta{Name: m.GetName(), Namespace: m.GetNamespace(), UID: m.GetUID(),
				ResourceVersion: m.GetResourceVersion()},
			GVK: gvk, Resource: r, Conditions: conds,
		}, nil
	}
}

// maxCustomConditions bounds the conditions kept per custom owner.
const maxCustomConditions = 16

// unstructuredConditions reads status.conditions: type, status, reason
// and message of each, nothing else.
func unstructuredConditions(obj map[string]any) []graph.Condition {
	list, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	var out []graph.Condition
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		if str("type") == "" {
			continue
		}
		out = append(out, graph.Condition{Type: str("type"), Status: str("status"), Reason: str("reason"), Message: str("message")})
		if len(out) == maxCustomConditions {
			break
		}
	}
	return out
}

// isCustomResource reports whether r is a custom owner resource
// (plural.group; the built-in and Gateway API resources have no dot).
func isCustomResource(r graph.Resource) bool { return strings.Contains(string(r), ".") }
