package informers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/podiumhq/podium/informers/graph"
)

// These tests only prove the wiring with a fake clientset; watch semantics
// are tested against the real lab in e2e/.

// deadline bounds every wait in these tests: generous, because it is only
// reached on failure, and 20,000 pods under -race on a busy machine are slow.
const deadline = time.Minute

// waitFor waits until cond holds. Everything the tests wait for (a delta,
// a status change, the sync) wakes the log's subscribers, so it checks cond
// on each wake-up instead of polling.
func waitFor(t *testing.T, l *graph.Log, what string, cond func() bool) {
	t.Helper()
	wake, stop := l.Subscribe()
	defer stop()
	timeout := time.After(deadline)
	for !cond() {
		select {
		case <-wake:
		case <-timeout:
			t.Fatalf("timed out after %s waiting for %s", deadline, what)
		}
	}
}

// poll waits until cond holds, for conditions that wake nothing.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	timeout := time.After(deadline)
	for !cond() {
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("timed out after %s waiting for %s", deadline, what)
		}
	}
}

// run runs w until the test ends, and then waits for Run to return.
func run(t *testing.T, w *Watcher) context.Context {
	t.Helper()
	ctx, stop := startRun(t, w)
	t.Cleanup(stop)
	return ctx
}

// startRun runs w; stop cancels it and waits (with a deadline) for Run to
// return.
func startRun(t *testing.T, w *Watcher, beforeRun ...func(context.Context)) (ctx context.Context, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	for _, f := range beforeRun {
		f(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return ctx, func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(deadline):
			t.Fatalf("Run did not return within %s of its context's end", deadline)
		}
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
	w := newFake(t, client, l, Options{})
	ctx := run(t, w)

	waitFor(t, l, "sync", w.Synced)
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
	waitFor(t, l, "web-2 in the log", func() bool { return hasNode(l, "Pod/demo/web-2") })
	if err := client.CoreV1().Pods("demo").Delete(ctx, "web-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "web-1 gone from the log", func() bool { return !hasNode(l, "Pod/demo/web-1") })
}

func TestWatcherReportsDeniedResource(t *testing.T) {
	client := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web-1"}})
	client.PrependReactor("list", "ingresses", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "networking.k8s.io", Resource: "ingresses"}, "", nil)
	})
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{})
	run(t, w)

	waitFor(t, l, "sync despite the denied resource", w.Synced)
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
	w := newFake(t, client, l, Options{Namespaces: []string{"a"}})
	run(t, w)
	waitFor(t, l, "sync", w.Synced)
	if !hasNode(l, "Pod/a/p") || hasNode(l, "Pod/b/p") {
		t.Fatalf("with --namespace a: %+v", l.Snapshot(graph.Filter{}).Nodes)
	}
	// Every namespaced list went to namespace a only, and the cluster-scoped
	// resources were listed cluster-wide.
	listed := 0
	for _, a := range client.Actions() {
		if a.GetVerb() != "list" {
			continue
		}
		listed++
		res := qualified(a.GetResource())
		want := "a"
		if slices.Contains(builtinClusterResources(), res) {
			want = ""
		}
		if a.GetNamespace() != want {
			t.Errorf("listed %s in namespace %q, want %q", res, a.GetNamespace(), want)
		}
	}
	if listed != len(builtinResources()) {
		t.Errorf("%d lists for %d resources", listed, len(builtinResources()))
	}
}

// qualified names an action's resource as Resources does.
func qualified(gvr schema.GroupVersionResource) string {
	if gvr.Group == "" {
		return gvr.Resource
	}
	return gvr.Resource + "." + gvr.Group
}

