// Package informers watches the Kubernetes API with client-go informers and
// folds what changes into the graph model, publishing deltas to a graph.Log.
//
// Event handlers only record "this key changed" (no I/O, never blocking); one
// goroutine reads the changed objects from the informer caches, folds them into
// the model and appends the result to the log. It knows Kubernetes, but
// nothing about HTTP, WebSockets or templ.
package informers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/kube"
)

// Options configure a Watcher.
type Options struct {
	// Namespaces restricts the namespaced resources to these namespaces; none
	// means all. The cluster-scoped ones (ClusterResources: Nodes,
	// Namespaces, ClusterRoles…) are always watched cluster-wide.
	Namespaces []string
	// FlushInterval is the shortest time between two published deltas. The
	// default, 0, sets no timer: a change is published at once, and changes
	// that arrive while a delta is being folded and published go out
	// together right after it (group commit). A fixed interval made a pod
	// create wait for the timer whenever earlier pods' status updates had
	// just been published, which in a kubectl scale is nearly always.
	FlushInterval time.Duration
	// Logger receives warnings such as a denied resource (once each).
	Logger *slog.Logger
	// OnEvent, if set, is called from event handlers with the resource name
	// of every informer event (for metrics). It must not block.
	OnEvent func(r graph.Resource)
	// KeepWholeObjects caches objects as the API server sends them, without
	// Transform: only for measuring what the transforms save.
	KeepWholeObjects bool
	// ReadStatus are the custom owner resources whose status conditions
	// Podium reads (--read-status); the others are read as metadata only.
	ReadStatus []schema.GroupResource
	// Clock paces the flushes and stamps changes; tests pass a fake one so
	// that idling for a FlushInterval needs no sleep. Default: the real clock.
	Clock clock.Clock
}

// resource is one watched API resource.
type resource struct {
	name      graph.Resource
	group     string // "" for core
	version   string
	clustered bool
	// obj is an empty object of the resource's kind: what its informer
	// holds. Nil for the resources watched as metadata only (custom
	// owners, CRDs), whose informers are made apart.
	obj runtime.Object
	// modify adjusts every list and watch request (a field selector);
	// nil for none.
	modify func(*metav1.ListOptions)
}

// Denied-name of a resource as kubectl spells it: "pods", "ingresses.networking.k8s.io".
func (r resource) qualified() string {
	if r.group == "" {
		return string(r.name)
	}
	return string(r.name) + "." + r.group
}

func (r resource) gvr() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.group, Version: r.version, Resource: string(r.name)}
}

