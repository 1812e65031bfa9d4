package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// The reachability tests are written as the upstream conformance suite
// (kubernetes test/e2e/network/netpol) writes its: pods a, b and c in
// namespaces x, y and z, each serving 80 and 81 over TCP, UDP and SCTP
// under the names serve-80-tcp, …; one truth table per case and port,
// pods × pods, printed as a matrix when a cell differs. A pod's traffic
// to itself is always allowed (upstream's AllowLoopback).

var (
	labNamespaces = []string{"x", "y", "z"}
	labPods       = []string{"a", "b", "c"}
)

// netLab is a graph under construction: pods and policies through the
// model, Namespace nodes directly (their labels are all reachability reads
// of them).
type netLab struct {
	m          *Model
	namespaces []*Node
	pods       []string // "ns/name", in order
}

type labPodOpt func(*corev1.Pod)

// servePorts makes a pod serve ports on every protocol, named
// serve-<port>-<protocol>.
func servePorts(ports ...int32) labPodOpt {
	return func(p *corev1.Pod) {
		p.Spec.Containers = nil
		for _, port := range ports {
			c := corev1.Container{Name: fmt.Sprintf("c%d", port), Image: "agnhost"}
			for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
				c.Ports = append(c.Ports, corev1.ContainerPort{Name: fmt.Sprintf("serve-%d-%s", port, strings.ToLower(string(proto))),
					ContainerPort: port, Protocol: proto})
			}
			p.Spec.Containers = append(p.Spec.Containers, c)
		}
	}
}

// namedPort adds a container declaring port under name (TCP).
func namedPort(name string, port int32) labPodOpt {
	return func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "n-" + name, Image: "agnhost",
			Ports: []corev1.ContainerPort{{Name: name, ContainerPort: port}}})
	}
}

func newNetLab() *netLab {
	l := &netLab{m: NewModel()}
	for _, ns := range labNamespaces {
		l.namespace(ns, map[string]string{"ns": ns, LabelNamespaceName: ns})
		for _, p := range labPods {
			l.pod(ns, p)
		}
	}
	return l
}

func (l *netLab) namespace(name string, labels map[string]string) {
	l.namespaces = append(l.namespaces, &Node{ID: ID(KindNamespace, "", name), Kind: KindNamespace, Name: name,
		More: &NamespaceFields{Labels: labels}})
}

func (l *netLab) pod(ns, name string, opts ...labPodOpt) {
	p := mkRunning(ns, name, labelled("pod", name))
	servePorts(80, 81)(p)
	for _, o := range opts {
		o(p)
	}
	l.m.Set(p, t0)
	l.pods = append(l.pods, ns+"/"+name)
}

func (l *netLab) policy(ns, name string, spec networkingv1.NetworkPolicySpec) {
	l.m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}, t0)
}

// state publishes the lab as the server would: a State from a snapshot of
// the model.
func (l *netLab) state() *State {
	l.m.Flush()
	s := NewState()
	s.Load(1, append(l.m.Nodes(), l.namespaces...), l.m.Edges())
	return s
}

func podID(p string) string { ns, name, _ := strings.Cut(p, "/"); return ID(KindPod, ns, name) }

// matrix is a truth table: from × to → allowed.
type matrix struct {
	pods []string
	cell map[[2]string]bool
}

func newMatrix(pods []string, allowed bool) *matrix {
	m := &matrix{pods: pods, cell: map[[2]string]bool{}}
	for _, f := range pods {
		for _, t := range pods {
			m.cell[[2]string{f, t}] = allowed || f == t
		}
	}
	return m
}

// matches reports whether pod p matches pattern "ns/name", "ns/*" or "*".
func matches(pattern, p string) bool {
	if pattern == "*" || pattern == p {
		return true
	}
	ns, name, _ := strings.Cut(pattern, "/")
	pns, _, _ := strings.Cut(p, "/")
	return name == "*" && ns == pns
}

// expect sets the cells from → to that match the patterns (never a pod's
// own cell: loopback is always allowed).
func (m *matrix) expect(from, to string, allowed bool) *matrix {
	for _, f := range m.pods {
		for _, t := range m.pods {
			if f != t && matches(from, f) && matches(to, t) {
				m.cell[[2]string{f, t}] = allowed
			}
		}
	}
	return m
}

