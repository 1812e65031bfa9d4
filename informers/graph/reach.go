package graph

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Reachability: who may talk to a pod, and whom it may talk to, by the
// NetworkPolicies in the graph (issue #13). It is the policy as declared:
// whether it is enforced depends on the cluster's network plugin.
//
// The semantics are the NetworkPolicy API's:
//   - A pod is isolated for ingress (egress) iff some policy of its
//     namespace selects it and has Ingress (Egress) among its policy types.
//     A direction that is not isolated allows everything.
//   - What an isolated direction allows is the union of the rules of every
//     policy isolating it; the order of policies does not matter.
//   - A connection Q → P is allowed iff P's ingress allows it from Q and Q's
//     egress allows it to P, on the same port.
//   - A peer with podSelector alone selects pods of the policy's namespace;
//     namespaceSelector alone every pod of the namespaces it selects; both
//     in one peer the pods podSelector selects in those namespaces. A rule
//     with no peers allows every source (destination), inside the graph and
//     beyond; a rule with no ports every port.
//   - Named ports are resolved against the destination pod's declared
//     container ports (app containers and sidecars) of the same protocol; a
//     name the destination does not declare matches nothing.
//   - ipBlock peers are for addresses outside the cluster: the API leaves it
//     to the plugin whether they match pod IPs, which are ephemeral, so
//     they are reported as "beyond" and never count as allowing a pod of
//     the graph.
//   - Pods on the host network are neither isolated nor matched by pod or
//     namespace selectors (the API leaves them undefined; most plugins
//     treat their traffic as the node's). A pod's traffic to itself is
//     never blocked, so a pod is not its own peer.
//   - Namespace labels come from Namespace nodes. The API server labels
//     every namespace kubernetes.io/metadata.name=<name>, so that label is
//     known even for a namespace without a node; a selector that needs
//     any other label of such a namespace cannot be decided, and the pods
//     it might allow are listed as "unknown", never guessed.

// Reachability is the answer of GET /api/reachability?pod=ID.
type Reachability struct {
	Pod         string    `json:"pod"`
	HostNetwork bool      `json:"hostNetwork,omitempty"`
	Ingress     Direction `json:"ingress"`
	Egress      Direction `json:"egress"`
}

// Direction is what one direction of a pod's traffic allows.
type Direction struct {
	Isolated bool `json:"isolated"`
	// Policies are the policies isolating the pod in this direction.
	Policies []string `json:"policies,omitempty"`
	// Allowed are the pods of the graph allowed, by id: the peers ("from"
	// for ingress, "to" for egress).
	Allowed []Allowed `json:"allowed"`
	// Unknown are pods that may be allowed depending on labels of a
	// namespace that is not in the graph.
	Unknown []string `json:"unknown,omitempty"`
	// Hidden counts allowed or unknown pods outside the viewer's
	// namespaces, which are not listed.
	Hidden int `json:"hidden,omitempty"`
	// Beyond is what this pod's side allows outside the graph.
	Beyond []Beyond `json:"beyond"`
}

// Allowed is one peer pod a direction allows. Policy and Rule name the
// first rule of this pod's side that allows it, in (policy id, rule index)
// order; PeerPolicy and PeerRule the first of the peer's side (its egress
// for an ingress peer). Each is absent when that side is not isolated.
// Ports are what both sides allow, as "TCP/8080", "TCP/8000-8100",
// "UDP/53" or "SCTP/*" (every port of a protocol); absent: every port.
type Allowed struct {
	From       string   `json:"from,omitempty"`
	To         string   `json:"to,omitempty"`
	Policy     string   `json:"policy,omitempty"`
	Rule       *int     `json:"rule,omitempty"`
	Ports      []string `json:"ports,omitempty"`
	PeerPolicy string   `json:"peerPolicy,omitempty"`
	PeerRule   *int     `json:"peerRule,omitempty"`
}

