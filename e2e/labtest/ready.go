package labtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
)

// NodeNames are the lab's fake Nodes.
var NodeNames = []string{"worker-1", "worker-2", "worker-3"}

// Per-node capacity: 3 × 5,000 pods leaves room for 10,000+ pod benchmarks.
const podsPerNode = "5000"

// startTimeout bounds a cold start (apiserver, controllers, nodes, probe pod).
const startTimeout = 3 * time.Minute

// waitReady waits until the lab serves, has its default ServiceAccount and
// Ready fake Nodes, and (with probe) can run a pod. exited (may be nil) is
// closed if the process dies, which ends the wait early.
func (l *Lab) waitReady(ctx context.Context, exited <-chan struct{}, probe bool) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	start := time.Now()
	cs := l.Client()
	step := func(what string, f func(context.Context) error) error {
		err := poll(ctx, exited, f)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fmt.Fprintf(l.log, "labtest: %-28s %6.1fs\n", what, time.Since(start).Seconds())
		return nil
	}
	if err := step("apiserver /readyz", l.readyz); err != nil {
		return err
	}
	if err := step("default ServiceAccount", func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return err
	}
	if err := ensureNodes(ctx, cs); err != nil {
		return err
	}
	if err := EnsureStorageClass(ctx, cs); err != nil {
		return err
	}
	if err := step("fake nodes Ready", func(ctx context.Context) error { return nodesReady(ctx, cs) }); err != nil {
		return err
	}
	if !probe {
		return nil
	}
	// probePod polls by itself; it must not be retried as a whole, or each
	// try would leave another pod behind.
	if err := probePod(ctx, cs, exited); err != nil {
		return err
	}
	fmt.Fprintf(l.log, "labtest: %-28s %6.1fs\n", "probe pod Ready", time.Since(start).Seconds())
	return nil
}

func (l *Lab) readyz(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	body, err := l.Client().Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return err
	}
	if string(body) != "ok" {
		return fmt.Errorf("/readyz: %s", body)
	}
	return nil
}

// poll calls f until it succeeds, the context ends or the process exits.
func poll(ctx context.Context, exited <-chan struct{}, f func(context.Context) error) error {
	var last error
	for {
		if last = f(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-exited:
			return fmt.Errorf("podium-lab exited (last error: %v)", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ensureNodes creates the fake Nodes that are missing; after a restart they
// are already in etcd.
func ensureNodes(ctx context.Context, cs kubernetes.Interface) error {
	for i, name := range NodeNames {
		_, err := cs.CoreV1().Nodes().Create(ctx, fakeNode(i, name), metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create node %s: %w", name, err)
		}
	}
	return nil
}

func fakeNode(i int, name string) *corev1.Node {
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("1000"),
		corev1.ResourceMemory: resource.MustParse("4Ti"),
		corev1.ResourcePods:   resource.MustParse(podsPerNode),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				"kubernetes.io/hostname":         name,
				"kubernetes.io/os":               "linux",
				"kubernetes.io/arch":             "amd64",
				"node-role.kubernetes.io/worker": "",
				"type":                           "kwok",
			},
			Annotations: map[string]string{
				FakeNodeAnnotation:             "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		Spec: corev1.NodeSpec{
			// A /18 each: KWOK hands out pod IPs from the node's podCIDR,
			// and its default /24 would run out at 254 pods.
			PodCIDR:  fmt.Sprintf("10.244.%d.0/18", i*64),
			PodCIDRs: []string{fmt.Sprintf("10.244.%d.0/18", i*64)},
		},
		Status: corev1.NodeStatus{
			// 192.0.2.0/24 is TEST-NET-1: documentation only, never routed.
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("192.0.2.%d", 11+i)},
				{Type: corev1.NodeHostName, Address: name},
			},
			Capacity:    res,
			Allocatable: res,
		},
	}
}

func nodesReady(ctx context.Context, cs kubernetes.Interface) error {
	for _, name := range NodeNames {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !NodeReady(n) {
			return fmt.Errorf("node %s not Ready", name)
		}
	}
	return nil
}

// NodeReady reports the Node's Ready condition.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// PodReady reports the Pod's Ready condition.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// probePod proves the whole chain (scheduler binds, KWOK runs) with one
// throwaway pod, then deletes it at once.
func probePod(ctx context.Context, cs kubernetes.Interface, exited <-chan struct{}) error {
	name := "podium-lab-probe-" + rand.String(5)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   "default",
			Annotations: map[string]string{AnnotationReadyDelay: "0s"},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "probe", Image: "podium.dev/lab-probe:v1"}},
		},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create probe pod: %w", err)
	}
	defer func() {
		zero := int64(0)
		// A fresh context: the probe must be cleaned up even if ctx ended.
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = cs.CoreV1().Pods("default").Delete(dctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	}()
	return poll(ctx, exited, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Spec.NodeName == "" {
			return errors.New("probe pod not scheduled")
		}
		if !PodReady(p) {
			return fmt.Errorf("probe pod on %s not Ready (phase %s)", p.Spec.NodeName, p.Status.Phase)
		}
		return nil
	})
}
