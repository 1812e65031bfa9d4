//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// allLayers turns every optional layer on, so the page must draw every node
// and edge /api/graph has.
const allLayers = "storage,config,jobs,autoscaling,warnings,identity,netpol,quotas"

// wave2 is one acceptance run: a namespace, Podium, a stream and a page.
type wave2 struct {
	t  *testing.T
	cs kubernetes.Interface
	ns string
	p  *podiumtest.Podium
	s  *podiumtest.Stream
	b  *browser
}

func newWave2(t *testing.T, page bool) *wave2 {
	w := &wave2{t: t, cs: lab.Client(), ns: labtest.NamespacePrefixed(t, lab, "labe2e")}
	w.p = podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	w.s = w.p.Dial(t, "namespace="+w.ns)
	if page {
		w.b = newBrowser(t, true)
		w.b.tag = "wave2"
		w.b.open(w.p.URL + "/?lang=en&namespace=" + url.QueryEscape(w.ns) + "&layers=" + allLayers)
		w.b.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 30*time.Second, "the page to be live")
	}
	return w
}

// step waits for the three-way check (stream = /api/graph = the API
// server), then for the page to draw every node and edge of the namespace,
// takes the step's screenshot and returns the graph.
func (w *wave2) step(name string) graph.Snapshot {
	w.t.Helper()
	start := time.Now()
	g := converged(w.t, w.p, w.s, w.cs, w.ns, name)
	if w.b != nil {
		w.pageDraws(name, g)
		w.b.shot(name)
	}
	w.t.Logf("%s: converged and drawn in %s", name, time.Since(start).Round(time.Millisecond))
	return g
}

// pageDraws waits until the page has an element for every node of the
// namespace (and each PersistentVolume or StorageClass one of its claims
// uses) and for every edge from it. owns edges are drawn as placement (a
// pod sits in its owner's lane), not as lines. A mounts edge may be drawn
// once for a whole workload (data-agg "agg:mounts:<workload>-><to>"), so 50
// replicas do not draw 50 edges.
func (w *wave2) pageDraws(step string, g graph.Snapshot) {
	w.t.Helper()
	ids, edges, shared := []string{}, []string{}, []string{} // JSON arrays, never null
	used := map[string]bool{}
	for _, e := range g.Edges {
		if graph.NamespaceOf(e.From) != w.ns {
			continue
		}
		used[e.To] = true
		switch e.Kind {
		case graph.EdgeOwns:
		case graph.EdgeMounts, graph.EdgeRunsAs:
			// Drawn per pod, or once for a workload whose pods agree.
			shared = append(shared, e.ID, "agg:"+e.Kind+":", "->"+e.To)
		case graph.EdgeIsolates:
			shared = append(shared, e.ID, "agg:isolates:"+e.From+"->", "")
		default:
			edges = append(edges, e.ID)
		}
	}
	for _, n := range g.Nodes {
		if n.Namespace == w.ns || (n.Namespace == "" && n.Kind != graph.KindNode && used[n.ID]) {
			ids = append(ids, n.ID)
		}
		// A PV's class is drawn with it.
		if n.PersistentVolume != nil && used[n.ID] && n.PersistentVolume.StorageClass != "" {
			ids = append(ids, graph.ID(graph.KindStorageClass, "", n.PersistentVolume.StorageClass))
		}
	}
	waitDrawn(w.t, w.b, step, ids, edges, shared)
}