// Beyond is one thing a direction allows outside the graph: anywhere (a
// rule with no peers, or a direction that is not isolated), the pods of
// the namespaces a selector selects (with a pod selector when the peer has
// one), or an ipBlock. Selectors are in kubectl's syntax, "" selecting
// everything. Ports as in Allowed; for egress, named ports stay names
// ("TCP/http"), as the destination is unknown.
type Beyond struct {
	Anywhere   bool     `json:"anywhere,omitempty"`
	Namespaces *string  `json:"namespaces,omitempty"`
	Pods       *string  `json:"pods,omitempty"`
	IPBlock    *IPBlock `json:"ipBlock,omitempty"`
	// UnknownNamespaces are namespaces of the graph whose labels are not
	// known and which the namespace selector might select.
	UnknownNamespaces []string `json:"unknownNamespaces,omitempty"`
	Policy            string   `json:"policy,omitempty"`
	Rule              *int     `json:"rule,omitempty"`
	Ports             []string `json:"ports,omitempty"`
}

// ErrNoPod is the error Reach returns for an id that names no pod of the
// graph (or of the viewer's namespaces).
var ErrNoPod = errors.New("no such pod")

// LabelNamespaceName is the label the API server puts on every namespace:
// its name.
const LabelNamespaceName = "kubernetes.io/metadata.name"

// Reach computes the reachability of the pod with this id in s.
func Reach(s *State, pod string) (Reachability, error) {
	return newReachIndex(s).reach(pod, Filter{})
}

// Reach computes the reachability of a pod in the published graph, listing
// only peers inside f (a pod outside f is not found). The graph is read
// under the lock only to gather the pods, policies and namespaces; the
// computation runs outside it, on nodes that are immutable.
func (l *Log) Reach(pod string, f Filter) (Reachability, error) {
	l.mu.RLock()
	ix := newReachIndex(l.state)
	l.mu.RUnlock()
	return ix.reach(pod, f)
}

// reachIndex is what reachability reads of a graph.
type reachIndex struct {
	pods     []*Node
	policies map[string][]*Node           // by namespace
	nsLabels map[string]map[string]string // namespaces with a node

	compiled map[*Node]*cpolicy
	nsMatch  map[nsKey]tri
}

func newReachIndex(s *State) *reachIndex {
	ix := &reachIndex{policies: map[string][]*Node{}, nsLabels: map[string]map[string]string{},
		compiled: map[*Node]*cpolicy{}, nsMatch: map[nsKey]tri{}}
	for _, n := range s.Nodes {
		switch n.Kind {
		case KindPod:
			if n.Pod != nil {
				ix.pods = append(ix.pods, n)
			}
		case KindNetworkPolicy:
			if n.NetworkPolicy() != nil {
				ix.policies[n.Namespace] = append(ix.policies[n.Namespace], n)
			}
		case KindNamespace:
			if f := n.NamespaceInfo(); f != nil {
				ix.nsLabels[n.Name] = f.Labels
			}
		}
	}
	return ix
}

// prepare orders the policies and completes the namespace labels, outside
// the Log's lock.
func (ix *reachIndex) prepare() {
	for ns, pols := range ix.policies {
		slices.SortFunc(pols, func(a, b *Node) int { return cmp.Compare(a.ID, b.ID) })
		ix.policies[ns] = pols
	}
	for ns, labels := range ix.nsLabels {
		if labels[LabelNamespaceName] != ns {
			withName := make(map[string]string, len(labels)+1)
			for k, v := range labels {
				withName[k] = v
			}
			withName[LabelNamespaceName] = ns
			ix.nsLabels[ns] = withName
		}
	}
}

// tri is a three-valued truth: namespace selectors may not be decidable.
type tri uint8

const (
	no tri = iota
	maybe
	yes
)

type nsKey struct {
	sel *Selector
	ns  string
}

// namespaceMatches reports whether sel selects namespace ns.
func (ix *reachIndex) namespaceMatches(sel *Selector, ns string) tri {
	k := nsKey{sel, ns}
	if t, ok := ix.nsMatch[k]; ok {
		return t
	}
	t := no
	if labels, ok := ix.nsLabels[ns]; ok {
		if sel.Matches(labels) {
			t = yes
		}
	} else {
		// Only the name label is known: decide what needs only it.
		byName := &Selector{}
		other := false
		for k, v := range sel.MatchLabels {
			if k == LabelNamespaceName {
				byName.MatchLabels = map[string]string{k: v}
			} else {
				other = true
			}
		}
		for _, r := range sel.MatchExpressions {
			if r.Key == LabelNamespaceName {
				byName.MatchExpressions = append(byName.MatchExpressions, r)
			} else {
				other = true
			}
		}
		switch {
		case !byName.Matches(map[string]string{LabelNamespaceName: ns}):
		case other:
			t = maybe
		default:
			t = yes
		}
	}
	ix.nsMatch[k] = t
	return t
}

