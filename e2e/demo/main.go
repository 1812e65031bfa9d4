// Command demo records Podium's built-in demo: the "hellok8s" tutorial
// sequence, run against the lab control plane while `podium record` watches.
//
//	make demo-record             # or: go run ./e2e/demo [-out FILE]
//
// It uses the lab `make lab-up` started (or starts one and stops it again),
// works in its own namespace, and writes cmd/podium/demo/hellok8s.jsonl.gz,
// which `podium demo` embeds. The steps follow the tutorial: deploy 1
// replica, scale to 3, delete a pod, expose it with a NodePort Service, an
// nginx Service and an Ingress, roll out v2 (maxSurge=1, maxUnavailable=1),
// roll back, then a rollout whose pods never become Ready stalls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/kubesteps"
	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/informers/replay"
)

const (
	ns         = "hellok8s"
	deployName = "hellok8s-deployment"
	image      = "guangzhengli/hellok8s"
)

func main() {
	out := flag.String("out", "", "recording to write (default <repo>/cmd/podium/demo/hellok8s.jsonl.gz)")
	pause := flag.Duration("pause", 2500*time.Millisecond, "time between steps, so each one is visible on replay")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *out, *pause)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

func run(ctx context.Context, out string, pause time.Duration) (err error) {
	root, err := labtest.RepoRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "cmd", "podium", "demo", "hellok8s.jsonl.gz")
	}
	lab, err := labtest.Shared(ctx)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	defer func() { err = errors.Join(err, labtest.Release(lab)) }()
	cs := lab.Client()

	if err := freshNamespace(ctx, cs); err != nil {
		return err
	}

	// Record with the real binary, as a user would.
	bin := filepath.Join(os.TempDir(), "podium-demo-record")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/podium")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build podium: %w", err)
	}
	tmp := out + ".tmp.gz"
	rec := exec.Command(bin, "record", "--kubeconfig", lab.Kubeconfig(), "--namespace", ns, "--out", tmp, "--log-level", "warn")
	rec.Stdout, rec.Stderr = os.Stderr, os.Stderr
	if err := rec.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- rec.Wait() }()
	defer func() {
		if rec.ProcessState == nil {
			_ = rec.Process.Kill()
		}
	}()
	if err := labtest.Poll(ctx, 60*time.Second, func(context.Context) error {
		select {
		case err := <-exited:
			return fmt.Errorf("podium record exited: %v", err)
		default:
		}
		r, err := replay.ReadFile(tmp)
		if err != nil {
			return err
		}
		if len(r.Frames) == 0 {
			return errors.New("no snapshot yet")
		}
		return nil
	}); err != nil {
		return fmt.Errorf("waiting for the recorder's first snapshot: %w", err)
	}
	say("recording to %s", tmp)
	sleep(ctx, pause/2)

	for _, st := range steps(cs) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		say("%s", st.name)
		if err := st.do(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		if st.wait != nil {
			if err := labtest.Poll(ctx, 90*time.Second, st.wait); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
		}
		sleep(ctx, pause)
	}

	_ = rec.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("podium record: %w", err)
		}
	case <-time.After(20 * time.Second):
		return errors.New("podium record did not stop within 20s of Ctrl-C")
	}
	r, err := replay.ReadFile(tmp)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	say("wrote %s: %s, %d messages, %d bytes, %d happenings", out, r.Duration.Round(time.Millisecond), len(r.Frames), st.Size(), len(r.Markers()))
	for _, m := range r.Markers() {
		say("  %6.2fs  %s", m.Time, m.Text)
	}
	return cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// freshNamespace deletes what a previous run left and creates the namespace
