//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"k8s.io/client-go/util/retry"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
)

// These tests prove the lab is a real cluster: controllers, scheduler and
// KWOK all act, observed only through client-go.

const revisionAnnotation = "deployment.kubernetes.io/revision"

func deployment(ns, name string, replicas int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxSurge:       ptr(intstr.FromInt32(1)),
					MaxUnavailable: ptr(intstr.FromInt32(0)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: labels,
					// Tests run at full speed; demos keep the lab's delay.
					Annotations: map[string]string{labtest.AnnotationReadyDelay: "0s", labtest.AnnotationDeleteDelay: "0s"},
				},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// podsOf lists the Deployment's live (not terminating) pods.
func podsOf(ctx context.Context, cs kubernetes.Interface, ns, app string) ([]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		return nil, err
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// allPodsOf lists every pod of app, terminating ones included.
func allPodsOf(ctx context.Context, cs kubernetes.Interface, ns, app string) ([]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// waitRolledOut waits until the Deployment's controller has observed its
// latest spec and exactly want pods, all Ready and updated, remain.
func waitRolledOut(t *testing.T, cs kubernetes.Interface, ns, name string, want int32, image string) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		var err error
		d, err = cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		s := d.Status
		if s.ObservedGeneration < d.Generation || s.Replicas != want || s.UpdatedReplicas != want || s.ReadyReplicas != want || s.AvailableReplicas != want {
			return fmt.Errorf("deployment %s: generation %d/%d replicas %d updated %d ready %d available %d, want %d",
				name, s.ObservedGeneration, d.Generation, s.Replicas, s.UpdatedReplicas, s.ReadyReplicas, s.AvailableReplicas, want)
		}
		pods, err := allPodsOf(ctx, cs, ns, name)
		if err != nil {
			return err
		}
		if int32(len(pods)) != want {
			return fmt.Errorf("%d pods (terminating included), want %d", len(pods), want)
		}
		for _, p := range pods {
			if !labtest.PodReady(&p) || p.Status.Phase != corev1.PodRunning {
				return fmt.Errorf("pod %s is %s, Ready=%v", p.Name, p.Status.Phase, labtest.PodReady(&p))
			}
			if got := p.Spec.Containers[0].Image; got != image {
				return fmt.Errorf("pod %s runs %s, want %s", p.Name, got, image)
			}
		}
		return nil
	})
	return d
}

// TestLabCollectsGarbageOnRequest: BenchmarkScale50k collects the lab's
// heap before each timed sample; that needs the API server's profiling
// endpoint, for admins only.
func TestLabCollectsGarbageOnRequest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := lab.CollectGarbage(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLabDeploymentSchedulesAcrossNodes(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "web", 6, "podium.dev/web:v1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := waitRolledOut(t, cs, ns, "web", 6, "podium.dev/web:v1")

	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rss.Items) != 1 {
		t.Fatalf("want 1 ReplicaSet, got %d", len(rss.Items))
	}
	rs := rss.Items[0]
	if owner := metav1.GetControllerOf(&rs); owner == nil || owner.UID != d.UID {
		t.Fatalf("ReplicaSet %s is not controlled by the Deployment: %v", rs.Name, owner)
	}
	pods, err := podsOf(ctx, cs, ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]int{}
	for _, p := range pods {
		if owner := metav1.GetControllerOf(&p); owner == nil || owner.UID != rs.UID {
			t.Errorf("pod %s is not controlled by ReplicaSet %s: %v", p.Name, rs.Name, owner)
		}
		if p.Status.PodIP == "" || !strings.HasPrefix(p.Status.HostIP, "192.0.2.") {
			t.Errorf("pod %s: podIP %q hostIP %q, want both set (host in 192.0.2.0/24)", p.Name, p.Status.PodIP, p.Status.HostIP)
		}
		nodes[p.Spec.NodeName]++
	}
	var got []string
	for n := range nodes {
		got = append(got, n)
	}
	sort.Strings(got)
	if !slices.Equal(got, labtest.NodeNames) {
		t.Errorf("pods landed on nodes %v (%v), want all of %v", got, nodes, labtest.NodeNames)
	}
}

