package informers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/podiumhq/podium/informers/graph"
)

// These tests only prove the wiring with a fake clientset; watch semantics
// are tested against the real lab in e2e/.

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasNode(l *graph.Log, id string) bool {
	for _, n := range l.Snapshot(graph.Filter{}).Nodes {
		if n.ID == id {
			return true
		}
	}
	return false
}

func TestWatcherFoldsObjectsIntoLog(t *testing.T) {
	client := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker-1"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web-1"}, Spec: corev1.PodSpec{NodeName: "worker-1"}},
	)
	l := graph.NewLog("e", 64)
	w := New(client, l, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)

	waitFor(t, "sync", w.Synced)
	// The first delta carries the whole initial list.
	if !hasNode(l, "Pod/demo/web-1") || !hasNode(l, "Node/worker-1") {
		t.Fatalf("after sync the log lacks the listed objects: %+v", l.Snapshot(graph.Filter{}).Nodes)
	}
	if l.Seq() != 1 {
		t.Fatalf("initial list published as %d deltas, want 1", l.Seq())
	}
	_, err := client.CoreV1().Pods("demo").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web-2"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web-2 in the log", func() bool { return hasNode(l, "Pod/demo/web-2") })
	if err := client.CoreV1().Pods("demo").Delete(ctx, "web-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web-1 gone from the log", func() bool { return !hasNode(l, "Pod/demo/web-1") })
}

func TestWatcherReportsDeniedResource(t *testing.T) {
	client := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web-1"}})
	client.PrependReactor("list", "ingresses", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "networking.k8s.io", Resource: "ingresses"}, "", nil)
	})
	l := graph.NewLog("e", 64)
	w := New(client, l, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)

	waitFor(t, "sync despite the denied resource", w.Synced)
	st := w.Status()
	if len(st.Denied) != 1 || st.Denied[0] != "ingresses.networking.k8s.io" {
		t.Fatalf("denied = %v, want [ingresses.networking.k8s.io]", st.Denied)
	}
	if !hasNode(l, "Pod/demo/web-1") {
		t.Fatal("the allowed resources were not served")
	}
}

func TestNamespaceRestriction(t *testing.T) {
	client := fake.NewClientset(
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "p"}},
	)
	l := graph.NewLog("e", 64)
	w := New(client, l, Options{Namespaces: []string{"a"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	waitFor(t, "sync", w.Synced)
	if !hasNode(l, "Pod/a/p") || hasNode(l, "Pod/b/p") {
		t.Fatalf("with --namespace a: %+v", l.Snapshot(graph.Filter{}).Nodes)
	}
	// Every namespaced list went to namespace a only.
	for _, a := range client.Actions() {
		if a.GetVerb() == "list" && a.GetResource().Resource != "nodes" && a.GetNamespace() != "a" {
			t.Errorf("listed %s in namespace %q", a.GetResource().Resource, a.GetNamespace())
		}
	}
}

// An API server that cannot be reached shows as "reconnecting" even though
// client-go retries such errors without telling the informers.
func TestUnreachableAPIServerReportsReconnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	l := graph.NewLog("e", 8)
	w, err := NewForConfig(&rest.Config{Host: "http://" + addr}, l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	waitFor(t, "reconnecting", func() bool { return w.Status().APIServer == "reconnecting" })
	if w.Synced() {
		t.Fatal("synced without an API server")
	}
}

// The first published delta must hold the whole initial list: the informer's
// cache is full before our handler has been told of every item, so waiting
// for the cache alone published a partial graph (seen at 10,000 pods).
func TestFirstDeltaHoldsTheWholeList(t *testing.T) {
	const pods = 20000
	objs := make([]runtime.Object, 0, pods)
	for i := range pods {
		objs = append(objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "big", Name: fmt.Sprintf("p-%05d", i)}})
	}
	client := fake.NewClientset(objs...)
	l := graph.NewLog("e", 8)
	w := New(client, l, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	waitFor(t, "sync", w.Synced)
	if got := len(l.Snapshot(graph.Filter{}).Nodes); got != pods {
		t.Fatalf("synced with %d of %d pods in the graph", got, pods)
	}
}

// An API server that answers 503 (etcd down, still starting) is not
// "connected", although requests reach it; any other answer is.
func TestObserveRequests(t *testing.T) {
	w := New(fake.NewClientset(), graph.NewLog("e", 8), Options{})
	req := httptest.NewRequest("GET", "/api/v1/pods", nil)
	for _, tc := range []struct {
		name string
		code int
		err  error
		want string
	}{
		{"ok", 200, nil, "connected"},
		{"etcd down", 503, nil, "reconnecting"},
		{"forbidden is an answer", 403, nil, "connected"},
		{"refused", 0, fmt.Errorf("dial tcp: connection refused"), "reconnecting"},
		{"internal error", 500, nil, "reconnecting"},
		{"back", 200, nil, "connected"},
	} {
		var resp *http.Response
		if tc.err == nil {
			resp = &http.Response{StatusCode: tc.code, Status: fmt.Sprint(tc.code)}
		}
		w.observe(req, resp, tc.err)
		if got := w.Status().APIServer; got != tc.want {
			t.Errorf("after %s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A lone change is published at once; a burst is published at most once
// per flush interval, each delta carrying everything since the last.
func TestFlushPacing(t *testing.T) {
	const interval = 300 * time.Millisecond
	client := fake.NewClientset()
	l := graph.NewLog("e", 256)
	w := New(client, l, Options{FlushInterval: interval})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	waitFor(t, "sync", w.Synced)
	wake, stop := l.Subscribe()
	defer stop()
	time.Sleep(interval) // idle for a whole interval: the next change is a lone one

	create := func(name string) {
		if _, err := client.CoreV1().Pods("a").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	create("lone")
	<-wake
	if d := time.Since(start); d >= interval {
		t.Fatalf("a lone change took %s, as long as the flush interval %s: it was paced", d, interval)
	}

	// A burst: 40 creates back to back.
	before := l.Seq()
	var appends []time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range wake {
			appends = append(appends, time.Now())
			if hasNode(l, "Pod/a/burst-39") {
				return
			}
		}
	}()
	for i := range 40 {
		create(fmt.Sprint("burst-", i))
	}
	<-done
	for i := 1; i < len(appends); i++ {
		if gap := appends[i].Sub(appends[i-1]); gap < interval*9/10 {
			t.Errorf("deltas %d and %d of the burst came %s apart, less than the interval %s", i-1, i, gap, interval)
		}
	}
	if n := l.Seq() - before; n > 5 {
		t.Errorf("a burst of 40 changes took %d deltas; pacing should coalesce it", n)
	}
}
