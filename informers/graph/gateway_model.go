package graph

import (
	"time"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// gatewayState is what the model keeps of the Gateway API besides its
// nodes: the GatewayClasses (no nodes of their own) and the Gateways as
// derived from their own object, so that a class change re-derives them.
type gatewayState struct {
	classes  map[string]GatewayClassInfo // by class name
	gateways map[string]*Node            // by id, without the class's fields
}

// setGateway folds in obj when it is a Gateway API object, and reports
// whether it was.
func (m *Model) setGateway(obj any, now time.Time) bool {
	switch o := obj.(type) {
	case *gatewayv1.GatewayClass:
		if o != nil && o.Name != "" {
			m.gatewayState().classes[o.Name] = GatewayClassOf(o)
			m.reclass(o.Name, now)
		}
	case *gatewayv1.Gateway:
		if o != nil && o.Namespace != "" && o.Name != "" {
			n := GatewayNode(o)
			m.gatewayState().gateways[n.ID] = n
			m.setNode(m.withClass(n), now)
		}
	case *gatewayv1.HTTPRoute:
		if o != nil && o.Namespace != "" && o.Name != "" {
			m.setRoute(HTTPRouteNode(o), now)
		}
	case *gatewayv1.GRPCRoute:
		if o != nil && o.Namespace != "" && o.Name != "" {
			m.setRoute(GRPCRouteNode(o), now)
		}
	default:
		return false
	}
	return true
}

// deleteGateway folds in the deletion of a Gateway API object, and reports
// whether r is a Gateway API resource.
func (m *Model) deleteGateway(r Resource, namespace, name string, now time.Time) bool {
	switch r {
	case GatewayClasses:
		if m.gw != nil {
			delete(m.gw.classes, name)
			m.reclass(name, now)
		}
	case Gateways:
		id := ID(KindGateway, namespace, name)
		if m.gw != nil {
			delete(m.gw.gateways, id)
		}
		m.removeNode(id, now)
	case HTTPRoutes, GRPCRoutes:
		kind := KindHTTPRoute
		if r == GRPCRoutes {
			kind = KindGRPCRoute
		}
		if old := m.removeNode(ID(kind, namespace, name), now); old != nil {
			m.moveEdges(RouteEdges(old), nil)
		}
	default:
		return false
	}
	return true
}

func (m *Model) gatewayState() *gatewayState {
	if m.gw == nil {
		m.gw = &gatewayState{classes: map[string]GatewayClassInfo{}, gateways: map[string]*Node{}}
	}
	return m.gw
}

// withClass returns n with its class's fields, from the class the model
// holds (none: the fields stay empty).
func (m *Model) withClass(n *Node) *Node {
	c, ok := m.gatewayState().classes[n.Gateway().Class]
	if !ok {
		return n
	}
	f := *n.Gateway()
	f.ClassController, f.ClassAccepted = c.Controller, c.Accepted
	out := *n
	out.More = &f
	return &out
}

// reclass re-derives the Gateways of the class name.
func (m *Model) reclass(name string, now time.Time) {
	for _, n := range m.gatewayState().gateways {
		if n.Gateway().Class == name {
			m.setNode(m.withClass(n), now)
		}
	}
}

// setRoute folds in a route and moves its routes edges.
func (m *Model) setRoute(n *Node, now time.Time) {
	old := m.node(n.ID)
	m.setNode(n, now)
	var was []*Edge
	if old != nil {
		was = RouteEdges(old)
	}
	m.moveEdges(was, RouteEdges(n))
}

// moveEdges replaces the stored edges was with is: those only in was go,
// the others are put (an equal one stays as it is).
func (m *Model) moveEdges(was, is []*Edge) {
	keep := make(map[string]bool, len(is))
	for _, e := range is {
		keep[e.ID] = true
	}
	for _, e := range was {
		if !keep[e.ID] {
			m.delEdge([]byte(e.ID))
		}
	}
	for _, e := range is {
		m.putEdge(e)
	}
}
