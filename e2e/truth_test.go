//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/informers/graph"
)

// truth is what the API server says the graph of one namespace must be,
// computed here from plain lists, independently of Podium's model: the ids
// of entities and edges, plus the fields a viewer would notice first.
type truth struct {
	Nodes map[string]string // id → summary
	Edges map[string]string // id → state ("" when none)
}

func podSummary(ready bool, node string) string { return fmt.Sprintf("ready=%v node=%s", ready, node) }

// listTruth lists namespace ns (and the cluster-scoped Nodes,
// PersistentVolumes and StorageClasses, which every namespace filter shows).
func listTruth(ctx context.Context, cs kubernetes.Interface, ns string) (truth, error) {
	t := truth{Nodes: map[string]string{}, Edges: map[string]string{}}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, n := range nodes.Items {
		t.Nodes["Node/"+n.Name] = ""
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, p := range pods.Items {
		id := graph.ID("Pod", ns, p.Name)
		ready := false
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		node := ""
		if p.Spec.NodeName != "" {
			node = "Node/" + p.Spec.NodeName
			t.Edges[graph.EdgeID("runs-on", id, node)] = ""
		}
		t.Nodes[id] = podSummary(ready, node)
		if ref := metav1.GetControllerOf(&p); ref != nil && (ref.Kind == "ReplicaSet" || ref.Kind == "StatefulSet" || ref.Kind == "DaemonSet" || ref.Kind == "Job") {
			t.Edges[graph.EdgeID("owns", graph.ID(ref.Kind, ns, ref.Name), id)] = ""
		}
		for _, r := range podRefs(&p) {
			t.Nodes[r.to] = refSummary(r.to)
			t.Edges[graph.EdgeID("mounts", id, r.to)] = r.summary()
		}
	}
	deps, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, d := range deps.Items {
		t.Nodes[graph.ID("Deployment", ns, d.Name)] = fmt.Sprintf("replicas=%d", *d.Spec.Replicas)
	}
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, rs := range rss.Items {
		id := graph.ID("ReplicaSet", ns, rs.Name)
		t.Nodes[id] = fmt.Sprintf("replicas=%d", *rs.Spec.Replicas)
		if ref := metav1.GetControllerOf(&rs); ref != nil && ref.Kind == "Deployment" {
			t.Edges[graph.EdgeID("owns", graph.ID("Deployment", ns, ref.Name), id)] = ""
		}
	}
	if err := listWorkloadTruth(ctx, cs, ns, &t); err != nil {
		return t, err
	}
	if err := listStorageTruth(ctx, cs, ns, &t); err != nil {
		return t, err
	}
	eps, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	// endpoint state by service and pod name.
	state := map[string]string{}
	for _, s := range eps.Items {
		svc := s.Labels["kubernetes.io/service-name"]
		for _, ep := range s.Endpoints {
			if ep.TargetRef == nil || ep.TargetRef.Kind != "Pod" {
				continue
			}
			st := "none"
			switch {
			case ep.Conditions.Ready != nil && *ep.Conditions.Ready:
				st = "ready"
			case ep.Conditions.Serving != nil && *ep.Conditions.Serving:
				st = "serving"
			case ep.Conditions.Terminating != nil && *ep.Conditions.Terminating:
				st = "terminating"
			}
			state[svc+"/"+ep.TargetRef.Name] = st
		}
	}
	svcs, err := cs.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, s := range svcs.Items {
		id := graph.ID("Service", ns, s.Name)
		t.Nodes[id] = "type=" + string(s.Spec.Type)
		if len(s.Spec.Selector) == 0 {
			continue
		}
		sel := labels.SelectorFromSet(s.Spec.Selector)
		for _, p := range pods.Items {
			if sel.Matches(labels.Set(p.Labels)) {
				st, ok := state[s.Name+"/"+p.Name]
				if !ok {
					st = "none"
				}
				t.Edges[graph.EdgeID("selects", id, graph.ID("Pod", ns, p.Name))] = st
			}
		}
	}
	ings, err := cs.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, ing := range ings.Items {
		id := graph.ID("Ingress", ns, ing.Name)
		t.Nodes[id] = ""
		if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
			t.Edges[graph.EdgeID("routes", id, graph.ID("Service", ns, b.Service.Name))] = ""
		}
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.Backend.Service != nil {
					t.Edges[graph.EdgeID("routes", id, graph.ID("Service", ns, p.Backend.Service.Name))] = ""
				}
			}
		}
	}
	return t, nil
}

