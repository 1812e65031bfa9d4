//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/kubesteps"
	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// app is the tutorial's demo: an Ingress → a NodePort Service → a Deployment.
func createApp(t testing.TB, cs kubernetes.Interface, ns, name string, replicas int32) {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{"app": name}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptrs.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptrs.To(intstr.FromInt32(1)), MaxUnavailable: ptrs.To(intstr.FromInt32(1))}},
			ProgressDeadlineSeconds: ptrs.To(int32(8)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "hellok8s:v1",
					Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: labels,
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(3000)}}},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	prefix := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "demo.local",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}}}}},
	}
	if _, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, ing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// updateDeployment applies change with conflict retries, as kubectl does.
func updateDeployment(t testing.TB, cs kubernetes.Interface, ns, name string, change func(*appsv1.Deployment)) {
	t.Helper()
	labtest.Eventually(t, 20*time.Second, func(ctx context.Context) error {
		return kubesteps.UpdateDeployment(ctx, cs, ns, name, change)
	})
}

// rollbackDeployment does what `kubectl rollout undo` does.
func rollbackDeployment(t testing.TB, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	tmpl, err := kubesteps.PreviousTemplate(context.Background(), cs, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	updateDeployment(t, cs, ns, name, func(d *appsv1.Deployment) { d.Spec.Template = *tmpl })
}

// settled waits until the Deployment's controller has finished (complete or
// stalled) and its Service's endpoints caught up: the quiescence a user
// waits for. The app's pods and Service are labelled and named after it.
func settled(t testing.TB, cs kubernetes.Interface, ns, name string, wantStalled bool) {
	t.Helper()
	labtest.Eventually(t, 90*time.Second, func(ctx context.Context) error {
		return kubesteps.Settled(ctx, cs, ns, name, "app="+name, name, wantStalled)
	})
}

// converged waits until the graph rebuilt from the stream, /api/graph and the
// API server's truth agree for namespace ns.
func converged(t testing.TB, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, ns, step string) graph.Snapshot {
	t.Helper()
	var got graph.Snapshot
	var last error // the last real mismatch, not the deadline cutting a request short
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		err := convergedOnce(ctx, p, s, cs, ns, step, &got)
		if err != nil && ctx.Err() != nil && last != nil {
			return last
		}
		last = err
		return err
	})
	return got
}

func convergedOnce(ctx context.Context, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, ns, step string, got *graph.Snapshot) error {
	{
		api, err := streamMatchesAPI(ctx, p, s, "namespace="+ns, step)
		if err != nil {
			return err
		}
		want, err := listTruth(ctx, cs, ns)
		if err != nil {
			return err
		}
		if d := want.diff(truthOf(api)); d != "" {
			return fmt.Errorf("%s: /api/graph differs from the API server:\n%s", step, d)
		}
		*got = api
		return nil
	}
}

func count(s graph.Snapshot, pred func(n *graph.Node) bool) int {
	c := 0
	for _, n := range s.Nodes {
		if pred(n) {
			c++
		}
	}
	return c
}

func edgesOf(s graph.Snapshot, kind, state string) int {
	c := 0
	for _, e := range s.Edges {
		if e.Kind == kind && (state == "" || e.State == state) {
			c++
		}
	}
	return c
}

func isPod(n *graph.Node) bool { return n.Pod != nil }

// TestTopologyUserSteps is the speaker's demo, step by step: after each
// kubectl-like step, the graph from /ws, /api/graph and the API agree.
func TestTopologyUserSteps(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	s := p.Dial(t, "namespace="+ns)

	createApp(t, cs, ns, "web", 3)
	settled(t, cs, ns, "web", false)
	g := converged(t, p, s, cs, ns, "create")
	if n := count(g, isPod); n != 3 {
		t.Fatalf("create: %d pods, want 3", n)
	}
	if edgesOf(g, "routes", "") != 1 || edgesOf(g, "selects", "ready") != 3 || edgesOf(g, "runs-on", "") != 3 {
		t.Fatalf("create: the chain Ingress → Service → 3 ready Pods → Nodes is incomplete:\n%s", edgeList(g))
	}

	steps := []struct {
		name    string
		do      func()
		stalled bool
		check   func(g graph.Snapshot) error
	}{
		{"scale to 6", func() {
			updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(6)) })
		}, false, func(g graph.Snapshot) error {
			if n := edgesOf(g, "selects", "ready"); n != 6 {
				return fmt.Errorf("%d ready endpoints, want 6", n)
			}
			return nil
		}},
		{"delete a pod", func() {
			pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
			if err != nil || len(pods.Items) == 0 {
				t.Fatalf("list pods: %v", err)
			}
			if err := cs.CoreV1().Pods(ns).Delete(context.Background(), pods.Items[0].Name, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}, false, nil},
		{"set image v2", func() {
			updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v2" })
		}, false, func(g graph.Snapshot) error {
			return wantRevisionImage(g, ns, 2, "hellok8s:v2")
		}},
		{"rollout undo", func() { rollbackDeployment(t, cs, ns, "web") }, false, func(g graph.Snapshot) error {
			return wantRevisionImage(g, ns, 3, "hellok8s:v1")
		}},
		{"stalled rollout", func() {
			updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v3"
				d.Spec.Template.Labels["podium.dev/lab-never-ready"] = "true"
			})
		}, true, func(g graph.Snapshot) error {
			dep := find(g, graph.ID("Deployment", ns, "web"))
			if dep == nil || dep.Deployment.Rollout != "stalled" {
				return fmt.Errorf("deployment rollout state = %+v, want stalled", dep)
			}
			if n := edgesOf(g, "selects", "none"); n == 0 {
				return fmt.Errorf("no not-ready pod is outside the ready endpoints")
			}
			return nil
		}},
	}
	for _, st := range steps {
		st.do()
		settled(t, cs, ns, "web", st.stalled)
		g := converged(t, p, s, cs, ns, st.name)
		if st.check != nil {
			if err := st.check(g); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		t.Logf("%s: converged at seq %d with %d pods", st.name, g.Seq, count(g, isPod))
	}
	var kinds []string
	for _, h := range s.Happenings() {
		kinds = append(kinds, h.Kind+": "+h.Text)
	}
	joined := strings.Join(kinds, "\n")
	for _, want := range []string{"scaled 3 → 6", "revision 1 → 2", "stalled"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no happening mentions %q; got:\n%s", want, joined)
		}
	}
}

func find(g graph.Snapshot, id string) *graph.Node {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

func wantRevisionImage(g graph.Snapshot, ns string, rev int, image string) error {
	dep := find(g, graph.ID("Deployment", ns, "web"))
	if dep == nil {
		return fmt.Errorf("no deployment")
	}
	if dep.Deployment.Revision != rev || !cmp.Equal(dep.Deployment.Images, []string{image}) {
		return fmt.Errorf("deployment at revision %d images %v, want %d %s", dep.Deployment.Revision, dep.Deployment.Images, rev, image)
	}
	var images []string
	for _, n := range g.Nodes {
		if n.Pod != nil {
			images = append(images, n.Pod.Images...)
		}
	}
	sort.Strings(images)
	for _, im := range images {
		if im != image {
			return fmt.Errorf("pods run %v, want only %s", images, image)
		}
	}
	return nil
}

func edgeList(g graph.Snapshot) string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, e.ID+" "+e.State)
	}
	return strings.Join(out, "\n")
}