// peerMatches reports whether a peer of a policy in namespace policyNS
// selects pod x.
func (ix *reachIndex) peerMatches(peer *NetworkPolicyPeer, policyNS string, x *Node) tri {
	if x.Pod.HostNetwork || peer.IPBlock != nil {
		return no
	}
	if peer.PodSelector != nil && !peer.PodSelector.Matches(x.Pod.Labels) {
		return no
	}
	if peer.NamespaceSelector == nil {
		if peer.PodSelector != nil && x.Namespace == policyNS {
			return yes
		}
		return no
	}
	return ix.namespaceMatches(peer.NamespaceSelector, x.Namespace)
}

// ruleMatches reports whether a rule's peers select pod x: the best of its
// peers; a rule with no peers selects everything.
func (ix *reachIndex) ruleMatches(r *crule, x *Node) tri {
	if len(r.peers) == 0 {
		return yes
	}
	best := no
	for i := range r.peers {
		best = max(best, ix.peerMatches(&r.peers[i], r.policyNS, x))
		if best == yes {
			break
		}
	}
	return best
}

// cpolicy is a policy compiled for reachability.
type cpolicy struct {
	node              *Node
	ingress, egress   bool // its policy types
	inRules, outRules []crule
}

type crule struct {
	policy   string
	policyNS string
	index    int
	peers    []NetworkPolicyPeer
	ports    compiledPorts
}

func (ix *reachIndex) compile(n *Node) *cpolicy {
	if c := ix.compiled[n]; c != nil {
		return c
	}
	f := n.NetworkPolicy()
	c := &cpolicy{node: n}
	for _, t := range f.PolicyTypes {
		switch t {
		case string(networkingv1.PolicyTypeIngress):
			c.ingress = true
		case string(networkingv1.PolicyTypeEgress):
			c.egress = true
		}
	}
	mk := func(rules []NetworkPolicyRule) []crule {
		out := make([]crule, len(rules))
		for i := range rules {
			out[i] = crule{policy: n.ID, policyNS: n.Namespace, index: i, peers: rules[i].Peers, ports: compilePorts(rules[i].Ports)}
		}
		return out
	}
	c.inRules, c.outRules = mk(f.Ingress), mk(f.Egress)
	ix.compiled[n] = c
	return c
}

// isolating returns the policies of x's namespace that isolate x in a
// direction, compiled, in id order.
func (ix *reachIndex) isolating(x *Node, egress bool) []*cpolicy {
	if x.Pod.HostNetwork {
		return nil
	}
	var out []*cpolicy
	for _, n := range ix.policies[x.Namespace] {
		c := ix.compile(n)
		if (egress && c.egress || !egress && c.ingress) && policySelects(n.NetworkPolicy(), x) {
			out = append(out, c)
		}
	}
	return out
}

func rulesOf(pols []*cpolicy, egress bool) []*crule {
	var out []*crule
	for _, p := range pols {
		rs := p.inRules
		if egress {
			rs = p.outRules
		}
		for i := range rs {
			out = append(out, &rs[i])
		}
	}
	return out
}

// side is what one end's policies allow with one peer: sure is what rules
// that certainly select the peer allow, possible adds rules that might.
type side struct {
	isolated       bool
	sure, possible portSet
	rules          []sideRule // the rules that select the peer, surely or not, in order
}

type sideRule struct {
	rule  *crule
	ports portSet
	sure  bool
}

// sideFor evaluates rules (nil when the end is not isolated) against peer,
// with ports resolved against dest.
func (ix *reachIndex) sideFor(isolated bool, rules []*crule, peer, dest *Node) side {
	if !isolated {
		return side{sure: allPorts, possible: allPorts}
	}
	s := side{isolated: true}
	for _, r := range rules {
		t := ix.ruleMatches(r, peer)
		if t == no {
			continue
		}
		ports := r.ports.resolve(dest)
		if ports.empty() {
			continue
		}
		s.rules = append(s.rules, sideRule{r, ports, t == yes})
		if t == yes {
			s.sure = s.sure.union(ports)
		}
		s.possible = s.possible.union(ports)
	}
	return s
}

