package graph

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ktypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func sortEdges(es []Edge) {
	sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
}

// podOpt tweaks a test pod.
type podOpt func(*corev1.Pod)

func onNode(n string) podOpt { return func(p *corev1.Pod) { p.Spec.NodeName = n } }
func ownedBy(kind, name string) podOpt {
	return func(p *corev1.Pod) {
		p.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: name, Controller: ptr.To(true)}}
	}
}
func labelled(kv ...string) podOpt {
	return func(p *corev1.Pod) {
		p.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}
func restarts(n int32) podOpt {
	return func(p *corev1.Pod) { p.Status.ContainerStatuses[0].RestartCount = n }
}
func waitingFor(reason string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
		p.Status.ContainerStatuses[0].Ready = false
		p.Status.Conditions = nil
	}
}
func evicted(p *corev1.Pod) {
	p.Status.Phase, p.Status.Reason = corev1.PodFailed, "Evicted"
	p.Status.ContainerStatuses = nil
	p.Status.Conditions = nil
}
func uid(u string) podOpt { return func(p *corev1.Pod) { p.UID = uidOf(u) } }

// mkRunning returns a running, ready pod with one container.
func mkRunning(ns, name string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name), Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:v1"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1",
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{running("web", true, 0)}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func mkService(ns, name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)},
		Spec: corev1.ServiceSpec{Selector: selector, ClusterIP: "10.96.0.1",
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}}}
}

// mkSlice returns an EndpointSlice of service listing pods by state.
func mkSlice(ns, name, service string, pods map[string]string) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
		Labels: map[string]string{LabelServiceName: service}}}
	names := make([]string, 0, len(pods))
	for p := range pods {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		c := discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(false), Terminating: ptr.To(false)}
		switch pods[p] {
		case EndpointReady:
			c = discoveryv1.EndpointConditions{Ready: ptr.To(true), Serving: ptr.To(true), Terminating: ptr.To(false)}
		case EndpointServing:
			c.Serving, c.Terminating = ptr.To(true), ptr.To(true)
		case EndpointTerminating:
			c.Terminating = ptr.To(true)
		}
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.0.0.1"},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: p}, Conditions: c})
	}
	return s
}

func mkReplicaSet(ns, name, deployment string) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name),
		Annotations: map[string]string{AnnotationRevision: "1"}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1)}}
	if deployment != "" {
		rs.OwnerReferences = []metav1.OwnerReference{{Kind: "Deployment", Name: deployment, Controller: ptr.To(true)}}
	}
	return rs
}

func mkDeployment(ns, name string, replicas int32, rev, image string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name), Generation: 1,
			Annotations: map[string]string{AnnotationRevision: rev}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: image}}}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: replicas, UpdatedReplicas: replicas,
			ReadyReplicas: replicas, AvailableReplicas: replicas},
	}
}

func mkNode(name string, ready bool) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uidOf("uid-" + name)},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}}}
}

func mkIngress(ns, name string, services ...string) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uidOf("uid-" + name)}}
	var paths []networkingv1.HTTPIngressPath
	for _, s := range services {
		paths = append(paths, networkingv1.HTTPIngressPath{Path: "/" + s, Backend: networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: s, Port: networkingv1.ServiceBackendPort{Number: 80}}}})
	}
	ing.Spec.Rules = []networkingv1.IngressRule{{Host: "h", IngressRuleValue: networkingv1.IngressRuleValue{
		HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}}}
	return ing
}

// summary is a Delta reduced to sorted strings, for readable diffs.
type summary struct {
	Nodes       []string // id, and status for pods
	Edges       []string // id, and =state for selects edges
	RemoveNodes []string
	RemoveEdges []string
	Happenings  []string // kind: text
}

func summarize(d Delta) summary {
	s := summary{}
	for _, n := range d.Upsert.Nodes {
		if n.Pod != nil {
			s.Nodes = append(s.Nodes, n.ID+" "+n.Pod.Status)
		} else {
			s.Nodes = append(s.Nodes, n.ID)
		}
	}
	for _, e := range d.Upsert.Edges {
		s.Edges = append(s.Edges, edgeString(e))
	}
	s.RemoveNodes = append(s.RemoveNodes, d.Remove.Nodes...)
	s.RemoveEdges = append(s.RemoveEdges, d.Remove.Edges...)
	for _, h := range d.Happenings {
		s.Happenings = append(s.Happenings, h.Kind+": "+h.Text)
	}
	for _, l := range [][]string{s.Nodes, s.Edges, s.RemoveNodes, s.RemoveEdges, s.Happenings} {
		sort.Strings(l)
	}
	return s
}

