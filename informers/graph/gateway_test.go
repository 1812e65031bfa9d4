package graph

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// gwEdgeString writes a routes edge of the Gateway API with what it
// carries besides its ends.
func gwEdgeString(e *Edge) string {
	s := e.ID
	if e.Detail == nil {
		return s
	}
	if e.Accepted != "" {
		s += " accepted=" + e.Accepted
	}
	if e.Label != "" {
		s += " label=" + e.Label
	}
	if e.Weight != nil {
		s += fmt.Sprintf(" weight=%d", *e.Weight)
	}
	if e.Share != nil {
		s += fmt.Sprintf(" share=%d", *e.Share)
	}
	return s
}

func gwEdgeStrings(es []*Edge) []string {
	out := []string{}
	for _, e := range es {
		if e.Kind == EdgeRoutes {
			out = append(out, gwEdgeString(e))
		}
	}
	slices.Sort(out)
	return out
}

// parent is a parentRef to a Gateway; ns and section are left out when "".
func parent(ns, name, section string) gatewayv1.ParentReference {
	p := gatewayv1.ParentReference{Name: gatewayv1.ObjectName(name)}
	if ns != "" {
		p.Namespace = ptr.To(gatewayv1.Namespace(ns))
	}
	if section != "" {
		p.SectionName = ptr.To(gatewayv1.SectionName(section))
	}
	return p
}

// backend is a backendRef to a Service; weight < 0 leaves it out, ns ""
// too.
func backend(ns, name string, weight int32) gatewayv1.HTTPBackendRef {
	b := gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(name), Port: ptr.To(gatewayv1.PortNumber(80))}}}
	if ns != "" {
		b.Namespace = ptr.To(gatewayv1.Namespace(ns))
	}
	if weight >= 0 {
		b.Weight = ptr.To(weight)
	}
	return b
}

// accepted is a route status entry for p.
func accepted(p gatewayv1.ParentReference, status metav1.ConditionStatus, reason string) gatewayv1.RouteParentStatus {
	return gatewayv1.RouteParentStatus{ParentRef: p, ControllerName: "example.com/gw",
		Conditions: []metav1.Condition{{Type: "Accepted", Status: status, Reason: reason}}}
}

func mkHTTPRoute(ns, name string, parents []gatewayv1.ParentReference, status []gatewayv1.RouteParentStatus, rules ...[]gatewayv1.HTTPBackendRef) *gatewayv1.HTTPRoute {
	r := &gatewayv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("u-" + ns + "-" + name)}}
	r.Spec.ParentRefs = parents
	r.Status.Parents = status
	for _, refs := range rules {
		r.Spec.Rules = append(r.Spec.Rules, gatewayv1.HTTPRouteRule{BackendRefs: refs})
	}
	return r
}

