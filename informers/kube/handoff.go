package kube

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// ListThenWatch makes start's watch-lists (a watch that starts with the
// list) go on as plain watches: once the list's end is marked (the
// "k8s.io/initial-events-end" bookmark), the watch is handed off to a new
// one from that resource version, and the reflector sees one watch.
//
// Why: the informers ask for a watch-list gzipped (informers'
// uncompressedWatch), because 50,000 pods are 152 MB of protobuf:
// compressed, their list took a third less of the lab's CPU and a fifth
// less of Podium's, and Podium's start to its first graph went from
// 3.3–3.8 s to 2.55–2.8 s (docs/benchmarks.md). But the same response goes
// on with the events for minutes, each compressed and flushed on its own,
// and inflating them was a third of the CPU a watched pod cost; the plain
// watch after the hand-off is not compressed. Nothing is lost or seen
// twice: the new watch sends every event after the bookmark's version, and
// the old one is stopped without being read again. If the new watch cannot
// start, the old one goes on.
func ListThenWatch(start cache.WatchFuncWithContext) cache.WatchFuncWithContext {
	return func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		w, err := start(ctx, opts)
		if err != nil || opts.SendInitialEvents == nil || !*opts.SendInitialEvents {
			return w, err
		}
		h := &handOff{out: make(chan watch.Event), stopped: make(chan struct{}), cur: w}
		go h.run(ctx, w, opts, start)
		return h, nil
	}
}

// handOff is a watch-list that hands off to a plain watch after its list.
type handOff struct {
	out     chan watch.Event
	stopped chan struct{} // closed by Stop
	once    sync.Once

	mu  sync.Mutex
	cur watch.Interface // the watch being read; Stop stops it
}

func (h *handOff) ResultChan() <-chan watch.Event { return h.out }

func (h *handOff) Stop() {
	h.once.Do(func() {
		close(h.stopped)
		h.mu.Lock()
		h.cur.Stop()
		h.mu.Unlock()
	})
}

func (h *handOff) run(ctx context.Context, w watch.Interface, opts metav1.ListOptions, start cache.WatchFuncWithContext) {
	defer close(h.out)
	handedOff := false
	for {
		var ev watch.Event
		var ok bool
		select {
		case ev, ok = <-w.ResultChan():
		case <-h.stopped:
			return
		}
		if !ok {
			return
		}
		select {
		case h.out <- ev:
		case <-h.stopped:
			return
		}
		if handedOff || ev.Type != watch.Bookmark {
			continue
		}
		m, err := meta.Accessor(ev.Object)
		if err != nil || m.GetAnnotations()[metav1.InitialEventsAnnotationKey] != "true" {
			continue
		}
		plain := opts
		plain.SendInitialEvents = nil
		plain.ResourceVersionMatch = ""
		plain.ResourceVersion = m.GetResourceVersion()
		plain.AllowWatchBookmarks = true
		next, err := start(ctx, plain)
		if err != nil {
			continue // the watch-list goes on: correct, only dearer per event
		}
		handedOff = true
		h.mu.Lock()
		select {
		case <-h.stopped:
			h.mu.Unlock()
			next.Stop()
			return
		default:
		}
		h.cur = next
		h.mu.Unlock()
		w.Stop()
		w = next
	}
}