// waitDrawn polls the page until it draws every node id (data-id) and edge
// id (data-edge) given, and fails with what is missing after 20 s. shared
// holds triples (edge id, prefix, suffix): such an edge may instead be
// drawn once for its workload, as a data-agg with that prefix and suffix.
func waitDrawn(t *testing.T, b *browser, step string, ids, edges, shared []string) {
	t.Helper()
	j, _ := json.Marshal(map[string][]string{"ids": ids, "edges": edges, "shared": shared})
	missing := `(() => {
	  const want = ` + string(j) + `;
	  const has = (a, v) => document.querySelector('[' + a + '="' + CSS.escape(v) + '"]') !== null;
	  const out = [];
	  for (const id of want.ids) if (!has('data-id', id)) out.push('node ' + id);
	  for (const id of want.edges) if (!has('data-edge', id)) out.push('edge ' + id);
	  const aggs = [...document.querySelectorAll('[data-agg]')].map((e) => e.dataset.agg);
	  for (let i = 0; i < want.shared.length; i += 3) {
	    const [id, pre, post] = want.shared.slice(i, i + 3);
	    if (!has('data-edge', id) && !aggs.some((a) => a.startsWith(pre) && a.endsWith(post))) out.push('edge ' + id);
	  }
	  return out;
	})()`
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := eval[[]string](b, missing)
		if len(out) == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.shot(step + "-missing")
			t.Fatalf("%s: the page does not draw %d of what /api/graph has:\n%s", step, len(out), strings.Join(out, "\n"))
		}
		time.Sleep(100 * time.Millisecond) // the next poll of the page; the deadline bounds it
	}
}

