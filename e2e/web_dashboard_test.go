//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
)

// startPodium runs the real podium binary against the lab with kubeconfig
// (e2e/podiumtest), watching only namespace ns (other tests share the lab and
// may fill it with thousands of pods), and returns the page address.
func startPodium(t testing.TB, kubeconfig, ns string) string {
	t.Helper()
	return podiumtest.Start(t, podiumtest.Options{Kubeconfig: kubeconfig, Args: []string{"--namespace", ns}}).URL + "/"
}

// page opens Podium filtered to namespace ns and waits until it is live.
func page(t *testing.T, base, ns string) *browser {
	br := newBrowser(t, true)
	br.open(base + "?namespace=" + url.QueryEscape(ns))
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 30*time.Second, "the banner to say live")
	return br
}

func countJS(sel string) string {
	return fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))
}

const ctxTimeout = 30 * time.Second

func apiCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ctxTimeout)
	t.Cleanup(cancel)
	return ctx
}

func deploymentOf(ns, name, image string, replicas int32, podLabels map[string]string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	for k, v := range podLabels {
		labels[k] = v
	}
	one := intstr.FromInt32(1)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &one, MaxUnavailable: &one}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			},
		},
	}
}

func serviceOf(ns, name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{Selector: selector,
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}}},
	}
}

func ingressOf(ns, name, service string) *networkingv1.Ingress {
	class := "nginx"
	prefix := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: networkingv1.IngressSpec{IngressClassName: &class, Rules: []networkingv1.IngressRule{{
			Host: "demo.local",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: service, Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}},
		}}},
	}
}

