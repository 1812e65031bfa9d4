package kubesteps

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// These tests prove the wiring only (which calls, in which order, what is
// skipped and reported); the fake clientset has no Eviction API, so its
// budget checks are played by a reactor. The real thing runs against the
// lab in e2e/policy_test.go.

func pod(ns, name, node, ownerKind string, lbls map[string]string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls}, Spec: corev1.PodSpec{NodeName: node}}
	p.UID = types.UID("uid-" + p.Name)
	if ownerKind != "" {
		p.OwnerReferences = []metav1.OwnerReference{{Kind: ownerKind, Name: "owner", Controller: ptr(true)}}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// evictor plays the Eviction API: a pod named in refuse is refused with
// 429 until allow(name) is called; others are deleted.
type evictor struct {
	mu     sync.Mutex
	refuse map[string]bool
	calls  []string
}

func (e *evictor) allow(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.refuse, name)
}

func (e *evictor) install(cs *fake.Clientset) {
	cs.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		ev := a.(k8stesting.CreateAction).GetObject().(*policyv1.Eviction)
		e.mu.Lock()
		e.calls = append(e.calls, ev.Name)
		refused := e.refuse[ev.Name]
		e.mu.Unlock()
		if refused {
			return true, nil, apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		}
		return true, nil, cs.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), ev.Namespace, ev.Name)
	})
}

func TestCordonUncordon(t *testing.T) {
	cs := fake.NewClientset(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}})
	ctx := context.Background()
	for _, want := range []bool{true, false, true} {
		var err error
		if want {
			err = Cordon(ctx, cs, "n1")
		} else {
			err = Uncordon(ctx, cs, "n1")
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := cs.CoreV1().Nodes().Get(ctx, "n1", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n.Spec.Unschedulable != want {
			t.Fatalf("unschedulable %v, want %v", n.Spec.Unschedulable, want)
		}
	}
	if err := Cordon(ctx, cs, "nowhere"); err == nil || !apierrors.IsNotFound(errors.Unwrap(err)) {
		t.Errorf("cordon of a missing node: %v, want a not-found error", err)
	}
	if err := Cordon(ctx, cs, ""); err == nil {
		t.Error("cordon of no node: no error")
	}
}

func TestDrainEvictsAndSkips(t *testing.T) {
	cs := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}},
		pod("a", "web-1", "n1", "ReplicaSet", nil),
		pod("b", "db-0", "n1", "StatefulSet", nil),
		pod("a", "agent-x", "n1", "DaemonSet", nil),
		pod("a", "web-2", "n2", "ReplicaSet", nil),
		func() *corev1.Pod {
			p := pod("kube-system", "static", "n1", "", nil)
			p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
			return p
		}(),
	)
	e := &evictor{}
	e.install(cs)
	res, err := Drain(context.Background(), cs, "n1", DrainOptions{Timeout: 5 * time.Second, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/web-1", "b/db-0"}; !slices.Equal(res.Evicted, want) {
		t.Errorf("evicted %v, want %v", res.Evicted, want)
	}
	if want := []string{"web-1", "db-0"}; !slices.Equal(e.calls, want) {
		t.Errorf("eviction calls %v, want %v (no DaemonSet, mirror or other node's pod)", e.calls, want)
	}
	if len(res.Held) != 0 {
		t.Errorf("held %v", res.Held)
	}
	n, _ := cs.CoreV1().Nodes().Get(context.Background(), "n1", metav1.GetOptions{})
	if !n.Spec.Unschedulable {
		t.Error("drain did not cordon the node")
	}
}

func TestDrainRetriesWhileABudgetHolds(t *testing.T) {
	lbl := map[string]string{"app": "api"}
	cs := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}},
		pod("a", "api-1", "n1", "ReplicaSet", lbl),
		pod("a", "web-1", "n1", "ReplicaSet", map[string]string{"app": "web"}),
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "other"},
			Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "api"},
			Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: lbl}}},
	)
	e := &evictor{refuse: map[string]bool{"api-1": true}}
	e.install(cs)

	// Held until the deadline: reported, with the budget that selects it.
	res, err := Drain(context.Background(), cs, "n1", DrainOptions{Timeout: 300 * time.Millisecond, Interval: 10 * time.Millisecond})
	if !errors.Is(err, ErrHeld) {
		t.Fatalf("err %v, want ErrHeld", err)
	}
	if want := map[string]string{"a/api-1": "a/api"}; len(res.Held) != 1 || res.Held["a/api-1"] != want["a/api-1"] {
		t.Errorf("held %v, want %v", res.Held, want)
	}
	if !slices.Equal(res.Evicted, []string{"a/web-1"}) {
		t.Errorf("evicted %v, want [a/web-1]", res.Evicted)
	}
	retries := 0
	for _, c := range e.calls {
		if c == "api-1" {
			retries++
		}
	}
	if retries < 3 {
		t.Errorf("api-1's eviction tried %d times in 300 ms at 10 ms: not retried", retries)
	}

	// The budget relents during a second drain: it finishes.
	done := make(chan struct{})
	var res2 DrainResult
	var err2 error
	go func() {
		defer close(done)
		res2, err2 = Drain(context.Background(), cs, "n1", DrainOptions{Timeout: 5 * time.Second, Interval: 10 * time.Millisecond})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.mu.Lock()
		n := len(e.calls)
		e.mu.Unlock()
		if n > retries+2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond) // waiting for the drain to retry, a condition polled above
	}
	e.allow("api-1")
	<-done
	if err2 != nil {
		t.Fatal(err2)
	}
	if !slices.Equal(res2.Evicted, []string{"a/api-1"}) || len(res2.Held) != 0 {
		t.Errorf("second drain: evicted %v held %v, want [a/api-1] and none", res2.Evicted, res2.Held)
	}
}

func TestDrainRefusesUnmanagedPods(t *testing.T) {
	cs := fake.NewClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}},
		pod("a", "bare", "n1", "", nil),
		pod("a", "web-1", "n1", "ReplicaSet", nil),
	)
	e := &evictor{}
	e.install(cs)
	_, err := Drain(context.Background(), cs, "n1", DrainOptions{Timeout: time.Second})
	if err == nil || len(e.calls) != 0 {
		t.Fatalf("err %v, calls %v: want a refusal before any eviction", err, e.calls)
	}
	res, err := Drain(context.Background(), cs, "n1", DrainOptions{Timeout: time.Second, Force: true})
	if err != nil || len(res.Evicted) != 2 {
		t.Fatalf("forced: %v %v", res.Evicted, err)
	}
}