// wave2Objects returns one object of each wave-2 kind, as the API server
// sends it (managed fields, annotations), and a pod that references a
// ConfigMap and a Secret.
func wave2Objects() []runtime.Object {
	mf := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate}}
	meta := func(ns, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: ns, Name: name, ManagedFields: mf,
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}}
	}
	return []runtime.Object{
		&batchv1.Job{ObjectMeta: meta("demo", "backup-1")},
		&batchv1.CronJob{ObjectMeta: meta("demo", "backup"), Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *"}},
		&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta("demo", "web")},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("demo", "data-db-0")},
		&corev1.PersistentVolume{ObjectMeta: meta("", "pv-0")},
		&storagev1.StorageClass{ObjectMeta: meta("", "lab-static"), Provisioner: "kubernetes.io/no-provisioner"},
		&corev1.Event{ObjectMeta: meta("demo", "web-1.1"), Type: corev1.EventTypeWarning, Reason: "FailedMount",
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "demo", Name: "web-1"}},
		&corev1.Pod{ObjectMeta: meta("demo", "web-1"), Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}}},
			Containers: []corev1.Container{{Name: "web", Image: "web:1", EnvFrom: []corev1.EnvFromSource{{
				SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web-secret"}}}}}},
		}},
		&corev1.ConfigMap{ObjectMeta: meta("demo", "web-config"), Data: map[string]string{"k": "v"}},
		&corev1.Secret{ObjectMeta: meta("demo", "web-secret"), Data: map[string][]byte{"password": []byte("hunter2")}},
		// Identity and policy (#13). The ServiceAccount names its token
		// Secret, which Podium must not read either.
		&corev1.ServiceAccount{ObjectMeta: meta("demo", "web"), Secrets: []corev1.ObjectReference{{Name: "web-secret"}}},
		&rbacv1.Role{ObjectMeta: meta("demo", "reader"), Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}},
		&rbacv1.RoleBinding{ObjectMeta: meta("demo", "web-reads"), RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "reader"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "web", Namespace: "demo"}}},
		&rbacv1.ClusterRole{ObjectMeta: meta("", "viewer"), Rules: []rbacv1.PolicyRule{{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: meta("", "viewer"), RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "viewer"},
			Subjects: []rbacv1.Subject{{Kind: "Group", Name: "viewers"}}},
		&networkingv1.NetworkPolicy{ObjectMeta: meta("demo", "deny-all")},
		&corev1.Namespace{ObjectMeta: meta("", "demo")},
		&corev1.ResourceQuota{ObjectMeta: meta("demo", "compute")},
		&corev1.LimitRange{ObjectMeta: meta("demo", "defaults")},
		&policyv1.PodDisruptionBudget{ObjectMeta: meta("demo", "web")},
	}
}

// wave2Resources are the resources wave2Objects holds objects of.
var wave2Resources = map[string]bool{"jobs.batch": true, "cronjobs.batch": true, "horizontalpodautoscalers.autoscaling": true,
	"persistentvolumeclaims": true, "persistentvolumes": true, "storageclasses.storage.k8s.io": true, "events": true, "pods": true,
	"serviceaccounts": true, "roles.rbac.authorization.k8s.io": true, "rolebindings.rbac.authorization.k8s.io": true,
	"clusterroles.rbac.authorization.k8s.io": true, "clusterrolebindings.rbac.authorization.k8s.io": true,
	"networkpolicies.networking.k8s.io": true, "namespaces": true, "resourcequotas": true, "limitranges": true,
	"poddisruptionbudgets.policy": true}