// The resources Podium reads, and nothing else: ConfigMaps and Secrets are
// never listed, watched or fetched (the model draws them from the names pods
// reference), so no credential Podium holds needs to reach their data.
// Every supported Kubernetes version serves each of these API versions
// (autoscaling/v2 since 1.23, batch/v1 CronJobs since 1.21, policy/v1
// PodDisruptionBudgets since 1.21); an API server that does not is reported
// as "unavailable" and holds nothing back. The cluster-scoped ones (clustered)
// are read cluster-wide even with --namespace. Their types are the ones
// kube.Scheme registers.
var resources = []resource{
	{name: graph.Pods, version: "v1", obj: &corev1.Pod{}},
	{name: graph.Services, version: "v1", obj: &corev1.Service{}},
	{name: graph.Deployments, group: "apps", version: "v1", obj: &appsv1.Deployment{}},
	{name: graph.ReplicaSets, group: "apps", version: "v1", obj: &appsv1.ReplicaSet{}},
	{name: graph.StatefulSets, group: "apps", version: "v1", obj: &appsv1.StatefulSet{}},
	{name: graph.DaemonSets, group: "apps", version: "v1", obj: &appsv1.DaemonSet{}},
	{name: graph.EndpointSlices, group: "discovery.k8s.io", version: "v1", obj: &discoveryv1.EndpointSlice{}},
	{name: graph.Ingresses, group: "networking.k8s.io", version: "v1", obj: &networkingv1.Ingress{}},
	{name: graph.Nodes, version: "v1", clustered: true, obj: &corev1.Node{}},
	{name: graph.Jobs, group: "batch", version: "v1", obj: &batchv1.Job{}},
	{name: graph.CronJobs, group: "batch", version: "v1", obj: &batchv1.CronJob{}},
	{name: graph.HPAs, group: "autoscaling", version: "v2", obj: &autoscalingv2.HorizontalPodAutoscaler{}},
	{name: graph.PersistentVolumeClaims, version: "v1", obj: &corev1.PersistentVolumeClaim{}},
	{name: graph.PersistentVolumes, version: "v1", clustered: true, obj: &corev1.PersistentVolume{}},
	{name: graph.StorageClasses, group: "storage.k8s.io", version: "v1", clustered: true, obj: &storagev1.StorageClass{}},
	// The model draws Warning Events only, and Normal ones are most of a
	// cluster's event churn, so the API server filters them out before
	// they cost a byte.
	{name: graph.Events, version: "v1", obj: &corev1.Event{},
		modify: func(o *metav1.ListOptions) { o.FieldSelector = WarningEventSelector }},
	// Identity and policy (#13). ServiceAccounts list their Secrets by
	// name only; the Secrets themselves stay unread.
	{name: graph.ServiceAccounts, version: "v1", obj: &corev1.ServiceAccount{}},
	{name: graph.Roles, group: rbacGroup, version: "v1", obj: &rbacv1.Role{}},
	{name: graph.ClusterRoles, group: rbacGroup, version: "v1", clustered: true, obj: &rbacv1.ClusterRole{}},
	{name: graph.RoleBindings, group: rbacGroup, version: "v1", obj: &rbacv1.RoleBinding{}},
	{name: graph.ClusterRoleBindings, group: rbacGroup, version: "v1", clustered: true, obj: &rbacv1.ClusterRoleBinding{}},
	{name: graph.NetworkPolicies, group: "networking.k8s.io", version: "v1", obj: &networkingv1.NetworkPolicy{}},
	{name: graph.Namespaces, version: "v1", clustered: true, obj: &corev1.Namespace{}},
	{name: graph.ResourceQuotas, version: "v1", obj: &corev1.ResourceQuota{}},
	{name: graph.LimitRanges, version: "v1", obj: &corev1.LimitRange{}},
	{name: graph.PodDisruptionBudgets, group: "policy", version: "v1", obj: &policyv1.PodDisruptionBudget{}},
}

// rbacGroup is the API group of Roles, ClusterRoles and their bindings.
const rbacGroup = "rbac.authorization.k8s.io"

// WarningEventSelector is the field selector of the Events informer.
const WarningEventSelector = "type=" + corev1.EventTypeWarning

// listWatcher makes the list-and-watch of r in ns ("" for all): the API
// server's (kube.Client.ListWatch), or in unit tests a fake clientset's.
type listWatcher func(r resource, ns string) (cache.ListerWatcher, error)

// newInformer returns the informer of r in ns, caching what transform
// makes of each object (nil: the object as it comes).
func (w *Watcher) newInformer(r resource, ns string, transform cache.TransformFunc) (*informer, error) {
	lw, err := w.lw(r, ns)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.qualified(), err)
	}
	inf := newInformerOf(lw, r.obj)
	inf.transform = transform
	return inf, nil
}

// Resources returns the qualified names of every resource Podium reads, as
// RBAC rules and the status's "denied" list spell them: the built-in ones,
// and the Gateway API's and CustomResourceDefinitions (gateway.go), read
// when the cluster has them.
func Resources() []string {
	return qualifiedNames(false, resources, gatewayResources, []resource{crdResource})
}

// ClusterResources returns the qualified names of the cluster-scoped
// resources among Resources: they are read cluster-wide even with
// --namespace, so a namespace-restricted install still needs a ClusterRole
// for them.
func ClusterResources() []string {
	return qualifiedNames(true, resources, gatewayResources, []resource{crdResource})
}

// qualifiedNames returns the qualified names in tables, only the
// cluster-scoped ones if clustered.
func qualifiedNames(clustered bool, tables ...[]resource) []string {
	var out []string
	for _, t := range tables {
		for _, r := range t {
			if r.clustered || !clustered {
				out = append(out, r.qualified())
			}
		}
	}
	return out
}

// key names one changed object.
type key struct {
	res graph.Resource
	ns  string
	obj string // namespace/name or name, as the informer cache keys it
}

// watched is one informer of one resource, cluster-wide or in one namespace.
type watched struct {
	res      resource
	ns       string // "" for cluster-wide
	informer *informer
}