// first returns the first rule of s whose ports meet other, surely when
// sure; nil when s is not isolated.
func (s *side) first(other portSet, sure bool) *crule {
	for i := range s.rules {
		r := &s.rules[i]
		if (r.sure || !sure) && !r.ports.intersect(other).empty() {
			return r.rule
		}
	}
	return nil
}

// verdict is the reachability of one connection.
type verdict struct {
	sure, possible portSet
	this, peer     *crule // the first rules allowing it, of this side and the peer's
}

// connection evaluates src → dst, where this side is dst's ingress (egress
// false) or src's egress (egress true).
func (ix *reachIndex) connection(src, dst *Node, srcEgress, dstIngress []*cpolicy, egress bool) verdict {
	out := ix.sideFor(len(srcEgress) > 0, rulesOf(srcEgress, true), dst, dst)
	in := ix.sideFor(len(dstIngress) > 0, rulesOf(dstIngress, false), src, dst)
	v := verdict{sure: in.sure.intersect(out.sure), possible: in.possible.intersect(out.possible)}
	this, other := &in, &out
	if egress {
		this, other = &out, &in
	}
	if !v.sure.empty() {
		v.this, v.peer = this.first(other.sure, true), other.first(this.sure, true)
	}
	return v
}

// reach computes the reachability of a pod, listing peers inside f.
func (ix *reachIndex) reach(id string, f Filter) (Reachability, error) {
	ix.prepare()
	var p *Node
	for _, q := range ix.pods {
		if q.ID == id {
			p = q
			break
		}
	}
	if p == nil || !f.Node(id) {
		return Reachability{}, fmt.Errorf("%w %q in the graph", ErrNoPod, id)
	}
	r := Reachability{Pod: id, HostNetwork: p.Pod.HostNetwork}
	inPols, outPols := ix.isolating(p, false), ix.isolating(p, true)
	r.Ingress = ix.direction(p, inPols, false, f)
	r.Egress = ix.direction(p, outPols, true, f)
	return r, nil
}

// peerGroup identifies pods a connection with p cannot tell apart: same
// namespace, labels, host network and container ports. Pods of one
// template share their label map and container list (the model interns
// them), so a group is usually a ReplicaSet's pods and is evaluated once.
type peerGroup struct {
	ns         string
	labels     unsafe.Pointer
	containers *Container
	inits      *Container
	host       bool
}

func groupOf(x *Node) peerGroup {
	g := peerGroup{ns: x.Namespace, labels: reflect.ValueOf(x.Pod.Labels).UnsafePointer(), host: x.Pod.HostNetwork}
	if len(x.Pod.Containers) > 0 {
		g.containers = &x.Pod.Containers[0]
	}
	if len(x.Pod.InitContainers) > 0 {
		g.inits = &x.Pod.InitContainers[0]
	}
	return g
}

func (ix *reachIndex) direction(p *Node, pols []*cpolicy, egress bool, f Filter) Direction {
	d := Direction{Isolated: len(pols) > 0, Allowed: []Allowed{}, Beyond: []Beyond{}}
	for _, c := range pols {
		d.Policies = append(d.Policies, c.node.ID)
	}
	memo := map[peerGroup]verdict{}
	for _, q := range ix.pods {
		if q == p {
			continue
		}
		g := groupOf(q)
		v, ok := memo[g]
		if !ok {
			if egress {
				v = ix.connection(p, q, pols, ix.isolating(q, false), true)
			} else {
				v = ix.connection(q, p, ix.isolating(q, true), pols, false)
			}
			memo[g] = v
		}
		sure := !v.sure.empty()
		if !sure && v.possible.empty() {
			continue
		}
		if !f.Node(q.ID) {
			d.Hidden++
			continue
		}
		if !sure {
			d.Unknown = append(d.Unknown, q.ID)
			continue
		}
		a := Allowed{Ports: v.sure.strings()}
		if egress {
			a.To = q.ID
		} else {
			a.From = q.ID
		}
		if v.this != nil {
			a.Policy, a.Rule = v.this.policy, ptrInt(v.this.index)
		}
		if v.peer != nil {
			a.PeerPolicy, a.PeerRule = v.peer.policy, ptrInt(v.peer.index)
		}
		d.Allowed = append(d.Allowed, a)
	}
	slices.SortFunc(d.Allowed, func(a, b Allowed) int { return cmp.Compare(a.From+a.To, b.From+b.To) })
	slices.Sort(d.Unknown)
	d.Beyond = ix.beyond(p, pols, egress, f)
	return d
}