func TestLabScaleUpAndDown(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "scale", 2, "podium.dev/scale:v1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, cs, ns, "scale", 2, "podium.dev/scale:v1")
	for _, n := range []int32{7, 1} {
		// What `kubectl scale` does: write the scale subresource.
		sc := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "scale", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: n}}
		if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "scale", sc, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("scale to %d: %v", n, err)
		}
		waitRolledOut(t, cs, ns, "scale", n, "podium.dev/scale:v1")
	}
}

// replicaSetByRevision returns the app's ReplicaSets keyed by revision.
func replicaSetByRevision(ctx context.Context, cs kubernetes.Interface, ns, app string) (map[string]appsv1.ReplicaSet, error) {
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		return nil, err
	}
	out := map[string]appsv1.ReplicaSet{}
	for _, rs := range rss.Items {
		out[rs.Annotations[revisionAnnotation]] = rs
	}
	return out, nil
}

func TestLabRolloutAndUndo(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	deps := cs.AppsV1().Deployments(ns)
	if _, err := deps.Create(ctx, deployment(ns, "roll", 3, "podium.dev/roll:v1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, cs, ns, "roll", 3, "podium.dev/roll:v1")

	// What `kubectl set image` does: change the template's image.
	d, err := deps.Get(ctx, "roll", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].Image = "podium.dev/roll:v2"
	if _, err := deps.Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	d = waitRolledOut(t, cs, ns, "roll", 3, "podium.dev/roll:v2")
	if got := d.Annotations[revisionAnnotation]; got != "2" {
		t.Fatalf("revision after set image = %q, want 2", got)
	}
	byRev, err := replicaSetByRevision(ctx, cs, ns, "roll")
	if err != nil {
		t.Fatal(err)
	}
	old, cur := byRev["1"], byRev["2"]
	if len(byRev) != 2 || *old.Spec.Replicas != 0 || *cur.Spec.Replicas != 3 || cur.Spec.Template.Spec.Containers[0].Image != "podium.dev/roll:v2" {
		t.Fatalf("after rollout want RS rev1 at 0 and rev2 (v2) at 3, got %d ReplicaSets: rev1 %v, rev2 %v", len(byRev), old.Spec.Replicas, cur.Spec.Replicas)
	}

	// What `kubectl rollout undo` does: copy the previous revision's pod
	// template back into the Deployment (without its pod-template-hash).
	tmpl := old.Spec.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	// The deployment controller writes the object's status meanwhile: an
	// update from a stale read conflicts, and kubectl retries, as here.
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err := deps.Get(ctx, "roll", metav1.GetOptions{})
		if err != nil {
			return err
		}
		d.Spec.Template = *tmpl
		_, err = deps.Update(ctx, d, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d = waitRolledOut(t, cs, ns, "roll", 3, "podium.dev/roll:v1")
	if got := d.Annotations[revisionAnnotation]; got != "3" {
		t.Fatalf("revision after undo = %q, want 3", got)
	}
	byRev, err = replicaSetByRevision(ctx, cs, ns, "roll")
	if err != nil {
		t.Fatal(err)
	}
	// The old ReplicaSet is reused (same name), now as revision 3.
	back, ok := byRev["3"]
	if !ok || back.Name != old.Name || *back.Spec.Replicas != 3 {
		t.Fatalf("after undo want %s as revision 3 with 3 replicas; revisions: %v", old.Name, keys(byRev))
	}
	if rs2 := byRev["2"]; *rs2.Spec.Replicas != 0 {
		t.Fatalf("after undo rev2 still has %d replicas", *rs2.Spec.Replicas)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func barePod(ns, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns, Labels: labels,
			Annotations: map[string]string{labtest.AnnotationReadyDelay: "0s", labtest.AnnotationDeleteDelay: "0s"},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "podium.dev/probe:v1"}}},
	}
}

// bareService is Service name in ns, port 80 to the pods labelled
// app=name on 8080.
func bareService(ns, name string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
}

func TestLabNeverReadyPodLeavesReadyEndpoints(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	if _, err := cs.CoreV1().Services(ns).Create(ctx, bareService(ns, "api"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*corev1.Pod{
		barePod(ns, "good", map[string]string{"app": "api"}),
		barePod(ns, "sick", map[string]string{"app": "api", labtest.LabelNeverReady: "true"}),
	} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Wait for the EndpointSlice controller to list both pods: "good" ready,
	// "sick" present but not ready. Both pods went through the same stages
	// with the same delay, so by then "sick" has had its chance to be Ready.
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		eps, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=api"})
		if err != nil {
			return err
		}
		ready := map[string]bool{}
		for _, s := range eps.Items {
			for _, e := range s.Endpoints {
				if e.TargetRef != nil {
					ready[e.TargetRef.Name] = e.Conditions.Ready != nil && *e.Conditions.Ready
				}
			}
		}
		good, goodOK := ready["good"]
		sick, sickOK := ready["sick"]
		if !goodOK || !good || !sickOK {
			return fmt.Errorf("endpoints so far (name: ready) %v; want good ready and sick listed", ready)
		}
		if sick {
			return fmt.Errorf("never-ready pod is a ready endpoint: %v", ready)
		}
		return nil
	})
	p, err := cs.CoreV1().Pods(ns).Get(ctx, "sick", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status.Phase != corev1.PodRunning || labtest.PodReady(p) || p.Status.ContainerStatuses[0].Ready {
		t.Fatalf("never-ready pod: phase %s Ready=%v container ready=%v, want Running and not ready",
			p.Status.Phase, labtest.PodReady(p), p.Status.ContainerStatuses[0].Ready)
	}
}

func TestLabRestartingPodCountsRestarts(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), barePod(ns, "flaky", map[string]string{labtest.LabelRestart: "true"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	interval := lab.Delays().RestartInterval
	labtest.Eventually(t, 4*interval+30*time.Second, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "flaky", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if len(p.Status.ContainerStatuses) != 1 {
			return fmt.Errorf("no container status yet (phase %s)", p.Status.Phase)
		}
		c := p.Status.ContainerStatuses[0]
		// Two restarts prove the count climbs rather than being set once.
		if c.RestartCount < 2 {
			return fmt.Errorf("restartCount %d", c.RestartCount)
		}
		if c.LastTerminationState.Terminated == nil || c.LastTerminationState.Terminated.ExitCode != 137 {
			return fmt.Errorf("lastState %+v, want terminated with exit code 137", c.LastTerminationState)
		}
		if c.State.Running == nil {
			return fmt.Errorf("container not running again: %+v", c.State)
		}
		return nil
	})
}

// TestLabPodDelays checks that the per-pod ready delay holds a pod in
// ContainerCreating, as demos rely on it to make rollouts visible.
func TestLabPodDelays(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	p := barePod(ns, "slow", nil)
	p.Annotations[labtest.AnnotationReadyDelay] = "3s"
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sawCreating := false
	var readyPod *corev1.Pod
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "slow", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range p.Status.ContainerStatuses {
			if c.State.Waiting != nil && c.State.Waiting.Reason == "ContainerCreating" {
				sawCreating = true
			}
		}
		if !labtest.PodReady(p) {
			return fmt.Errorf("not Ready yet (phase %s)", p.Status.Phase)
		}
		readyPod = p
		return nil
	})
	if !sawCreating {
		t.Error("never observed the pod in ContainerCreating during its 3s ready delay")
	}
	var readyAt time.Time
	for _, c := range readyPod.Status.Conditions {
		if c.Type == corev1.PodReady {
			readyAt = c.LastTransitionTime.Time
		}
	}
	// Timestamps have 1 s resolution: 3 s of delay shows as at least 2 s.
	if d := readyAt.Sub(readyPod.CreationTimestamp.Time); d < 2*time.Second {
		t.Errorf("pod became Ready %s after creation, want ≥ 2s with a 3s ready delay", d)
	}
}