func TestRouteEdges(t *testing.T) {
	const r = "HTTPRoute/app/r"
	tests := []struct {
		name  string
		route *gatewayv1.HTTPRoute
		want  []string
	}{{
		name: "a parentRef without a namespace names a Gateway in the route's; accepted as its status says",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "")},
			[]gatewayv1.RouteParentStatus{accepted(parent("", "gw", ""), metav1.ConditionTrue, "Accepted")},
			[]gatewayv1.HTTPBackendRef{backend("", "web", -1)}),
		want: []string{
			"routes:Gateway/app/gw->" + r + " accepted=true",
			"routes:" + r + "->Service/app/web weight=1 share=100",
		},
	}, {
		name: "a parentRef with a namespace names a Gateway there; the status entry that names it with the namespace matches",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("infra", "gw", "")},
			[]gatewayv1.RouteParentStatus{accepted(parent("infra", "gw", ""), metav1.ConditionTrue, "Accepted")}),
		want: []string{"routes:Gateway/infra/gw->" + r + " accepted=true"},
	}, {
		name: "a status entry naming the route's own namespace matches a parentRef that leaves it out",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "")},
			[]gatewayv1.RouteParentStatus{accepted(parent("app", "gw", ""), metav1.ConditionFalse, "NotAllowedByListeners")}),
		want: []string{"routes:Gateway/app/gw->" + r + " accepted=false"},
	}, {
		name: "no status yet: unknown",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "")}, nil,
			[]gatewayv1.HTTPBackendRef{backend("", "web", 1)}),
		want: []string{
			"routes:Gateway/app/gw->" + r + " accepted=unknown",
			"routes:" + r + "->Service/app/web weight=1 share=100",
		},
	}, {
		name: "sectionName: one edge per Gateway labelled with its listeners; one listener unanswered makes it unknown",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "http"), parent("", "gw", "https")},
			// The entry without a section is for another parentRef.
			[]gatewayv1.RouteParentStatus{accepted(parent("", "gw", "http"), metav1.ConditionTrue, "Accepted"),
				accepted(parent("", "gw", ""), metav1.ConditionFalse, "x")}),
		want: []string{"routes:Gateway/app/gw->" + r + " accepted=unknown label=http,https"},
	}, {
		name: "sectionName: one listener rejecting the route makes the edge false",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "http"), parent("", "gw", "https")},
			[]gatewayv1.RouteParentStatus{accepted(parent("", "gw", "http"), metav1.ConditionTrue, "Accepted"),
				accepted(parent("", "gw", "https"), metav1.ConditionFalse, "NoMatchingListenerHostname")}),
		want: []string{"routes:Gateway/app/gw->" + r + " accepted=false label=http,https"},
	}, {
		name: "status accepted false",
		route: mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("", "gw", "")},
			[]gatewayv1.RouteParentStatus{accepted(parent("", "gw", ""), metav1.ConditionFalse, "NotAllowedByListeners")}),
		want: []string{"routes:Gateway/app/gw->" + r + " accepted=false"},
	}, {
		name:  "a 90/10 canary split is two weighted edges",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("", "stable", 90), backend("", "canary", 10)}),
		want: []string{
			"routes:" + r + "->Service/app/canary weight=10 share=10",
			"routes:" + r + "->Service/app/stable weight=90 share=90",
		},
	}, {
		name:  "backendRefs without a weight weigh 1 each",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("", "a", -1), backend("", "b", -1)}),
		want: []string{
			"routes:" + r + "->Service/app/a weight=1 share=50",
			"routes:" + r + "->Service/app/b weight=1 share=50",
		},
	}, {
		name:  "weight 0 is an edge with weight 0, no traffic",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("", "a", 3), backend("", "b", 0)}),
		want: []string{
			"routes:" + r + "->Service/app/a weight=3 share=100",
			"routes:" + r + "->Service/app/b weight=0 share=0",
		},
	}, {
		name:  "every weight 0: no share of nothing",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("", "a", 0)}),
		want:  []string{"routes:" + r + "->Service/app/a weight=0 share=0"},
	}, {
		name:  "a cross-namespace backend names the Service in its namespace",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("shared", "auth", -1)}),
		want:  []string{"routes:" + r + "->Service/shared/auth weight=1 share=100"},
	}, {
		name: "a Service in two rules: weights summed, no share",
		route: mkHTTPRoute("app", "r", nil, nil, []gatewayv1.HTTPBackendRef{backend("", "a", 2)},
			[]gatewayv1.HTTPBackendRef{backend("", "a", 1), backend("", "b", 1)}),
		want: []string{
			"routes:" + r + "->Service/app/a weight=3",
			"routes:" + r + "->Service/app/b weight=1 share=50",
		},
	}, {
		name: "parents that are not Gateways and backends that are not Services draw no edge; the latter keep their weight",
		route: func() *gatewayv1.HTTPRoute {
			mesh := parent("", "web", "")
			mesh.Group, mesh.Kind = ptr.To(gatewayv1.Group("")), ptr.To(gatewayv1.Kind("Service"))
			other := backend("", "bucket", 1)
			other.Group, other.Kind = ptr.To(gatewayv1.Group("example.com")), ptr.To(gatewayv1.Kind("Bucket"))
			return mkHTTPRoute("app", "r", []gatewayv1.ParentReference{mesh}, nil,
				[]gatewayv1.HTTPBackendRef{backend("", "a", 3), other})
		}(),
		want: []string{"routes:" + r + "->Service/app/a weight=3 share=75"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := gwEdgeStrings(RouteEdges(HTTPRouteNode(tt.route)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouteNodeFields(t *testing.T) {
	rt := mkHTTPRoute("app", "r", []gatewayv1.ParentReference{parent("infra", "gw", "http")},
		[]gatewayv1.RouteParentStatus{accepted(parent("infra", "gw", "http"), metav1.ConditionFalse, "NotAllowedByListeners")},
		[]gatewayv1.HTTPBackendRef{backend("", "web", 90), backend("", "canary", 10)})
	rt.Spec.Hostnames = []gatewayv1.Hostname{"shop.example"}
	get := gatewayv1.HTTPMethod("GET")
	rt.Spec.Rules[0].Matches = []gatewayv1.HTTPRouteMatch{
		{Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchExact), Value: ptr.To("/cart")}, Method: &get,
			Headers: []gatewayv1.HTTPHeaderMatch{{Name: "x", Value: "y"}}},
		{},
	}
	n := HTTPRouteNode(rt)
	want := &RouteFields{
		Hostnames: []string{"shop.example"},
		Parents:   []RouteParent{{Gateway: "Gateway/infra/gw", Section: "http", Accepted: StatusFalse, Reason: "NotAllowedByListeners"}},
		Rules: []RouteRule{{Matches: []string{"GET Exact /cart +1 headers", "PathPrefix /"},
			Backends: []RouteBackend{{Service: "Service/app/web", Port: 80, Weight: 90}, {Service: "Service/app/canary", Port: 80, Weight: 10}}}},
	}
	if diff := cmp.Diff(want, n.HTTPRoute()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if n.ID != "HTTPRoute/app/r" || n.GRPCRoute() != nil || n.Gateway() != nil {
		t.Errorf("node %+v", n)
	}

	g := &gatewayv1.GRPCRoute{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "g"}}
	g.Spec.Rules = []gatewayv1.GRPCRouteRule{{
		Matches:     []gatewayv1.GRPCRouteMatch{{Method: &gatewayv1.GRPCMethodMatch{Service: ptr.To("shop.Cart"), Method: ptr.To("Get")}}, {}},
		BackendRefs: []gatewayv1.GRPCBackendRef{{BackendRef: backend("", "cart", -1).BackendRef}},
	}}
	gn := GRPCRouteNode(g)
	if diff := cmp.Diff([]string{"Exact shop.Cart/Get", "*"}, gn.GRPCRoute().Rules[0].Matches); diff != "" {
		t.Errorf("gRPC matches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"routes:GRPCRoute/app/g->Service/app/cart weight=1 share=100"}, gwEdgeStrings(RouteEdges(gn))); diff != "" {
		t.Errorf("gRPC edges (-want +got):\n%s", diff)
	}
}

func mkGateway(ns, name, class string, conds ...metav1.Condition) *gatewayv1.Gateway {
	g := &gatewayv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: "u-gw"}}
	g.Spec.GatewayClassName = gatewayv1.ObjectName(class)
	g.Spec.Listeners = []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType, Hostname: ptr.To(gatewayv1.Hostname("*.example"))}}
	g.Spec.Addresses = []gatewayv1.GatewaySpecAddress{{Value: "10.0.0.9"}}
	g.Status.Conditions = conds
	return g
}