// listWorkloadTruth adds StatefulSets, DaemonSets, Jobs (owned by their
// CronJob), CronJobs and HorizontalPodAutoscalers with their scales edges.
func listWorkloadTruth(ctx context.Context, cs kubernetes.Interface, ns string, t *truth) error {
	stss, err := cs.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range stss.Items {
		t.Nodes[graph.ID("StatefulSet", ns, s.Name)] = fmt.Sprintf("replicas=%d", *s.Spec.Replicas)
	}
	dss, err := cs.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, d := range dss.Items {
		t.Nodes[graph.ID("DaemonSet", ns, d.Name)] = ""
	}
	jobs, err := cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, j := range jobs.Items {
		id := graph.ID("Job", ns, j.Name)
		t.Nodes[id] = jobSummary(jobState(&j), int(j.Status.Succeeded))
		if ref := metav1.GetControllerOf(&j); ref != nil && ref.Kind == "CronJob" {
			t.Edges[graph.EdgeID("owns", graph.ID("CronJob", ns, ref.Name), id)] = ""
		}
	}
	cjs, err := cs.BatchV1().CronJobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, c := range cjs.Items {
		t.Nodes[graph.ID("CronJob", ns, c.Name)] = "schedule=" + c.Spec.Schedule
	}
	hpas, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, h := range hpas.Items {
		id := graph.ID("HorizontalPodAutoscaler", ns, h.Name)
		min := 1
		if h.Spec.MinReplicas != nil {
			min = int(*h.Spec.MinReplicas)
		}
		t.Nodes[id] = hpaSummary(min, int(h.Spec.MaxReplicas))
		if k := h.Spec.ScaleTargetRef.Kind; k == "Deployment" || k == "StatefulSet" {
			t.Edges[graph.EdgeID("scales", id, graph.ID(k, ns, h.Spec.ScaleTargetRef.Name))] = ""
		}
	}
	return nil
}

// jobState reads a Job's state from its conditions, as kubectl's STATUS
// column does.
func jobState(j *batchv1.Job) string {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return graph.JobComplete
		case batchv1.JobFailed:
			return graph.JobFailed
		}
	}
	if j.Spec.Suspend != nil && *j.Spec.Suspend {
		return graph.JobSuspended
	}
	return graph.JobRunning
}

func jobSummary(state string, succeeded int) string {
	return fmt.Sprintf("state=%s succeeded=%d", state, succeeded)
}

func hpaSummary(min, max int) string { return fmt.Sprintf("min=%d max=%d", min, max) }

// listStorageTruth adds the namespace's claims with their bound edges, and
// every PersistentVolume and StorageClass (cluster-scoped).
func listStorageTruth(ctx context.Context, cs kubernetes.Interface, ns string, t *truth) error {
	pvcs, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	pvs, err := cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, pv := range pvs.Items {
		t.Nodes[graph.ID("PersistentVolume", "", pv.Name)] = "phase=" + string(pv.Status.Phase)
	}
	for _, c := range pvcs.Items {
		id := graph.ID("PersistentVolumeClaim", ns, c.Name)
		t.Nodes[id] = "phase=" + string(c.Status.Phase)
		if c.Spec.VolumeName != "" && c.Status.Phase == corev1.ClaimBound {
			t.Edges[graph.EdgeID("bound", id, graph.ID("PersistentVolume", "", c.Spec.VolumeName))] = ""
		}
	}
	scs, err := cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, sc := range scs.Items {
		t.Nodes[graph.ID("StorageClass", "", sc.Name)] = "provisioner=" + sc.Provisioner
	}
	return nil
}