// TestEveryResourceIsWatched: each resource Podium reads gets an informer
// whose cache holds its objects stripped by the transform; Warning Events
// are selected by the API server; ConfigMaps and Secrets are never asked
// for, although a pod references both.
func TestEveryResourceIsWatched(t *testing.T) {
	for _, ns := range [][]string{nil, {"demo"}} {
		t.Run(fmt.Sprintf("namespaces %v", ns), func(t *testing.T) {
			client := fake.NewClientset(wave2Objects()...)
			l := graph.NewLog("e", 64)
			w := newFake(t, client, l, Options{Namespaces: ns})
			run(t, w)
			waitFor(t, l, "sync", w.Synced)

			var got []string
			for _, wd := range w.watched {
				got = append(got, wd.res.qualified())
				if wave2Resources[wd.res.qualified()] && len(wd.informer.GetStore().List()) == 0 {
					t.Errorf("%s: the cache is empty", wd.res.qualified())
				}
				for _, obj := range wd.informer.GetStore().List() {
					m := metaOf(obj)
					if m == nil {
						t.Errorf("%s: cached a %T", wd.res.qualified(), obj)
						continue
					}
					if len(m.GetManagedFields()) > 0 || len(m.GetAnnotations()) > 0 {
						t.Errorf("%s: cached %s/%s with its managed fields or annotations: not transformed", wd.res.qualified(), m.GetNamespace(), m.GetName())
					}
				}
			}
			if diff := cmp.Diff(slices.Sorted(slices.Values(builtinResources())), slices.Sorted(slices.Values(got))); diff != "" {
				t.Errorf("informers (-resources +watched):\n%s", diff)
			}
			// builtinResources() and the informers come from one table: hold it to
			// the kinds the model folds.
			for res := range wave2Resources {
				if !slices.Contains(got, res) {
					t.Errorf("%s: not watched", res)
				}
			}
			for _, a := range client.Actions() {
				res := qualified(a.GetResource())
				if res == "configmaps" || res == "secrets" {
					t.Errorf("%s %s: Podium must never read ConfigMaps or Secrets", a.GetVerb(), res)
				}
				// Only ever list and watch, and only what RBAC grants.
				if v := a.GetVerb(); v != "list" && v != "watch" {
					t.Errorf("%s %s: Podium only lists and watches", v, res)
				}
				if !slices.Contains(builtinResources(), res) || a.GetSubresource() != "" {
					t.Errorf("%s %s (subresource %q): not one of builtinResources()", a.GetVerb(), res, a.GetSubresource())
				}
				if l, ok := a.(k8stesting.ListAction); ok && res == "events" {
					if f := l.GetListRestrictions().Fields.String(); f != WarningEventSelector {
						t.Errorf("events listed with field selector %q, want %q", f, WarningEventSelector)
					}
				}
				if w, ok := a.(k8stesting.WatchAction); ok && res == "events" {
					if f := w.GetWatchRestrictions().Fields.String(); f != WarningEventSelector {
						t.Errorf("events watched with field selector %q, want %q", f, WarningEventSelector)
					}
				}
			}
		})
	}
}

// TestDeniedNeverBlocksSync: whichever resource the credentials may not
// list, Podium syncs, names exactly that one in denied and serves the rest.
func TestDeniedNeverBlocksSync(t *testing.T) {
	for _, res := range builtinResources() {
		t.Run(res, func(t *testing.T) {
			name, group, _ := strings.Cut(res, ".")
			client := fake.NewClientset(wave2Objects()...)
			client.PrependReactor("list", name, func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: group, Resource: name}, "", errors.New("RBAC: access denied"))
			})
			l := graph.NewLog("e", 64)
			w := newFake(t, client, l, Options{Logger: slog.New(slog.DiscardHandler)})
			run(t, w)
			waitFor(t, l, "sync despite the denied resource", w.Synced)
			st := w.Status()
			if diff := cmp.Diff([]string{res}, st.Denied); diff != "" || st.APIServer != "connected" || len(st.Unavailable) > 0 {
				t.Errorf("status %+v; want connected with denied [%s] (-want +got):\n%s", st, res, diff)
			}
			if res != "pods" && !hasNode(l, "Pod/demo/web-1") {
				t.Error("the allowed resources were not served")
			}
		})
	}
}

