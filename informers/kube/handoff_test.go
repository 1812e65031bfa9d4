package kube

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
)

// watches hands out fake watches in order and records the options each was
// started with; with fail set, starts after the first fail.
type watches struct {
	mu    sync.Mutex
	fakes []*watch.FakeWatcher
	opts  []metav1.ListOptions
	fail  bool
}

func (w *watches) start(_ context.Context, o metav1.ListOptions) (watch.Interface, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail && len(w.opts) > 0 {
		return nil, errors.New("refused")
	}
	w.opts = append(w.opts, o)
	f := watch.NewFake()
	w.fakes = append(w.fakes, f)
	return f, nil
}

func (w *watches) started() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.opts)
}

func pod(name, rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name, ResourceVersion: rv}}
}

func listEnd(rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv,
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}
}

// next reads one event of w, failing after a minute.
func next(t *testing.T, w watch.Interface) (watch.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(time.Minute):
		t.Fatal("no event in a minute")
		return watch.Event{}, false
	}
}

func wantEvent(t *testing.T, w watch.Interface, typ watch.EventType, name string) {
	t.Helper()
	ev, ok := next(t, w)
	if !ok {
		t.Fatalf("the watch ended, want %s %s", typ, name)
	}
	if got := ev.Object.(*corev1.Pod).Name; ev.Type != typ || got != name {
		t.Fatalf("got %s %q, want %s %q", ev.Type, got, typ, name)
	}
}

// A watch-list hands off to a plain watch from its list's end, with the
// same selectors: the reflector sees every event once, in order, on one
// watch, and the watch-list is stopped.
func TestWatchListHandsOffToAPlainWatch(t *testing.T) {
	ws := &watches{}
	opts := metav1.ListOptions{SendInitialEvents: ptr.To(true), ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		AllowWatchBookmarks: true, LabelSelector: "app=web", TimeoutSeconds: ptr.To[int64](300)}
	w, err := ListThenWatch(ws.start)(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	list := ws.fakes[0]
	go func() {
		list.Add(pod("web-1", "10"))
		list.Modify(pod("web-1", "11"))
		list.Action(watch.Bookmark, listEnd("12"))
	}()
	wantEvent(t, w, watch.Added, "web-1")
	wantEvent(t, w, watch.Modified, "web-1")
	wantEvent(t, w, watch.Bookmark, "")
	// The hand-off starts the plain watch after the bookmark went out.
	deadline := time.Now().Add(time.Minute)
	for ws.started() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no plain watch started in a minute")
		}
		time.Sleep(time.Millisecond)
	}
	plain := ws.opts[1]
	if plain.SendInitialEvents != nil || plain.ResourceVersionMatch != "" || plain.ResourceVersion != "12" ||
		!plain.AllowWatchBookmarks || plain.LabelSelector != "app=web" || *plain.TimeoutSeconds != 300 {
		t.Errorf("the plain watch started with %+v, want resourceVersion 12, bookmarks and the list's selector and timeout", plain)
	}
	if !list.IsStopped() {
		t.Error("the watch-list was not stopped after the hand-off")
	}
	go ws.fakes[1].Add(pod("web-2", "13"))
	wantEvent(t, w, watch.Added, "web-2")

	w.Stop()
	if !ws.fakes[1].IsStopped() {
		t.Error("Stop did not stop the plain watch")
	}
	if _, ok := next(t, w); ok {
		t.Error("the watch sent an event after Stop")
	}
}

// A bookmark that is not the list's end, and a plain watch, pass through;
// a plain watch that cannot start leaves the watch-list going.
func TestWatchListHandOffOnlyAtTheListsEnd(t *testing.T) {
	ws := &watches{}
	w, err := ListThenWatch(ws.start)(context.Background(), metav1.ListOptions{ResourceVersion: "5"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.(*watch.FakeWatcher); !ok {
		t.Fatalf("a plain watch was wrapped: %T", w)
	}

	ws = &watches{fail: true}
	w, err = ListThenWatch(ws.start)(context.Background(), metav1.ListOptions{SendInitialEvents: ptr.To(true)})
	if err != nil {
		t.Fatal(err)
	}
	list := ws.fakes[0]
	go func() {
		list.Action(watch.Bookmark, pod("", "20")) // a progress bookmark
		list.Action(watch.Bookmark, listEnd("21"))
		list.Add(pod("web-3", "22"))
		list.Stop()
	}()
	wantEvent(t, w, watch.Bookmark, "")
	wantEvent(t, w, watch.Bookmark, "")
	wantEvent(t, w, watch.Added, "web-3")
	if _, ok := next(t, w); ok {
		t.Error("the watch went on after the watch-list ended")
	}
}
