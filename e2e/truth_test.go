//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
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

// listTruth lists namespace ns (and the cluster's Nodes).
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
		if ref := metav1.GetControllerOf(&p); ref != nil && (ref.Kind == "ReplicaSet" || ref.Kind == "StatefulSet" || ref.Kind == "DaemonSet") {
			t.Edges[graph.EdgeID("owns", graph.ID(ref.Kind, ns, ref.Name), id)] = ""
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
	slices, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return t, err
	}
	// endpoint state by service and pod name.
	state := map[string]string{}
	for _, s := range slices.Items {
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
		}
		t.Nodes[n.ID] = sum
	}
	for _, e := range s.Edges {
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