// positions reads each drawn pod's layout coordinates (data-x, data-y).
func positions(br *browser, prefix string) map[string]string {
	return eval[map[string]string](br, fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll(%s)].map(e => [e.dataset.id, e.dataset.x + ',' + e.dataset.y]))`, jsString(`.pod[data-id^="`+prefix+`"]`)))
}

// TestWebDashboard walks the acceptance list against the lab, each
// step driven through the API as kubectl would, each asserted on the page.
func TestWebDashboard(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	cs := lab.Client()
	base := startPodium(t, lab.Kubeconfig(), ns)
	br := page(t, base, ns)
	pods := "Pod/" + ns + "/web-"
	readyPods := fmt.Sprintf(`.pod[data-id^="%s"][data-state="ready"]`, pods)

	t.Run("create Ingress, Service and a 3-replica Deployment: the chain is drawn", func(t *testing.T) {
		br := br.with(t)
		ctx := apiCtx(t)
		if _, err := cs.CoreV1().Services(ns).Create(ctx, serviceOf(ns, "web", map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, ingressOf(ns, "web", "web"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deploymentOf(ns, "web", "hellok8s:v1", 3, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		ing, svc := "Ingress/"+ns+"/web", "Service/"+ns+"/web"
		br.waitJS(strings.Join([]string{
			countJS(sel("data-id", ing)) + ` === 1`,
			countJS(sel("data-id", svc)) + ` === 1`,
			countJS(sel("data-id", "Deployment/"+ns+"/web")) + ` === 1`,
			countJS(readyPods) + ` === 3`,
			countJS(sel("data-edge", "routes:"+ing+"->"+svc)) + ` === 1`,
			countJS(fmt.Sprintf(`[data-edge^="selects:%s->"][data-status="ready"]`, svc)) + ` === 3`,
			countJS(fmt.Sprintf(`[data-edge^="runs-on:%s"]`, pods)) + ` === 3`,
		}, " && "), 60*time.Second, "Ingress → Service → 3 ready pods → Nodes")
		br.shot("chain")
	})

	t.Run("scale to 6: six pods on their nodes, the old ones did not move", func(t *testing.T) {
		br := br.with(t)
		before := positions(br, pods)
		if len(before) != 3 {
			t.Fatalf("before scaling: %d pods drawn, want 3", len(before))
		}
		ctx := apiCtx(t)
		if _, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", &autoscalingv1.Scale{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 6}}, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		// Every pod is placed on a drawn Node, with its runs-on edge.
		br.waitJS(countJS(readyPods)+` === 6 && [...document.querySelectorAll(`+jsString(readyPods)+`)].every(p => p.dataset.node && document.querySelector('.box[data-id="' + p.dataset.node + '"]') && document.querySelector('[data-edge="runs-on:' + p.dataset.id + '->' + p.dataset.node + '"]'))`,
			60*time.Second, "6 ready pods placed on their nodes")
		after := positions(br, pods)
		for id, xy := range before {
			if after[id] != xy {
				t.Errorf("pod %s moved from %s to %s", id, xy, after[id])
			}
		}
		br.shot("scaled-to-6")
	})

	t.Run("delete a pod: it leaves and a replacement appears", func(t *testing.T) {
		br := br.with(t)
		ids := eval[[]string](br, `[...document.querySelectorAll(`+jsString(readyPods)+`)].map(p => p.dataset.id)`)
		victim := ids[0]
		name := victim[strings.LastIndex(victim, "/")+1:]
		if err := cs.CoreV1().Pods(ns).Delete(apiCtx(t), name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		br.waitJS(countJS(sel("data-id", victim))+` === 0 && `+countJS(readyPods)+` === 6`, 60*time.Second, "the deleted pod to go and a replacement to be ready")
		br.shot("pod-replaced")
	})

	var oldRS string
	t.Run("set image: two lanes with both revisions, and the old lane empties", func(t *testing.T) {
		br := br.with(t)
		ctx := apiCtx(t)
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v2"
		if _, err := cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		lanes := fmt.Sprintf(`.lane[data-id^="ReplicaSet/%s/web-"]`, ns)
		br.waitJS(countJS(lanes+`[data-revision="1"]`)+` === 1 && `+countJS(lanes+`[data-revision="2"]`)+` === 1`, 60*time.Second, "lanes for revisions 1 and 2")
		br.shot("two-lanes")
		br.waitJS(countJS(lanes+`[data-revision="1"][data-pods="0"]`)+` === 1 && `+countJS(lanes+`[data-revision="2"][data-pods="6"]`)+` === 1 && `+countJS(readyPods)+` === 6`,
			60*time.Second, "the old lane empty and 6 ready pods in the new one")
		oldRS = eval[string](br, `document.querySelector(`+jsString(lanes+`[data-revision="1"]`)+`).dataset.id`)
		br.waitJS(`document.querySelector('[data-testid=ticker] li[data-kind="rollout"]') !== null`, 10*time.Second, "a rollout happening in the ticker")
		br.shot("rolled-out")
	})

	t.Run("rollout undo: the old revision fills again", func(t *testing.T) {
		br := br.with(t)
		if oldRS == "" {
			t.Fatal("no old ReplicaSet to roll back to: the set image step failed")
		}
		ctx := apiCtx(t)
		// What `kubectl rollout undo` does: copy the previous ReplicaSet's
		// pod template back into the Deployment.
		rs, err := cs.AppsV1().ReplicaSets(ns).Get(ctx, oldRS[strings.LastIndex(oldRS, "/")+1:], metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tmpl := rs.Spec.Template.DeepCopy()
		delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
		d.Spec.Template = *tmpl
		if _, err := cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		br.waitJS(fmt.Sprintf(`(() => { const l = document.querySelector(%s); return l && l.dataset.revision === '3' && l.dataset.pods === '6'; })()`, jsString(sel("data-id", oldRS))),
			60*time.Second, "the first ReplicaSet back as revision 3 with 6 pods")
		br.waitJS(countJS(readyPods)+` === 6 && `+countJS(fmt.Sprintf(`.lane[data-id^="ReplicaSet/%s/web-"][data-revision="2"][data-pods="0"]`, ns))+` === 1`,
			60*time.Second, "6 ready pods and the v2 lane empty")
		br.shot("undone")
	})

	t.Run("pods that never become ready: not ready, and their Service edges too", func(t *testing.T) {
		br := br.with(t)
		ctx := apiCtx(t)
		if _, err := cs.CoreV1().Services(ns).Create(ctx, serviceOf(ns, "stuck", map[string]string{"app": "stuck"}), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		d := deploymentOf(ns, "stuck", "hellok8s:v1", 2, map[string]string{labtest.LabelNeverReady: "true"})
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		stuck := fmt.Sprintf(`.pod[data-id^="Pod/%s/stuck-"]`, ns)
		svc := "Service/" + ns + "/stuck"
		br.waitJS(countJS(stuck+`[data-state="notready"][data-status="Running"]`)+` === 2 && `+
			countJS(fmt.Sprintf(`[data-edge^="selects:%s->"]`, svc))+` === 2 && `+
			countJS(fmt.Sprintf(`[data-edge^="selects:%s->"][data-status="ready"]`, svc))+` === 0 && `+
			countJS(sel("data-id", svc)+`[data-status="NoEndpoints"]`)+` === 1`,
			60*time.Second, "2 running, not ready pods with not-ready Service edges")
		br.shot("never-ready")
	})

	t.Run("edge input: 63-character names, 0 replicas, no selector, a dangling Ingress", func(t *testing.T) {
		br := br.with(t)
		ctx := apiCtx(t)
		long := strings.Repeat("l", 55) + "-63chars"
		if len(long) != 63 {
			t.Fatalf("name is %d long", len(long))
		}
		if _, err := cs.CoreV1().Services(ns).Create(ctx, serviceOf(ns, long, map[string]string{"app": long}), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		bare := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: long, Namespace: ns, Labels: map[string]string{"app": long}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, bare, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deploymentOf(ns, "idle", "hellok8s:v1", 0, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().Services(ns).Create(ctx, serviceOf(ns, "external", nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, ingressOf(ns, "broken", "does-not-exist"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		br.waitJS(strings.Join([]string{
			countJS(sel("data-id", "Pod/"+ns+"/"+long)+`[data-state="ready"]`) + ` === 1`,
			countJS(fmt.Sprintf(`[data-edge="selects:Service/%s/%s->Pod/%s/%s"]`, ns, long, ns, long)) + ` === 1`,
			countJS(sel("data-id", "Deployment/"+ns+"/idle")) + ` === 1`,
			countJS(fmt.Sprintf(`.lane[data-id^="ReplicaSet/%s/idle-"][data-pods="0"]`, ns)) + ` === 1`,
			countJS(sel("data-id", "Service/"+ns+"/external")+`[data-status="NoSelector"]`) + ` === 1`,
			countJS(sel("data-id", "Ingress/"+ns+"/broken")+`[data-status="Dangling"]`) + ` === 1`,
			countJS(sel("data-ghost", "Service/"+ns+"/does-not-exist")) + ` === 1`,
		}, " && "), 60*time.Second, "the edge cases drawn")
		eval[bool](br, `window.podium.reveal(`+jsString("Ingress/"+ns+"/broken")+`)`)
		br.shot("edge-input")
	})

	t.Run("StatefulSet pods in ordinal order, DaemonSet pods one per node", func(t *testing.T) {
		br := br.with(t)
		ctx := apiCtx(t)
		three := int32(3)
		podSpec := func(app string) corev1.PodTemplateSpec {
			return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "db:v1"}}}}
		}
		sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: appsv1.StatefulSetSpec{
			Replicas: &three, ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			PodManagementPolicy: appsv1.ParallelPodManagement, Template: podSpec("db")}}
		if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: ns}, Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}, Template: podSpec("agent")}}
		if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		y := func(name string) string {
			return fmt.Sprintf(`+document.querySelector(%s).dataset.y`, jsString(sel("data-id", "Pod/"+ns+"/"+name)))
		}
		br.waitJS(countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/db-"]`, ns))+` === 3 && `+y("db-0")+` < `+y("db-1")+` && `+y("db-1")+` < `+y("db-2")+` && `+
			countJS(sel("data-id", "StatefulSet/"+ns+"/db"))+` === 1`,
			60*time.Second, "db-0, db-1, db-2 in ordinal order")
		// One agent pod per schedulable node the page draws.
		br.waitJS(countJS(sel("data-id", "DaemonSet/"+ns+"/agent"))+` === 1 && `+countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/agent-"][data-state="ready"]`, ns))+` > 0 && `+
			countJS(fmt.Sprintf(`.pod[data-id^="Pod/%s/agent-"]`, ns))+` === new Set([...document.querySelectorAll(`+jsString(fmt.Sprintf(`.pod[data-id^="Pod/%s/agent-"]`, ns))+`)].map(p => p.dataset.node)).size`,
			60*time.Second, "DaemonSet pods, each on its own node")
		eval[bool](br, `window.podium.reveal(`+jsString("StatefulSet/"+ns+"/db")+`)`)
		br.shot("statefulset-daemonset")
	})

	t.Run("interaction: details panel, search, hover path, theme", func(t *testing.T) {
		br := br.with(t)
		pod := eval[string](br, `document.querySelector(`+jsString(readyPods)+`).dataset.id`)
		eval[bool](br, fmt.Sprintf(`(document.querySelector(%s).dispatchEvent(new MouseEvent('click', {bubbles: true})), true)`, jsString(sel("data-id", pod))))
		br.waitJS(fmt.Sprintf(`!document.querySelector('[data-testid=details]').hidden && document.querySelector('[data-testid=details]').dataset.id === %s && document.querySelector('[data-testid=details-labels]')?.textContent.includes('app=web')`, jsString(pod)),
			5*time.Second, "the details panel with the pod's labels")
		br.shot("details")
		eval[bool](br, fmt.Sprintf(`(document.querySelector(%s).dispatchEvent(new PointerEvent('pointerover', {bubbles: true})), true)`, jsString(sel("data-id", pod))))
		br.waitJS(fmt.Sprintf(`document.querySelector(%s).classList.contains('hl') && document.querySelector(%s).classList.contains('hl')`,
			jsString(sel("data-id", "Ingress/"+ns+"/web")), jsString(sel("data-id", "Service/"+ns+"/web"))), 5*time.Second, "hover to light the Ingress and Service of the pod")
		// A picture this small dims the rest: the hovered pod keeps its
		// colour, a pod off its path (the StatefulSet's) takes the dim one.
		// (.pod: the open details panel carries the pod's data-id too.)
		colour := func(id string) string {
			return fmt.Sprintf(`getComputedStyle(document.querySelector(%s)).getPropertyValue('--c').trim()`, jsString(".pod"+sel("data-id", id)))
		}
		dimJS := `getComputedStyle(document.querySelector('[data-testid=canvas]')).getPropertyValue('--dim').trim()`
		br.waitJS(colour("Pod/"+ns+"/db-0")+` === `+dimJS, 5*time.Second, "a pod off the hovered path dimmed")
		if c, dim := eval[string](br, colour(pod)), eval[string](br, dimJS); c == "" || c == dim {
			t.Errorf("the hovered pod's colour is %q, the dim colour is %q: the hovered pod was dimmed", c, dim)
		}
		br.shot("hover-path")
		eval[bool](br, `(() => { const s = document.querySelector('[data-testid=search]'); s.value = 'stuck'; s.dispatchEvent(new Event('input')); return true; })()`)
		br.waitJS(countJS(`.match[data-id^="Pod/`+ns+`/stuck-"]`)+` === 2`, 5*time.Second, "search to mark the stuck pods")
		// The namespace filter lives in the URL: all namespaces, then ours again.
		eval[bool](br, `(document.querySelector('[data-testid=ns-all]').click(), true)`)
		br.waitJS(`location.search === '' && document.querySelector('[data-testid=namespace-picker] .ns-current').textContent === 'All namespaces'`, 20*time.Second, "all namespaces, and the URL without a filter")
		eval[bool](br, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(`[data-testid=ns-option][value="`+ns+`"]`)))
		br.waitJS(fmt.Sprintf(`location.search === %s && document.querySelectorAll('[data-testid=ns-band]').length === 1 && %s === 6`, jsString("?namespace="+ns), countJS(readyPods)),
			20*time.Second, "our namespace alone again, in the URL")
		eval[bool](br, `(document.querySelector('[data-testid=theme-toggle]').click(), true)`)
		br.waitJS(`document.documentElement.dataset.theme === 'light'`, 5*time.Second, "the light theme")
		br.shot("light-theme")
	})
}