func edgeString(e *Edge) string {
	if e.Kind == EdgeMounts {
		s := e.ID + " as=" + e.As + " containers=" + strings.Join(e.Containers, ",")
		if e.Broken {
			s += " broken"
		}
		return s
	}
	if e.State != "" {
		return e.ID + "=" + e.State
	}
	return e.ID
}

func edgeStrings(es []*Edge) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, edgeString(e))
	}
	sort.Strings(out)
	return out
}

func nodeIDs(ns []*Node) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	sort.Strings(out)
	return out
}

// op is one step of a model scenario: a Set or a Delete.
type op struct {
	set any
	del Resource
	ns  string
	nm  string
}

func set(o any) op                       { return op{set: o} }
func del(r Resource, ns, name string) op { return op{del: r, ns: ns, nm: name} }

func (o op) apply(m *Model, now time.Time) {
	if o.set != nil {
		m.Set(o.set, now)
	} else {
		m.Delete(o.del, o.ns, o.nm, now)
	}
}

func TestModelScenarios(t *testing.T) {
	sel := map[string]string{"app": "web"}
	tests := []struct {
		name   string
		before []op // applied and flushed first
		ops    []op
		want   summary
	}{
		{
			name: "ownership chain and runs-on",
			ops: []op{
				set(mkDeployment("default", "web", 1, "1", "web:v1")),
				set(mkReplicaSet("default", "web-7d9c", "web")),
				set(mkRunning("default", "web-7d9c-a", ownedBy("ReplicaSet", "web-7d9c"), onNode("worker-1"))),
				set(mkRunning("default", "db-0", ownedBy("StatefulSet", "db"), onNode("worker-1"), labelled("app", "db"))),
				set(mkRunning("kube-system", "proxy-x", ownedBy("DaemonSet", "proxy"), onNode("worker-1"), labelled())),
				set(mkRunning("default", "job-x", ownedBy("Job", "backup"), labelled())),
				set(mkNode("worker-1", true)),
			},
			want: summary{
				Nodes: []string{"Deployment/default/web", "Node/worker-1", "Pod/default/db-0 Running", "Pod/default/job-x Running",
					"Pod/default/web-7d9c-a Running", "Pod/kube-system/proxy-x Running", "ReplicaSet/default/web-7d9c"},
				Edges: []string{
					"owns:DaemonSet/kube-system/proxy->Pod/kube-system/proxy-x",
					"owns:Deployment/default/web->ReplicaSet/default/web-7d9c",
					"owns:Job/default/backup->Pod/default/job-x",
					"owns:ReplicaSet/default/web-7d9c->Pod/default/web-7d9c-a",
					"owns:StatefulSet/default/db->Pod/default/db-0",
					"runs-on:Pod/default/db-0->Node/worker-1",
					"runs-on:Pod/default/web-7d9c-a->Node/worker-1",
					"runs-on:Pod/kube-system/proxy-x->Node/worker-1",
				},
			},
		},
		{
			name: "selects with endpoint states, other namespace and selectorless service",
			ops: []op{
				set(mkService("default", "web", sel)),
				set(mkService("default", "manual", nil)),
				set(mkRunning("default", "a")),
				set(mkRunning("default", "b")),
				set(mkRunning("default", "c")),
				set(mkRunning("default", "d")),
				set(mkRunning("default", "other", labelled("app", "api"))),
				set(mkRunning("prod", "a")),
				set(mkSlice("default", "web-1", "web", map[string]string{"a": EndpointReady, "b": EndpointServing})),
				set(mkSlice("default", "web-2", "web", map[string]string{"c": EndpointTerminating, "ghost": EndpointReady})),
			},
			want: summary{
				Nodes: []string{"Pod/default/a Running", "Pod/default/b Running", "Pod/default/c Running", "Pod/default/d Running",
					"Pod/default/other Running", "Pod/prod/a Running", "Service/default/manual", "Service/default/web"},
				Edges: []string{
					"selects:Service/default/web->Pod/default/a=ready",
					"selects:Service/default/web->Pod/default/b=serving",
					"selects:Service/default/web->Pod/default/c=terminating",
					"selects:Service/default/web->Pod/default/d=none",
				},
			},
		},
		{
			name: "slice update recolours, slice delete makes none",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a")),
				set(mkRunning("default", "b")),
				set(mkSlice("default", "web-1", "web", map[string]string{"a": EndpointReady, "b": EndpointReady})),
				set(mkSlice("default", "web-2", "web", map[string]string{"b": EndpointReady})),
			},
			ops: []op{
				set(mkSlice("default", "web-1", "web", map[string]string{"a": EndpointTerminating})),
				del(EndpointSlices, "default", "web-2"),
			},
			want: summary{Edges: []string{
				"selects:Service/default/web->Pod/default/a=terminating",
				"selects:Service/default/web->Pod/default/b=none",
			}},
		},
		{
			name: "slice arriving before its service and pods",
			ops: []op{
				set(mkSlice("default", "web-1", "web", map[string]string{"a": EndpointReady})),
				set(mkRunning("default", "a")),
				set(mkService("default", "web", sel)),
			},
			want: summary{
				Nodes: []string{"Pod/default/a Running", "Service/default/web"},
				Edges: []string{"selects:Service/default/web->Pod/default/a=ready"},
			},
		},
		{
			name: "pod relabelled out of the selector",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a")),
			},
			ops:  []op{set(mkRunning("default", "a", labelled("app", "debug")))},
			want: summary{Nodes: []string{"Pod/default/a Running"}, RemoveEdges: []string{"selects:Service/default/web->Pod/default/a"}},
		},
		{
			name: "service selector changed re-matches its namespace",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a")),
				set(mkRunning("default", "b", labelled("app", "api"))),
			},
			ops: []op{set(mkService("default", "web", map[string]string{"app": "api"}))},
			want: summary{
				Nodes:       []string{"Service/default/web"},
				Edges:       []string{"selects:Service/default/web->Pod/default/b=none"},
				RemoveEdges: []string{"selects:Service/default/web->Pod/default/a"},
			},
		},
		{
			name: "service deleted takes its selects edges",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a")),
				set(mkRunning("default", "b")),
			},
			ops: []op{del(Services, "default", "web")},
			want: summary{
				RemoveNodes: []string{"Service/default/web"},
				RemoveEdges: []string{"selects:Service/default/web->Pod/default/a", "selects:Service/default/web->Pod/default/b"},
			},
		},
		{
			name: "pod deleted takes owns, runs-on and selects edges",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkReplicaSet("default", "rs", "")),
				set(mkNode("worker-1", true)),
				set(mkRunning("default", "a", ownedBy("ReplicaSet", "rs"), onNode("worker-1"))),
			},
			ops: []op{del(Pods, "default", "a")},
			want: summary{
				RemoveNodes: []string{"Pod/default/a"},
				RemoveEdges: []string{"owns:ReplicaSet/default/rs->Pod/default/a", "runs-on:Pod/default/a->Node/worker-1",
					"selects:Service/default/web->Pod/default/a"},
			},
		},
		{
			name:   "pod scheduled and moved",
			before: []op{set(mkRunning("default", "a", labelled()))},
			ops: []op{
				set(mkRunning("default", "a", labelled(), onNode("worker-1"))),
				set(mkRunning("default", "a", labelled(), onNode("worker-2"))),
			},
			want: summary{Nodes: []string{"Pod/default/a Running"}, Edges: []string{"runs-on:Pod/default/a->Node/worker-2"}},
		},
		{
			name:   "replicaset deleted takes the deployment's owns edge",
			before: []op{set(mkDeployment("default", "web", 1, "1", "web:v1")), set(mkReplicaSet("default", "rs", "web"))},
			ops:    []op{del(ReplicaSets, "default", "rs")},
			want: summary{RemoveNodes: []string{"ReplicaSet/default/rs"},
				RemoveEdges: []string{"owns:Deployment/default/web->ReplicaSet/default/rs"}},
		},
		{
			name:   "ingress backends change; dangling service reference is drawn",
			before: []op{set(mkIngress("default", "ing", "web", "api"))},
			ops:    []op{set(mkIngress("default", "ing", "web", "missing"))},
			want: summary{Nodes: []string{"Ingress/default/ing"},
				Edges:       []string{"routes:Ingress/default/ing->Service/default/missing"},
				RemoveEdges: []string{"routes:Ingress/default/ing->Service/default/api"}},
		},
		{
			name:   "ingress deleted takes its routes",
			before: []op{set(mkIngress("default", "ing", "web", "api"))},
			ops:    []op{del(Ingresses, "default", "ing")},
			want: summary{RemoveNodes: []string{"Ingress/default/ing"},
				RemoveEdges: []string{"routes:Ingress/default/ing->Service/default/api", "routes:Ingress/default/ing->Service/default/web"}},
		},
		{
			name:   "node deleted",
			before: []op{set(mkNode("worker-1", true))},
			ops:    []op{del(Nodes, "ignored-namespace", "worker-1")},
			want:   summary{RemoveNodes: []string{"Node/worker-1"}},
		},
		{
			name: "repeated changes collapse to the final state",
			before: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a", waitingFor("ContainerCreating"))),
			},
			ops: []op{
				set(mkRunning("default", "a")),
				set(mkSlice("default", "s", "web", map[string]string{"a": EndpointServing})),
				set(mkRunning("default", "a", waitingFor("CrashLoopBackOff"))),
				set(mkSlice("default", "s", "web", map[string]string{"a": EndpointReady})),
				set(mkRunning("default", "a")),
			},
			want: summary{Nodes: []string{"Pod/default/a Running"}, Edges: []string{"selects:Service/default/web->Pod/default/a=ready"}},
		},
		{
			name: "added then removed before a flush is nothing",
			ops: []op{
				set(mkService("default", "web", sel)),
				set(mkRunning("default", "a", onNode("w"))),
				set(mkSlice("default", "s", "web", map[string]string{"a": EndpointReady})),
				del(Pods, "default", "a"),
				del(Services, "default", "web"),
				del(EndpointSlices, "default", "s"),
			},
		},
		{
			name:   "set back to the flushed value is nothing",
			before: []op{set(mkService("default", "web", sel)), set(mkRunning("default", "a"))},
			ops: []op{
				set(mkRunning("default", "a", waitingFor("CrashLoopBackOff"))),
				set(mkRunning("default", "a", labelled("app", "other"))),
				set(mkRunning("default", "a")),
			},
		},
		{
			name: "resync of identical objects is nothing",
			before: []op{
				set(mkService("default", "web", sel)), set(mkRunning("default", "a", onNode("w"), ownedBy("ReplicaSet", "rs"))),
				set(mkSlice("default", "s", "web", map[string]string{"a": EndpointReady})),
				set(mkDeployment("default", "web", 2, "3", "web:v3")), set(mkNode("w", true)), set(mkIngress("default", "i", "web")),
				set(mkReplicaSet("default", "rs", "web")),
			},
			ops: []op{
				set(mkService("default", "web", sel)), set(mkRunning("default", "a", onNode("w"), ownedBy("ReplicaSet", "rs"))),
				set(mkSlice("default", "s", "web", map[string]string{"a": EndpointReady})),
				set(mkDeployment("default", "web", 2, "3", "web:v3")), set(mkNode("w", true)), set(mkIngress("default", "i", "web")),
				set(mkReplicaSet("default", "rs", "web")),
			},
		},
		{
			name: "unknown types, nil objects and unknown deletions are ignored",
			ops: []op{
				set("a string"), set(&corev1.ConfigMap{}), set((*corev1.Pod)(nil)), set((*discoveryv1.EndpointSlice)(nil)),
				set(&corev1.Pod{}), set(mkRunning("", "no-namespace")),
				del("configmaps", "default", "x"), del(Pods, "default", "never-seen"), del(EndpointSlices, "nowhere", "x"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel()
			for _, o := range tt.before {
				o.apply(m, t0)
			}
			m.Flush()
			for _, o := range tt.ops {
				o.apply(m, t0.Add(time.Second))
			}
			got := summarize(m.Flush())
			if diff := cmp.Diff(normalize(tt.want), normalize(got)); diff != "" {
				t.Errorf("Flush (-want +got):\n%s", diff)
			}
			if again := m.Flush(); !again.Empty() {
				t.Errorf("second Flush not empty: %+v", summarize(again))
			}
		})
	}
}

