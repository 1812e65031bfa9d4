package informers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/podiumhq/podium/informers/graph"
)

// The reflector's store is the informer's cache: each change is cached,
// then handled, on the caller's goroutine; a relist reports what it
// changed only.
func TestInformerQueue(t *testing.T) {
	pod := func(name, rv string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, ResourceVersion: rv,
			Annotations: map[string]string{"strip": "me"}}}
	}
	inf := newInformerOf(&cache.ListWatch{}, &corev1.Pod{})
	inf.transform = func(obj any) (any, error) {
		obj.(*corev1.Pod).Annotations = nil
		return obj, nil
	}
	var got []string
	inf.handle = func(obj any, deleted bool) {
		p := obj.(*corev1.Pod)
		// The handler reads the cache (as the fold loop does): the change
		// is there already, transformed.
		cached, ok, _ := inf.GetStore().GetByKey("ns/" + p.Name)
		switch {
		case deleted && ok:
			t.Errorf("%s deleted but still cached", p.Name)
		case !deleted && (!ok || cached.(*corev1.Pod).ResourceVersion != p.ResourceVersion):
			t.Errorf("%s at %s handled before the cache had it", p.Name, p.ResourceVersion)
		case !deleted && len(cached.(*corev1.Pod).Annotations) > 0:
			t.Errorf("%s cached untransformed", p.Name)
		}
		what := "set"
		if deleted {
			what = "deleted"
		}
		got = append(got, what+" "+p.Name+"@"+p.ResourceVersion)
	}
	q := (*inlineQueue)(inf)
	expect := func(step string, want ...string) {
		t.Helper()
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: handled %q, want %q", step, got, want)
		}
		got = nil
	}

	if inf.HasSynced() {
		t.Fatal("synced before the first list")
	}
	if err := q.Replace([]any{pod("a", "1"), pod("b", "1"), pod("c", "1")}, "1"); err != nil {
		t.Fatal(err)
	}
	expect("first list", "set a@1", "set b@1", "set c@1")
	if !inf.HasSynced() {
		t.Fatal("not synced after the first list was handled")
	}

	if err := q.Add(pod("d", "2")); err != nil {
		t.Fatal(err)
	}
	if err := q.Update(pod("a", "3")); err != nil {
		t.Fatal(err)
	}
	if err := q.Delete(pod("b", "1")); err != nil {
		t.Fatal(err)
	}
	expect("watch events", "deleted b@1", "set a@3", "set d@2")

	// A relist after the watch fell behind: c is unchanged, a changed, d
	// is gone and e is new.
	if err := q.Replace([]any{pod("a", "5"), pod("c", "1"), pod("e", "4")}, "5"); err != nil {
		t.Fatal(err)
	}
	expect("relist", "deleted d@2", "set a@5", "set e@4")
	keys := inf.GetStore().ListKeys()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"ns/a", "ns/c", "ns/e"}) {
		t.Errorf("cache after the relist holds %v", keys)
	}
}

// A first list is handed over as it is cached, fillEvery objects at a
// time, so that the fold can start on it before its end; a later list is
// handed over once, whole.
func TestFirstListHandedOverInBatches(t *testing.T) {
	pods := func(n int, rv string) []any {
		var list []any
		for i := range n {
			list = append(list, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: fmt.Sprintf("p%05d", i), ResourceVersion: rv}})
		}
		return list
	}
	inf := newInformerOf(&cache.ListWatch{}, &corev1.Pod{})
	handled := 0
	inf.handle = func(any, bool) { handled++ }
	type handOver struct {
		handled, cached int
		synced          bool
	}
	var got []handOver
	record := func() {
		got = append(got, handOver{handled, len(inf.GetStore().ListKeys()), inf.HasSynced()})
	}
	inf.handled = record
	q := (*inlineQueue)(inf)
	if err := q.Replace(pods(2*fillEvery+1, "1"), "1"); err != nil {
		t.Fatal(err)
	}
	want := []handOver{{fillEvery, fillEvery, false}, {2 * fillEvery, 2 * fillEvery, false}, {2*fillEvery + 1, 2*fillEvery + 1, true}}
	if !slices.Equal(got, want) {
		t.Errorf("first list handed over as %+v, want %+v", got, want)
	}
	// Emptied by the watch, then relisted: one hand-over.
	inf.handled = nil
	for _, obj := range inf.GetStore().List() {
		if err := q.Delete(obj); err != nil {
			t.Fatal(err)
		}
	}
	inf.handled, handled, got = record, 0, nil
	if err := q.Replace(pods(fillEvery+1, "2"), "2"); err != nil {
		t.Fatal(err)
	}
	if want := []handOver{{fillEvery + 1, fillEvery + 1, true}}; !slices.Equal(got, want) {
		t.Errorf("a relist into an empty cache handed over as %+v, want %+v", got, want)
	}
}