// TestWebEmptyNamespace: a namespace with nothing in it is drawn as such.
func TestWebEmptyNamespace(t *testing.T) {
	ns := labtest.Namespace(t, lab)
	br := page(t, startPodium(t, lab.Kubeconfig(), ns), ns)
	br.waitJS(countJS(sel("data-ns", ns))+` === 1 && document.querySelector(`+jsString(sel("data-ns", ns))+`).textContent.includes('Nothing in namespace')`,
		30*time.Second, "an empty band for the namespace")
	if n := eval[int](br, countJS(`.pod[data-id]`)); n != 0 {
		t.Errorf("%d pods drawn in an empty namespace", n)
	}
	br.shot("empty-namespace")
}

// TestWebAPIServerRestart stops a private lab's control plane under a live
// page: the banner says reconnecting, and after the restart the page
// converges to the cluster again, with no ghost pods.
func TestWebAPIServerRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	private, err := labtest.Start(ctx, labtest.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := private.Down(); err != nil {
			t.Logf("lab down: %v", err)
		}
	})
	ns := labtest.Namespace(t, private)
	cs := private.Client()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deploymentOf(ns, "web", "hellok8s:v1", 2, nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	br := page(t, startPodium(t, private.Kubeconfig(), ns), ns)
	ready := fmt.Sprintf(`.pod[data-id^="Pod/%s/web-"][data-state="ready"]`, ns)
	br.waitJS(countJS(ready)+` === 2`, 60*time.Second, "2 ready pods")

	if err := private.Stop(); err != nil {
		t.Fatal(err)
	}
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.apiserver === 'reconnecting' && document.querySelector('[data-testid=stage]').dataset.stale === 'true'`, 90*time.Second, "the banner to say the API server is reconnecting")
	br.shot("reconnecting")

	if err := private.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// While it was down nothing changed; now change something and the page
	// must follow: scale to 3.
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		_, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", &autoscalingv1.Scale{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: 3}}, metav1.UpdateOptions{})
		return err
	})
	br.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live' && document.querySelector('[data-testid=banner]').dataset.apiserver === 'connected' && `+countJS(ready)+` === 3`,
		120*time.Second, "the page to converge: live, connected, 3 ready pods")
	// No ghosts: what is drawn is what the API server lists.
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range list.Items {
		want = append(want, "Pod/"+ns+"/"+p.Name)
	}
	br.waitJS(fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('.pod[data-id^="Pod/%s/"]')].map(p => p.dataset.id).sort()) === %s`, ns, jsString(jsonList(want))),
		30*time.Second, "the drawn pods to be exactly the listed ones")
	br.shot("converged")
}

func jsonList(s []string) string {
	s = slices.Clone(s)
	slices.Sort(s)
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ",") + "]"
}
