//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// truth is what the API server says the graph of one namespace must be,
// computed here from plain lists, independently of Podium's model: the ids
// of entities and edges, plus the fields a viewer would notice first.
type truth struct {
	Nodes map[string]string // id → summary
	Edges map[string]string // id → state ("" when none)
	// scope is what the truth covers: diff ignores what Podium shows
	// outside it (other tests' ClusterRoles, Users and Groups, which every
	// namespace filter admits). nil: everything.
	scope *scope
}

func podSummary(ready bool, node string) string { return fmt.Sprintf("ready=%v node=%s", ready, node) }

// listTruth lists namespace ns (and the cluster-scoped Nodes,
// PersistentVolumes and StorageClasses, which every namespace filter shows,
// and the ClusterRoles, Users and Groups whose names start with ns).
func listTruth(ctx context.Context, cs kubernetes.Interface, ns string) (truth, error) {
	return listScopeTruth(ctx, cs, &scope{namespaces: []string{ns}, prefix: ns})
}

// listScopeTruth lists what sc covers: its namespaces, every Node,
// PersistentVolume and StorageClass, their Namespace nodes, and the
// ClusterRoles, Users and Groups named with its prefix.
func listScopeTruth(ctx context.Context, cs kubernetes.Interface, sc *scope) (truth, error) {
	t := truth{Nodes: map[string]string{}, Edges: map[string]string{}, scope: sc}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	for _, n := range nodes.Items {
		t.Nodes["Node/"+n.Name] = nodeSummary(&n)
	}
	for _, ns := range sc.namespaces {
		if err := listNamespaceTruth(ctx, cs, ns, &t); err != nil {
			return t, err
		}
	}
	if err := listRBACTruth(ctx, cs, sc, &t); err != nil {
		return t, err
	}
	return t, nil
}

// listNamespaceTruth adds namespace ns's entities and edges to t.
func listNamespaceTruth(ctx context.Context, cs kubernetes.Interface, ns string, t *truth) error {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
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
		return err
	}
	for _, d := range deps.Items {
		t.Nodes[graph.ID("Deployment", ns, d.Name)] = fmt.Sprintf("replicas=%d", *d.Spec.Replicas)
	}
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, rs := range rss.Items {
		id := graph.ID("ReplicaSet", ns, rs.Name)
		t.Nodes[id] = fmt.Sprintf("replicas=%d", *rs.Spec.Replicas)
		if ref := metav1.GetControllerOf(&rs); ref != nil && ref.Kind == "Deployment" {
			t.Edges[graph.EdgeID("owns", graph.ID("Deployment", ns, ref.Name), id)] = ""
		}
	}
	if err := listWorkloadTruth(ctx, cs, ns, t); err != nil {
		return err
	}
	if err := listStorageTruth(ctx, cs, ns, t); err != nil {
		return err
	}
	eps, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
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
		return err
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
		return err
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
	return listPolicyTruth(ctx, cs, ns, pods.Items, t)
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
		sum, ok := policyNodeSummary(n)
		switch {
		case ok:
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
		// Detail is nil where an edge says nothing besides its ends (a
		// runs-as edge without a token): read through a zero one.
		d := e.Detail
		if d == nil {
			d = &graph.Detail{}
		}
		switch e.Kind {
		case graph.EdgeMounts:
			t.Edges[e.ID] = mountsSummary(strings.Split(d.As, ","), d.Containers, d.Broken)
		case graph.EdgeRunsAs:
			t.Edges[e.ID] = tokenSummary(d.Token)
		case graph.EdgeGrants:
			t.Edges[e.ID] = grantsSummary(d.Binding, d.Namespace)
		default:
			t.Edges[e.ID] = e.State
		}
	}
	return t
}

// diff lists the differences between two truths, or "": what got holds
// outside t's scope is no difference.
func (t truth) diff(got truth) string {
	var out []string
	cmpMaps := func(what string, want, got map[string]string, covered func(string) bool) {
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
			if _, ok := want[k]; !ok && covered(k) {
				out = append(out, fmt.Sprintf("extra %s %s (%s)", what, k, v))
			}
		}
	}
	cmpMaps("node", t.Nodes, got.Nodes, t.scope.node)
	cmpMaps("edge", t.Edges, got.Edges, t.scope.edge)
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// scope is what a three-way check covers. Other tests share the lab, and a
// namespace filter admits every cluster-scoped entity: the check covers the
// test's namespaces (their Namespace nodes included), every Node,
// PersistentVolume and StorageClass (as before #13), and only the
// ClusterRoles, Users and Groups whose names start with prefix (those the
// test made).
type scope struct {
	namespaces []string
	prefix     string
}