// Watcher runs the informers and the fold loop.
type Watcher struct {
	lw    listWatcher
	log   *graph.Log
	opts  Options
	model *graph.Model

	mu sync.Mutex
	// Guarded by mu.
	pending    map[key]struct{}
	firstSeen  time.Time // receive time of the oldest pending change
	synced     map[*watched]bool
	denied     map[string]bool
	missing    map[string]bool // not served by the API server (404)
	connErr    bool            // a watch failed for a reason other than permissions
	authErr    bool            // the API server refused Podium's own credentials (401)
	published  atomic.Bool     // the initial lists are in the log; written under mu, read by publish without it
	firstGraph chan struct{}   // closed once published is set
	status     graph.Status

	// gwWatched are the Gateway API and custom owner informers, started
	// and stopped as the cluster serves the resources or not (gateway.go,
	// customowner.go). Guarded by mu.
	gwWatched []*watched

	// foldMu is held by whoever folds: the fold goroutine, or an
	// informer's goroutine that publishes its own change (publish).
	foldMu sync.Mutex
	// Guarded by foldMu, with the model: changes folded into the model and
	// not yet published, and the receive time of the oldest of them.
	absorbed    bool
	firstFolded time.Time
	foldedKeys  atomic.Int64 // keys folded so far, for tests

	wake    chan struct{} // one slot: "pending changed" or "sync state changed"
	watched []*watched    // the built-in resources' informers
	gw      *gatewayWatch // nil in unit tests that do without
	custom  *customWatch  // nil in unit tests that do without
}

// NewForConfig returns a Watcher for the cluster at cfg. Its client's
// transport tells the Watcher about every request: client-go retries a
// refused or reset connection quietly, so this is how "reconnecting" shows
// without polling anything.
func NewForConfig(cfg *rest.Config, log *graph.Log, opts Options) (*Watcher, error) {
	cfg = rest.CopyConfig(cfg)
	var w *Watcher // set below, before any request is made
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			req = uncompressedWatch(req)
			resp, err := rt.RoundTrip(req)
			w.observe(req, resp, err)
			return resp, err
		})
	})
	cfg.Wrap(readWatchesInChunks)
	client, err := kube.New(cfg)
	if err != nil {
		return nil, err
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	lw := func(r resource, ns string) (cache.ListerWatcher, error) {
		return client.ListWatch(r.gvr(), ns, r.modify)
	}
	w, err = newWatcher(lw, log, opts, func(w *Watcher) {
		w.custom = newCustomWatch(w, meta, dyn, discoveryResolver(client), opts.ReadStatus)
	})
	if err != nil {
		return nil, err
	}
	w.gw = newGatewayWatch(w, meta, gatewayDiscovery(client))
	return w, nil
}

// observe updates the connection state from one request's outcome.
func (w *Watcher) observe(req *http.Request, resp *http.Response, err error) {
	switch {
	case err != nil:
		if req.Context().Err() == nil {
			w.disconnected(err)
		}
	case resp.StatusCode >= 500:
		// The API server answers but cannot serve (etcd is down, or it is
		// still starting): not connected yet.
		w.disconnected(fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status))
	case resp.StatusCode == http.StatusUnauthorized:
		// An expired or revoked token: retrying will not help, and
		// "reconnecting" would send the speaker looking at the network.
		w.unauthorized(fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status))
	default:
		w.connected()
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

// uncompressedWatch asks for a watch's events uncompressed. Go's transport
// asks for gzip, and the API server then compresses each event and flushes
// it: a third of the CPU Podium spends on a watched pod went to inflating
// it again (a profile during a create stream), and the API server, the
// machine's busiest process at such times, deflates for nothing. Lists,
// read once and large, stay compressed, and so do watch-lists (a watch that
// starts with the list): the kube client hands each off to a plain watch
// once its list is in (kube.ListThenWatch).
func uncompressedWatch(req *http.Request) *http.Request {
	if watchKind(req) != plainWatch || req.Header.Get("Accept-Encoding") != "" {
		return req
	}
	req = req.Clone(req.Context())
	req.Header.Set("Accept-Encoding", "identity")
	return req
}

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The kinds of request watchKind tells apart.
const (
	notAWatch = iota
	plainWatch
	watchList // a watch that starts with the list (sendInitialEvents)
)

// watchKind says whether req is a watch, and which kind.
func watchKind(req *http.Request) int {
	q := req.URL.Query()
	switch {
	case q.Get("watch") != "true":
		return notAWatch
	case q.Get("sendInitialEvents") == "true":
		return watchList
	default:
		return plainWatch
	}
}