// beyond lists what p's side allows outside the graph, in (policy, rule,
// peer) order.
func (ix *reachIndex) beyond(p *Node, pols []*cpolicy, egress bool, f Filter) []Beyond {
	out := []Beyond{}
	if len(pols) == 0 {
		return append(out, Beyond{Anywhere: true})
	}
	for _, r := range rulesOf(pols, egress) {
		var ports []string
		if egress {
			if r.ports.all {
				ports = nil
			} else {
				ports = r.ports.written()
			}
		} else {
			ps := r.ports.resolve(p)
			if ps.empty() {
				continue // a named port p does not declare: the rule allows nothing
			}
			ports = ps.strings()
		}
		base := Beyond{Policy: r.policy, Rule: ptrInt(r.index), Ports: ports}
		if len(r.peers) == 0 {
			b := base
			b.Anywhere = true
			out = append(out, b)
			continue
		}
		for i := range r.peers {
			peer := &r.peers[i]
			b := base
			switch {
			case peer.IPBlock != nil:
				b.IPBlock = peer.IPBlock
			case peer.NamespaceSelector != nil:
				b.Namespaces = ptrString(selectorString(peer.NamespaceSelector))
				if peer.PodSelector != nil {
					b.Pods = ptrString(selectorString(peer.PodSelector))
				}
				b.UnknownNamespaces = ix.unknownNamespaces(peer.NamespaceSelector, f)
			default:
				continue // pods of the policy's namespace: all in the graph
			}
			out = append(out, b)
		}
	}
	return out
}

// unknownNamespaces returns the namespaces of the graph's pods, inside f,
// whose labels are unknown and which sel might select.
func (ix *reachIndex) unknownNamespaces(sel *Selector, f Filter) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range ix.pods {
		ns := q.Namespace
		if seen[ns] {
			continue
		}
		seen[ns] = true
		if f.Namespace(ns) && ix.namespaceMatches(sel, ns) == maybe {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

func ptrInt(i int) *int          { return &i }
func ptrString(s string) *string { return &s }

// selectorString writes a selector in kubectl's syntax ("" selects
// everything).
func selectorString(s *Selector) string {
	ls := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator), Values: r.Values})
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return "<invalid: " + err.Error() + ">"
	}
	return sel.String()
}

// Ports.

// span is a closed range of port numbers.
type span struct{ lo, hi int }

const maxPort = 65535

// portSet is a set of (protocol, port) pairs: every pair, or spans per
// protocol.
type portSet struct {
	all    bool
	protos []protoSpans // by protocol order (protoRank), spans sorted and merged
}

type protoSpans struct {
	proto string
	spans []span
}

var allPorts = portSet{all: true}

func (s portSet) empty() bool { return !s.all && len(s.protos) == 0 }

// protoRank orders protocols as the API lists them, others after.
func protoRank(p string) int {
	switch corev1.Protocol(p) {
	case corev1.ProtocolTCP:
		return 0
	case corev1.ProtocolUDP:
		return 1
	case corev1.ProtocolSCTP:
		return 2
	}
	return 3
}

func compareProto(a, b string) int {
	return cmp.Or(cmp.Compare(protoRank(a), protoRank(b)), cmp.Compare(a, b))
}

// with returns s plus the ports lo..hi of proto.
func (s portSet) with(proto string, lo, hi int) portSet {
	if s.all {
		return s
	}
	i, found := slices.BinarySearchFunc(s.protos, proto, func(ps protoSpans, p string) int { return compareProto(ps.proto, p) })
	protos := slices.Clone(s.protos)
	if !found {
		protos = slices.Insert(protos, i, protoSpans{proto: proto})
	}
	protos[i].spans = mergeSpans(append(slices.Clone(protos[i].spans), span{lo, hi}))
	return portSet{protos: protos}
}