// node reports whether the entity with this id is covered.
func (sc *scope) node(id string) bool {
	if sc == nil {
		return true
	}
	if ns := graph.NamespaceOf(id); ns != "" {
		return slices.Contains(sc.namespaces, ns)
	}
	kind, name, _ := strings.Cut(id, "/")
	switch kind {
	case graph.KindNamespace:
		return slices.Contains(sc.namespaces, name)
	case graph.KindClusterRole, graph.KindUser, graph.KindGroup:
		return sc.prefix != "" && strings.HasPrefix(name, sc.prefix)
	}
	return true
}

// edge reports whether the edge with this id is covered: an edge belongs
// to its from end, as in Podium's filter.
func (sc *scope) edge(id string) bool { return sc.node(graph.EdgeFrom(id)) }

// nodeSummary is what the truth compares of a Node (the Kubernetes kind):
// cordon, the four resources Podium keeps of capacity and allocatable, and
// taints. Conditions are left out: KWOK rewrites their heartbeats.
func nodeSummary(n *corev1.Node) string {
	var taints []string
	for _, t := range n.Spec.Taints {
		taints = append(taints, fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect))
	}
	return fmt.Sprintf("unschedulable=%v capacity=%s allocatable=%s taints=%s", n.Spec.Unschedulable,
		resourcesSummary(n.Status.Capacity), resourcesSummary(n.Status.Allocatable), strings.Join(taints, ","))
}

// nodeResources are the resources of a Node Podium keeps.
var nodeResources = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods, corev1.ResourceEphemeralStorage}

func resourcesSummary(l corev1.ResourceList) string {
	m := map[string]string{}
	for _, r := range nodeResources {
		if q, ok := l[r]; ok {
			m[string(r)] = q.String()
		}
	}
	return mapSummary(m)
}

func mapSummary(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+":"+m[k])
	}
	return strings.Join(out, ",")
}

func nodeFieldsSummary(f *graph.NodeFields) string {
	var taints []string
	for _, t := range f.Taints {
		taints = append(taints, fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect))
	}
	return fmt.Sprintf("unschedulable=%v capacity=%s allocatable=%s taints=%s", f.Unschedulable,
		mapSummary(f.Capacity), mapSummary(f.Allocatable), strings.Join(taints, ","))
}

func automountSummary(b *bool) string {
	if b == nil {
		return "automount=unset"
	}
	return fmt.Sprintf("automount=%v", *b)
}

func tokenSummary(token bool) string { return fmt.Sprintf("token=%v", token) }

func grantsSummary(binding, namespace string) string {
	return fmt.Sprintf("binding=%s namespace=%s", binding, namespace)
}

// rulesSummary lists rules in order, each as its five lists.
func rulesSummary(rules []graph.PolicyRule, from []string) string {
	var out []string
	for _, r := range rules {
		out = append(out, fmt.Sprintf("verbs=%s groups=%s resources=%s names=%s urls=%s",
			strings.Join(r.Verbs, ","), strings.Join(r.APIGroups, ","), strings.Join(r.Resources, ","),
			strings.Join(r.ResourceNames, ","), strings.Join(r.NonResourceURLs, ",")))
	}
	return strings.Join(out, "; ") + " from=" + strings.Join(from, ",")
}

func apiRules(rules []rbacv1.PolicyRule) []graph.PolicyRule {
	var out []graph.PolicyRule
	for _, r := range rules {
		out = append(out, graph.PolicyRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources,
			ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs})
	}
	return out
}

func policySummary(types []string) string { return "types=" + strings.Join(types, ",") }

func pdbSummary(min, max string, allowed, healthy, desired, expected int) string {
	return fmt.Sprintf("minAvailable=%s maxUnavailable=%s allowed=%d healthy=%d/%d expected=%d", min, max, allowed, healthy, desired, expected)
}

func namespaceSummary(labels map[string]string, quotas []graph.Quota, limits []graph.LimitRangeItem) string {
	var q, l []string
	for _, x := range quotas {
		q = append(q, fmt.Sprintf("%s/%s %s/%s", x.Name, x.Resource, x.Used, x.Hard))
	}
	for _, x := range limits {
		l = append(l, fmt.Sprintf("%s/%s/%s default=%s defaultRequest=%s min=%s max=%s", x.Name, x.Type, x.Resource, x.Default, x.DefaultRequest, x.Min, x.Max))
	}
	return fmt.Sprintf("labels=%s quotas=[%s] limits=[%s]", mapSummary(labels), strings.Join(q, "; "), strings.Join(l, "; "))
}

