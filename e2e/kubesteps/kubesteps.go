// Package kubesteps does through client-go what a speaker does with kubectl
// in the tutorial — update a Deployment, roll it back — and tells when the
// cluster has settled after a step. The e2e tests and the demo recorder
// (e2e/demo) share it.
package kubesteps

import (
	"context"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// RevisionAnnotation is where the Deployment controller writes revisions.
const RevisionAnnotation = "deployment.kubernetes.io/revision"

// UpdateDeployment applies change to the current Deployment and updates
// it, once; the caller retries on a conflict (poll with a deadline).
func UpdateDeployment(ctx context.Context, cs kubernetes.Interface, ns, name string, change func(*appsv1.Deployment)) error {
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	change(d)
	_, err = cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
	return err
}

// PreviousTemplate returns what `kubectl rollout undo` puts back: the pod
// template of the newest ReplicaSet of the Deployment other than the
// current revision, without its pod-template-hash label.
func PreviousTemplate(ctx context.Context, cs kubernetes.Interface, ns, name string) (*corev1.PodTemplateSpec, error) {
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	cur := d.Annotations[RevisionAnnotation]
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var prev *appsv1.ReplicaSet
	best := -1
	for i := range rss.Items {
		rs := &rss.Items[i]
		rev, err := strconv.Atoi(rs.Annotations[RevisionAnnotation])
		if err != nil {
			continue
		}
		if ref := metav1.GetControllerOf(rs); ref != nil && ref.Name == name && strconv.Itoa(rev) != cur && rev > best {
			prev, best = rs, rev
		}
	}
	if prev == nil {
		return nil, fmt.Errorf("deployment %s/%s has no previous revision to roll back to", ns, name)
	}
	tmpl := prev.Spec.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	return tmpl, nil
}

// Settled reports (nil) whether the Deployment's controller has finished
// the last step: stalled when wantStalled, else every replica updated,
// ready and available, only the desired number of pods matching
// podSelector left (terminating ones gone), and the EndpointSlices of
// Service service (if not "") listing exactly the ready pods as ready.
func Settled(ctx context.Context, cs kubernetes.Interface, ns, name, podSelector, service string, wantStalled bool) error {
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if d.Status.ObservedGeneration < d.Generation {
		return fmt.Errorf("generation %d not observed", d.Generation)
	}
	if service != "" {
		if err := endpointsCaughtUp(ctx, cs, ns, service, podSelector); err != nil {
			return err
		}
	}
	if wantStalled {
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
				return nil
			}
		}
		return fmt.Errorf("not stalled yet: %+v", d.Status)
	}
	want := *d.Spec.Replicas
	s := d.Status
	if s.UpdatedReplicas != want || s.Replicas != want || s.AvailableReplicas != want || s.ReadyReplicas != want {
		return fmt.Errorf("rolling: %+v", s)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: podSelector})
	if err != nil {
		return err
	}
	if len(pods.Items) != int(want) {
		return fmt.Errorf("%d pods, want %d (terminating pods still there)", len(pods.Items), want)
	}
	return nil
}

// endpointsCaughtUp reports whether the Service's EndpointSlices list
// exactly the ready pods as ready: the EndpointSlice controller lags the
// Deployment's status.
func endpointsCaughtUp(ctx context.Context, cs kubernetes.Interface, ns, service, podSelector string) error {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: podSelector})
	if err != nil {
		return err
	}
	ready := map[string]bool{}
	for _, p := range pods.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
				ready[p.Name] = true
			}
		}
	}
	slices, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + service})
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, sl := range slices.Items {
		for _, ep := range sl.Endpoints {
			if ep.TargetRef != nil && ep.Conditions.Ready != nil && *ep.Conditions.Ready {
				listed[ep.TargetRef.Name] = true
			}
		}
	}
	if len(ready) != len(listed) {
		return fmt.Errorf("%d ready pods, %d ready endpoints", len(ready), len(listed))
	}
	for p := range ready {
		if !listed[p] {
			return fmt.Errorf("ready pod %s is not a ready endpoint yet", p)
		}
	}
	return nil
}