// TestNamespaceModeWithoutClusterReads: installed with a Role per
// namespace and no ClusterRole (rbac.create=false and hand-written RBAC),
// Podium may not list the cluster-scoped resources. It syncs, names exactly
// those in denied, lists them cluster-wide only (never per namespace) and
// serves the namespace's own objects, its ServiceAccounts, Roles,
// RoleBindings, NetworkPolicies, quotas, limit ranges and
// PodDisruptionBudgets included.
func TestNamespaceModeWithoutClusterReads(t *testing.T) {
	client := fake.NewClientset(wave2Objects()...)
	for _, res := range builtinClusterResources() {
		name, group, _ := strings.Cut(res, ".")
		client.PrependReactor("list", name, func(a k8stesting.Action) (bool, runtime.Object, error) {
			if a.GetNamespace() != "" {
				t.Errorf("listed cluster-scoped %s in namespace %q", res, a.GetNamespace())
			}
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: group, Resource: name}, "", errors.New("RBAC: access denied"))
		})
	}
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{Namespaces: []string{"demo"}, Logger: slog.New(slog.DiscardHandler)})
	run(t, w)
	waitFor(t, l, "sync despite the denied cluster-scoped resources", w.Synced)
	waitFor(t, l, "every cluster-scoped resource denied", func() bool { return len(w.Status().Denied) == len(builtinClusterResources()) })
	st := w.Status()
	if diff := cmp.Diff(slices.Sorted(slices.Values(builtinClusterResources())), st.Denied); diff != "" || st.APIServer != "connected" {
		t.Errorf("status %+v; want connected (-want +got denied):\n%s", st, diff)
	}
	for _, c := range []string{"namespaces", "clusterroles.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io"} {
		if !slices.Contains(st.Denied, c) {
			t.Errorf("%s is not among the cluster-scoped resources denied: %v", c, st.Denied)
		}
	}
	if !hasNode(l, "Pod/demo/web-1") {
		t.Error("the namespace's pods were not served")
	}
	for _, wd := range w.watched {
		if wd.res.clustered || !wave2Resources[wd.res.qualified()] {
			continue
		}
		if wd.ns != "demo" || len(wd.informer.GetStore().List()) == 0 {
			t.Errorf("%s: watched in %q with %d objects, want demo's", wd.res.qualified(), wd.ns, len(wd.informer.GetStore().List()))
		}
	}
}

// TestUnservedAPI: a resource the API server does not serve (404 on list:
// an API group switched off) is named in unavailable, not denied; it holds
// nothing back and does not read as an outage.
func TestUnservedAPI(t *testing.T) {
	client := fake.NewClientset(wave2Objects()...)
	for _, res := range []string{"horizontalpodautoscalers", "cronjobs"} {
		client.PrependReactor("list", res, func(a k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewNotFound(a.GetResource().GroupResource(), "")
		})
	}
	var logs syncBuffer
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	run(t, w)
	waitFor(t, l, "sync despite the unserved resources", w.Synced)
	// Sync can come from the other resources before the second 404 lands.
	waitFor(t, l, "both unavailable", func() bool { return len(w.Status().Unavailable) == 2 })
	st := w.Status()
	want := []string{"cronjobs.batch", "horizontalpodautoscalers.autoscaling"}
	if diff := cmp.Diff(want, st.Unavailable); diff != "" || len(st.Denied) > 0 || st.APIServer != "connected" {
		t.Errorf("status %+v; want connected, nothing denied (-want +got unavailable):\n%s", st, diff)
	}
	if !hasNode(l, "Pod/demo/web-1") {
		t.Error("the served resources were not")
	}
	if n := strings.Count(logs.String(), "does not serve horizontalpodautoscalers.autoscaling"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
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
	run(t, w)
	waitFor(t, l, "reconnecting", func() bool { return w.Status().APIServer == "reconnecting" })
	if w.Synced() {
		t.Fatal("synced without an API server")
	}
}

// The first published delta must hold the whole initial list: the informer's
// cache is full before our handler has been told of every item, so waiting
// for the cache alone published a partial graph (seen at 10,000 pods). The
// same holds once FirstGraph is closed.
func TestFirstDeltaHoldsTheWholeList(t *testing.T) {
	const pods = 20000
	objs := make([]runtime.Object, 0, pods)
	for i := range pods {
		objs = append(objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "big", Name: fmt.Sprintf("p-%05d", i)}})
	}
	client := fake.NewClientset(objs...)
	l := graph.NewLog("e", 8)
	w := newFake(t, client, l, Options{})
	select {
	case <-w.FirstGraph():
		t.Fatal("FirstGraph was closed before the watcher ran")
	default:
	}
	run(t, w)
	// FirstGraph is closed once the whole list is in the log.
	select {
	case <-w.FirstGraph():
	case <-time.After(time.Minute):
		t.Fatal("FirstGraph was not closed in a minute")
	}
	if !w.Synced() {
		t.Error("FirstGraph was closed before the status said synced")
	}
	if got := len(l.Snapshot(graph.Filter{}).Nodes); got != pods {
		t.Fatalf("synced with %d of %d pods in the graph", got, pods)
	}
}