// normalize makes nil and empty lists alike.
func normalize(s summary) summary {
	for _, l := range []*[]string{&s.Nodes, &s.Edges, &s.RemoveNodes, &s.RemoveEdges, &s.Happenings} {
		if *l == nil {
			*l = []string{}
		}
	}
	return s
}

func TestModelSnapshotAfterDeletes(t *testing.T) {
	m := NewModel()
	m.Set(mkService("default", "web", map[string]string{"app": "web"}), t0)
	m.Set(mkRunning("default", "a", onNode("w")), t0)
	m.Set(mkRunning("default", "b", onNode("w")), t0)
	m.Set(mkNode("w", true), t0)
	m.Delete(Pods, "default", "a", t0)
	wantNodes := []string{"Node/w", "Pod/default/b", "Service/default/web"}
	wantEdges := []string{"runs-on:Pod/default/b->Node/w", "selects:Service/default/web->Pod/default/b=none"}
	if diff := cmp.Diff(wantNodes, nodeIDs(m.Nodes())); diff != "" {
		t.Errorf("Nodes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantEdges, edgeStrings(m.Edges())); diff != "" {
		t.Errorf("Edges (-want +got):\n%s", diff)
	}
	m.Delete(Pods, "default", "b", t0)
	m.Delete(Services, "default", "web", t0)
	if len(m.ns) != 0 {
		t.Errorf("namespace index not dropped: %v", m.ns)
	}
}

func TestFlushedNodesAreNotMutated(t *testing.T) {
	m := NewModel()
	m.Set(mkRunning("default", "a"), t0)
	d := m.Flush()
	first := d.Upsert.Nodes[0]
	m.Set(mkRunning("default", "a", waitingFor("CrashLoopBackOff"), restarts(3)), t0)
	d2 := m.Flush()
	if first.Pod.Status != "Running" || first.Pod.Restarts != 0 {
		t.Errorf("flushed node changed: %+v", first.Pod)
	}
	if len(d2.Upsert.Nodes) != 1 || d2.Upsert.Nodes[0] == first || d2.Upsert.Nodes[0].Pod.Restarts != 3 {
		t.Errorf("want a new node with 3 restarts, got %+v", d2.Upsert.Nodes)
	}
}

func TestHappenings(t *testing.T) {
	dep := func(replicas int32, rev, image string, mod ...func(*appsv1.Deployment)) *appsv1.Deployment {
		d := mkDeployment("default", "web", replicas, rev, image)
		for _, f := range mod {
			f(d)
		}
		return d
	}
	rollingOut := func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }
	stalled := func(d *appsv1.Deployment) {
		d.Status.UpdatedReplicas = 1
		d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Reason: "ProgressDeadlineExceeded"}}
	}
	sts := func(replicas int32) *appsv1.StatefulSet {
		return &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "db", Name: "pg", UID: "s"}, Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(replicas)}}
	}
	tests := []struct {
		name     string
		from, to []any // Set and flushed, then Set
		want     []string
		params   []map[string]string
	}{
		{"first appearance says nothing",
			nil, []any{dep(3, "1", "web:v1"), mkRunning("default", "a", restarts(5)), mkNode("w", false), sts(3)}, nil, nil},
		{"deployment scaled",
			[]any{dep(3, "2", "web:v1")}, []any{dep(6, "2", "web:v1")},
			[]string{"scaled: Deployment default/web scaled 3 → 6"},
			[]map[string]string{{"name": "default/web", "kind": "Deployment", "from": "3", "to": "6"}}},
		{"statefulset scaled",
			[]any{sts(1)}, []any{sts(3)},
			[]string{"scaled: StatefulSet db/pg scaled 1 → 3"},
			[]map[string]string{{"name": "db/pg", "kind": "StatefulSet", "from": "1", "to": "3"}}},
		{"rollout started with image",
			[]any{dep(3, "2", "web:v2")}, []any{dep(3, "3", "web:v3", rollingOut)},
			[]string{"rollout: rollout default/web: revision 2 → 3, image web:v2 → web:v3"},
			[]map[string]string{{"name": "default/web", "state": "started", "fromRevision": "2", "toRevision": "3", "fromImage": "web:v2", "toImage": "web:v3"}}},
		{"rollout started without an image change",
			[]any{dep(3, "2", "web:v2")}, []any{dep(3, "3", "web:v2", rollingOut)},
			[]string{"rollout: rollout default/web: revision 2 → 3"},
			[]map[string]string{{"name": "default/web", "state": "started", "fromRevision": "2", "toRevision": "3"}}},
		{"first revision is creation, not a rollout",
			[]any{dep(3, "", "web:v1", rollingOut)}, []any{dep(3, "1", "web:v1")},
			[]string{"rollout: rollout default/web complete"},
			[]map[string]string{{"name": "default/web", "state": "complete"}}},
		{"rollout complete",
			[]any{dep(3, "3", "web:v3", rollingOut)}, []any{dep(3, "3", "web:v3")},
			[]string{"rollout: rollout default/web complete"}, nil},
		{"scaling implies progressing",
			[]any{dep(3, "2", "web:v1")}, []any{dep(6, "2", "web:v1", rollingOut)},
			[]string{"scaled: Deployment default/web scaled 3 → 6"}, nil},
		{"rollout stalled",
			[]any{dep(3, "3", "web:v3", rollingOut)}, []any{dep(3, "3", "web:v3", stalled)},
			[]string{"rollout: rollout default/web stalled"}, nil},
		{"restarted",
			[]any{mkRunning("default", "a", restarts(3))}, []any{mkRunning("default", "a", restarts(4))},
			[]string{"restarted: Pod default/a restarted (4)"},
			[]map[string]string{{"name": "default/a", "restarts": "4"}}},
		{"crash loop entered",
			[]any{mkRunning("default", "a", restarts(1))}, []any{mkRunning("default", "a", restarts(2), waitingFor("CrashLoopBackOff"))},
			[]string{"failed: Pod default/a failed: CrashLoopBackOff", "restarted: Pod default/a restarted (2)"}, nil},
		{"still crash looping says only restarted",
			[]any{mkRunning("default", "a", restarts(2), waitingFor("CrashLoopBackOff"))},
			[]any{mkRunning("default", "a", restarts(3), waitingFor("CrashLoopBackOff"))},
			[]string{"restarted: Pod default/a restarted (3)"}, nil},
		{"evicted",
			[]any{mkRunning("default", "a")}, []any{mkRunning("default", "a", evicted)},
			[]string{"failed: Pod default/a failed: Evicted"},
			[]map[string]string{{"name": "default/a", "reason": "Evicted"}}},
		{"phase turns Failed with an unchanged status",
			[]any{mkRunning("default", "a", func(p *corev1.Pod) {
				p.Status.ContainerStatuses[0] = terminated("web", "Error", 1, 0)
			})},
			[]any{mkRunning("default", "a", func(p *corev1.Pod) {
				p.Status.ContainerStatuses[0] = terminated("web", "Error", 1, 0)
				p.Status.Phase = corev1.PodFailed
			})},
			[]string{"failed: Pod default/a failed: Error"}, nil},
		// Not a restart: the same name under a new uid replaced the pod.
		{"re-created pod is a replacement",
			[]any{mkRunning("default", "a", restarts(1))}, []any{mkRunning("default", "a", restarts(2), uid("new"))},
			[]string{"replaced: Pod default/a replaced: same name, new uid new"}, nil},
		{"node not ready",
			[]any{mkNode("worker-2", true)}, []any{mkNode("worker-2", false)},
			[]string{"node: Node worker-2 NotReady"}, []map[string]string{{"name": "worker-2", "state": "NotReady"}}},
		{"node ready",
			[]any{mkNode("worker-2", false)}, []any{mkNode("worker-2", true)},
			[]string{"node: Node worker-2 Ready"}, nil},
		{"a flap between flushes cancels out",
			[]any{mkNode("worker-2", true)}, []any{mkNode("worker-2", false), mkNode("worker-2", true)}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel()
			for _, o := range tt.from {
				m.Set(o, t0)
			}
			m.Flush()
			at := t0.Add(time.Minute)
			for _, o := range tt.to {
				m.Set(o, at)
			}
			d := m.Flush()
			got := summarize(d).Happenings
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("happenings (-want +got):\n%s", diff)
			}
			for _, h := range d.Happenings {
				if !h.Time.Equal(at) || h.Ref == "" || h.Params[ParamName] == "" {
					t.Errorf("happening %+v: want time %v, a ref and a name param", h, at)
				}
			}
			if tt.params != nil {
				var gotParams []map[string]string
				for _, h := range d.Happenings {
					gotParams = append(gotParams, h.Params)
				}
				if diff := cmp.Diff(tt.params, gotParams); diff != "" {
					t.Errorf("params (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestPodFailure(t *testing.T) {
	tests := []struct {
		name   string
		pod    *corev1.Pod
		status string
		want   string
	}{
		{"running", mkRunning("d", "a"), "Running", ""},
		{"crash loop", mkRunning("d", "a"), "CrashLoopBackOff", "CrashLoopBackOff"},
		{"init crash loop", mkRunning("d", "a"), "Init:CrashLoopBackOff", "Init:CrashLoopBackOff"},
		{"evicted", mkRunning("d", "a", evicted), "Evicted", "Evicted"},
		{"failed phase, container error", mkRunning("d", "a", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }), "Error", "Error"},
		{"failed phase, terminating", mkRunning("d", "a", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }), "Terminating", "Failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PodFailure(tt.pod, tt.status); got != tt.want {
				t.Errorf("PodFailure = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestModelDeltasReplay drives the model with random changes and checks the
// protocol's invariant: applying every Flush in order reproduces Nodes and
// Edges, and the derived graph equals a from-scratch derivation.
func TestModelDeltasReplay(t *testing.T) {
	for seed := range int64(5) {
		rng := rand.New(rand.NewSource(seed))
		if edges := checkModelReplay(t, rng.Intn, 2000); edges < 10 {
			t.Errorf("seed %d: only %d edges at the end: the scenario is too thin to test anything", seed, edges)
		}
	}
}

// FuzzModel runs the replay check on changes chosen by the fuzzer's bytes.
func FuzzModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("a pod, a service and a slice walk into a model"))
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		intn := func(n int) int {
			if i >= len(data) {
				return 0
			}
			i++
			return int(data[i-1]) % n
		}
		// A step reads about six bytes; past the end intn returns 0.
		checkModelReplay(t, intn, min(len(data)/4, 300))
	})
}

// checkModelReplay applies steps random changes (choices from intn) to a
// model, flushing now and then, and checks that every Flush is minimal and
// that replaying them reproduces the model, which in turn equals a fresh
// model fed the final objects. It returns the number of edges at the end.
func checkModelReplay(t testing.TB, intn func(int) int, steps int) int {
	t.Helper()
	m := NewModel()
	nodes, edges := map[string]*Node{}, map[string]*Edge{}
	objects := map[string]any{} // what the cluster holds now
	apps := []string{"web", "api", "db"}
	states := []string{EndpointReady, EndpointServing, EndpointTerminating, EndpointNone}
	flush := func() {
		d := m.Flush()
		for _, n := range d.Upsert.Nodes {
			if old := nodes[n.ID]; old != nil && nodeEqual(old, n) {
				t.Errorf("Flush upserts %s unchanged", n.ID)
			}
		}
		for _, e := range d.Upsert.Edges {
			if old := edges[e.ID]; old != nil && edgeEqual(old, e) {
				t.Errorf("Flush upserts edge %s unchanged", e.ID)
			}
		}
		for _, id := range d.Remove.Nodes {
			if nodes[id] == nil {
				t.Errorf("Flush removes %s, which was never sent", id)
			}
		}
		for _, id := range d.Remove.Edges {
			if edges[id] == nil {
				t.Errorf("Flush removes edge %s, which was never sent", id)
			}
		}
		replay(nodes, edges, d)
	}
	for step := range steps {
		ns := []string{"a", "b"}[intn(2)]
		name := fmt.Sprintf("p%d", intn(12))
		now := t0.Add(time.Duration(step) * time.Millisecond)
		setObj := func(key string, o any) {
			objects[key] = o
			m.Set(o, now)
		}
		delObj := func(key string, r Resource, ns, name string) {
			delete(objects, key)
			m.Delete(r, ns, name, now)
		}
		switch r := intn(31); {
		case r < 7:
			owner := ownedBy("ReplicaSet", fmt.Sprintf("rs%d", intn(2)))
			if intn(4) == 0 {
				owner = ownedBy("Job", fmt.Sprintf("job%d", intn(2)))
			}
			p := mkRunning(ns, name, labelled("app", apps[intn(3)]), onNode(fmt.Sprintf("w%d", intn(3))),
				owner, restarts(int32(intn(3))))
			if intn(2) == 0 {
				configMapVolume("config", fmt.Sprintf("cfg%d", intn(2)))(p)
			}
			if intn(2) == 0 {
				secretEnv(fmt.Sprintf("db%d", intn(2)))(p)
			}
			if intn(3) == 0 {
				claimVolume("data", fmt.Sprintf("data%d", intn(2)))(p)
			}
			switch intn(4) {
			case 0:
				waitingFor("CrashLoopBackOff")(p)
			case 1:
				configError(fmt.Sprintf(`secret "db%d" not found`, intn(2)))(p)
			}
			if intn(2) == 0 {
				setObj("Pod/"+ns+"/"+name, NewCachedPod(p))
			} else {
				setObj("Pod/"+ns+"/"+name, p)
			}
		case r < 9:
			delObj("Pod/"+ns+"/"+name, Pods, ns, name)
		case r < 11:
			s := mkService(ns, apps[intn(3)], map[string]string{"app": apps[intn(3)]})
			setObj("Service/"+ns+"/"+s.Name, s)
		case r < 12:
			svc := apps[intn(3)]
			delObj("Service/"+ns+"/"+svc, Services, ns, svc)
		case r < 15:
			pods := map[string]string{}
			for range intn(4) {
				pods[fmt.Sprintf("p%d", intn(12))] = states[intn(4)]
			}
			s := mkSlice(ns, fmt.Sprintf("s%d", intn(4)), apps[intn(3)], pods)
			if intn(2) == 0 {
				setObj("Slice/"+ns+"/"+s.Name, NewCachedSlice(s))
			} else {
				setObj("Slice/"+ns+"/"+s.Name, s)
			}
		case r < 16:
			sl := fmt.Sprintf("s%d", intn(4))
			delObj("Slice/"+ns+"/"+sl, EndpointSlices, ns, sl)
		case r < 17:
			rs := fmt.Sprintf("rs%d", intn(2))
			if intn(3) == 0 {
				delObj("ReplicaSet/"+ns+"/"+rs, ReplicaSets, ns, rs)
			} else {
				setObj("ReplicaSet/"+ns+"/"+rs, mkReplicaSet(ns, rs, apps[intn(3)]))
			}
		case r < 18:
			if intn(3) == 0 {
				delObj("Ingress/"+ns+"/i", Ingresses, ns, "i")
			} else {
				setObj("Ingress/"+ns+"/i", mkIngress(ns, "i", apps[intn(3)], apps[intn(3)]))
			}
		case r < 19:
			w := fmt.Sprintf("w%d", intn(3))
			if intn(3) == 0 {
				delObj("Node/"+w, Nodes, "", w)
			} else {
				setObj("Node/"+w, mkNode(w, intn(2) == 0))
			}
		case r < 20:
			app := apps[intn(3)]
			if intn(3) == 0 {
				delObj("Deployment/"+ns+"/"+app, Deployments, ns, app)
			} else {
				setObj("Deployment/"+ns+"/"+app, mkDeployment(ns, app, int32(intn(4)), fmt.Sprint(intn(3)), "img:"+fmt.Sprint(intn(2))))
			}
		case r < 21:
			job := fmt.Sprintf("job%d", intn(2))
			if intn(3) == 0 {
				delObj("Job/"+ns+"/"+job, Jobs, ns, job)
			} else {
				cron := []string{"", "cron0", "cron1"}[intn(3)]
				setObj("Job/"+ns+"/"+job, mkJob(ns, job, cron, []*int32{nil, ptr.To[int32](3)}[intn(2)]))
			}
		case r < 22:
			cron := fmt.Sprintf("cron%d", intn(2))
			if intn(3) == 0 {
				delObj("CronJob/"+ns+"/"+cron, CronJobs, ns, cron)
			} else {
				setObj("CronJob/"+ns+"/"+cron, mkCronJob(ns, cron))
			}
		case r < 23:
			if intn(3) == 0 {
				delObj("HPA/"+ns+"/h", HPAs, ns, "h")
			} else {
				setObj("HPA/"+ns+"/h", mkHPA(ns, "h", []string{"Deployment", "StatefulSet", "ReplicaSet"}[intn(3)], apps[intn(3)]))
			}
		case r < 24:
			claim := fmt.Sprintf("data%d", intn(2))
			if intn(3) == 0 {
				delObj("PVC/"+ns+"/"+claim, PersistentVolumeClaims, ns, claim)
			} else {
				setObj("PVC/"+ns+"/"+claim, mkPVC(ns, claim, []string{"", "pv0", "pv1"}[intn(3)]))
			}
		case r < 25:
			pv := fmt.Sprintf("pv%d", intn(2))
			if intn(3) == 0 {
				delObj("PV/"+pv, PersistentVolumes, "", pv)
			} else {
				setObj("PV/"+pv, mkPV(pv))
			}
		case r < 26:
			if intn(3) == 0 {
				delObj("StorageClass/lab", StorageClasses, "", "lab")
			} else {
				setObj("StorageClass/lab", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "lab", UID: "sc"},
					Provisioner: fmt.Sprint("p", intn(2))})
			}
		default:
			fuzzRBAC(intn, ns, setObj, delObj)
		}
		if intn(5) == 0 {
			flush()
		}
	}
	flush()
	checkEdgeEnds(t, m)
	checkRefNodes(t, m)
	checkRBAC(t, m)
	if diff := cmp.Diff(m.Nodes(), sortedNodes(values(nodes))); diff != "" {
		t.Errorf("replayed nodes (-model +replay):\n%s", diff)
	}
	if diff := cmp.Diff(edgeStrings(m.Edges()), edgeStrings(values(edges))); diff != "" {
		t.Errorf("replayed edges (-model +replay):\n%s", diff)
	}
	// A fresh model fed the final objects derives the same graph.
	fresh := NewModel()
	keys := make([]string, 0, len(objects))
	for k := range objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fresh.Set(objects[k], t0)
	}
	if diff := cmp.Diff(edgeStrings(fresh.Edges()), edgeStrings(m.Edges())); diff != "" {
		t.Errorf("incremental edges differ from a fresh derivation (-fresh +incremental):\n%s", diff)
	}
	if diff := cmp.Diff(fresh.Nodes(), m.Nodes()); diff != "" {
		t.Errorf("incremental nodes differ (-fresh +incremental):\n%s", diff)
	}
	return len(m.Edges())
}