// newWatcher returns a Watcher whose informers list and watch through
// lw; before wires what the informers' setup needs (the custom owner
// watch, whose transforms note owners).
func newWatcher(lw listWatcher, log *graph.Log, opts Options, before func(*Watcher)) (*Watcher, error) {
	if opts.FlushInterval < 0 {
		opts.FlushInterval = 0
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	w := &Watcher{
		lw:         lw,
		log:        log,
		opts:       opts,
		model:      graph.NewModel(),
		pending:    map[key]struct{}{},
		synced:     map[*watched]bool{},
		denied:     map[string]bool{},
		missing:    map[string]bool{},
		wake:       make(chan struct{}, 1),
		firstGraph: make(chan struct{}),
		status:     graph.Status{Type: "status", APIServer: "connected", Denied: []string{}},
	}
	if before != nil {
		before(w)
	}
	return w, w.setup()
}

// setup makes the built-in resources' informers: each cluster-wide, or
// one per namespace when restricted, so that a namespaced Role is all the
// credentials need.
func (w *Watcher) setup() error {
	transform := cache.TransformFunc(Transform)
	if w.opts.KeepWholeObjects {
		transform = nil
	}
	if c := w.custom; c != nil {
		// The controller owner references are read on the way into the
		// caches: a custom owner kind seen for the first time gets watched.
		inner := transform
		transform = func(obj any) (any, error) {
			c.note(obj)
			if inner == nil {
				return obj, nil
			}
			return inner(obj)
		}
	}
	nss := []string{metav1.NamespaceAll}
	if len(w.opts.Namespaces) > 0 {
		nss = w.namespaceList()
	}
	for _, r := range resources {
		for _, ns := range nss {
			if r.clustered {
				ns = metav1.NamespaceAll
			}
			inf, err := w.newInformer(r, ns, transform)
			if err != nil {
				return err
			}
			w.watched = append(w.watched, w.watch(r, ns, inf))
			if r.clustered {
				break
			}
		}
	}
	return nil
}

// namespaceList returns the namespaces Podium is restricted to, sorted
// and without duplicates.
func (w *Watcher) namespaceList() []string {
	out := slices.Clone(w.opts.Namespaces)
	slices.Sort(out)
	return slices.Compact(out)
}

// watch makes the Watcher the handler of inf, the informer of r in ns.
func (w *Watcher) watch(r resource, ns string, inf *informer) *watched {
	wd := &watched{res: r, ns: ns, informer: inf}
	inf.onError = func(err error) { w.watchError(wd, err) }
	inf.handle = func(obj any, _ bool) { w.changed(r.name, obj) }
	inf.handled = w.publish
	return wd
}

func metaOf(obj any) metav1.Object {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	return m
}

// changed records that an object changed. It runs on the informer's
// notification goroutine, so it only takes a short lock and never blocks.
func (w *Watcher) changed(r graph.Resource, obj any) {
	k, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	var ns string
	if m := metaOf(obj); m != nil {
		ns = m.GetNamespace()
	}
	if w.opts.OnEvent != nil {
		w.opts.OnEvent(r)
	}
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.firstSeen = w.opts.Clock.Now()
	}
	w.pending[key{r, ns, k}] = struct{}{}
	w.mu.Unlock()
}

// publish sees that what changed goes out. Once the first delta is out
// and no flush interval is set, a change that finds nobody folding is
// folded and published on the goroutine that brought it (the informer's):
// a hand-off to the fold goroutine would make it wait for that goroutine
// to be scheduled, which while the API server, etcd and KWOK want the
// cores is the longest wait on a pod's way to the viewer. A change that
// finds a fold under way is left to the fold goroutine, which publishes it
// right after (group commit).
func (w *Watcher) publish() {
	if w.published.Load() && w.opts.FlushInterval == 0 && w.foldMu.TryLock() {
		w.flush()
		w.foldMu.Unlock()
		return
	}
	w.signal()
}