// After the first delta, a change that finds nobody folding is published
// by the goroutine that brought it, before its handler returns: no
// hand-off to the fold goroutine. One that finds a fold under way is left
// to the fold goroutine, which publishes it when that fold is done.
func TestChangePublishedWhereItArrives(t *testing.T) {
	client := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web-0", ResourceVersion: "1"}})
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{})
	run(t, w)
	waitFor(t, l, "sync", w.Synced)
	var pods *inlineQueue
	for _, wd := range w.watched {
		if wd.res.name == graph.Pods {
			pods = (*inlineQueue)(wd.informer)
		}
	}
	pod := func(name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name, ResourceVersion: "2"}}
	}

	// As the reflector would, on this goroutine.
	seq := l.Seq()
	if err := pods.Add(pod("web-1")); err != nil {
		t.Fatal(err)
	}
	if l.Seq() != seq+1 || !hasNode(l, "Pod/demo/web-1") {
		t.Fatalf("seq %d after the add (was %d), web-1 in the graph: %v; want it published before Add returned", l.Seq(), seq, hasNode(l, "Pod/demo/web-1"))
	}

	// A fold under way (held here): the change waits for it, then goes out.
	w.foldMu.Lock()
	if err := pods.Add(pod("web-2")); err != nil {
		t.Fatal(err)
	}
	if hasNode(l, "Pod/demo/web-2") {
		t.Fatal("web-2 published while a fold was under way")
	}
	w.foldMu.Unlock()
	waitFor(t, l, "web-2 published by the fold goroutine", func() bool { return hasNode(l, "Pod/demo/web-2") })
}

// Watches ask the API server for their events uncompressed; other
// requests (lists, discovery, and watch-lists, whose list comes first) keep
// Go's gzip.
func TestWatchesAskForNoCompression(t *testing.T) {
	for _, tc := range []struct {
		query, want string
	}{
		{"watch=true&resourceVersion=7", "identity"},
		{"watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", ""},
		{"limit=500", ""},
		{"", ""},
	} {
		req := httptest.NewRequest("GET", "/api/v1/pods?"+tc.query, nil)
		if got := uncompressedWatch(req).Header.Get("Accept-Encoding"); got != tc.want {
			t.Errorf("?%s: Accept-Encoding %q, want %q (Go's transport adds gzip when empty)", tc.query, got, tc.want)
		}
	}

	// And through the Watcher's client: its first requests, watch-lists
	// and discovery, go out with gzip.
	var mu sync.Mutex
	var encodings []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		encodings = append(encodings, r.URL.Query().Get("sendInitialEvents")+" "+r.Header.Get("Accept-Encoding"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`)
	}))
	defer api.Close()
	l := graph.NewLog("e", 8)
	w, err := NewForConfig(&rest.Config{Host: api.URL}, l, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	// Retries wake no viewer, so this polls.
	for end := time.Now().Add(deadline); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		seen := slices.Contains(encodings, "true gzip")
		mu.Unlock()
		if seen {
			break
		}
		if time.Now().After(end) {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("no watch-list asked for gzip in %s: %q", deadline, encodings)
		}
	}
}