func mkClass(name, controller string, status metav1.ConditionStatus) *gatewayv1.GatewayClass {
	c := &gatewayv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: name}}
	c.Spec.ControllerName = gatewayv1.GatewayController(controller)
	c.Status.Conditions = []metav1.Condition{{Type: "Accepted", Status: status}}
	return c
}

func TestGatewayNode(t *testing.T) {
	g := mkGateway("infra", "gw", "eg", metav1.Condition{Type: "Accepted", Status: metav1.ConditionTrue, Reason: "Accepted"},
		metav1.Condition{Type: "Programmed", Status: metav1.ConditionFalse, Reason: "AddressNotAssigned", Message: "no address yet"},
		metav1.Condition{Type: "Other", Status: metav1.ConditionTrue})
	g.Status.Listeners = []gatewayv1.ListenerStatus{{Name: "http", AttachedRoutes: 2}}
	want := &GatewayFields{Class: "eg",
		Listeners: []GatewayListener{{Name: "http", Port: 80, Protocol: "HTTP", Hostname: "*.example", AttachedRoutes: 2}},
		Addresses: []string{"10.0.0.9"}, Accepted: StatusTrue, Programmed: StatusFalse,
		Conditions: []Condition{{Type: "Accepted", Status: "True", Reason: "Accepted"},
			{Type: "Programmed", Status: "False", Reason: "AddressNotAssigned", Message: "no address yet"}},
	}
	if diff := cmp.Diff(want, GatewayNode(g).Gateway()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	// The status's addresses, once assigned, replace what the spec asks.
	g.Status.Addresses = []gatewayv1.GatewayStatusAddress{{Value: "203.0.113.7"}}
	if got := GatewayNode(g).Gateway().Addresses; !slices.Equal(got, []string{"203.0.113.7"}) {
		t.Errorf("addresses %v, want the status's", got)
	}
	if f := GatewayNode(mkGateway("infra", "gw", "eg")).Gateway(); f.Accepted != StatusUnknown || f.Programmed != StatusUnknown {
		t.Errorf("no conditions: accepted %q, programmed %q; want unknown", f.Accepted, f.Programmed)
	}
}

// TestGatewayModel folds Gateway API objects through the model, as the
// informers do, and checks each delta.
func TestGatewayModel(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	m := NewModel()
	step := func(ops ...op) summary {
		t.Helper()
		for _, o := range ops {
			o.apply(m, now)
		}
		d := m.Flush()
		s := summarize(d)
		s.Edges = gwEdgeStrings(d.Upsert.Edges)
		return s
	}
	check := func(name string, got, want summary) {
		t.Helper()
		if diff := cmp.Diff(normalize(want), normalize(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	gwID, rID := "Gateway/app/gw", "HTTPRoute/app/r"
	p := parent("", "gw", "")
	route := mkHTTPRoute("app", "r", []gatewayv1.ParentReference{p}, nil,
		[]gatewayv1.HTTPBackendRef{backend("", "stable", 90), backend("", "canary", 10)})

	// A route whose Gateway and Services are missing: its edges dangle
	// until they come, as an Ingress's do.
	check("route first", step(set(route)), summary{Nodes: []string{rID}, Edges: []string{
		"routes:Gateway/app/gw->" + rID + " accepted=unknown",
		"routes:" + rID + "->Service/app/canary weight=10 share=10",
		"routes:" + rID + "->Service/app/stable weight=90 share=90",
	}})
	check("the Gateway and a Service come; the edges stay as they are", step(set(mkGateway("app", "gw", "eg")), set(mkService("app", "stable", nil))),
		summary{Nodes: []string{gwID, "Service/app/stable"}})
	if f := m.node(gwID).Gateway(); f.ClassController != "" || f.ClassAccepted != "" {
		t.Errorf("class fields %q %q before the class is seen", f.ClassController, f.ClassAccepted)
	}

	// The class comes, then changes: its Gateways are re-derived.
	check("class", step(set(mkClass("eg", "example.com/gw", metav1.ConditionTrue))), summary{Nodes: []string{gwID}})
	if f := m.node(gwID).Gateway(); f.ClassController != "example.com/gw" || f.ClassAccepted != StatusTrue {
		t.Errorf("class fields %q %q", f.ClassController, f.ClassAccepted)
	}
	check("class rejected", step(set(mkClass("eg", "example.com/gw", metav1.ConditionFalse))), summary{Nodes: []string{gwID}})
	if f := m.node(gwID).Gateway(); f.ClassAccepted != StatusFalse {
		t.Errorf("class accepted %q after the class was rejected", f.ClassAccepted)
	}
	check("another class changes nothing here", step(set(mkClass("other", "x", metav1.ConditionTrue))), summary{})

	// The controller accepts the route: only the Gateway edge changes.
	acc := route.DeepCopy()
	acc.Status.Parents = []gatewayv1.RouteParentStatus{accepted(p, metav1.ConditionTrue, "Accepted")}
	check("accepted", step(set(acc)), summary{Nodes: []string{rID}, Edges: []string{"routes:Gateway/app/gw->" + rID + " accepted=true"}})

	// Canary promoted: the canary's backend goes, stable takes it all.
	promoted := acc.DeepCopy()
	promoted.Spec.Rules[0].BackendRefs = []gatewayv1.HTTPBackendRef{backend("", "stable", 100)}
	check("promoted", step(set(promoted)), summary{Nodes: []string{rID},
		Edges:       []string{"routes:" + rID + "->Service/app/stable weight=100 share=100"},
		RemoveEdges: []string{"routes:" + rID + "->Service/app/canary"}})

	check("route deleted", step(del(HTTPRoutes, "app", "r")), summary{RemoveNodes: []string{rID},
		RemoveEdges: []string{"routes:Gateway/app/gw->" + rID, "routes:" + rID + "->Service/app/stable"}})
	check("class deleted: the Gateway loses its class's fields", step(del(GatewayClasses, "", "eg")), summary{Nodes: []string{gwID}})
	if f := m.node(gwID).Gateway(); f.ClassController != "" {
		t.Errorf("class controller %q after the class went", f.ClassController)
	}
	check("gateway deleted", step(del(Gateways, "app", "gw")), summary{RemoveNodes: []string{gwID}})
	check("a class after its Gateway went re-derives nothing", step(set(mkClass("eg", "y", metav1.ConditionTrue))), summary{})
	if got := gwEdgeStrings(m.Edges()); len(got) != 0 {
		t.Errorf("edges left: %v", got)
	}
	if got := nodeIDs(m.Nodes()); !slices.Equal(got, []string{"Service/app/stable"}) {
		t.Errorf("nodes left: %v", got)
	}
}