func (m *matrix) String(other *matrix) string {
	var b strings.Builder
	b.WriteString("from\\to")
	for _, t := range m.pods {
		fmt.Fprintf(&b, " %4s", t)
	}
	b.WriteString("\n")
	for _, f := range m.pods {
		fmt.Fprintf(&b, "%7s", f)
		for _, t := range m.pods {
			c := "X"
			if m.cell[[2]string{f, t}] {
				c = "."
			}
			if other != nil && other.cell[[2]string{f, t}] != m.cell[[2]string{f, t}] {
				c += "*"
			}
			fmt.Fprintf(&b, " %4s", c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// portAllowed reports whether an answer's ports admit proto/port.
func portAllowed(ports []string, proto string, port int) bool {
	if ports == nil {
		return true
	}
	for _, s := range ports {
		p, rng, _ := strings.Cut(s, "/")
		if p != proto {
			continue
		}
		if rng == "*" {
			return true
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		l, _ := strconv.Atoi(lo)
		h := l
		if isRange {
			h, _ = strconv.Atoi(hi)
		}
		if l <= port && port <= h {
			return true
		}
	}
	return false
}

// observe computes the truth table on proto/port from Reach: the ingress
// answers of the destinations, checked against the egress answers of the
// sources (the two must agree).
func observe(t *testing.T, s *State, pods []string, proto string, port int) *matrix {
	t.Helper()
	in, out := newMatrix(pods, false), newMatrix(pods, false)
	for _, p := range pods {
		r, err := Reach(s, podID(p))
		if err != nil {
			t.Fatalf("Reach(%s): %v", p, err)
		}
		for _, a := range r.Ingress.Allowed {
			if portAllowed(a.Ports, proto, port) {
				in.cell[[2]string{strings.TrimPrefix(a.From, "Pod/"), p}] = true
			}
		}
		for _, a := range r.Egress.Allowed {
			if portAllowed(a.Ports, proto, port) {
				out.cell[[2]string{p, strings.TrimPrefix(a.To, "Pod/")}] = true
			}
		}
	}
	if !cmp.Equal(in.cell, out.cell) {
		t.Errorf("on %s/%d the ingress answers (cells marked * differ from the egress answers):\n%s", proto, port, in.String(out))
	}
	return in
}

type probe struct {
	proto string
	port  int
	want  *matrix
}

func checkMatrices(t *testing.T, s *State, pods []string, probes ...probe) {
	t.Helper()
	for _, p := range probes {
		got := observe(t, s, pods, p.proto, p.port)
		if !cmp.Equal(got.cell, p.want.cell) {
			t.Errorf("on %s/%d, reachability (X denied, * differs from the expected):\n%s\nexpected:\n%s",
				p.proto, p.port, got.String(p.want), p.want.String(nil))
		}
	}
}

func sel(kv ...string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{MatchLabels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.MatchLabels[kv[i]] = kv[i+1]
	}
	return s
}

func podSel(kv ...string) metav1.LabelSelector { return *sel(kv...) }

func port(proto corev1.Protocol, p intstr.IntOrString, end ...int32) networkingv1.NetworkPolicyPort {
	np := networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
	if len(end) > 0 {
		np.EndPort = &end[0]
	}
	return np
}

func from(peers ...networkingv1.NetworkPolicyPeer) []networkingv1.NetworkPolicyIngressRule {
	return []networkingv1.NetworkPolicyIngressRule{{From: peers}}
}

var (
	tcp80 = port(corev1.ProtocolTCP, intstr.FromInt32(80))
	egres = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	ingr  = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
)

// TestReachMatrices holds each clause of the NetworkPolicy API to a truth
// table.
func TestReachMatrices(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(l *netLab)
		probes func(pods []string) []probe
	}{{
		name:  "default allow: no policy",
		setup: func(l *netLab) {},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true)}, {"UDP", 81, newMatrix(pods, true)}}
		},
	}, {
		name: "default-deny ingress: an empty podSelector, no rules",
		setup: func(l *netLab) {
			l.policy("x", "deny", networkingv1.NetworkPolicySpec{})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false)}}
		},
	}, {
		name: "default-deny egress: policyTypes [Egress] and no egress rules",
		setup: func(l *netLab) {
			l.policy("x", "deny-egress", networkingv1.NetworkPolicySpec{PolicyTypes: egres})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("x/*", "*", false)}}
		},
	}, {
		name: "allow from one app: podSelector alone is the policy's namespace",
		setup: func(l *netLab) {
			l.policy("x", "allow-b", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"),
				Ingress: from(networkingv1.NetworkPolicyPeer{PodSelector: sel("pod", "b")})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/a", false).expect("x/b", "x/a", true)}}
		},
	}, {
		name: "namespaceSelector and podSelector in ONE peer: pods b of namespace y",
		setup: func(l *netLab) {
			l.policy("x", "and", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"),
				Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel("ns", "y"), PodSelector: sel("pod", "b")})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/a", false).expect("y/b", "x/a", true)}}
		},
	}, {
		name: "namespaceSelector and podSelector as TWO peers: every pod of y, and pods b of x",
		setup: func(l *netLab) {
			l.policy("x", "or", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"),
				Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel("ns", "y")}, networkingv1.NetworkPolicyPeer{PodSelector: sel("pod", "b")})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/a", false).expect("y/*", "x/a", true).expect("x/b", "x/a", true)}}
		},
	}, {
		name: "an empty podSelector peer: every pod of the policy's namespace only",
		setup: func(l *netLab) {
			l.policy("x", "same-ns", networkingv1.NetworkPolicySpec{Ingress: from(networkingv1.NetworkPolicyPeer{PodSelector: sel()})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false).expect("x/*", "x/*", true)}}
		},
	}, {
		name: "an empty namespaceSelector peer: every pod of every namespace",
		setup: func(l *netLab) {
			l.policy("x", "all-ns", networkingv1.NetworkPolicySpec{Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel()})})
		},
		probes: func(pods []string) []probe { return []probe{{"TCP", 80, newMatrix(pods, true)}} },
	}, {
		name: "an empty namespaceSelector with a podSelector: pods b of every namespace",
		setup: func(l *netLab) {
			l.policy("x", "b-anywhere", networkingv1.NetworkPolicySpec{Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel(), PodSelector: sel("pod", "b")})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false).expect("*/b", "x/*", true).expect("x/b", "x/*", true).expect("y/b", "x/*", true).expect("z/b", "x/*", true)}}
		},
	}, {
		name: "a rule with neither from nor ports allows everything; no rules allow nothing",
		setup: func(l *netLab) {
			l.policy("x", "deny", networkingv1.NetworkPolicySpec{PolicyTypes: ingr, Ingress: []networkingv1.NetworkPolicyIngressRule{}})
			l.policy("x", "allow-all-to-a", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), Ingress: []networkingv1.NetworkPolicyIngressRule{{}}})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false).expect("*", "x/a", true)}}
		},
	}, {
		name: "ports without from: every source, on that port only",
		setup: func(l *netLab) {
			l.policy("x", "port-80", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{tcp80}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"TCP", 80, newMatrix(pods, true)},
				{"TCP", 81, newMatrix(pods, true).expect("*", "x/*", false)},
				{"UDP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
			}
		},
	}, {
		name: "a port entry without a port: every port of its protocol; the protocol defaults to TCP",
		setup: func(l *netLab) {
			l.policy("x", "udp", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolUDP)}, {Port: ptr.To(intstr.FromInt32(81))}}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"UDP", 80, newMatrix(pods, true)},
				{"TCP", 81, newMatrix(pods, true)},
				{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
				{"SCTP", 81, newMatrix(pods, true).expect("*", "x/*", false)},
			}
		},
	}, {
		name: "named ports resolve on the destination: serve-81-udp is UDP/81 only",
		setup: func(l *netLab) {
			l.policy("x", "named", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromString("serve-81-udp"))}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"UDP", 81, newMatrix(pods, true)},
				{"UDP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
				{"TCP", 81, newMatrix(pods, true).expect("*", "x/*", false)},
			}
		},
	}, {
		name: "a named port under the wrong protocol matches nothing",
		setup: func(l *netLab) {
			l.policy("x", "named", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("serve-81-udp"))}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{{"UDP", 81, newMatrix(pods, true).expect("*", "x/*", false)}, {"TCP", 81, newMatrix(pods, true).expect("*", "x/*", false)}}
		},
	}, {
		name: "endPort ranges",
		setup: func(l *netLab) {
			l.policy("x", "range", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(81), 90)}}}})
			l.policy("y", "range", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(70), 80)}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"TCP", 81, newMatrix(pods, true).expect("*", "y/*", false)},
				{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
			}
		},
	}, {
		name: "protocols: SCTP/80 only",
		setup: func(l *netLab) {
			l.policy("x", "sctp", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolSCTP, intstr.FromInt32(80))}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"SCTP", 80, newMatrix(pods, true)},
				{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
				{"UDP", 80, newMatrix(pods, true).expect("*", "x/*", false)},
			}
		},
	}, {
		name: "an ipBlock (even one covering every pod IP) allows no pod of the graph",
		setup: func(l *netLab) {
			l.policy("x", "cidr", networkingv1.NetworkPolicySpec{Ingress: from(networkingv1.NetworkPolicyPeer{
				IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8"}}})})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/*", false)}}
		},
	}, {
		name: "the union of several policies",
		setup: func(l *netLab) {
			l.policy("x", "from-xb", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), Ingress: from(networkingv1.NetworkPolicyPeer{PodSelector: sel("pod", "b")})})
			l.policy("x", "from-yc", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"),
				Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel("ns", "y"), PodSelector: sel("pod", "c")})})
			// An egress-only policy selecting x/a adds nothing to its ingress.
			l.policy("x", "egress-only", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), PolicyTypes: egres,
				Egress: []networkingv1.NetworkPolicyEgressRule{{}}})
		},
		probes: func(pods []string) []probe {
			return []probe{{"TCP", 80, newMatrix(pods, true).expect("*", "x/a", false).expect("x/b", "x/a", true).expect("y/c", "x/a", true)}}
		},
	}, {
		name: "egress AND ingress are both required, on the same port",
		setup: func(l *netLab) {
			// x/a may send only to y/b; y/b admits only x/c (on 80) and
			// z/a (on 81), and z/a may send only on 80.
			l.policy("x", "a-to-yb", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), PolicyTypes: egres,
				Egress: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("ns", "y"), PodSelector: sel("pod", "b")}}}}})
			l.policy("y", "b-from-xc", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "b"), Ingress: []networkingv1.NetworkPolicyIngressRule{
				{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("ns", "x"), PodSelector: sel("pod", "c")}}, Ports: []networkingv1.NetworkPolicyPort{tcp80}},
				{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("ns", "z"), PodSelector: sel("pod", "a")}}, Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(81))}},
			}})
			l.policy("z", "a-out-80", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), PolicyTypes: egres,
				Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{tcp80}}}})
		},
		probes: func(pods []string) []probe {
			base := func() *matrix {
				return newMatrix(pods, true).expect("x/a", "*", false).expect("*", "y/b", false).expect("x/c", "y/b", true)
			}
			return []probe{
				{"TCP", 80, base().expect("z/a", "*", true).expect("z/a", "y/b", false)},
				{"TCP", 81, base().expect("x/c", "y/b", false).expect("z/a", "*", false)},
			}
		},
	}, {
		name: "egress named ports resolve on the destination: one name, different numbers",
		setup: func(l *netLab) {
			l.pod("x", "web1", namedPort("http", 8080))
			l.pod("x", "web2", namedPort("http", 9090))
			l.policy("x", "out-http", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), PolicyTypes: egres,
				Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("http"))}}}})
		},
		probes: func(pods []string) []probe {
			return []probe{
				{"TCP", 8080, newMatrix(pods, true).expect("x/a", "*", false).expect("x/a", "x/web1", true)},
				{"TCP", 9090, newMatrix(pods, true).expect("x/a", "*", false).expect("x/a", "x/web2", true)},
			}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newNetLab()
			c.setup(l)
			s := l.state()
			checkMatrices(t, s, l.pods, c.probes(l.pods)...)
		})
	}
}

// TestReachAnswer holds the whole answer for one pod: which rule allows
// each peer on each side, the ports both allow, what is allowed beyond the
// graph, and the pods a namespace without labels leaves undecided.
func TestReachAnswer(t *testing.T) {
	l := newNetLab()
	l.pod("w", "a", namedPort("http", 8080)) // namespace w has no Namespace node: labels unknown
	l.policy("x", "p1", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), Ingress: []networkingv1.NetworkPolicyIngressRule{
		{From: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("pod", "b")}}, Ports: []networkingv1.NetworkPolicyPort{tcp80}},
		{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("ns", "y")}, {IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("serve-81-tcp"))}},
		{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("team", "blue"), PodSelector: sel("pod", "a")}}},
	}})
	l.policy("x", "p2", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"), PolicyTypes: egres,
		Egress: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel(LabelNamespaceName, "w")}},
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("http"))}}}})
	l.policy("y", "q", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "c"), PolicyTypes: egres,
		Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(81))}}}})
	s := l.state()

	got, err := Reach(s, "Pod/x/a")
	if err != nil {
		t.Fatal(err)
	}
	p1, p2, q := "NetworkPolicy/x/p1", "NetworkPolicy/x/p2", "NetworkPolicy/y/q"
	want := Reachability{Pod: "Pod/x/a",
		Ingress: Direction{Isolated: true, Policies: []string{p1},
			Allowed: []Allowed{
				{From: "Pod/x/b", Policy: p1, Rule: ptrInt(0), Ports: []string{"TCP/80"}},
				{From: "Pod/y/a", Policy: p1, Rule: ptrInt(1), Ports: []string{"TCP/81"}},
				{From: "Pod/y/b", Policy: p1, Rule: ptrInt(1), Ports: []string{"TCP/81"}},
				{From: "Pod/y/c", Policy: p1, Rule: ptrInt(1), Ports: []string{"TCP/81"}, PeerPolicy: q, PeerRule: ptrInt(0)},
			},
			Unknown: []string{"Pod/w/a"},
			Beyond: []Beyond{
				{Namespaces: ptrString("ns=y"), UnknownNamespaces: []string{"w"}, Policy: p1, Rule: ptrInt(1), Ports: []string{"TCP/81"}},
				{IPBlock: &IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}, Policy: p1, Rule: ptrInt(1), Ports: []string{"TCP/81"}},
				{Namespaces: ptrString("team=blue"), Pods: ptrString("pod=a"), UnknownNamespaces: []string{"w"}, Policy: p1, Rule: ptrInt(2)},
			}},
		Egress: Direction{Isolated: true, Policies: []string{p2},
			Allowed: []Allowed{{To: "Pod/w/a", Policy: p2, Rule: ptrInt(0), Ports: []string{"TCP/8080"}}},
			Beyond:  []Beyond{{Namespaces: ptrString(LabelNamespaceName + "=w"), Policy: p2, Rule: ptrInt(0), Ports: []string{"TCP/http"}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reach(Pod/x/a) (-want +got):\n%s", diff)
	}

	// A pod no policy isolates: everything, anywhere; its peers' egress
	// still counts.
	za, err := Reach(s, "Pod/z/a")
	if err != nil {
		t.Fatal(err)
	}
	if za.Ingress.Isolated || !cmp.Equal(za.Ingress.Beyond, []Beyond{{Anywhere: true}}) {
		t.Errorf("z/a ingress: isolated %v, beyond %+v; want not isolated, anywhere", za.Ingress.Isolated, za.Ingress.Beyond)
	}
	froms := map[string]Allowed{}
	for _, a := range za.Ingress.Allowed {
		froms[a.From] = a
	}
	if _, ok := froms["Pod/x/a"]; ok {
		t.Errorf("x/a may send only to namespace w, yet it reaches z/a: %+v", froms["Pod/x/a"])
	}
	if got, want := froms["Pod/y/c"], (Allowed{From: "Pod/y/c", Ports: []string{"TCP/81"}, PeerPolicy: q, PeerRule: ptrInt(0)}); !cmp.Equal(got, want) {
		t.Errorf("z/a from y/c = %+v, want %+v", got, want)
	}
	if len(za.Ingress.Allowed) != len(l.pods)-2 { // all but itself and x/a
		t.Errorf("z/a is reached by %d pods, want %d", len(za.Ingress.Allowed), len(l.pods)-2)
	}

	if _, err := Reach(s, "Pod/x/nope"); !errors.Is(err, ErrNoPod) {
		t.Errorf("Reach of an unknown pod: %v, want ErrNoPod", err)
	}
	if _, err := Reach(s, "NetworkPolicy/x/p1"); !errors.Is(err, ErrNoPod) {
		t.Errorf("Reach of a policy: %v, want ErrNoPod", err)
	}
}

// TestReachNamespaceLabels: a namespace without a Namespace node is never
// guessed, except for the name label the API server always sets.
func TestReachNamespaceLabels(t *testing.T) {
	l := newNetLab()
	l.pod("w", "a")
	l.policy("x", "by-team", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "a"),
		Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "team", Operator: metav1.LabelSelectorOpDoesNotExist}}}})})
	l.policy("x", "by-name", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "b"),
		Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel(LabelNamespaceName, "w")})})
	l.policy("x", "by-name-and-team", networkingv1.NetworkPolicySpec{PodSelector: podSel("pod", "c"),
		Ingress: from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel(LabelNamespaceName, "y", "team", "red")})})
	// The Namespace node of y lacks the name label: it is the API's anyway.
	l.namespaces[1] = &Node{ID: "Namespace/y", Kind: KindNamespace, Name: "y", More: &NamespaceFields{Labels: map[string]string{"ns": "y", "team": "red"}}}
	s := l.state()
	cases := []struct {
		pod     string
		allowed []string
		unknown []string
	}{
		// DoesNotExist on an unknown label: undecided for w, decided for
		// the namespaces with nodes (y has a team label).
		{"Pod/x/a", []string{"Pod/x/b", "Pod/x/c", "Pod/z/a", "Pod/z/b", "Pod/z/c"}, []string{"Pod/w/a"}},
		{"Pod/x/b", []string{"Pod/w/a"}, nil},
		{"Pod/x/c", []string{"Pod/y/a", "Pod/y/b", "Pod/y/c"}, nil},
	}
	for _, c := range cases {
		r, err := Reach(s, c.pod)
		if err != nil {
			t.Fatal(err)
		}
		var allowed []string
		for _, a := range r.Ingress.Allowed {
			allowed = append(allowed, a.From)
		}
		if !cmp.Equal(allowed, c.allowed) || !cmp.Equal(r.Ingress.Unknown, c.unknown) {
			t.Errorf("%s: allowed from %v, unknown %v; want %v, %v", c.pod, allowed, r.Ingress.Unknown, c.allowed, c.unknown)
		}
	}
}

// TestReachHostNetwork: pods on the host network are neither isolated nor
// selected by pod or namespace selectors; rules without peers admit them.
func TestReachHostNetwork(t *testing.T) {
	l := newNetLab()
	l.pod("x", "h", func(p *corev1.Pod) { p.Spec.HostNetwork = true })
	l.policy("x", "same-ns", networkingv1.NetworkPolicySpec{Ingress: from(networkingv1.NetworkPolicyPeer{PodSelector: sel()})})
	l.policy("y", "open", networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{}}})
	s := l.state()
	h, err := Reach(s, "Pod/x/h")
	if err != nil {
		t.Fatal(err)
	}
	if !h.HostNetwork || h.Ingress.Isolated || h.Egress.Isolated {
		t.Errorf("x/h: hostNetwork %v, isolated %v/%v; want true, false/false", h.HostNetwork, h.Ingress.Isolated, h.Egress.Isolated)
	}
	reaches := func(from, to string) bool {
		r, err := Reach(s, to)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(r.Ingress.Allowed, func(a Allowed) bool { return a.From == from })
	}
	if reaches("Pod/x/h", "Pod/x/a") {
		t.Error("an empty podSelector admits a host-network pod")
	}
	if !reaches("Pod/x/b", "Pod/x/a") {
		t.Error("an empty podSelector does not admit a pod of its namespace")
	}
	if !reaches("Pod/x/h", "Pod/y/a") {
		t.Error("a rule without peers does not admit a host-network pod")
	}
}

// TestReachFilter: a viewer sees only peers inside its namespaces, and a
// count of the others; a pod outside them is not found.
func TestReachFilter(t *testing.T) {
	l := newNetLab()
	s := l.state()
	log := NewLog("e", 4)
	log.Reset("e", 1, values(s.Nodes), s.Snapshot(Filter{}).Edges, nil)
	r, err := log.Reach("Pod/x/a", NewFilter("x"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Ingress.Allowed) != 2 || r.Ingress.Hidden != 6 {
		t.Errorf("viewer of x: %d allowed, %d hidden; want 2 (x/b, x/c) and 6", len(r.Ingress.Allowed), r.Ingress.Hidden)
	}
	if _, err := log.Reach("Pod/y/a", NewFilter("x")); !errors.Is(err, ErrNoPod) {
		t.Errorf("a pod outside the viewer's namespaces: %v, want ErrNoPod", err)
	}
}

// TestReachJSON pins the answer's wire names (DESIGN.md).
func TestReachJSON(t *testing.T) {
	r := Reachability{Pod: "Pod/x/a",
		Ingress: Direction{Isolated: true, Policies: []string{"NetworkPolicy/x/p"},
			Allowed: []Allowed{{From: "Pod/x/b", Policy: "NetworkPolicy/x/p", Rule: ptrInt(0), Ports: []string{"TCP/80"}}},
			Beyond:  []Beyond{{IPBlock: &IPBlock{CIDR: "10.0.0.0/8"}, Policy: "NetworkPolicy/x/p", Rule: ptrInt(1)}}},
		Egress: Direction{Allowed: []Allowed{{To: "Pod/x/b"}}, Beyond: []Beyond{{Anywhere: true}}},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"pod":"Pod/x/a","ingress":{"isolated":true,"policies":["NetworkPolicy/x/p"],` +
		`"allowed":[{"from":"Pod/x/b","policy":"NetworkPolicy/x/p","rule":0,"ports":["TCP/80"]}],` +
		`"beyond":[{"ipBlock":{"cidr":"10.0.0.0/8"},"policy":"NetworkPolicy/x/p","rule":1}]},` +
		`"egress":{"isolated":false,"allowed":[{"to":"Pod/x/b"}],"beyond":[{"anywhere":true}]}}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

// reachCluster builds the State of 20 namespaces × 5 apps × 100 pods (as
// the model folds them: the pods of an app share their label map), with a
// Namespace node each and the given policies. unique gives every pod a
// label of its own, as StatefulSet pods have, so no two pods share a map.
func reachCluster(tb testing.TB, unique bool, policies ...*networkingv1.NetworkPolicy) *State {
	tb.Helper()
	m := NewModel()
	c := newCluster10k()
	for _, p := range c.raw {
		if unique {
			p = p.DeepCopy()
			p.Labels["pod-name"] = p.Name
		}
		p.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
		m.Set(p, t0)
	}
	for _, p := range policies {
		m.Set(p, t0)
	}
	m.Flush()
	nodes := m.Nodes()
	for ns := range 20 {
		name := fmt.Sprintf("team-%d", ns)
		nodes = append(nodes, &Node{ID: ID(KindNamespace, "", name), Kind: KindNamespace, Name: name,
			More: &NamespaceFields{Labels: map[string]string{LabelNamespaceName: name, "tier": fmt.Sprint(ns % 4)}}})
	}
	s := NewState()
	s.Load(1, nodes, m.Edges())
	return s
}

// twentyPolicies: in each of 10 namespaces a default deny (both ways) and
// an allow of app-0 from app-1 of the namespaces of its tier, on a named
// port, plus DNS egress.
func twentyPolicies() []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	for ns := range 10 {
		namespace := fmt.Sprintf("team-%d", ns)
		out = append(out, mkPolicy(namespace, "deny", nil, func(s *networkingv1.NetworkPolicySpec) {
			s.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
			s.Egress = []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, intstr.FromInt32(53))}}}
		}))
		out = append(out, mkPolicy(namespace, "allow", map[string]string{"app": "app-0"}, func(s *networkingv1.NetworkPolicySpec) {
			s.Ingress = from(networkingv1.NetworkPolicyPeer{NamespaceSelector: sel("tier", fmt.Sprint(ns%4)), PodSelector: sel("app", "app-1")})
			s.Ingress[0].Ports = []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromString("http"))}
		}))
	}
	return out
}

// bigPolicy has 500 ingress rules, each a namespace and a pod selector
// with expressions, and as many egress rules.
func bigPolicy() *networkingv1.NetworkPolicy {
	return mkPolicy("team-0", "big", nil, func(s *networkingv1.NetworkPolicySpec) {
		for i := range 500 {
			peer := networkingv1.NetworkPolicyPeer{
				NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{fmt.Sprint(i % 4)}}}},
				PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%d", i%7)},
					MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "pod-template-hash", Operator: metav1.LabelSelectorOpExists}}},
			}
			ports := []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(int32(8000+i)), int32(8000+i+10)), port(corev1.ProtocolTCP, intstr.FromString("http"))}
			s.Ingress = append(s.Ingress, networkingv1.NetworkPolicyIngressRule{From: []networkingv1.NetworkPolicyPeer{peer}, Ports: ports})
			s.Egress = append(s.Egress, networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{peer}, Ports: ports})
		}
	})
}

func benchReach(b *testing.B, s *State) {
	const pod = "Pod/team-0/app-0-7d9c5f6b8-00042"
	r, err := Reach(s, pod)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(r.Ingress.Allowed)), "ingress-peers")
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Reach(s, pod); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time, beside the wall time, as the machine may be shared.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime returns the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReach10k20Policies: one pod among 10,000, 20 policies (target
// ≤ 50 ms).
func BenchmarkReach10k20Policies(b *testing.B) {
	benchReach(b, reachCluster(b, false, twentyPolicies()...))
}

// BenchmarkReach10k20PoliciesUniqueLabels: the same where no two pods
// share labels, so none of the work is shared.
func BenchmarkReach10k20PoliciesUniqueLabels(b *testing.B) {
	benchReach(b, reachCluster(b, true, twentyPolicies()...))
}

// BenchmarkReach10kPolicy500Rules: a policy of 500 ingress and 500 egress
// rules with selectors selects the pod.
func BenchmarkReach10kPolicy500Rules(b *testing.B) {
	benchReach(b, reachCluster(b, false, append(twentyPolicies(), bigPolicy())...))
}

// BenchmarkReach10kPolicy500RulesUniqueLabels is the worst case measured.
func BenchmarkReach10kPolicy500RulesUniqueLabels(b *testing.B) {
	benchReach(b, reachCluster(b, true, append(twentyPolicies(), bigPolicy())...))
}

// TestReach10k checks the answer for one pod among 10,000 (20 policies);
// its time is BenchmarkReach10k's (speed lives in benchmarks).
func TestReach10k(t *testing.T) {
	s := reachCluster(t, false, twentyPolicies()...)
	r, err := Reach(s, "Pod/team-0/app-0-7d9c5f6b8-00042")
	if err != nil {
		t.Fatal(err)
	}
	// app-1 of the namespaces of tier 0 (team-0, 4, 8, 12, 16), but
	// those of team-0, 4 and 8 may send only DNS.
	if len(r.Ingress.Allowed) != 200 || !r.Ingress.Isolated {
		t.Fatalf("%d pods reach it (isolated %v), want 200 (isolated)", len(r.Ingress.Allowed), r.Ingress.Isolated)
	}
}

// TestReachService: the pods of a Service reachable from an Ingress
// controller's namespace, on the Service's target port.
func TestReachService(t *testing.T) {
	l := &netLab{m: NewModel()}
	l.namespace("x", map[string]string{LabelNamespaceName: "x"})
	l.namespace("ingress", map[string]string{LabelNamespaceName: "ingress", "role": "edge"})
	l.pod("ingress", "ctrl")
	l.pod("x", "web1", namedPort("http", 8080), func(p *corev1.Pod) { p.Labels = map[string]string{"app": "web", "exposed": "yes"} })
	l.pod("x", "web2", namedPort("http", 8080), func(p *corev1.Pod) { p.Labels = map[string]string{"app": "web"} })
	l.pod("x", "web3", namedPort("http", 9090), func(p *corev1.Pod) { p.Labels = map[string]string{"app": "web", "exposed": "yes"} })
	l.m.Set(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: "web"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}}}}, t0)
	l.policy("x", "deny", networkingv1.NetworkPolicySpec{})
	l.policy("x", "from-edge", networkingv1.NetworkPolicySpec{PodSelector: podSel("exposed", "yes"),
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("role", "edge")}},
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, intstr.FromInt32(8080))}}}})
	s := l.state()
	cases := []struct {
		from string
		want ServiceReach
	}{
		// web2 is not exposed; web3 serves http on 9090, which the
		// policy does not open.
		{"ingress", ServiceReach{Reachable: []string{"Pod/x/web1"}, Unreachable: []string{"Pod/x/web2", "Pod/x/web3"}}},
		// A namespace without pods or labels in the graph: a pod without
		// labels there might or might not match role=edge.
		{"elsewhere", ServiceReach{Reachable: []string{}, Unreachable: []string{"Pod/x/web2", "Pod/x/web3"}, Unknown: []string{"Pod/x/web1"}}},
		// Pods of the Service's own namespace are denied by default.
		{"x", ServiceReach{Reachable: []string{}, Unreachable: []string{"Pod/x/web1", "Pod/x/web2", "Pod/x/web3"}}},
	}
	for _, c := range cases {
		got, err := ReachService(s, "Service/x/web", c.from)
		if err != nil {
			t.Fatal(err)
		}
		c.want.Service, c.want.From = "Service/x/web", c.from
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("from %s (-want +got):\n%s", c.from, diff)
		}
	}
	if _, err := ReachService(s, "Service/x/nope", "ingress"); !errors.Is(err, ErrNoService) {
		t.Errorf("an unknown Service: %v, want ErrNoService", err)
	}
}