// An API server that answers 503 (etcd down, still starting) is not
// "connected", although requests reach it; any other answer is.
func TestObserveRequests(t *testing.T) {
	w := newFake(t, fake.NewClientset(), graph.NewLog("e", 8), Options{})
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
		{"token revoked", 401, nil, "unauthorized"},
		{"still refused, cut off too", 0, fmt.Errorf("dial tcp: connection refused"), "unauthorized"},
		{"token renewed", 200, nil, "connected"},
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
// per flush interval, each delta carrying everything since the last. The
// watcher's clock is fake: it moves only when the test steps it, so "at once"
// means "without the clock moving".
func TestFlushPacing(t *testing.T) {
	const interval = 300 * time.Millisecond
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	client := fake.NewClientset()
	l := graph.NewLog("e", 256)
	w := newFake(t, client, l, Options{FlushInterval: interval, Clock: clk})
	ctx := run(t, w)
	waitFor(t, l, "sync", w.Synced)
	create := func(name string) {
		t.Helper()
		if _, err := client.CoreV1().Pods("a").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.pending)
	}
	// waitPaced waits until the fold loop holds n changes back and waits
	// for its timer: only stepping the clock can publish them now. No
	// delta may come after seq meanwhile: the clock has not moved.
	waitPaced := func(n int, seq uint64) {
		t.Helper()
		poll(t, fmt.Sprintf("%d changes held for the flush timer", n), func() bool {
			return l.Seq() != seq || pending() == n && clk.HasWaiters()
		})
		if got := l.Seq(); got != seq {
			t.Fatalf("%d deltas published within the flush interval of the last one", got-seq)
		}
	}

	// Idle for a whole interval: the next change is a lone one.
	clk.Step(interval)
	create("lone")
	waitFor(t, l, "the lone change, with the clock standing still", func() bool { return hasNode(l, "Pod/a/lone") })

	// A burst right after it waits for the rest of the interval and then
	// comes as one delta.
	before := l.Seq()
	for i := range 40 {
		create(fmt.Sprint("burst-", i))
	}
	waitPaced(40, before)
	clk.Step(interval - time.Millisecond)
	if got := l.Seq(); got != before || !clk.HasWaiters() {
		t.Fatalf("the burst was published %s before the flush interval ended", time.Millisecond)
	}
	clk.Step(time.Millisecond)
	waitFor(t, l, "the burst", func() bool { return l.Seq() > before })
	if got := l.Seq() - before; got != 1 {
		t.Errorf("a burst of 40 changes took %d deltas, want 1", got)
	}
	for i := range 40 {
		if id := fmt.Sprint("Pod/a/burst-", i); !hasNode(l, id) {
			t.Errorf("the burst's delta lacks %s", id)
		}
	}

	// A change right after that delta waits a whole interval again.
	create("next")
	waitPaced(1, before+1)
	clk.Step(interval)
	waitFor(t, l, "the change after the burst", func() bool { return hasNode(l, "Pod/a/next") })
	if got := l.Seq() - before; got != 2 {
		t.Errorf("%d deltas after the burst's, want 1", got-1)
	}
}