// podRef is one mounts edge of a pod, derived here from the pod's spec and
// status without Podium's code: what it references, how, by which
// containers, and whether the status says the object is missing.
type podRef struct {
	to         string
	as         map[string]bool
	containers map[string]bool
	broken     bool
}

// mountOrder is the order of "as" values the contract pins.
var mountOrder = []string{graph.MountVolume, graph.MountProjected, graph.MountEnv, graph.MountEnvFrom}

func mountsSummary(as, containers []string, broken bool) string {
	var ordered []string
	for _, a := range mountOrder {
		if slices.Contains(as, a) {
			ordered = append(ordered, a)
		}
	}
	c := slices.Clone(containers)
	sort.Strings(c)
	return fmt.Sprintf("as=%s containers=%s broken=%v", strings.Join(ordered, ","), strings.Join(c, ","), broken)
}

func (r *podRef) summary() string {
	return mountsSummary(slices.Collect(maps.Keys(r.as)), slices.Collect(maps.Keys(r.containers)), r.broken)
}

func refSummary(id string) string {
	if strings.HasPrefix(id, "PersistentVolumeClaim/") {
		return "" // replaced by the claim's own summary when it exists
	}
	return "referenced"
}

// podRefs lists the ConfigMaps, Secrets and claims p references.
func podRefs(p *corev1.Pod) []*podRef {
	all := append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
	// The protocol names at most graph.MaxContainers init and app
	// containers each; the others still reference, unnamed.
	named := map[string]bool{}
	kept := append(slices.Clone(p.Spec.InitContainers[:min(len(p.Spec.InitContainers), graph.MaxContainers)]),
		p.Spec.Containers[:min(len(p.Spec.Containers), graph.MaxContainers)]...)
	for _, c := range kept {
		named[c.Name] = true
	}
	byID := map[string]*podRef{}
	var order []*podRef
	add := func(kind, name, as string, containers ...string) {
		// A name no object can have gets no node (its id would be
		// ambiguous); the API server accepts some in a pod's references.
		if len(validation.IsDNS1123Subdomain(name)) > 0 {
			return
		}
		id := graph.ID(kind, p.Namespace, name)
		r := byID[id]
		if r == nil {
			// The protocol's bound: a pod's first graph.MaxRefs objects.
			if len(order) >= graph.MaxRefs {
				return
			}
			r = &podRef{to: id, as: map[string]bool{}, containers: map[string]bool{}}
			byID[id] = r
			order = append(order, r)
		}
		r.as[as] = true
		for _, c := range containers {
			if named[c] {
				r.containers[c] = true
			}
		}
	}
	// A volume's containers are those that mount it, or all of them when
	// none does.
	mounters := func(volume string) []string {
		var out, every []string
		for _, c := range kept {
			every = append(every, c.Name)
			for _, m := range c.VolumeMounts {
				if m.Name == volume {
					out = append(out, c.Name)
				}
			}
		}
		if len(out) == 0 {
			return every
		}
		return out
	}
	for _, v := range p.Spec.Volumes {
		switch {
		case v.ConfigMap != nil:
			add("ConfigMap", v.ConfigMap.Name, graph.MountVolume, mounters(v.Name)...)
		case v.Secret != nil:
			add("Secret", v.Secret.SecretName, graph.MountVolume, mounters(v.Name)...)
		case v.PersistentVolumeClaim != nil:
			add("PersistentVolumeClaim", v.PersistentVolumeClaim.ClaimName, graph.MountVolume, mounters(v.Name)...)
		case v.Ephemeral != nil:
			// The ephemeral volume controller names its claim <pod>-<volume>.
			add("PersistentVolumeClaim", p.Name+"-"+v.Name, graph.MountVolume, mounters(v.Name)...)
		case v.Projected != nil:
			// The ServiceAccount token volume the API server adds to every
			// pod (its kube-root-ca.crt is in every namespace) is no
			// reference of the user's; Podium leaves it out.
			if strings.HasPrefix(v.Name, "kube-api-access-") {
				continue
			}
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					add("ConfigMap", s.ConfigMap.Name, graph.MountProjected, mounters(v.Name)...)
				}
				if s.Secret != nil {
					add("Secret", s.Secret.Name, graph.MountProjected, mounters(v.Name)...)
				}
			}
		}
	}
	for _, c := range all {
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				add("ConfigMap", r.Name, graph.MountEnv, c.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				add("Secret", r.Name, graph.MountEnv, c.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				add("ConfigMap", e.ConfigMapRef.Name, graph.MountEnvFrom, c.Name)
			}
			if e.SecretRef != nil {
				add("Secret", e.SecretRef.Name, graph.MountEnvFrom, c.Name)
			}
		}
	}
	// The kubelet's CreateContainerConfigError message names the missing
	// object: `configmap "x" not found`, `secret "x" not found`.
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, s := range statuses {
		w := s.State.Waiting
		if w == nil || w.Reason != "CreateContainerConfigError" {
			continue
		}
		for kind, word := range map[string]string{"ConfigMap": "configmap", "Secret": "secret"} {
			var name string
			if _, err := fmt.Sscanf(w.Message, word+" %q not found", &name); err == nil {
				if r := byID[graph.ID(kind, p.Namespace, name)]; r != nil {
					r.broken = true
				}
			}
		}
	}
	return order
}