// listPolicyTruth adds namespace ns's ServiceAccounts with the runs-as
// edges of its pods, Roles, the grants of its RoleBindings,
// NetworkPolicies with their isolates edges, PodDisruptionBudgets, and its
// Namespace node with quotas and limit ranges.
func listPolicyTruth(ctx context.Context, cs kubernetes.Interface, ns string, pods []corev1.Pod, t *truth) error {
	sas, err := cs.CoreV1().ServiceAccounts(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	saMount := map[string]*bool{}
	known := map[string]bool{}
	for _, sa := range sas.Items {
		t.Nodes[graph.ID(graph.KindServiceAccount, ns, sa.Name)] = automountSummary(sa.AutomountServiceAccountToken)
		saMount[sa.Name], known[sa.Name] = sa.AutomountServiceAccountToken, true
	}
	for _, p := range pods {
		sa := p.Spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		// The pod's setting, else its ServiceAccount's, else mounted.
		token := true
		switch {
		case p.Spec.AutomountServiceAccountToken != nil:
			token = *p.Spec.AutomountServiceAccountToken
		case known[sa] && saMount[sa] != nil:
			token = *saMount[sa]
		}
		t.Edges[graph.EdgeID(graph.EdgeRunsAs, graph.ID(graph.KindPod, ns, p.Name), graph.ID(graph.KindServiceAccount, ns, sa))] = tokenSummary(token)
	}
	roles, err := cs.RbacV1().Roles(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, r := range roles.Items {
		t.Nodes[graph.ID(graph.KindRole, ns, r.Name)] = rulesSummary(apiRules(r.Rules), nil)
	}
	rbs, err := cs.RbacV1().RoleBindings(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, b := range rbs.Items {
		addGrants(t, graph.ID("RoleBinding", ns, b.Name), ns, b.Subjects, b.RoleRef)
	}
	nps, err := cs.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, np := range nps.Items {
		id := graph.ID(graph.KindNetworkPolicy, ns, np.Name)
		t.Nodes[id] = policySummary(effectivePolicyTypes(&np))
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil {
			return fmt.Errorf("policy %s: %w", id, err)
		}
		for _, p := range pods {
			if sel.Matches(labels.Set(p.Labels)) {
				t.Edges[graph.EdgeID(graph.EdgeIsolates, id, graph.ID(graph.KindPod, ns, p.Name))] = ""
			}
		}
	}
	pdbs, err := cs.PolicyV1().PodDisruptionBudgets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, b := range pdbs.Items {
		var min, max string
		if b.Spec.MinAvailable != nil {
			min = b.Spec.MinAvailable.String()
		}
		if b.Spec.MaxUnavailable != nil {
			max = b.Spec.MaxUnavailable.String()
		}
		s := b.Status
		t.Nodes[graph.ID(graph.KindPDB, ns, b.Name)] = pdbSummary(min, max, int(s.DisruptionsAllowed), int(s.CurrentHealthy), int(s.DesiredHealthy), int(s.ExpectedPods))
	}
	return listNamespaceNodeTruth(ctx, cs, ns, t)
}

// effectivePolicyTypes are a policy's types as the API defaults them:
// as written, else Ingress, plus Egress when it has egress rules.
func effectivePolicyTypes(np *networkingv1.NetworkPolicy) []string {
	var out []string
	for _, pt := range np.Spec.PolicyTypes {
		out = append(out, string(pt))
	}
	if len(out) > 0 {
		return out
	}
	out = []string{string(networkingv1.PolicyTypeIngress)}
	if len(np.Spec.Egress) > 0 {
		out = append(out, string(networkingv1.PolicyTypeEgress))
	}
	return out
}

// listNamespaceNodeTruth adds the Namespace node of ns: its labels, each
// ResourceQuota's resources (used and hard as the quota controller writes
// them) and each LimitRange's items.
func listNamespaceNodeTruth(ctx context.Context, cs kubernetes.Interface, ns string, t *truth) error {
	n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return err
	}
	quotas, err := cs.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	var qs []graph.Quota
	sort.Slice(quotas.Items, func(i, j int) bool { return quotas.Items[i].Name < quotas.Items[j].Name })
	for _, q := range quotas.Items {
		res := map[corev1.ResourceName]bool{}
		for r := range q.Spec.Hard {
			res[r] = true
		}
		for r := range q.Status.Hard {
			res[r] = true
		}
		for _, r := range slices.Sorted(maps.Keys(res)) {
			x := graph.Quota{Name: q.Name, Resource: string(r)}
			if u, ok := q.Status.Used[r]; ok {
				x.Used = u.String()
			}
			if h, ok := q.Status.Hard[r]; ok {
				x.Hard = h.String()
			} else if h, ok := q.Spec.Hard[r]; ok {
				x.Hard = h.String()
			}
			qs = append(qs, x)
		}
	}
	lrs, err := cs.CoreV1().LimitRanges(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	var ls []graph.LimitRangeItem
	for _, lr := range lrs.Items {
		for _, it := range lr.Spec.Limits {
			res := map[corev1.ResourceName]bool{}
			for _, l := range []corev1.ResourceList{it.Default, it.DefaultRequest, it.Min, it.Max} {
				for r := range l {
					res[r] = true
				}
			}
			for r := range res {
				q := func(l corev1.ResourceList) string {
					if v, ok := l[r]; ok {
						return v.String()
					}
					return ""
				}
				ls = append(ls, graph.LimitRangeItem{Name: lr.Name, Type: string(it.Type), Resource: string(r),
					Default: q(it.Default), DefaultRequest: q(it.DefaultRequest), Min: q(it.Min), Max: q(it.Max)})
			}
		}
	}
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Resource < b.Resource
	})
	t.Nodes[graph.ID(graph.KindNamespace, "", ns)] = namespaceSummary(n.Labels, qs, ls)
	return nil
}

// addGrants adds a binding's grants edges (one per subject Podium draws)
// and its User and Group nodes.
func addGrants(t *truth, binding, bindingNS string, subjects []rbacv1.Subject, ref rbacv1.RoleRef) {
	var to, confined string
	switch ref.Kind {
	case "Role":
		to = graph.ID(graph.KindRole, bindingNS, ref.Name)
	case "ClusterRole":
		to, confined = graph.ID(graph.KindClusterRole, "", ref.Name), bindingNS
	default:
		return
	}
	for _, s := range subjects {
		var from string
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			if s.Namespace == "" {
				continue // invalid upstream: the API server refuses it in a binding
			}
			from = graph.ID(graph.KindServiceAccount, s.Namespace, s.Name)
		case rbacv1.UserKind:
			from = graph.ID(graph.KindUser, "", s.Name)
			t.Nodes[from] = ""
		case rbacv1.GroupKind:
			from = graph.ID(graph.KindGroup, "", s.Name)
			t.Nodes[from] = ""
		default:
			continue
		}
		t.Edges[graph.EdgeID(graph.EdgeGrants, from, to)+"@"+binding] = grantsSummary(binding, confined)
	}
}