func node(g graph.Snapshot, id string) *graph.Node {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

func edge(g graph.Snapshot, id string) *graph.Edge {
	for _, e := range g.Edges {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func (w *wave2) id(kind, name string) string { return graph.ID(kind, w.ns, name) }

func (w *wave2) eventually(what string, timeout time.Duration, cond func(ctx context.Context) error) {
	w.t.Helper()
	start := time.Now()
	labtest.Eventually(w.t, timeout, func(ctx context.Context) error {
		if err := cond(ctx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
	w.t.Logf("%s: the cluster got there in %s", what, time.Since(start).Round(time.Millisecond))
}

// fastPods makes the lab run a template's pods at once (no ready delay).
func fastPods(m *metav1.ObjectMeta) {
	m.Annotations = map[string]string{labtest.AnnotationReadyDelay: "0s", labtest.AnnotationDeleteDelay: "0s"}
}

// TestWave2Acceptance is issue 12's acceptance, step by step against the
// lab: after each step the graph rebuilt from /ws, /api/graph and the API
// server agree, the page draws every new entity and edge, and a screenshot
// records it (artifacts/wave2-NN-<step>.png).
func TestWave2Acceptance(t *testing.T) {
	w := newWave2(t, true)
	ctx := t.Context()
	cs, ns := w.cs, w.ns

	// 1. A Deployment that mounts a ConfigMap, takes env from a Secret and
	// is autoscaled: the HPA's min (3) is above its replicas (1), so the
	// controller scales it before it ever reads a metric, and says it
	// cannot read them.
	t.Run("deployment-config-hpa", func(t *testing.T) {
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-config"}, Data: map[string]string{"greeting": "hello"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "web-token"}, StringData: map[string]string{"token": "s3cret"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{"app": "web"}
		tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "web", Image: "hellok8s:v1",
				Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")}},
				VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/web"}},
				Env: []corev1.EnvVar{{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: "web-token"}, Key: "token"}}}},
			}},
			Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}}},
		}}
		fastPods(&tmpl.ObjectMeta)
		dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
			Replicas: ptrs.To(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptrs.To(int32(3)), MaxReplicas: 5,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptrs.To(int32(50))}}}},
		}}
		if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, hpa, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("the HPA scales web to its min and cannot read metrics", 90*time.Second, func(ctx context.Context) error {
			d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if *d.Spec.Replicas != 3 || d.Status.ReadyReplicas != 3 {
				return fmt.Errorf("web: replicas %d, ready %d; want 3", *d.Spec.Replicas, d.Status.ReadyReplicas)
			}
			h, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, c := range h.Status.Conditions {
				if c.Type == autoscalingv2.ScalingActive && c.Status == corev1.ConditionFalse {
					return nil
				}
			}
			return fmt.Errorf("HPA conditions %+v: no ScalingActive False", h.Status.Conditions)
		})
		g := w.with(t).step("deployment-config-hpa")
		h := node(g, w.id(graph.KindHPA, "web"))
		if h == nil || h.HorizontalPodAutoscaler == nil {
			t.Fatalf("no HPA node")
		}
		if f := h.HorizontalPodAutoscaler; f.Min != 3 || f.Max != 5 || f.Target != w.id(graph.KindDeployment, "web") {
			t.Errorf("HPA fields %+v", f)
		}
		// The controller writes ScalingActive on a later pass than the one
		// that scaled to min; the structure can converge between the two.
		w.with(t).eventually("Podium's HPA says it cannot read metrics (ScalingActive False)", 60*time.Second, func(ctx context.Context) error {
			g, err := w.p.Graph(ctx, "namespace="+w.ns)
			if err != nil {
				return err
			}
			h := node(g, w.id(graph.KindHPA, "web"))
			if h == nil || h.HorizontalPodAutoscaler == nil || !hasCondition(h.HorizontalPodAutoscaler.Conditions, "ScalingActive", "False") {
				return fmt.Errorf("HPA node %+v", h)
			}
			return nil
		})
		pods := 0
		for _, e := range g.Edges {
			if e.Kind != graph.EdgeMounts {
				continue
			}
			switch e.To {
			case w.id(graph.KindConfigMap, "web-config"):
				pods++
				if e.As != graph.MountVolume || strings.Join(e.Containers, ",") != "web" || e.Broken {
					t.Errorf("%s: as %q containers %v broken %v, want volume [web] false", e.ID, e.As, e.Containers, e.Broken)
				}
			case w.id(graph.KindSecret, "web-token"):
				if e.As != graph.MountEnv || e.Broken {
					t.Errorf("%s: as %q broken %v, want env false", e.ID, e.As, e.Broken)
				}
			}
		}
		if pods != 3 {
			t.Errorf("%d pods mount web-config, want 3", pods)
		}
	})

	// 2. A StatefulSet whose claims bind to static PVs, for real.
	var oldUID string
	t.Run("statefulset-claims", func(t *testing.T) {
		labtest.StaticPVs(t, lab, ns, 2, "1Gi")
		labels := map[string]string{"app": "db"}
		tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "db", Image: "postgres:17", VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql"}}}},
		}}
		fastPods(&tmpl.ObjectMeta)
		sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{
			Replicas: ptrs.To(int32(2)), ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl,
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{
				StorageClassName: ptrs.To(labtest.StorageClass), AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}},
		}}
		if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("db's claims bind and its pods run", 90*time.Second, func(ctx context.Context) error {
			for i := range 2 {
				c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, fmt.Sprintf("data-db-%d", i), metav1.GetOptions{})
				if err != nil {
					return err
				}
				if c.Status.Phase != corev1.ClaimBound {
					return fmt.Errorf("claim %s is %s", c.Name, c.Status.Phase)
				}
			}
			s, err := cs.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if s.Status.ReadyReplicas != 2 {
				return fmt.Errorf("db: %d ready", s.Status.ReadyReplicas)
			}
			return nil
		})
		g := w.with(t).step("statefulset-claims")
		if s := node(g, w.id(graph.KindStatefulSet, "db")); s == nil || strings.Join(s.StatefulSet.ClaimTemplates, ",") != "data" {
			t.Errorf("StatefulSet db: %+v, want claimTemplates [data]", s)
		}
		for i := range 2 {
			pod, claim := w.id(graph.KindPod, fmt.Sprintf("db-%d", i)), w.id(graph.KindPVC, fmt.Sprintf("data-db-%d", i))
			if edge(g, graph.EdgeID(graph.EdgeMounts, pod, claim)) == nil {
				t.Errorf("no mounts edge %s → %s", pod, claim)
			}
			c := node(g, claim)
			if c == nil || c.PersistentVolumeClaim.Phase != "Bound" || c.PersistentVolumeClaim.StorageClass != labtest.StorageClass {
				t.Fatalf("claim %s: %+v", claim, c)
			}
			if edge(g, graph.EdgeID(graph.EdgeBound, claim, c.PersistentVolumeClaim.Volume)) == nil {
				t.Errorf("no bound edge %s → %s", claim, c.PersistentVolumeClaim.Volume)
			}
		}
		oldUID = node(g, w.id(graph.KindPod, "db-1")).UID
	})

	// 3. Delete db-1: the StatefulSet re-creates it with the same name on
	// the same claim, with a new uid, and Podium says it was replaced.
	t.Run("statefulset-replaced", func(t *testing.T) {
		before, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-db-1", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.CoreV1().Pods(ns).Delete(ctx, "db-1", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("db-1 comes back", 60*time.Second, func(ctx context.Context) error {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, "db-1", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if string(p.UID) == oldUID || !labtest.PodReady(p) {
				return fmt.Errorf("db-1 uid %s ready %v (old uid %s)", p.UID, labtest.PodReady(p), oldUID)
			}
			return nil
		})
		g := w.with(t).step("statefulset-replaced")
		pod := node(g, w.id(graph.KindPod, "db-1"))
		if pod.UID == oldUID {
			t.Errorf("db-1 kept its uid %s", oldUID)
		}
		claim := w.id(graph.KindPVC, "data-db-1")
		if edge(g, graph.EdgeID(graph.EdgeMounts, pod.ID, claim)) == nil {
			t.Errorf("the new db-1 does not mount %s", claim)
		}
		if c := node(g, claim); c.PersistentVolumeClaim.Volume != graph.ID(graph.KindPV, "", before.Spec.VolumeName) {
			t.Errorf("claim moved to %s, was on %s", c.PersistentVolumeClaim.Volume, before.Spec.VolumeName)
		}
		labtest.Eventually(t, 10*time.Second, func(context.Context) error {
			for _, h := range w.s.Happenings() {
				if h.Kind == "replaced" && h.Ref == pod.ID {
					return nil
				}
			}
			return fmt.Errorf("no replaced happening for %s in %d happenings", pod.ID, len(w.s.Happenings()))
		})
	})

	// 4. A Job with completions 3 and parallelism 2 runs to completion.
	t.Run("job", func(t *testing.T) {
		tmpl := corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{Name: "work", Image: "busybox:1.37"}}}}
		fastPods(&tmpl.ObjectMeta)
		job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "batch"}, Spec: batchv1.JobSpec{
			Completions: ptrs.To(int32(3)), Parallelism: ptrs.To(int32(2)), Template: tmpl}}
		if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("job batch completes", 90*time.Second, func(ctx context.Context) error {
			j, err := cs.BatchV1().Jobs(ns).Get(ctx, "batch", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if jobState(j) != graph.JobComplete || j.Status.Succeeded != 3 {
				return fmt.Errorf("batch: %s, %d succeeded", jobState(j), j.Status.Succeeded)
			}
			return nil
		})
		g := w.with(t).step("job")
		j := node(g, w.id(graph.KindJob, "batch"))
		if j == nil || j.Job.State != graph.JobComplete || j.Job.Succeeded != 3 || j.Job.Completions == nil || *j.Job.Completions != 3 || j.Job.Parallelism != 2 {
			t.Fatalf("Job batch: %+v", j)
		}
		owned := 0
		for _, e := range g.Edges {
			if e.Kind == graph.EdgeOwns && e.From == j.ID {
				owned++
				if p := node(g, e.To); p == nil || p.Pod.Status != "Completed" {
					t.Errorf("%s: %+v, want Completed", e.To, p)
				}
			}
		}
		if owned != 3 {
			t.Errorf("Job batch owns %d pods, want 3", owned)
		}
	})

	// 5. A CronJob, and a Job created from it as `kubectl create job
	// --from=cronjob/nightly` does.
	t.Run("cronjob", func(t *testing.T) {
		tmpl := corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure,
			Containers: []corev1.Container{{Name: "backup", Image: "busybox:1.37"}}}}
		fastPods(&tmpl.ObjectMeta)
		cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly"}, Spec: batchv1.CronJobSpec{
			Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}}
		created, err := cs.BatchV1().CronJobs(ns).Create(ctx, cj, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		job := jobFromCronJob(created, "nightly-manual")
		if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("the manual job completes", 90*time.Second, func(ctx context.Context) error {
			j, err := cs.BatchV1().Jobs(ns).Get(ctx, "nightly-manual", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if jobState(j) != graph.JobComplete {
				return fmt.Errorf("nightly-manual: %s", jobState(j))
			}
			return nil
		})
		g := w.with(t).step("cronjob")
		c := node(g, w.id(graph.KindCronJob, "nightly"))
		if c == nil || c.CronJob.Schedule != "0 3 * * *" {
			t.Fatalf("CronJob nightly: %+v", c)
		}
		jid := w.id(graph.KindJob, "nightly-manual")
		if edge(g, graph.EdgeID(graph.EdgeOwns, c.ID, jid)) == nil {
			t.Errorf("no owns edge %s → %s", c.ID, jid)
		}
		if j := node(g, jid); j == nil || j.Job.Owner != c.ID {
			t.Errorf("Job %s: %+v, want owner %s", jid, j, c.ID)
		}
	})

	// 6. A pod no node can take: its warning carries the scheduler's reason.
	t.Run("unschedulable", func(t *testing.T) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "huge"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "huge", Image: "huge:v1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("5000")}}}}}}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("the scheduler gives up on huge", 30*time.Second, func(ctx context.Context) error {
			evs, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=huge,reason=FailedScheduling"})
			if err != nil {
				return err
			}
			if len(evs.Items) == 0 {
				return fmt.Errorf("no FailedScheduling event yet")
			}
			return nil
		})
		id := w.id(graph.KindPod, "huge")
		var g graph.Snapshot
		labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
			var err error
			if g, err = w.p.Graph(ctx, "namespace="+ns); err != nil {
				return err
			}
			n := node(g, id)
			if n == nil {
				return fmt.Errorf("no %s", id)
			}
			for _, wr := range n.Warnings {
				if wr.Reason == "FailedScheduling" && strings.Contains(wr.Message, "0/3 nodes are available") && strings.Contains(wr.Message, "Insufficient cpu") {
					return nil
				}
			}
			return fmt.Errorf("%s warnings %+v: no FailedScheduling with the scheduler's reason", id, n.Warnings)
		})
		g = w.with(t).step("unschedulable")
		if n := node(g, id); n.Pod.Status != "Pending" || n.Pod.Node != "" {
			t.Errorf("huge: status %q node %q, want Pending on no node", n.Pod.Status, n.Pod.Node)
		}
		// The pod's line may be cut to fit ("… 3 Insuffi…"); its start and
		// the reason's first letters must show.
		w.b.with(t).waitJS(`(() => { const s = document.querySelector('[data-id="`+id+`"]')?.textContent || ''; return s.includes('0/3 nodes are available') && s.includes('Insuffi'); })()`, 20*time.Second, "the page to show huge's scheduler reason")
	})

	// 7. A pod whose ConfigMap does not exist: the lab's kubelet check stops
	// its container with CreateContainerConfigError, and Podium marks the
	// reference broken. Creating the ConfigMap lets it start.
	t.Run("missing-configmap", func(t *testing.T) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "orphan"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "app:v1",
			Env: []corev1.EnvVar{{Name: "MODE", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "nowhere"}, Key: "mode"}}}},
		}}}}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("orphan waits with CreateContainerConfigError", 30*time.Second, func(ctx context.Context) error {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, "orphan", metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, s := range p.Status.ContainerStatuses {
				if s.State.Waiting != nil && s.State.Waiting.Reason == "CreateContainerConfigError" {
					return nil
				}
			}
			return fmt.Errorf("orphan: phase %s, statuses %+v", p.Status.Phase, p.Status.ContainerStatuses)
		})
		g := w.with(t).step("missing-configmap")
		eid := graph.EdgeID(graph.EdgeMounts, w.id(graph.KindPod, "orphan"), w.id(graph.KindConfigMap, "nowhere"))
		if e := edge(g, eid); e == nil || !e.Broken || e.As != graph.MountEnv {
			t.Fatalf("%s: %+v, want a broken env reference", eid, e)
		}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "nowhere"}, Data: map[string]string{"mode": "on"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		w.eventually("orphan starts once its ConfigMap exists", 30*time.Second, func(ctx context.Context) error {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, "orphan", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !labtest.PodReady(p) {
				return fmt.Errorf("orphan: phase %s, statuses %+v", p.Status.Phase, p.Status.ContainerStatuses)
			}
			return nil
		})
		g = w.with(t).step("configmap-created")
		if e := edge(g, eid); e == nil || e.Broken {
			t.Fatalf("%s: %+v, want a reference no longer broken", eid, e)
		}
	})
}