// again, with its default ServiceAccount (pods need it).
func freshNamespace(ctx context.Context, cs kubernetes.Interface) error {
	err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err := labtest.Poll(ctx, 120*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("namespace %s still terminating (%v)", ns, err)
	}); err != nil {
		return err
	}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	return labtest.Poll(ctx, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

type step struct {
	name string
	do   func(ctx context.Context) error
	wait func(ctx context.Context) error // the state a user waits for
}

func steps(cs kubernetes.Interface) []step {
	apps := cs.AppsV1().Deployments(ns)
	labels := map[string]string{"app": "hellok8s"}
	settledAt := func(wantStalled bool) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return kubesteps.Settled(ctx, cs, ns, deployName, "app=hellok8s", "", wantStalled)
		}
	}
	update := func(change func(d *appsv1.Deployment)) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
				return kubesteps.UpdateDeployment(ctx, cs, ns, deployName, change)
			})
		}
	}
	setImage := func(tag string, neverReady bool) func(d *appsv1.Deployment) {
		return func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Image = image + ":" + tag
			if neverReady {
				d.Spec.Template.Labels[labtest.LabelNeverReady] = "true"
			}
		}
	}
	return []step{
		{"kubectl apply -f deployment.yaml (1 replica)", func(ctx context.Context) error {
			_, err := apps.Create(ctx, &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: deployName, Namespace: ns},
				Spec: appsv1.DeploymentSpec{
					Replicas: ptr.To(int32(1)),
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
						RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(1)), MaxUnavailable: ptr.To(intstr.FromInt32(1))}},
					// Small, so the readiness failure at the end stalls within seconds.
					ProgressDeadlineSeconds: ptr.To(int32(10)),
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "hellok8s"}},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "hellok8s-container", Image: image + ":v1",
							Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}}},
					},
				},
			}, metav1.CreateOptions{})
			return err
		}, settledAt(false)},
		{"kubectl scale deployment hellok8s-deployment --replicas=3", update(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(int32(3)) }), settledAt(false)},
		{"kubectl delete pod (one of three)", func(ctx context.Context) error {
			pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=hellok8s"})
			if err != nil {
				return err
			}
			if len(pods.Items) == 0 {
				return errors.New("no pod to delete")
			}
			return cs.CoreV1().Pods(ns).Delete(ctx, pods.Items[0].Name, metav1.DeleteOptions{})
		}, settledAt(false)},
		{"kubectl apply -f service-hellok8s-nodeport.yaml", func(ctx context.Context) error {
			_, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "service-hellok8s", Namespace: ns},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: labels,
					Ports: []corev1.ServicePort{{Port: 3000, TargetPort: intstr.FromInt32(3000)}}},
			}, metav1.CreateOptions{})
			return err
		}, nil},
		{"kubectl apply -f nginx.yaml (pod and service)", func(ctx context.Context) error {
			if _, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: "nginx", Namespace: ns, Labels: map[string]string{"app": "nginx"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx-container", Image: "nginx",
					Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}},
			}, metav1.CreateOptions{}); err != nil {
				return err
			}
			_, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "nginx-service", Namespace: ns},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: map[string]string{"app": "nginx"},
					Ports: []corev1.ServicePort{{Port: 4000, TargetPort: intstr.FromInt32(80)}}},
			}, metav1.CreateOptions{})
			return err
		}, func(ctx context.Context) error {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, "nginx", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !labtest.PodReady(p) {
				return errors.New("nginx not ready")
			}
			return nil
		}},
		{"kubectl apply -f ingress.yaml (hello-ingress)", func(ctx context.Context) error {
			prefix := networkingv1.PathTypePrefix
			path := func(p, svc string, port int32) networkingv1.HTTPIngressPath {
				return networkingv1.HTTPIngressPath{Path: p, PathType: &prefix, Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: svc, Port: networkingv1.ServiceBackendPort{Number: port}}}}
			}
			_, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{
				ObjectMeta: metav1.ObjectMeta{Name: "hello-ingress", Namespace: ns},
				Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{
					IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
						path("/hello", "service-hellok8s", 3000), path("/", "nginx-service", 4000),
					}}}}}},
			}, metav1.CreateOptions{})
			return err
		}, nil},
		{"kubectl set image: hellok8s:v2 (maxSurge 1, maxUnavailable 1)", update(setImage("v2", false)), settledAt(false)},
		{"kubectl rollout undo deployment hellok8s-deployment", rollback(cs), settledAt(false)},
		{"kubectl set image: hellok8s:v3 whose readiness probe fails", update(setImage("v3", true)), settledAt(true)},
	}
}

// rollback does what `kubectl rollout undo` does: put the previous
// revision's pod template back.
func rollback(cs kubernetes.Interface) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		tmpl, err := kubesteps.PreviousTemplate(ctx, cs, ns, deployName)
		if err != nil {
			return err
		}
		return labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
			return kubesteps.UpdateDeployment(ctx, cs, ns, deployName, func(d *appsv1.Deployment) { d.Spec.Template = *tmpl })
		})
	}
}