func mergeSpans(ss []span) []span {
	slices.SortFunc(ss, func(a, b span) int { return cmp.Or(cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi)) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && s.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, s.hi)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (s portSet) union(t portSet) portSet {
	switch {
	case s.all || t.all:
		return allPorts
	case s.empty():
		return t
	case t.empty():
		return s
	}
	out := s
	for _, ps := range t.protos {
		for _, sp := range ps.spans {
			out = out.with(ps.proto, sp.lo, sp.hi)
		}
	}
	return out
}

func (s portSet) intersect(t portSet) portSet {
	switch {
	case s.all:
		return t
	case t.all:
		return s
	}
	var out portSet
	for _, a := range s.protos {
		for _, b := range t.protos {
			if a.proto != b.proto {
				continue
			}
			var spans []span
			for _, x := range a.spans {
				for _, y := range b.spans {
					if lo, hi := max(x.lo, y.lo), min(x.hi, y.hi); lo <= hi {
						spans = append(spans, span{lo, hi})
					}
				}
			}
			if len(spans) > 0 {
				out.protos = append(out.protos, protoSpans{a.proto, mergeSpans(spans)})
			}
		}
	}
	return out
}

// strings formats s as the answer's ports: nil for every port.
func (s portSet) strings() []string {
	if s.all {
		return nil
	}
	var out []string
	for _, ps := range s.protos {
		for _, sp := range ps.spans {
			out = append(out, spanString(ps.proto, sp))
		}
	}
	return out
}

func spanString(proto string, sp span) string {
	switch {
	case sp.lo <= 1 && sp.hi >= maxPort:
		return proto + "/*"
	case sp.lo == sp.hi:
		return proto + "/" + strconv.Itoa(sp.lo)
	}
	return proto + "/" + strconv.Itoa(sp.lo) + "-" + strconv.Itoa(sp.hi)
}

// compiledPorts are a rule's ports: the numbered ones as a set, the named
// ones to resolve against each destination.
type compiledPorts struct {
	all      bool // no ports: every port
	numbered portSet
	named    []NetworkPolicyPort
	rule     []NetworkPolicyPort // as written
}

func compilePorts(ports []NetworkPolicyPort) compiledPorts {
	c := compiledPorts{all: len(ports) == 0, rule: ports}
	if c.all {
		c.numbered = allPorts
		return c
	}
	for _, p := range ports {
		proto := cmp.Or(p.Protocol, string(corev1.ProtocolTCP))
		if p.Port == "" {
			c.numbered = c.numbered.with(proto, 1, maxPort)
			continue
		}
		n, err := strconv.Atoi(p.Port)
		if err != nil {
			c.named = append(c.named, p)
			continue
		}
		if n < 1 || n > maxPort {
			continue // the API server refuses it: no port
		}
		hi := n
		if p.EndPort > n {
			hi = min(p.EndPort, maxPort)
		}
		c.numbered = c.numbered.with(proto, n, hi)
	}
	return c
}

// resolve returns the ports of c on dest: named ports become the numbers
// dest's containers declare under that name and protocol.
func (c *compiledPorts) resolve(dest *Node) portSet {
	if len(c.named) == 0 {
		return c.numbered
	}
	out := c.numbered
	for _, np := range c.named {
		proto := cmp.Or(np.Protocol, string(corev1.ProtocolTCP))
		for i, n := 0, len(dest.Pod.Containers); i < n+len(dest.Pod.InitContainers); i++ {
			var ct *Container
			if i < n {
				ct = &dest.Pod.Containers[i]
			} else if ct = &dest.Pod.InitContainers[i-n]; !ct.Sidecar {
				continue // an init container that has finished serves nothing
			}
			for _, cp := range ct.Ports {
				if cp.Name == np.Port && cmp.Or(cp.Protocol, string(corev1.ProtocolTCP)) == proto && cp.Port > 0 {
					out = out.with(proto, cp.Port, cp.Port)
				}
			}
		}
	}
	return out
}

// written formats the ports as the rule writes them, names unresolved.
func (c *compiledPorts) written() []string {
	var out []string
	for _, p := range c.rule {
		proto := cmp.Or(p.Protocol, string(corev1.ProtocolTCP))
		switch {
		case p.Port == "":
			out = append(out, proto+"/*")
		case p.EndPort > 0:
			out = append(out, proto+"/"+p.Port+"-"+strconv.Itoa(p.EndPort))
		default:
			out = append(out, proto+"/"+p.Port)
		}
	}
	return out
}
