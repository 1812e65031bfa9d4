package kubesteps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Cordon marks node unschedulable, as `kubectl cordon` does (a merge patch
// of spec.unschedulable, so it races no other writer of the Node).
func Cordon(ctx context.Context, cs kubernetes.Interface, node string) error {
	return setUnschedulable(ctx, cs, node, true)
}

// Uncordon marks node schedulable again, as `kubectl uncordon` does.
func Uncordon(ctx context.Context, cs kubernetes.Interface, node string) error {
	return setUnschedulable(ctx, cs, node, false)
}

func setUnschedulable(ctx context.Context, cs kubernetes.Interface, node string, on bool) error {
	if node == "" {
		return errors.New("no node name")
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"unschedulable": on}})
	if err != nil {
		return err
	}
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("node %s: unschedulable=%v: %w", node, on, err)
	}
	return nil
}

// DrainOptions tune Drain.
type DrainOptions struct {
	// Timeout bounds the whole drain: evictions a PodDisruptionBudget
	// refuses are retried until then, and evicted pods waited for. Default
	// one minute.
	Timeout time.Duration
	// Interval is the pause between two rounds of retries. Default 200 ms.
	Interval time.Duration
	// Force evicts pods no controller owns too; `kubectl drain` refuses
	// them without --force because nothing re-creates them.
	Force bool
}

// DrainResult says what a drain did: pods are "namespace/name".
type DrainResult struct {
	Evicted []string // evicted, in the order the API accepted them
	// Held maps each pod still on the node at the deadline because a
	// PodDisruptionBudget refused its eviction (429) to that budget
	// ("namespace/name", or "?" when no budget of the namespace selects it).
	Held map[string]string
}

// ErrHeld is returned (wrapped) by Drain when budgets still held pods back
// at its deadline; the result lists them.
var ErrHeld = errors.New("pods held back by a PodDisruptionBudget")

// Drain does what `kubectl drain NODE --ignore-daemonsets
// --delete-emptydir-data` does: it cordons node, then evicts every pod on
// it through the policy/v1 Eviction API except DaemonSet and mirror pods,
// retrying evictions a PodDisruptionBudget refuses (429 Too Many Requests)
// until the deadline, and waits for the evicted pods to be gone. Pods no
// controller owns are refused unless opts.Force, before anything is
// evicted, as kubectl does. At the deadline it returns the pods still held
// back and an error wrapping ErrHeld.
func Drain(ctx context.Context, cs kubernetes.Interface, node string, opts DrainOptions) (DrainResult, error) {
	res := DrainResult{Held: map[string]string{}}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.Interval <= 0 {
		opts.Interval = 200 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := Cordon(ctx, cs, node); err != nil {
		return res, err
	}
	pods, err := podsToEvict(ctx, cs, node, opts.Force)
	if err != nil {
		return res, err
	}
	pending := map[string]corev1.Pod{} // by "ns/name", not yet evicted
	for _, p := range pods {
		pending[p.Namespace+"/"+p.Name] = p
	}
	evicted := map[string]types.UID{}
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	for {
		for _, key := range sortedKeys(pending) {
			p := pending[key]
			err := cs.PolicyV1().Evictions(p.Namespace).Evict(ctx, &policyv1.Eviction{
				ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace},
			})
			switch {
			case err == nil:
				res.Evicted = append(res.Evicted, key)
				evicted[key] = p.UID
				delete(pending, key)
				delete(res.Held, key)
			case apierrors.IsNotFound(err):
				delete(pending, key) // gone already: nothing to evict
				delete(res.Held, key)
			case apierrors.IsTooManyRequests(err):
				res.Held[key] = budgetOf(ctx, cs, &p)
			case ctx.Err() != nil:
			default:
				return res, fmt.Errorf("evict %s: %w", key, err)
			}
		}
		if len(pending) == 0 {
			if err := gone(ctx, cs, evicted); err == nil {
				return res, nil
			} else if ctx.Err() != nil {
				return res, fmt.Errorf("drain %s: evicted pods not gone within %s: %w", node, opts.Timeout, err)
			}
		}
		select {
		case <-ctx.Done():
			if len(pending) > 0 {
				return res, fmt.Errorf("drain %s: %d pods after %s: %w", node, len(pending), opts.Timeout, ErrHeld)
			}
			return res, fmt.Errorf("drain %s: evicted pods not gone within %s", node, opts.Timeout)
		case <-tick.C:
		}
	}
}

// podsToEvict lists the pods of node a drain evicts: not DaemonSet pods
// (their controller ignores unschedulable), not mirror pods (the kubelet
// owns them), not pods already terminating.
func podsToEvict(ctx context.Context, cs kubernetes.Interface, node string, force bool) ([]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return nil, fmt.Errorf("pods of node %s: %w", node, err)
	}
	var out []corev1.Pod
	var unmanaged []string
	for _, p := range list.Items {
		// The field selector is the server's filter; a client that
		// ignores it (a fake) must not make a drain evict elsewhere.
		if p.Spec.NodeName != node || p.DeletionTimestamp != nil {
			continue
		}
		if _, mirror := p.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
			continue
		}
		ref := metav1.GetControllerOf(&p)
		if ref != nil && ref.Kind == "DaemonSet" {
			continue
		}
		// Finished pods hold nothing; kubectl deletes them without asking.
		finished := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
		if ref == nil && !force && !finished {
			unmanaged = append(unmanaged, p.Namespace+"/"+p.Name)
			continue
		}
		out = append(out, p)
	}
	if len(unmanaged) > 0 {
		sort.Strings(unmanaged)
		return nil, fmt.Errorf("drain %s: pods no controller owns would be lost (use Force): %v", node, unmanaged)
	}
	return out, nil
}

// budgetOf names the PodDisruptionBudget that selects p: the Eviction API's
// 429 says a budget refused, not reliably which.
func budgetOf(ctx context.Context, cs kubernetes.Interface, p *corev1.Pod) string {
	pdbs, err := cs.PolicyV1().PodDisruptionBudgets(p.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "?"
	}
	for _, b := range pdbs.Items {
		// policy/v1: an absent selector selects nothing, an empty one every
		// pod of the namespace (LabelSelectorAsSelector says the same).
		sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil {
			continue
		}
		if sel.Matches(labels.Set(p.Labels)) {
			return b.Namespace + "/" + b.Name
		}
	}
	return "?"
}

// gone reports (nil) whether every evicted pod is deleted or replaced by a
// pod of the same name (a StatefulSet's).
func gone(ctx context.Context, cs kubernetes.Interface, evicted map[string]types.UID) error {
	for key, uid := range evicted {
		ns, name := splitKey(key)
		p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return err
		case p.UID == uid:
			return fmt.Errorf("pod %s still terminating", key)
		}
	}
	return nil
}

func splitKey(key string) (string, string) {
	for i := range len(key) {
		if key[i] == '/' {
			return key[:i], key[i+1:]
		}
	}
	return "", key
}

func sortedKeys(m map[string]corev1.Pod) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