// with returns a wave2 whose failures go to subtest t.
func (w *wave2) with(t *testing.T) *wave2 {
	c := *w
	c.t = t
	if w.b != nil {
		c.b = w.b.with(t)
	}
	return &c
}

func hasCondition(cs []graph.Condition, typ, status string) bool {
	for _, c := range cs {
		if c.Type == typ && c.Status == status {
			return true
		}
	}
	return false
}

// jobFromCronJob is what `kubectl create job NAME --from=cronjob/CJ` sends.
func jobFromCronJob(cj *batchv1.CronJob, name string) *batchv1.Job {
	annotations := map[string]string{"cronjob.kubernetes.io/instantiate": "manual"}
	for k, v := range cj.Spec.JobTemplate.Annotations {
		annotations[k] = v
	}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: cj.Namespace, Annotations: annotations, Labels: cj.Spec.JobTemplate.Labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(cj, batchv1.SchemeGroupVersion.WithKind("CronJob"))},
		},
		Spec: cj.Spec.JobTemplate.Spec,
	}
}

// TestWave2BadInput feeds Podium what a careless or hostile cluster holds:
// a pod with hundreds of volumes, one with hundreds of containers, hundreds
// of Warning events about one pod (and some about objects that do not
// exist), references to names no object can have, and a Job without
// completions. Podium stays up, keeps each object bounded, and the
// three-way check holds.
func TestWave2BadInput(t *testing.T) {
	w := newWave2(t, false)
	ctx := t.Context()
	cs, ns := w.cs, w.ns
	rss0, err := w.p.RSS()
	if err != nil {
		t.Fatal(err)
	}

	wide := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "wide"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "wide:v1"}}}}
	fastPods(&wide.ObjectMeta)
	for i := range 300 {
		// Optional, so the pod starts although none of them exists.
		wide.Spec.Volumes = append(wide.Spec.Volumes, corev1.Volume{Name: fmt.Sprintf("v%03d", i), VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: fmt.Sprintf("cfg-%03d", i)}, Optional: ptrs.To(true)}}})
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, wide, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crowd := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "crowd"}}
	fastPods(&crowd.ObjectMeta)
	for i := range 200 {
		crowd.Spec.Containers = append(crowd.Spec.Containers, corev1.Container{Name: fmt.Sprintf("c%03d", i), Image: "crowd:v1",
			Env: []corev1.EnvVar{{Name: "K", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "crowd-secret"}, Key: "k", Optional: ptrs.To(true)}}}}})
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, crowd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Names no ConfigMap or Secret can have. The API server checks some
	// reference names and not others; whatever it accepts, Podium draws no
	// node for.
	for i, name := range []string{"Bad_Name", "../../etc", strings.Repeat("x", 300), "a/b"} {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("badref-%d", i)}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "bad:v1",
			Env: []corev1.EnvVar{{Name: "K", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "k", Optional: ptrs.To(true)}}}},
		}}}}
		fastPods(&p.ObjectMeta)
		_, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		if err != nil && !apierrors.IsInvalid(err) {
			t.Fatalf("a pod referencing ConfigMap %.20q: %v", name, err)
		}
		t.Logf("a pod referencing ConfigMap %.20q: %v", name, err)
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "queue"}, Spec: batchv1.JobSpec{Parallelism: ptrs.To(int32(2)),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "w", Image: "worker:v1"}}}}}}
	fastPods(&job.Spec.Template.ObjectMeta)
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.eventually("wide and crowd run", 90*time.Second, func(ctx context.Context) error {
		for _, name := range []string{"wide", "crowd"} {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !labtest.PodReady(p) {
				return fmt.Errorf("%s is %s", name, p.Status.Phase)
			}
		}
		return nil
	})
	// Hundreds of Warning events about wide, each with its own reason, and
	// a few about objects that are not there.
	wp, err := cs.CoreV1().Pods(ns).Get(ctx, "wide", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	for i := range 300 {
		ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("wide.%03d", i)},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "wide", UID: wp.UID, APIVersion: "v1"},
			Type:           corev1.EventTypeWarning, Reason: fmt.Sprintf("Reason%03d", i), Message: strings.Repeat("m", 1000),
			Count: int32(i + 1), FirstTimestamp: now, LastTimestamp: now, Source: corev1.EventSource{Component: "labe2e"}}
		if _, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, ref := range []corev1.ObjectReference{{Kind: "Pod", Name: "ghost"}, {Kind: "Gizmo", Name: "Not_Valid"}, {Kind: "", Name: ""}} {
		ref.Namespace = ns
		ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ghost.%d", i)}, InvolvedObject: ref,
			Type: corev1.EventTypeWarning, Reason: "Ghost", Message: "about nothing", FirstTimestamp: now, LastTimestamp: now}
		_, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{})
		t.Logf("an event about %+v: %v", ref, err)
	}
	w.eventually("the queue job completes", 90*time.Second, func(ctx context.Context) error {
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, "queue", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if jobState(j) != graph.JobComplete {
			return fmt.Errorf("queue: %s", jobState(j))
		}
		return nil
	})
	g := w.step("bad-input")

	wn := node(g, w.id(graph.KindPod, "wide"))
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		api, err := w.p.Graph(ctx, "namespace="+ns)
		if err != nil {
			return err
		}
		wn = node(api, w.id(graph.KindPod, "wide"))
		if len(wn.Warnings) == 0 {
			return fmt.Errorf("wide has no warnings yet")
		}
		return nil
	})
	if len(wn.Warnings) > graph.MaxWarnings {
		t.Errorf("wide carries %d warnings, more than %d", len(wn.Warnings), graph.MaxWarnings)
	}
	refs := 0
	for _, e := range g.Edges {
		if e.Kind == graph.EdgeMounts && e.From == wn.ID {
			refs++
		}
	}
	t.Logf("wide: %d warnings, %d mounts edges (of 300 volumes)", len(wn.Warnings), refs)
	cn := node(g, w.id(graph.KindPod, "crowd"))
	t.Logf("crowd: %d containers listed (of 200)", len(cn.Pod.Containers))
	for _, n := range g.Nodes {
		if (n.ConfigMap != nil || n.Secret != nil) && len(validation.IsDNS1123Subdomain(n.Name)) > 0 {
			t.Errorf("a node for the invalid name %q", n.ID)
		}
	}
	q := node(g, w.id(graph.KindJob, "queue"))
	if q == nil || q.Job.Completions != nil || q.Job.State != graph.JobComplete {
		t.Errorf("Job queue: %+v, want no completions, complete", q)
	}
	raw, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"completions":null`) {
		t.Errorf("Job queue on the wire: %s, want completions null", raw)
	}
	body, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	rss, err := w.p.RSS()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("namespace graph %d bytes; podium RSS %d → %d MiB (race build)", len(body), rss0>>20, rss>>20)
	if len(body) > 2<<20 {
		t.Errorf("the namespace's graph is %d bytes: not bounded", len(body))
	}
	if rss > 1<<30 {
		t.Errorf("podium RSS %d MiB", rss>>20)
	}
	select {
	case <-w.p.Exited():
		t.Fatal("podium exited")
	default:
	}
}
