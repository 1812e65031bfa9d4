package informers

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// TransformGateway strips a Gateway API object to what informers/graph's
// gateway.go reads, in place, as the other transforms do (see
// transform.go): metadata down to identity and versions, with no labels
// or annotations; filters, timeouts, retries, TLS settings, infrastructure
// and allowed routes go. A cache.DeletedFinalStateUnknown has its object
// stripped in a copy.
func TransformGateway(obj any) (any, error) {
	switch o := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		return tombstone(o, TransformGateway)
	case *gatewayv1.GatewayClass:
		if o == nil {
			return nil, fmt.Errorf("transform GatewayClass: nil object")
		}
		stripMeta(&o.ObjectMeta, nil)
		*o = gatewayv1.GatewayClass{ObjectMeta: o.ObjectMeta,
			Spec:   gatewayv1.GatewayClassSpec{ControllerName: o.Spec.ControllerName},
			Status: gatewayv1.GatewayClassStatus{Conditions: conditionsOnly(o.Status.Conditions)}}
	case *gatewayv1.Gateway:
		if o == nil {
			return nil, fmt.Errorf("transform Gateway: nil object")
		}
		stripMeta(&o.ObjectMeta, nil)
		ls := o.Spec.Listeners
		for i, l := range ls {
			ls[i] = gatewayv1.Listener{Name: l.Name, Hostname: l.Hostname, Port: l.Port, Protocol: l.Protocol}
		}
		st := o.Status.Listeners
		for i, l := range st {
			st[i] = gatewayv1.ListenerStatus{Name: l.Name, AttachedRoutes: l.AttachedRoutes}
		}
		*o = gatewayv1.Gateway{ObjectMeta: o.ObjectMeta,
			Spec: gatewayv1.GatewaySpec{GatewayClassName: o.Spec.GatewayClassName, Listeners: ls, Addresses: o.Spec.Addresses},
			Status: gatewayv1.GatewayStatus{Addresses: o.Status.Addresses, Listeners: st,
				Conditions: conditionsOnly(o.Status.Conditions)}}
	case *gatewayv1.HTTPRoute:
		if o == nil {
			return nil, fmt.Errorf("transform HTTPRoute: nil object")
		}
		stripMeta(&o.ObjectMeta, nil)
		rules := o.Spec.Rules
		for i, r := range rules {
			refs := r.BackendRefs
			for j, b := range refs {
				refs[j] = gatewayv1.HTTPBackendRef{BackendRef: b.BackendRef}
			}
			rules[i] = gatewayv1.HTTPRouteRule{Name: r.Name, Matches: r.Matches, BackendRefs: refs}
		}
		*o = gatewayv1.HTTPRoute{ObjectMeta: o.ObjectMeta,
			Spec: gatewayv1.HTTPRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: o.Spec.ParentRefs},
				Hostnames: o.Spec.Hostnames, Rules: rules},
			Status: gatewayv1.HTTPRouteStatus{RouteStatus: routeStatusOnly(o.Status.RouteStatus)}}
	case *gatewayv1.GRPCRoute:
		if o == nil {
			return nil, fmt.Errorf("transform GRPCRoute: nil object")
		}
		stripMeta(&o.ObjectMeta, nil)
		rules := o.Spec.Rules
		for i, r := range rules {
			refs := r.BackendRefs
			for j, b := range refs {
				refs[j] = gatewayv1.GRPCBackendRef{BackendRef: b.BackendRef}
			}
			rules[i] = gatewayv1.GRPCRouteRule{Name: r.Name, Matches: r.Matches, BackendRefs: refs}
		}
		*o = gatewayv1.GRPCRoute{ObjectMeta: o.ObjectMeta,
			Spec: gatewayv1.GRPCRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: o.Spec.ParentRefs},
				Hostnames: o.Spec.Hostnames, Rules: rules},
			Status: gatewayv1.GRPCRouteStatus{RouteStatus: routeStatusOnly(o.Status.RouteStatus)}}
	}
	return obj, nil
}

// conditionsOnly keeps each condition's type, status, reason and message;
// the times and generations go, so a controller re-stamping them changes
// nothing the model sees.
func conditionsOnly(cs []metav1.Condition) []metav1.Condition {
	for i, c := range cs {
		cs[i] = metav1.Condition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message}
	}
	return cs
}

// routeStatusOnly keeps each parent's reference and its conditions.
func routeStatusOnly(s gatewayv1.RouteStatus) gatewayv1.RouteStatus {
	ps := s.Parents
	for i, p := range ps {
		ps[i] = gatewayv1.RouteParentStatus{ParentRef: p.ParentRef, Conditions: conditionsOnly(p.Conditions)}
	}
	return gatewayv1.RouteStatus{Parents: ps}
}
