package graph

import (
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// NetworkPolicies (issue #13). A policy is a node holding its whole spec
// (NetworkPolicyFields), so that reachability (reach.go) is a pure function
// of the published graph. Its isolates edges, one per pod its podSelector
// selects in its namespace, are implied like selects edges: a default-deny
// policy selects every pod of its namespace, and 10,000 stored edges would
// cost the per-pod heap budget. The model keeps the policies by namespace
// (Model.netpols), and a pod's labels or a policy's selector changing marks
// the affected edges dirty for Flush.
//
// What NetworkPolicyNode reads (the informer transform must keep it):
// metadata name, namespace, uid; the whole spec.

// NetworkPolicyNode derives a NetworkPolicy's entity. Nothing is capped:
// a policy's size is bounded by the API server's object size limit, and
// what a policy of hundreds of rules costs is measured by the Reach
// benchmarks.
func NetworkPolicyNode(p *networkingv1.NetworkPolicy) *Node {
	f := &NetworkPolicyFields{PodSelector: Selector{}}
	if s := SelectorFrom(&p.Spec.PodSelector); s != nil {
		f.PodSelector = *s
	}
	for _, r := range p.Spec.Ingress {
		f.Ingress = append(f.Ingress, policyRule(r.Ports, r.From))
	}
	for _, r := range p.Spec.Egress {
		f.Egress = append(f.Egress, policyRule(r.Ports, r.To))
	}
	f.PolicyTypes = effectivePolicyTypes(p.Spec.PolicyTypes, len(p.Spec.Egress) > 0)
	return &Node{ID: ID(KindNetworkPolicy, p.Namespace, p.Name), Kind: KindNetworkPolicy,
		Namespace: internID(p.Namespace), Name: p.Name, UID: string(p.UID), More: f}
}

// effectivePolicyTypes returns the policy types as written, else what the
// API defaults them to: Ingress always, Egress when there are egress rules.
func effectivePolicyTypes(written []networkingv1.PolicyType, hasEgress bool) []string {
	if len(written) > 0 {
		out := make([]string, len(written))
		for i, t := range written {
			out[i] = string(t)
		}
		return out
	}
	if hasEgress {
		return []string{string(networkingv1.PolicyTypeIngress), string(networkingv1.PolicyTypeEgress)}
	}
	return []string{string(networkingv1.PolicyTypeIngress)}
}

func policyRule(ports []networkingv1.NetworkPolicyPort, peers []networkingv1.NetworkPolicyPeer) NetworkPolicyRule {
	var r NetworkPolicyRule
	for _, p := range ports {
		np := NetworkPolicyPort{Protocol: string(corev1.ProtocolTCP)}
		if p.Protocol != nil && *p.Protocol != "" {
			np.Protocol = string(*p.Protocol)
		}
		if p.Port != nil {
			np.Port = p.Port.String()
		}
		if p.EndPort != nil {
			np.EndPort = int(*p.EndPort)
		}
		r.Ports = append(r.Ports, np)
	}
	for _, p := range peers {
		np := NetworkPolicyPeer{PodSelector: SelectorFrom(p.PodSelector), NamespaceSelector: SelectorFrom(p.NamespaceSelector)}
		if b := p.IPBlock; b != nil {
			np.IPBlock = &IPBlock{CIDR: b.CIDR}
			if len(b.Except) > 0 {
				np.IPBlock.Except = append([]string(nil), b.Except...)
			}
		}
		r.Peers = append(r.Peers, np)
	}
	return r
}

// policySelects reports whether a policy's podSelector selects pod, which
// must be in the policy's namespace. Pods on the host network are never
// selected: the API leaves policy on them undefined, and most network
// plugins ignore them when matching selectors (see docs-netpol.md).
func policySelects(pol *NetworkPolicyFields, pod *Node) bool {
	return !pod.Pod.HostNetwork && pol.PodSelector.Matches(pod.Pod.Labels)
}

func (m *Model) setNetworkPolicy(o *networkingv1.NetworkPolicy, now time.Time) {
	n := NetworkPolicyNode(o)
	if o.Namespace == "" || o.Name == "" {
		return // not a valid policy: every one has both
	}
	old := m.node(n.ID)
	m.setNode(n, now)
	if m.netpols == nil {
		m.netpols = map[string]map[string]*Node{}
	}
	byName := m.netpols[n.Namespace]
	if byName == nil {
		byName = map[string]*Node{}
		m.netpols[n.Namespace] = byName
	}
	byName[n.Name] = n
	var oldSel *Selector
	if old != nil {
		oldSel = &old.NetworkPolicy().PodSelector
		if selectorEqual(oldSel, &n.NetworkPolicy().PodSelector) {
			return
		}
	}
	m.rematchPolicy(n.ID, n.Namespace, oldSel, &n.NetworkPolicy().PodSelector)
}

func (m *Model) deleteNetworkPolicy(namespace, name string, now time.Time) {
	old := m.removeNode(ID(KindNetworkPolicy, namespace, name), now)
	if old == nil {
		return
	}
	delete(m.netpols[namespace], name)
	if len(m.netpols[namespace]) == 0 {
		delete(m.netpols, namespace)
	}
	m.rematchPolicy(old.ID, namespace, &old.NetworkPolicy().PodSelector, nil)
}

// rematchPolicy records, for Flush, the isolates edges of the policy id
// whose selector went from was to is (nil: the policy was or is absent).
func (m *Model) rematchPolicy(id, namespace string, was, is *Selector) {
	x := m.ns[namespace]
	if x == nil {
		return
	}
	for _, cp := range x.pods {
		p := cp.Node
		if p.Pod.HostNetwork {
			continue
		}
		wasSel := was.Matches(p.Pod.Labels)
		if wasSel || is.Matches(p.Pod.Labels) {
			m.moveIsolates(id, p.ID, wasSel)
		}
	}
}

// podNetworkPolicies records, for Flush, the isolates edges of a pod that
// appeared, went or changed labels. Either pod may be nil.
func (m *Model) podNetworkPolicies(oldPod, newPod *CachedPod, now time.Time) {
	var old, n *Node
	if oldPod != nil {
		old = oldPod.Node
	}
	if newPod != nil {
		n = newPod.Node
	}
	if old != nil && n != nil && mapsEqual(old.Pod.Labels, n.Pod.Labels) && old.Pod.HostNetwork == n.Pod.HostNetwork {
		return // the common case: a status change
	}
	p := n
	if p == nil {
		p = old
	}
	for _, pol := range m.netpols[p.Namespace] {
		f := pol.NetworkPolicy()
		wasSel := old != nil && policySelects(f, old)
		if wasSel || n != nil && policySelects(f, n) {
			m.moveIsolates(pol.ID, p.ID, wasSel)
		}
	}
}

// moveIsolates records, for Flush, that the isolates edge policy → pod may
// change: its value before (none unless wasSel), unless its id is dirty
// already.
func (m *Model) moveIsolates(policy, pod string, wasSel bool) {
	id := EdgeID(EdgeIsolates, policy, pod)
	if _, ok := m.dirtyEdges[id]; ok {
		return
	}
	if !wasSel {
		m.dirtyEdges[id] = nil
		return
	}
	m.dirtyEdges[id] = &Edge{ID: id, Kind: EdgeIsolates, From: policy, To: pod}
}

// isolatesEdge returns the implied isolates edge from policy to pod, or nil.
func (m *Model) isolatesEdge(id, policy, pod string) *Edge {
	p := m.pod(pod)
	if p == nil {
		return nil
	}
	name, ok := strings.CutPrefix(policy, KindNetworkPolicy+"/"+p.Node.Namespace+"/")
	if !ok {
		return nil
	}
	if pol := m.netpols[p.Node.Namespace][name]; pol != nil && policySelects(pol.NetworkPolicy(), p.Node) {
		return &Edge{ID: id, Kind: EdgeIsolates, From: pol.ID, To: p.Node.ID}
	}
	return nil
}

// isolatesEdges appends the isolates edges pod p implies.
func (m *Model) isolatesEdges(out []*Edge, p *CachedPod) []*Edge {
	for _, pol := range m.netpols[p.Node.Namespace] {
		if policySelects(pol.NetworkPolicy(), p.Node) {
			out = append(out, &Edge{ID: EdgeID(EdgeIsolates, pol.ID, p.Node.ID), Kind: EdgeIsolates, From: pol.ID, To: p.Node.ID})
		}
	}
	return out
}

// selectorEqual reports whether two selectors are the same, nil and empty
// told apart.
func selectorEqual(a, b *Selector) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !mapsEqual(a.MatchLabels, b.MatchLabels) || len(a.MatchExpressions) != len(b.MatchExpressions) {
		return false
	}
	for i := range a.MatchExpressions {
		x, y := &a.MatchExpressions[i], &b.MatchExpressions[i]
		if x.Key != y.Key || x.Operator != y.Operator || !slices.Equal(x.Values, y.Values) {
			return false
		}
	}
	return true
}