// listRBACTruth adds the ClusterRoles the scope covers, with their
// effective rules computed here from the labels of every ClusterRole (not
// from what the aggregation controller wrote), and the grants of every
// ClusterRoleBinding. Uncovered entries are dropped by diff.
func listRBACTruth(ctx context.Context, cs kubernetes.Interface, sc *scope, t *truth) error {
	crs, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	sort.Slice(crs.Items, func(i, j int) bool { return crs.Items[i].Name < crs.Items[j].Name })
	byName := map[string]*rbacv1.ClusterRole{}
	for i := range crs.Items {
		byName[crs.Items[i].Name] = &crs.Items[i]
	}
	for _, cr := range crs.Items {
		id := graph.ID(graph.KindClusterRole, "", cr.Name)
		if !sc.node(id) {
			continue
		}
		rules, from := effectiveRules(&cr, crs.Items, map[string]bool{})
		t.Nodes[id] = rulesSummary(rules, from)
	}
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, b := range crbs.Items {
		addGrants(t, graph.ID("ClusterRoleBinding", "", b.Name), "", b.Subjects, b.RoleRef)
	}
	// User and Group nodes and grants outside the scope came along: drop
	// them here so the truth holds only what it covers.
	for id := range t.Nodes {
		if !sc.node(id) {
			delete(t.Nodes, id)
		}
	}
	for id := range t.Edges {
		if !sc.edge(id) {
			delete(t.Edges, id)
		}
	}
	return nil
}