// truthOf summarises a Podium snapshot the way listTruth does.
func truthOf(s graph.Snapshot) truth {
	t := truth{Nodes: map[string]string{}, Edges: map[string]string{}}
	for _, n := range s.Nodes {
		sum := ""
		switch {
		case n.Pod != nil:
			sum = podSummary(n.Pod.Ready, n.Pod.Node)
		case n.Deployment != nil:
			sum = fmt.Sprintf("replicas=%d", n.Deployment.Replicas)
		case n.ReplicaSet != nil:
			sum = fmt.Sprintf("replicas=%d", n.ReplicaSet.Replicas)
		case n.Service != nil:
			sum = "type=" + n.Service.Type
		case n.StatefulSet != nil:
			sum = fmt.Sprintf("replicas=%d", n.StatefulSet.Replicas)
		case n.Job != nil:
			sum = jobSummary(n.Job.State, n.Job.Succeeded)
		case n.CronJob != nil:
			sum = "schedule=" + n.CronJob.Schedule
		case n.HorizontalPodAutoscaler != nil:
			sum = hpaSummary(n.HorizontalPodAutoscaler.Min, n.HorizontalPodAutoscaler.Max)
		case n.PersistentVolumeClaim != nil:
			sum = "phase=" + n.PersistentVolumeClaim.Phase
		case n.PersistentVolume != nil:
			sum = "phase=" + n.PersistentVolume.Phase
		case n.StorageClass != nil:
			sum = "provisioner=" + n.StorageClass.Provisioner
		case n.ConfigMap != nil && n.ConfigMap.Referenced, n.Secret != nil && n.Secret.Referenced:
			sum = "referenced"
		}
		t.Nodes[n.ID] = sum
	}
	for _, e := range s.Edges {
		if e.Kind == graph.EdgeMounts {
			t.Edges[e.ID] = mountsSummary(strings.Split(e.As, ","), e.Containers, e.Broken)
			continue
		}
		t.Edges[e.ID] = e.State
	}
	return t
}

// diff lists the differences between two truths, or "".
func (t truth) diff(got truth) string {
	var out []string
	cmpMaps := func(what string, want, got map[string]string) {
		for k, v := range want {
			g, ok := got[k]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("missing %s %s (%s)", what, k, v))
			case g != v:
				out = append(out, fmt.Sprintf("%s %s: want %q, got %q", what, k, v, g))
			}
		}
		for k, v := range got {
			if _, ok := want[k]; !ok {
				out = append(out, fmt.Sprintf("extra %s %s (%s)", what, k, v))
			}
		}
	}
	cmpMaps("node", t.Nodes, got.Nodes)
	cmpMaps("edge", t.Edges, got.Edges)
	sort.Strings(out)
	return strings.Join(out, "\n")
}
