package informers

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// informer is a cache of one resource's objects, kept by client-go's
// reflector, which tells its handler of each change on the reflector's own
// goroutine, right after the cache has it.
//
// Why not client-go's SharedIndexInformer: between the watch and the
// handler it hands each event on three times (the reflector to a
// DeltaFIFO, the FIFO's consumer to the shared processor's listener, the
// listener to its own goroutine). Each hand-off waits for a goroutine to
// be scheduled, and while the API server, etcd and KWOK want the cores (a
// kubectl scale), that wait is the tail of a pod's way to the viewer.
// Podium shares nothing and its handler only marks a key, so the queue
// buys nothing here; the cache is the reflector's store itself.
type informer struct {
	lw  cache.ListerWatcher
	obj runtime.Object // an empty object of the kind the reflector lists

	// Set before Run, read only.
	transform cache.TransformFunc // applied to each object before it is cached; nil: none
	// handle is told of each object added, updated or deleted (deleted
	// set), after the cache has the change. It runs on the reflector's
	// goroutine and must not block.
	handle func(obj any, deleted bool)
	// handled, if set, is called after each watch event's handle, and
	// once after a list's (which may have many): what changed can go out.
	handled func()
	onError func(err error) // a list or watch failed; nil: client-go's default (a log line)

	store     cache.Store
	synced    chan struct{} // closed once handle has been told of the first list
	syncOnce  sync.Once
	closed    chan struct{} // closed when Run's context ends
	closeOnce sync.Once
}

func newInformerOf(lw cache.ListerWatcher, obj runtime.Object) *informer {
	return &informer{lw: lw, obj: obj,
		store:  cache.NewStore(cache.DeletionHandlingMetaNamespaceKeyFunc),
		synced: make(chan struct{}), closed: make(chan struct{})}
}

// GetStore returns the cache. Only the informer writes to it.
func (i *informer) GetStore() cache.Store { return i.store }

// Synced is closed once the handler has been told of every object of the
// first list.
func (i *informer) Synced() <-chan struct{} { return i.synced }

// HasSynced reports whether Synced is closed.
func (i *informer) HasSynced() bool {
	select {
	case <-i.synced:
		return true
	default:
		return false
	}
}

// RunWithContext lists and watches until ctx ends. client-go's controller
// runs the reflector (its retries, backoff and watch-list support) and
// calls onError; its queue is the informer itself, which queues nothing.
func (i *informer) RunWithContext(ctx context.Context) {
	cfg := &cache.Config{
		Queue:         (*inlineQueue)(i),
		ListerWatcher: i.lw,
		ObjectType:    i.obj,
		// Never called: nothing is ever queued.
		Process: func(any, bool) error { return nil },
	}
	if i.onError != nil {
		cfg.WatchErrorHandler = func(_ *cache.Reflector, err error) { i.onError(err) }
	}
	cache.New(cfg).RunWithContext(ctx)
}

// inlineQueue is the informer as the reflector's store: each change is
// cached and handled as the reflector makes it.
type inlineQueue informer

func (q *inlineQueue) transformed(obj any) (any, error) {
	if q.transform == nil {
		return obj, nil
	}
	return q.transform(obj)
}

func (q *inlineQueue) Add(obj any) error    { return q.put(obj) }
func (q *inlineQueue) Update(obj any) error { return q.put(obj) }

func (q *inlineQueue) put(obj any) error {
	if err := q.take(obj); err != nil {
		return err
	}
	q.done()
	return nil
}

// take caches obj, transformed, and tells the handler of it.
func (q *inlineQueue) take(obj any) error {
	obj, err := q.transformed(obj)
	if err != nil {
		return err
	}
	if err := q.store.Update(obj); err != nil {
		return err
	}
	q.handle(obj, false)
	return nil
}

func (q *inlineQueue) done() {
	if q.handled != nil {
		q.handled()
	}
}

func (q *inlineQueue) Delete(obj any) error {
	if err := q.store.Delete(obj); err != nil {
		return err
	}
	q.handle(obj, true)
	q.done()
	return nil
}

// Replace takes a whole list: the first, or a relist after the watch fell
// too far behind. The handler hears of what the list changed only: an
// object at the resource version the cache holds is not news, and one the
// list no longer has is deleted.
func (q *inlineQueue) Replace(list []any, rv string) error {
	cached := q.store.ListKeys()
	if len(cached) == 0 {
		return q.fill(list)
	}
	var changed []any
	keep := make(map[string]bool, len(list))
	for n, obj := range list {
		obj, err := q.transformed(obj)
		if err != nil {
			return err
		}
		list[n] = obj
		k, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
		if err != nil {
			return err
		}
		keep[k] = true
		rv := resourceVersion(obj)
		if old, ok, _ := q.store.GetByKey(k); !ok || rv == "" || resourceVersion(old) != rv {
			changed = append(changed, obj)
		}
	}
	var gone []any
	for _, k := range cached {
		if !keep[k] {
			if old, ok, _ := q.store.GetByKey(k); ok {
				gone = append(gone, old)
			}
		}
	}
	if err := q.store.Replace(list, rv); err != nil {
		return err
	}
	for _, obj := range gone {
		q.handle(obj, true)
	}
	for _, obj := range changed {
		q.handle(obj, false)
	}
	q.syncOnce.Do(func() { close(q.synced) })
	q.done()
	return nil
}

// fillEvery is how many objects of a first list fill hands over at a time.
const fillEvery = 4096

// fill is Replace into an empty cache (the first list, mostly), where
// every object is news and none is gone: each is cached and handled in
// turn, and during the first list the handler's side is told every
// fillEvery objects that changes wait (handled). The fold into the graph
// then takes a big list in batches beside the rest of it, on the other
// core, instead of after the last of 50,000 pods was handled; the list
// has all arrived by then, so the cores are Podium's. (A list filled
// while it streamed in, tried on 2026-12-03, gained nothing: the fold
// then took CPU the API server and the decoding wanted.)
func (q *inlineQueue) fill(list []any) error {
	first := !q.HasSynced()
	for n, obj := range list {
		if err := q.take(obj); err != nil {
			return err
		}
		if first && (n+1)%fillEvery == 0 {
			q.done()
		}
	}
	q.syncOnce.Do(func() { close(q.synced) })
	q.done()
	return nil
}

func resourceVersion(obj any) string {
	m, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	return m.GetResourceVersion()
}

// Transformer lets the reflector transform a watch-list's objects as they
// arrive, before it holds the whole list (transforms are idempotent, as
// client-go's queues require: Replace applies them again).
func (q *inlineQueue) Transformer() cache.TransformFunc { return q.transform }

// Resync has nothing to do: there is no resync period.
func (q *inlineQueue) Resync() error { return nil }

// Pop is the controller's consumer loop: with nothing ever queued, it
// waits for the end.
func (q *inlineQueue) Pop(cache.PopProcessFunc) (any, error) {
	<-q.closed
	return nil, cache.ErrFIFOClosed
}

func (q *inlineQueue) HasSynced() bool { return (*informer)(q).HasSynced() }

func (q *inlineQueue) HasSyncedChecker() cache.DoneChecker { return syncedChecker{q.synced} }

func (q *inlineQueue) Close() { q.closeOnce.Do(func() { close(q.closed) }) }

type syncedChecker struct{ done <-chan struct{} }

func (c syncedChecker) Name() string          { return "informer" }
func (c syncedChecker) Done() <-chan struct{} { return c.done }