func (w *Watcher) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// watchError classifies a failed list or watch: a permission problem is
// reported once and in status; anything else means the API server is out of
// reach until a probe or an event says otherwise.
func (w *Watcher) watchError(wd *watched, err error) {
	switch {
	case apierrors.IsForbidden(err):
		name := wd.res.qualified()
		w.mu.Lock()
		first := !w.denied[name]
		w.denied[name] = true
		w.updateStatusLocked()
		w.mu.Unlock()
		if first {
			where := "in all namespaces"
			if wd.ns != "" {
				where = "in namespace " + wd.ns
			}
			w.opts.Logger.Warn("not allowed to list and watch "+name+" "+where+"; showing everything else", "error", err.Error())
		}
		w.signal()
		w.log.Wake()
	case apierrors.IsNotFound(err):
		// The API server does not serve the resource at all: retrying
		// (client-go backs off to once every 30s or so) picks it up if the
		// API is switched on later, and until then it must not hold back
		// the first delta nor read as an outage.
		name := wd.res.qualified()
		w.mu.Lock()
		first := !w.missing[name]
		w.missing[name] = true
		w.updateStatusLocked()
		w.mu.Unlock()
		if first {
			w.opts.Logger.Warn("the API server does not serve "+name+"; showing everything else", "error", err.Error())
		}
		w.signal()
		w.log.Wake()
	case apierrors.IsResourceExpired(err) || apierrors.IsGone(err) || errors.Is(err, context.Canceled):
		// A normal relist, not an outage.
	case apierrors.IsUnauthorized(err):
		w.unauthorized(err)
	default:
		w.disconnected(err)
	}
}

// unauthorized records that the API server refused Podium's credentials. It
// is logged, and clients are woken, once per spell: client-go retries every
// informer's list with backoff, and each retry is the same news.
func (w *Watcher) unauthorized(err error) {
	w.transition(func() bool { was := w.authErr; w.authErr = true; return !was }, func() {
		w.opts.Logger.Error("the API server refuses Podium's credentials (expired or revoked token?); retrying", "error", err.Error())
	})
}

// disconnected records that a request to the API server failed in transport.
func (w *Watcher) disconnected(err error) {
	w.transition(func() bool { was := w.connErr; w.connErr = true; return !was }, func() {
		w.opts.Logger.Warn("lost the API server; reconnecting", "error", err.Error())
	})
}

// connected records evidence that the API server answers again.
func (w *Watcher) connected() {
	w.transition(func() bool {
		was := w.connErr || w.authErr
		w.connErr, w.authErr = false, false
		return was
	}, func() { w.opts.Logger.Info("API server connection restored") })
}

// transition applies update to the connection state under mu; when update
// says the state changed, note logs it once and viewers are woken once.
func (w *Watcher) transition(update func() (changed bool), note func()) {
	w.mu.Lock()
	changed := update()
	w.updateStatusLocked()
	w.mu.Unlock()
	if changed {
		note()
		w.log.Wake()
	}
}

// updateStatusLocked recomputes the status from the fields mu guards.
func (w *Watcher) updateStatusLocked() {
	s := graph.Status{Type: "status", APIServer: "connected", Denied: []string{}}
	switch {
	case w.authErr:
		s.APIServer = "unauthorized"
	case w.connErr:
		s.APIServer = "reconnecting"
	}
	for name := range w.denied {
		s.Denied = append(s.Denied, name)
	}
	sort.Strings(s.Denied)
	for name := range w.missing {
		s.Unavailable = append(s.Unavailable, name)
	}
	sort.Strings(s.Unavailable)
	s.Synced = w.published.Load() && w.syncedLocked()
	w.status = s
}

// syncedLocked reports whether every informer has synced, is denied or is
// not served.
func (w *Watcher) syncedLocked() bool {
	for _, wds := range [][]*watched{w.watched, w.gwWatched} {
		for _, wd := range wds {
			if name := wd.res.qualified(); !w.synced[wd] && !w.denied[name] && !w.missing[name] {
				return false
			}
		}
	}
	return true
}

// Status returns the current connection status.
func (w *Watcher) Status() graph.Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

// Synced reports whether the initial lists are in the log.
func (w *Watcher) Synced() bool { return w.Status().Synced }

// FirstGraph is closed once the initial lists are in the log as its first
// complete graph.
func (w *Watcher) FirstGraph() <-chan struct{} { return w.firstGraph }