// effectiveRules are cr's rules, or, when it aggregates, the union in
// name order of the effective rules of every other ClusterRole its
// selectors match (the same rule twice counts once), with their ids.
func effectiveRules(cr *rbacv1.ClusterRole, all []rbacv1.ClusterRole, seen map[string]bool) ([]graph.PolicyRule, []string) {
	if cr.AggregationRule == nil {
		return apiRules(cr.Rules), nil
	}
	seen[cr.Name] = true
	defer delete(seen, cr.Name)
	var rules []graph.PolicyRule
	var from []string
	for i := range all {
		o := &all[i]
		if o.Name == cr.Name || seen[o.Name] {
			continue
		}
		match := false
		for _, s := range cr.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&s)
			if err == nil && sel.Matches(labels.Set(o.Labels)) {
				match = true
			}
		}
		if !match {
			continue
		}
		from = append(from, graph.ID(graph.KindClusterRole, "", o.Name))
		sub, _ := effectiveRules(o, all, seen)
		for _, r := range sub {
			if !slices.ContainsFunc(rules, func(x graph.PolicyRule) bool { return reflect.DeepEqual(x, r) }) {
				rules = append(rules, r)
			}
		}
	}
	return rules, from
}

// policyNodeSummary summarises the nodes of the kinds #13 added, as
// listPolicyTruth does; ok is false for other kinds.
func policyNodeSummary(n *graph.Node) (string, bool) {
	switch {
	case n.ServiceAccount() != nil:
		return automountSummary(n.ServiceAccount().Automount), true
	case n.Role() != nil:
		return rulesSummary(n.Role().Rules, n.Role().AggregatedFrom), true
	case n.ClusterRole() != nil:
		return rulesSummary(n.ClusterRole().Rules, n.ClusterRole().AggregatedFrom), true
	case n.User() != nil, n.Group() != nil:
		return "", true
	case n.NetworkPolicy() != nil:
		return policySummary(n.NetworkPolicy().PolicyTypes), true
	case n.PodDisruptionBudget() != nil:
		f := n.PodDisruptionBudget()
		return pdbSummary(f.MinAvailable, f.MaxUnavailable, f.DisruptionsAllowed, f.CurrentHealthy, f.DesiredHealthy, f.ExpectedPods), true
	case n.NamespaceInfo() != nil:
		f := n.NamespaceInfo()
		return namespaceSummary(f.Labels, f.Quotas, f.LimitRanges), true
	case n.Node != nil:
		return nodeFieldsSummary(n.Node), true
	}
	return "", false
}

// graphDiff compares two graphs through their wire form (unexported
// fields, which cmp cannot read, are no part of the protocol), or "".
// streamMatchesAPI is the first two legs of the three-way check: the
// stream has not run ahead of /api/graph (a filtered stream's seq stops at
// the last change inside its view while other changes move /api/graph's
// on, so the seqs compare only as an order) and holds the same graph,
// which it returns.
func streamMatchesAPI(ctx context.Context, p *podiumtest.Podium, s *podiumtest.Stream, filter, step string) (graph.Snapshot, error) {
	if err := s.Err(); err != nil {
		return graph.Snapshot{}, fmt.Errorf("stream ended: %v", err)
	}
	api, err := p.Graph(ctx, filter)
	if err != nil {
		return graph.Snapshot{}, err
	}
	streamed := s.Snapshot()
	if streamed.Seq > api.Seq || streamed.Epoch != api.Epoch {
		return graph.Snapshot{}, fmt.Errorf("stream at %s/%d is ahead of /api/graph at %s/%d", streamed.Epoch, streamed.Seq, api.Epoch, api.Seq)
	}
	if d := graphDiff(api, streamed); d != "" {
		return graph.Snapshot{}, fmt.Errorf("%s: the stream's graph differs from /api/graph at seq %d (-api +stream):\n%s", step, api.Seq, d)
	}
	return api, nil
}

func graphDiff(a, b graph.Snapshot) string {
	wire := func(s graph.Snapshot) (map[string]string, map[string]string) {
		nodes, edges := map[string]string{}, map[string]string{}
		for _, n := range s.Nodes {
			j, _ := json.Marshal(n)
			nodes[n.ID] = string(j)
		}
		for _, e := range s.Edges {
			j, _ := json.Marshal(e)
			edges[e.ID] = string(j)
		}
		return nodes, edges
	}
	an, ae := wire(a)
	bn, be := wire(b)
	var out []string
	cmpMaps := func(what string, x, y map[string]string) {
		for k, v := range x {
			if w, ok := y[k]; !ok {
				out = append(out, fmt.Sprintf("-%s %s", what, v))
			} else if w != v {
				out = append(out, fmt.Sprintf("-%s %s\n+%s %s", what, v, what, w))
			}
		}
		for k, w := range y {
			if _, ok := x[k]; !ok {
				out = append(out, fmt.Sprintf("+%s %s", what, w))
			}
		}
	}
	cmpMaps("node", an, bn)
	cmpMaps("edge", ae, be)
	sort.Strings(out)
	return strings.Join(out, "\n")
}