// TestLabTerminatingPodShowsInEndpoints: a deleted pod lingers for its
// delete delay, marked terminating in its Service's EndpointSlice, then goes.
func TestLabTerminatingPodShowsInEndpoints(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "bye", Namespace: ns},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "bye"},
			Ports:    []corev1.ServicePort{{Port: 80}},
		},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := barePod(ns, "leaving", map[string]string{"app": "bye"})
	p.Annotations[labtest.AnnotationDeleteDelay] = "4s"
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	endpoint := func(ctx context.Context) (*discoveryv1.Endpoint, error) {
		eps, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=bye"})
		if err != nil {
			return nil, err
		}
		for _, s := range eps.Items {
			for _, e := range s.Endpoints {
				if e.TargetRef != nil && e.TargetRef.Name == "leaving" {
					return &e, nil
				}
			}
		}
		return nil, nil
	}
	isTrue := func(b *bool) bool { return b != nil && *b }
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		e, err := endpoint(ctx)
		if err != nil {
			return err
		}
		if e == nil || !isTrue(e.Conditions.Ready) {
			return fmt.Errorf("endpoint %+v, want a ready one", e)
		}
		return nil
	})
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "leaving", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		e, err := endpoint(ctx)
		if err != nil {
			return err
		}
		if e == nil || !isTrue(e.Conditions.Terminating) || isTrue(e.Conditions.Ready) {
			return fmt.Errorf("endpoint %+v, want terminating and not ready", e)
		}
		return nil
	})
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().Pods(ns).Get(ctx, "leaving", metav1.GetOptions{})
		if err == nil {
			return fmt.Errorf("pod still there")
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	})
}