// goroutines returns the stacks of the live goroutines that run client-go
// informer code or the Watcher's own, keyed by goroutine id.
func goroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		id, _, _ := strings.Cut(strings.TrimPrefix(g, "goroutine "), " ")
		if strings.Contains(g, "k8s.io/client-go/") || strings.Contains(g, "podium/informers.(*Watcher)") {
			out[id] = g
		}
	}
	return out
}

// When Run returns, the informers have stopped: it waits for every
// informer it started, with --namespace one per resource and namespace. To
// tell "joined" from "stopping anyway, a little later", one informer per
// namespace (and the cluster-wide Nodes one) is kept busy in an event
// handler until Run's context ends, and then yields for a while before it
// returns: a Run that does not wait for its informers returns first.
func TestRunLeavesNoGoroutines(t *testing.T) {
	before := goroutines()
	client := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "hold"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "hold"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "hold"}},
	)
	l := graph.NewLog("e", 8)
	w := newFake(t, client, l, Options{Namespaces: []string{"a", "b"}})
	type busy struct {
		what              string
		entered, returned chan struct{}
	}
	var held []busy
	_, stop := startRun(t, w, func(ctx context.Context) {
		for _, wd := range w.watched {
			if wd.res.name != graph.Pods && wd.res.name != graph.Nodes {
				continue
			}
			h := busy{string(wd.res.name) + " in " + wd.ns, make(chan struct{}), make(chan struct{})}
			held = append(held, h)
			handle := wd.informer.handle
			wd.informer.handle = func(obj any, deleted bool) {
				handle(obj, deleted)
				if m := metaOf(obj); m == nil || m.GetName() != "hold" {
					return
				}
				close(h.entered)
				defer close(h.returned)
				<-ctx.Done()
				for range 10000 {
					goruntime.Gosched()
				}
			}
		}
	})
	if len(held) != 3 {
		t.Fatalf("%d pod and node informers for two namespaces, want 3 (nodes, pods in a, pods in b)", len(held))
	}
	// No sync to wait for: each held handler holds its informer's first
	// list (handlers run on the reflector's goroutine).
	for _, h := range held {
		select {
		case <-h.entered:
		case <-time.After(deadline):
			t.Fatalf("the informer of %s never delivered its object", h.what)
		}
	}
	if len(goroutines()) == len(before) {
		t.Fatal("no informer goroutine found while the watcher runs: the filter finds nothing")
	}
	stop()
	for _, h := range held {
		select {
		case <-h.returned:
		default:
			t.Errorf("Run returned while the informer of %s was still running", h.what)
		}
	}
	for id, g := range goroutines() {
		if _, ok := before[id]; !ok {
			t.Errorf("goroutine left after Run returned:\n%s", g)
		}
	}
}