// Run starts the informers and folds changes into the log until ctx ends.
// It returns only once every goroutine it started, the informers' own
// included, has ended, so a caller that waits for it leaves nothing behind.
// A Watcher runs once.
func (w *Watcher) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		// The informers stop once ctx is done; wg waits for them.
		cancel()
		wg.Wait()
	}()
	for _, wd := range w.watched {
		wg.Go(func() { wd.informer.RunWithContext(ctx) })
	}
	// Discovery runs while the built-in informers list, and before the
	// fold loop: a cluster with the Gateway API at start has it in the
	// first delta.
	if w.gw != nil {
		retry := !w.gw.start(ctx)
		wg.Go(func() { w.gw.run(ctx, retry) })
	}
	if w.custom != nil {
		wg.Go(func() { w.custom.run(ctx) })
	}
	// Each informer is waited for on its own: a denied resource never
	// syncs and must not hold back the rest.
	for _, wd := range w.watched {
		wg.Go(func() { w.waitSynced(ctx, wd) })
	}
	return w.fold(ctx)
}

// waitSynced marks wd synced once our handler has been told of its
// initial list.
func (w *Watcher) waitSynced(ctx context.Context, wd *watched) {
	select {
	case <-ctx.Done():
		return
	case <-wd.informer.Synced():
	}
	w.mu.Lock()
	w.synced[wd] = true
	// Permission came back, the API was switched on, or the first
	// error was transient.
	delete(w.denied, wd.res.qualified())
	delete(w.missing, wd.res.qualified())
	w.updateStatusLocked()
	w.mu.Unlock()
	w.signal()
}

// fold is the goroutine that folds what publish leaves to it: the initial
// lists, the changes that arrive while a fold is under way, and all of
// them with a FlushInterval. A change waits for the delta being folded
// only, and goes out in the next (at most once per FlushInterval, if set).
func (w *Watcher) fold(ctx context.Context) error {
	clk := w.opts.Clock
	var last time.Time
	timer := clk.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	published := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-timer.C():
		}
		if !published {
			w.mu.Lock()
			synced := w.syncedLocked()
			w.mu.Unlock()
			w.foldMu.Lock()
			if !synced {
				// The first delta carries the whole initial list; what
				// has arrived is folded into the model meanwhile, so
				// that folding does not follow the slowest list.
				w.absorb()
				w.foldMu.Unlock()
				continue
			}
			published = true
			w.flush()
			// From now on a creation is news (a created happening), not
			// the initial list.
			w.model.Synced()
			w.foldMu.Unlock()
			last = clk.Now()
			w.mu.Lock()
			w.published.Store(true)
			w.updateStatusLocked()
			w.mu.Unlock()
			close(w.firstGraph)
			w.log.Wake() // status now says synced
			continue
		}
		if wait := w.opts.FlushInterval - clk.Since(last); wait > 0 {
			timer.Reset(wait)
			continue
		}
		w.foldMu.Lock()
		if w.flush() {
			last = clk.Now()
		}
		w.foldMu.Unlock()
	}
}

// flush folds every pending key into the model and appends the delta.
func (w *Watcher) flush() bool {
	w.absorb()
	if !w.absorbed {
		return false
	}
	w.absorbed = false
	d := w.model.Flush()
	d.Time = w.firstFolded.UnixMilli()
	w.log.Append(d)
	return true
}

// absorb folds the pending changes into the model without publishing
// them: flush publishes all that was absorbed since the last delta.
func (w *Watcher) absorb() {
	w.mu.Lock()
	pending, first := w.pending, w.firstSeen
	w.pending = make(map[key]struct{}, len(pending))
	w.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	if !w.absorbed {
		w.absorbed, w.firstFolded = true, first
	}
	w.foldedKeys.Add(int64(len(pending)))
	w.model.Expect(len(pending))
	now := w.opts.Clock.Now()
	for k := range pending {
		store := w.store(k)
		if store == nil {
			continue
		}
		obj, exists, err := store.GetByKey(k.obj)
		if err == nil && exists {
			w.model.Set(obj, now)
			continue
		}
		ns, name, _ := cache.SplitMetaNamespaceKey(k.obj)
		w.model.Delete(k.res, ns, name, now)
	}
}

// store returns the cache that holds k.
func (w *Watcher) store(k key) cache.Store {
	if isGatewayResource(k.res) || isCustomResource(k.res) {
		return w.gatewayStore(k)
	}
	for _, wd := range w.watched {
		if wd.res.name == k.res && (wd.ns == "" || wd.ns == k.ns) {
			return wd.informer.GetStore()
		}
	}
	// Keys come only from our own handlers, so this cannot happen.
	w.opts.Logger.Error(fmt.Sprintf("informers: no cache for %s in %q", k.res, k.ns))
	return nil
}