// TestLabOtherWorkloads: DaemonSets, StatefulSets and Jobs run too (the
// kinds Podium draws beside Deployments).
func TestLabOtherWorkloads(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	ctx := t.Context()
	tmpl := func(app string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{
				Labels:      map[string]string{"app": app},
				Annotations: map[string]string{labtest.AnnotationReadyDelay: "0s", labtest.AnnotationDeleteDelay: "0s"},
			},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "podium.dev/" + app + ":v1"}}},
		}
	}
	sel := func(app string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
	}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: ns}, Spec: appsv1.DaemonSetSpec{Selector: sel("agent"), Template: tmpl("agent")}}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(2)), Selector: sel("db"), Template: tmpl("db"), ServiceName: "db"}}
	if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	jobTmpl := tmpl("once")
	jobTmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "once", Namespace: ns}, Spec: batchv1.JobSpec{Template: jobTmpl}}
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		d, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.DesiredNumberScheduled != int32(len(labtest.NodeNames)) || d.Status.NumberReady != d.Status.DesiredNumberScheduled {
			return fmt.Errorf("daemonset: desired %d ready %d, want %d", d.Status.DesiredNumberScheduled, d.Status.NumberReady, len(labtest.NodeNames))
		}
		s, err := cs.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Status.ReadyReplicas != 2 {
			return fmt.Errorf("statefulset: %d ready, want 2", s.Status.ReadyReplicas)
		}
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if j.Status.Succeeded != 1 {
			return fmt.Errorf("job: %d succeeded, want 1", j.Status.Succeeded)
		}
		return nil
	})
	if _, err := cs.CoreV1().Pods(ns).Get(ctx, "db-1", metav1.GetOptions{}); err != nil {
		t.Errorf("StatefulSet pod db-1: %v", err)
	}
}
