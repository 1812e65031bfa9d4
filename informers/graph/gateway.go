package graph

import (
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Gateway API (issue #16): Gateways, HTTPRoutes and GRPCRoutes are nodes;
// GatewayClasses are not, their controller and acceptance are fields of
// the Gateways of the class (a class is one name per Gateway, and a box of
// its own would sit alone in a column). Routes carry everything their
// routes edges are derived from (their parents with the acceptance the
// route's status reports, their rules with the backends), so the edges are
// a pure function of the route node, as an Ingress's are of its node.
//
// What the derivations below read (the informer transforms must keep it):
// metadata name, namespace, uid; a GatewayClass's controllerName and
// conditions; a Gateway's gatewayClassName, listeners (name, hostname,
// port, protocol), spec and status addresses, conditions and listener
// attachedRoutes; a route's parentRefs, hostnames, rules (matches,
// backendRefs) and status parents (parentRef, conditions).
//
// Nothing is capped: the CRDs' validation bounds what a route holds (16
// rules, 16 backends a rule, 64 matches a rule, 16 hostnames, 32 parents).

// Gateway API kinds.
const (
	KindGateway   Kind = "Gateway"
	KindHTTPRoute Kind = "HTTPRoute"
	KindGRPCRoute Kind = "GRPCRoute"
)

// Gateway API resources: watched only while the API server serves them.
const (
	GatewayClasses Resource = "gatewayclasses"
	Gateways       Resource = "gateways"
	HTTPRoutes     Resource = "httproutes"
	GRPCRoutes     Resource = "grpcroutes"
)

// GatewayGroup is the Gateway API's group.
const GatewayGroup = "gateway.networking.k8s.io"

// Tri-state values of the accepted and programmed fields, from a
// condition's status.
const (
	StatusTrue    = "true"
	StatusFalse   = "false"
	StatusUnknown = "unknown" // no such condition, or its status is Unknown
)

// GatewayListener is one listener of a Gateway.
type GatewayListener struct {
	Name     string `json:"name"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	Hostname string `json:"hostname,omitempty"`
	// AttachedRoutes is what the Gateway's status reports for the
	// listener (0 when it reports nothing).
	AttachedRoutes int `json:"attachedRoutes"`
}

// GatewayFields are a Gateway's drawn fields.
type GatewayFields struct {
	Class string `json:"class"` // the GatewayClass's name
	// ClassController is the controllerName of the GatewayClass, "" while
	// Podium has not seen the class (absent, or not readable).
	ClassController string `json:"classController,omitempty"`
	// ClassAccepted is the class's Accepted condition (StatusTrue…);
	// "" while Podium has not seen the class.
	ClassAccepted string            `json:"classAccepted,omitempty"`
	Listeners     []GatewayListener `json:"listeners"`
	// Addresses are the status's addresses, else the ones the spec asks
	// for: the values only (an IP or a hostname).
	Addresses  []string    `json:"addresses,omitempty"`
	Accepted   string      `json:"accepted"`   // the Accepted condition: StatusTrue…
	Programmed string      `json:"programmed"` // the Programmed condition: StatusTrue…
	Conditions []Condition `json:"conditions,omitempty"`
}

// RouteParent is one parentRef of a route that names a Gateway, with the
// acceptance the route's status reports for it.
type RouteParent struct {
	Gateway  string `json:"gateway"`           // Gateway id
	Section  string `json:"section,omitempty"` // the listener's name (sectionName)
	Port     int    `json:"port,omitempty"`
	Accepted string `json:"accepted"`         // StatusTrue | StatusFalse | StatusUnknown
	Reason   string `json:"reason,omitempty"` // the Accepted condition's reason
}

// RouteBackend is one backendRef of a rule that names a Service.
type RouteBackend struct {
	Service string `json:"service"` // Service id (its namespace: the ref's, else the route's)
	Port    int    `json:"port,omitempty"`
	Weight  int    `json:"weight"` // the ref's weight, 1 when it sets none
}

// RouteRule is one rule of a route, summarised: its matches as text
// ("PathPrefix /api", "GET Exact /x", "Exact shop.Cart/Get"), its backends.
type RouteRule struct {
	Name     string         `json:"name,omitempty"`
	Matches  []string       `json:"matches,omitempty"`
	Backends []RouteBackend `json:"backends,omitempty"`
	// OtherWeight sums the weights of the backendRefs that name something
	// other than a Service: no edge is drawn to them, but they take their
	// share of the rule's traffic.
	OtherWeight int `json:"otherWeight,omitempty"`
}

// RouteFields are an HTTPRoute's or GRPCRoute's drawn fields.
type RouteFields struct {
	Hostnames []string      `json:"hostnames,omitempty"`
	Parents   []RouteParent `json:"parents"`
	Rules     []RouteRule   `json:"rules"`
}

// Gateway returns a Gateway's fields, or nil for other kinds.
func (n *Node) Gateway() *GatewayFields { return moreFields[GatewayFields](n, KindGateway) }

// HTTPRoute returns an HTTPRoute's fields, or nil for other kinds.
func (n *Node) HTTPRoute() *RouteFields { return moreFields[RouteFields](n, KindHTTPRoute) }

// GRPCRoute returns a GRPCRoute's fields, or nil for other kinds.
func (n *Node) GRPCRoute() *RouteFields { return moreFields[RouteFields](n, KindGRPCRoute) }

// route returns the fields of an HTTPRoute or a GRPCRoute, else nil.
func (n *Node) route() *RouteFields {
	if f := n.HTTPRoute(); f != nil {
		return f
	}
	return n.GRPCRoute()
}

// conditionStatus returns the tri-state of the condition t in cs, and its
// reason.
func conditionStatus(cs []metav1.Condition, t string) (string, string) {
	for _, c := range cs {
		if c.Type != t {
			continue
		}
		switch c.Status {
		case metav1.ConditionTrue:
			return StatusTrue, c.Reason
		case metav1.ConditionFalse:
			return StatusFalse, c.Reason
		}
		return StatusUnknown, c.Reason
	}
	return StatusUnknown, ""
}

// GatewayClassInfo is what a Gateway shows of its class.
type GatewayClassInfo struct {
	Controller string
	Accepted   string
}

// GatewayClassOf derives what a Gateway shows of a GatewayClass.
func GatewayClassOf(c *gatewayv1.GatewayClass) GatewayClassInfo {
	acc, _ := conditionStatus(c.Status.Conditions, string(gatewayv1.GatewayClassConditionStatusAccepted))
	return GatewayClassInfo{Controller: string(c.Spec.ControllerName), Accepted: acc}
}

// gatewayConditionTypes are the conditions a Gateway node carries.
var gatewayConditionTypes = []string{string(gatewayv1.GatewayConditionAccepted), string(gatewayv1.GatewayConditionProgrammed)}

// GatewayNode derives a Gateway's entity, without its class's fields
// (the model adds them from the GatewayClass it holds).
func GatewayNode(g *gatewayv1.Gateway) *Node {
	f := &GatewayFields{Class: string(g.Spec.GatewayClassName), Listeners: []GatewayListener{}}
	attached := map[string]int{}
	for _, l := range g.Status.Listeners {
		attached[string(l.Name)] = int(l.AttachedRoutes)
	}
	for _, l := range g.Spec.Listeners {
		gl := GatewayListener{Name: string(l.Name), Port: int(l.Port), Protocol: string(l.Protocol), AttachedRoutes: attached[string(l.Name)]}
		if l.Hostname != nil {
			gl.Hostname = string(*l.Hostname)
		}
		f.Listeners = append(f.Listeners, gl)
	}
	for _, a := range g.Status.Addresses {
		f.Addresses = append(f.Addresses, a.Value)
	}
	if len(f.Addresses) == 0 {
		for _, a := range g.Spec.Addresses {
			if a.Value != "" {
				f.Addresses = append(f.Addresses, a.Value)
			}
		}
	}
	f.Accepted, _ = conditionStatus(g.Status.Conditions, string(gatewayv1.GatewayConditionAccepted))
	f.Programmed, _ = conditionStatus(g.Status.Conditions, string(gatewayv1.GatewayConditionProgrammed))
	for _, t := range gatewayConditionTypes {
		for _, c := range g.Status.Conditions {
			if c.Type == t {
				f.Conditions = append(f.Conditions, Condition{Type: c.Type, Status: string(c.Status), Reason: c.Reason, Message: capMessage(c.Message)})
			}
		}
	}
	return &Node{ID: ID(KindGateway, g.Namespace, g.Name), Kind: KindGateway,
		Namespace: internID(g.Namespace), Name: g.Name, UID: string(g.UID), More: f}
}

// maxConditionMessage bounds a condition's message on a node: a
// controller may write a long one, and the picture shows a line of it.
const maxConditionMessage = 256

func capMessage(s string) string {
	if len(s) <= maxConditionMessage {
		return s
	}
	cut := maxConditionMessage
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// isGatewayRef reports whether a parentRef names a Gateway: the group
// and kind default to the Gateway API's Gateway.
func isGatewayRef(p gatewayv1.ParentReference) bool {
	return (p.Group == nil || string(*p.Group) == GatewayGroup) && (p.Kind == nil || string(*p.Kind) == string(KindGateway))
}

// sameParent reports whether two parentRefs name the same parent, with
// the defaults the API gives to what they leave out (the namespace: the
// route's).
func sameParent(a, b gatewayv1.ParentReference, routeNS string) bool {
	str := func(p *string, def string) string {
		if p == nil || *p == "" {
			return def
		}
		return *p
	}
	ns := func(p gatewayv1.ParentReference) string {
		if p.Namespace == nil {
			return routeNS
		}
		return str((*string)(p.Namespace), routeNS)
	}
	sec := func(p gatewayv1.ParentReference) string {
		if p.SectionName == nil {
			return ""
		}
		return string(*p.SectionName)
	}
	port := func(p gatewayv1.ParentReference) int32 {
		if p.Port == nil {
			return 0
		}
		return *p.Port
	}
	return isGatewayRef(a) == isGatewayRef(b) && a.Name == b.Name && ns(a) == ns(b) && sec(a) == sec(b) && port(a) == port(b)
}

// routeParents derives a route's Gateway parents, each with the Accepted
// condition of the status entry for the same parentRef (unknown when the
// status has none: no controller has looked at it yet).
func routeParents(ns string, refs []gatewayv1.ParentReference, st []gatewayv1.RouteParentStatus) []RouteParent {
	out := []RouteParent{}
	for _, p := range refs {
		if !isGatewayRef(p) {
			continue // a Service (mesh) or another kind of parent
		}
		gns := ns
		if p.Namespace != nil && *p.Namespace != "" {
			gns = string(*p.Namespace)
		}
		rp := RouteParent{Gateway: ID(KindGateway, gns, string(p.Name)), Accepted: StatusUnknown}
		if p.SectionName != nil {
			rp.Section = string(*p.SectionName)
		}
		if p.Port != nil {
			rp.Port = int(*p.Port)
		}
		for _, s := range st {
			if sameParent(p, s.ParentRef, ns) {
				rp.Accepted, rp.Reason = conditionStatus(s.Conditions, string(gatewayv1.RouteConditionAccepted))
				break
			}
		}
		out = append(out, rp)
	}
	return out
}

// routeBackend derives one backendRef: ok is false when it names
// something other than a core Service.
func routeBackend(ns string, b gatewayv1.BackendRef) (RouteBackend, bool) {
	if (b.Group != nil && *b.Group != "") || (b.Kind != nil && *b.Kind != "Service") {
		return RouteBackend{}, false
	}
	bns := ns
	if b.Namespace != nil && *b.Namespace != "" {
		bns = string(*b.Namespace)
	}
	rb := RouteBackend{Service: ID(KindService, bns, string(b.Name)), Weight: 1}
	if b.Port != nil {
		rb.Port = int(*b.Port)
	}
	if b.Weight != nil {
		rb.Weight = int(*b.Weight)
	}
	return rb, true
}

func routeRule(ns string, name *gatewayv1.SectionName, matches []string, refs []gatewayv1.BackendRef) RouteRule {
	r := RouteRule{Matches: matches}
	if name != nil {
		r.Name = string(*name)
	}
	for _, b := range refs {
		if rb, ok := routeBackend(ns, b); ok {
			r.Backends = append(r.Backends, rb)
		} else if b.Weight == nil {
			r.OtherWeight++
		} else {
			r.OtherWeight += int(*b.Weight)
		}
	}
	return r
}

func hostnames(hs []gatewayv1.Hostname) []string {
	var out []string
	for _, h := range hs {
		out = append(out, string(h))
	}
	return out
}

// HTTPRouteNode derives an HTTPRoute's entity.
func HTTPRouteNode(r *gatewayv1.HTTPRoute) *Node {
	rules := []RouteRule{}
	for _, rule := range r.Spec.Rules {
		refs := make([]gatewayv1.BackendRef, len(rule.BackendRefs))
		for i, b := range rule.BackendRefs {
			refs[i] = b.BackendRef
		}
		rules = append(rules, routeRule(r.Namespace, rule.Name, summaries(rule.Matches, httpMatch), refs))
	}
	return routeNode(KindHTTPRoute, r.ObjectMeta, r.Spec.CommonRouteSpec, r.Spec.Hostnames, r.Status.RouteStatus, rules)
}

// routeNode is an HTTPRoute's or GRPCRoute's entity, its rules summarised.
func routeNode(kind Kind, m metav1.ObjectMeta, spec gatewayv1.CommonRouteSpec, hosts []gatewayv1.Hostname, st gatewayv1.RouteStatus, rules []RouteRule) *Node {
	f := &RouteFields{Hostnames: hostnames(hosts), Rules: rules, Parents: routeParents(m.Namespace, spec.ParentRefs, st.Parents)}
	return &Node{ID: ID(kind, m.Namespace, m.Name), Kind: kind, Namespace: internID(m.Namespace), Name: m.Name, UID: string(m.UID), More: f}
}

// summaries is each match summarised by f (nil for none).
func summaries[M any](ms []M, f func(M) string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, f(m))
	}
	return out
}

// httpMatch summarises an HTTP match: "[METHOD ]Type /path", plus how
// many header and query conditions it adds.
func httpMatch(m gatewayv1.HTTPRouteMatch) string {
	var parts []string
	if m.Method != nil {
		parts = append(parts, string(*m.Method))
	}
	typ, path := string(gatewayv1.PathMatchPathPrefix), "/"
	if m.Path != nil {
		if m.Path.Type != nil {
			typ = string(*m.Path.Type)
		}
		if m.Path.Value != nil {
			path = *m.Path.Value
		}
	}
	parts = append(parts, typ, path)
	if n := len(m.Headers); n > 0 {
		parts = append(parts, "+"+strconv.Itoa(n)+" headers")
	}
	if n := len(m.QueryParams); n > 0 {
		parts = append(parts, "+"+strconv.Itoa(n)+" query")
	}
	return strings.Join(parts, " ")
}

// GRPCRouteNode derives a GRPCRoute's entity.
func GRPCRouteNode(r *gatewayv1.GRPCRoute) *Node {
	rules := []RouteRule{}
	for _, rule := range r.Spec.Rules {
		refs := make([]gatewayv1.BackendRef, len(rule.BackendRefs))
		for i, b := range rule.BackendRefs {
			refs[i] = b.BackendRef
		}
		rules = append(rules, routeRule(r.Namespace, rule.Name, summaries(rule.Matches, grpcMatch), refs))
	}
	return routeNode(KindGRPCRoute, r.ObjectMeta, r.Spec.CommonRouteSpec, r.Spec.Hostnames, r.Status.RouteStatus, rules)
}

// grpcMatch summarises a gRPC match: "Type service/method" ("*" for
// either left out), plus how many header conditions it adds.
func grpcMatch(m gatewayv1.GRPCRouteMatch) string {
	var parts []string
	if mm := m.Method; mm != nil {
		typ := string(gatewayv1.GRPCMethodMatchExact)
		if mm.Type != nil {
			typ = string(*mm.Type)
		}
		svc, method := "*", "*"
		if mm.Service != nil && *mm.Service != "" {
			svc = *mm.Service
		}
		if mm.Method != nil && *mm.Method != "" {
			method = *mm.Method
		}
		parts = append(parts, typ, svc+"/"+method)
	}
	if n := len(m.Headers); n > 0 {
		parts = append(parts, "+"+strconv.Itoa(n)+" headers")
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, " ")
}

// RouteEdges derives a route's routes edges: one from each Gateway among
// its parents (accepted: false when the status rejects any of its
// parentRefs to that Gateway, else unknown when one is unknown, else
// true; label: the listeners it names), and one to each Service among its
// backends (weight: the Service's weights summed over the rules; share:
// its percent of its rule's total weight, when it is in one rule only).
func RouteEdges(n *Node) []*Edge {
	f := n.route()
	if f == nil {
		return nil
	}
	var out []*Edge
	type parentAgg struct {
		accepted string
		sections []string
	}
	byGW := map[string]*parentAgg{}
	var gws []string
	for _, p := range f.Parents {
		a := byGW[p.Gateway]
		if a == nil {
			a = &parentAgg{accepted: StatusTrue}
			byGW[p.Gateway] = a
			gws = append(gws, p.Gateway)
		}
		switch {
		case p.Accepted == StatusFalse:
			a.accepted = StatusFalse
		case p.Accepted != StatusTrue && a.accepted == StatusTrue:
			a.accepted = StatusUnknown
		}
		if p.Section != "" && !slices.Contains(a.sections, p.Section) {
			a.sections = append(a.sections, p.Section)
		}
	}
	for _, gw := range gws {
		a := byGW[gw]
		out = append(out, &Edge{ID: EdgeID(EdgeRoutes, gw, n.ID), Kind: EdgeRoutes, From: gw, To: n.ID,
			Detail: &Detail{Accepted: a.accepted, Label: strings.Join(a.sections, ",")}})
	}
	type backendAgg struct {
		weight, rules, share int
	}
	bySvc := map[string]*backendAgg{}
	var svcs []string
	for _, r := range f.Rules {
		total := r.OtherWeight
		for _, b := range r.Backends {
			total += b.Weight
		}
		inRule := map[string]bool{}
		for _, b := range r.Backends {
			a := bySvc[b.Service]
			if a == nil {
				a = &backendAgg{}
				bySvc[b.Service] = a
				svcs = append(svcs, b.Service)
			}
			a.weight += b.Weight
			if !inRule[b.Service] {
				inRule[b.Service] = true
				a.rules++
				a.share = 0
			}
			if total > 0 {
				a.share += b.Weight * 100 / total
			}
		}
	}
	for _, svc := range svcs {
		a := bySvc[svc]
		d := &Detail{Weight: new(int)}
		*d.Weight = a.weight
		if a.rules == 1 {
			d.Share = new(int)
			*d.Share = a.share
		}
		out = append(out, &Edge{ID: EdgeID(EdgeRoutes, n.ID, svc), Kind: EdgeRoutes, From: n.ID, To: svc, Detail: d})
	}
	return out
}