// TestRevokedCredentials: an API server that answers 401 to everything
// (an expired or revoked token) shows as "unauthorized", not "reconnecting";
// it is logged once, and viewers are not woken by every retry of every
// informer (they were, about five times a second).
func TestRevokedCredentials(t *testing.T) {
	var requests atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`)
	}))
	defer api.Close()
	var logs syncBuffer
	l := graph.NewLog("e", 8)
	w, err := NewForConfig(&rest.Config{Host: api.URL}, l, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, l, "the unauthorized status", func() bool { return w.Status().APIServer == "unauthorized" })

	// Count the wake-ups viewers get while the informers keep retrying.
	wake, stop := l.Subscribe()
	defer stop()
	before := requests.Load()
	window := time.After(3 * time.Second)
	wakes := 0
	for done := false; !done; {
		select {
		case <-wake:
			wakes++
		case <-window:
			done = true
		}
	}
	if requests.Load() == before {
		t.Fatal("the informers stopped retrying, so nothing was measured")
	}
	if wakes > 1 || w.Status().APIServer != "unauthorized" {
		t.Errorf("%d wake-ups in 3s of refused retries (%d requests), status %q; want at most 1 and unauthorized",
			wakes, requests.Load()-before, w.Status().APIServer)
	}
	if n := strings.Count(logs.String(), "refuses Podium's credentials"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCreatedIsNewsOnlyAfterSync: the initial list gives no created
// happenings; a Deployment created afterwards does (Model.Synced).
func TestCreatedIsNewsOnlyAfterSync(t *testing.T) {
	client := fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "old", UID: "u-old"}})
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{})
	ctx := run(t, w)
	waitFor(t, l, "sync", w.Synced)
	if hs := l.Snapshot(graph.Filter{}).Happenings; len(hs) != 0 {
		t.Fatalf("the initial list gave happenings %+v", hs)
	}
	if _, err := client.AppsV1().Deployments("demo").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "web", UID: "u-web"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "a created happening", func() bool {
		for _, h := range l.Snapshot(graph.Filter{}).Happenings {
			if h.Kind == graph.HappeningCreated && h.Ref == "Deployment/demo/web" {
				return true
			}
		}
		return false
	})
}

// TestNoFlushTimerByDefault: by default no change waits for a timer. With
// the clock standing still, pods created one after another (each arriving
// just after the last was published, as in a kubectl scale) all reach the
// log, and a burst goes out as few deltas as the fold loop's turns.
func TestNoFlushTimerByDefault(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	client := fake.NewClientset()
	l := graph.NewLog("e", 256)
	w := newFake(t, client, l, Options{Clock: clk})
	ctx := run(t, w)
	waitFor(t, l, "sync", w.Synced)
	for i := range 20 {
		name := fmt.Sprint("p-", i)
		if _, err := client.CoreV1().Pods("a").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, l, name+" with the clock standing still", func() bool { return hasNode(l, "Pod/a/"+name) })
	}
	if clk.HasWaiters() {
		t.Error("the fold loop set a timer")
	}
}

// builtinResources are Resources without the Gateway API's and CRDs: what
// a Watcher made by New (no rest config, no Gateway API watch) reads.
func builtinResources() []string { return qualifiedNames(false, resources) }

// builtinClusterResources are the cluster-scoped ones among them.
func builtinClusterResources() []string { return qualifiedNames(true, resources) }

// TestInitialListFoldedWhileItArrives: the lists that have arrived are
// folded into the model while a slower one is still coming, so the first
// delta does not wait for the whole fold after the last list; and still
// nothing is published before every list is in, and then all of it at once.
func TestInitialListFoldedWhileItArrives(t *testing.T) {
	const pods = 50
	var objs []runtime.Object
	for i := range pods {
		objs = append(objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: fmt.Sprintf("web-%02d", i)}})
	}
	client := fake.NewClientset(append(objs, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}})...)
	release := make(chan struct{})
	// The Nodes list is the slowest: held here, not in a reactor, which
	// would hold the fake's lock and every other list with it.
	base := fakeListWatch(&client.Fake)
	held := func(r resource, ns string) (cache.ListerWatcher, error) {
		lw, err := base(r, ns)
		if err != nil || r.name != graph.Nodes {
			return lw, err
		}
		inner := cache.ToListerWatcherWithContext(lw)
		return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				select {
				case <-release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return inner.ListWithContext(ctx, o)
			},
			WatchFuncWithContext: inner.WatchWithContext,
		}, noWatchList{}), nil
	}
	l := graph.NewLog("e", 8)
	w, err := newWatcher(held, l, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, stop := startRun(t, w)
	defer stop()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	poll(t, "the pods folded while the Nodes list is held", func() bool { return w.foldedKeys.Load() >= pods })
	if seq := l.Seq(); seq != 0 {
		t.Fatalf("seq %d published before every list was in", seq)
	}
	close(release)
	waitFor(t, l, "sync", w.Synced)
	if seq := l.Seq(); seq != 1 {
		t.Errorf("the initial lists went out as %d deltas, want 1", seq)
	}
	for _, id := range []string{"Pod/demo/web-00", "Pod/demo/web-49", "Node/n1"} {
		if !hasNode(l, id) {
			t.Errorf("%s is not in the first delta", id)
		}
	}
}