func sortedNodes(ns []*Node) []*Node {
	slices.SortFunc(ns, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) })
	return ns
}

func replay(nodes map[string]*Node, edges map[string]*Edge, d Delta) {
	for _, n := range d.Upsert.Nodes {
		nodes[n.ID] = n
	}
	for _, e := range d.Upsert.Edges {
		edges[e.ID] = e
	}
	for _, id := range d.Remove.Nodes {
		delete(nodes, id)
	}
	for _, id := range d.Remove.Edges {
		delete(edges, id)
	}
}

func values[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func uidOf(s string) ktypes.UID { return ktypes.UID(s) }

// The controller bumps the revision after the template changes; whether the
// two land in one flush or two, the rollout happening names both images.
func TestRolloutImagesDoNotDependOnFlushBoundaries(t *testing.T) {
	now := time.Now()
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprint("split=", split), func(t *testing.T) {
			m := NewModel()
			m.Set(mkDeployment("d", "web", 2, "1", "web:v1"), now)
			m.Flush()
			m.Set(mkDeployment("d", "web", 2, "1", "web:v2"), now) // kubectl set image
			if split {
				if d := m.Flush(); len(d.Happenings) != 0 {
					t.Fatalf("a template change alone made happenings: %+v", d.Happenings)
				}
			}
			m.Set(mkDeployment("d", "web", 2, "2", "web:v2"), now) // the controller's revision
			var texts []string
			for _, h := range m.Flush().Happenings {
				texts = append(texts, h.Text)
			}
			want := "rollout d/web: revision 1 → 2, image web:v1 → web:v2"
			if !slices.Contains(texts, want) {
				t.Fatalf("happenings %q, want %q", texts, want)
			}
		})
	}
}
