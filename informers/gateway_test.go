package informers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	k8stesting "k8s.io/client-go/testing"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/podiumhq/podium/informers/graph"
)

// fakeGatewayAPI is an API server's Gateway API as the Watcher sees it:
// CRDs through a metadata client, objects through a typed one, and
// discovery serving what served says.
type fakeGatewayAPI struct {
	meta *metadatafake.FakeMetadataClient
	gw   *gwfake.Clientset

	mu     sync.Mutex
	served map[graph.Resource]bool
	calls  int // discovery requests
}

func newFakeGatewayAPI(t *testing.T, objs ...runtime.Object) *fakeGatewayAPI {
	t.Helper()
	scheme := metadatafake.NewTestScheme()
	gv := schema.GroupVersion{Group: crdGVR.Group, Version: crdGVR.Version}
	scheme.AddKnownTypeWithName(gv.WithKind("CustomResourceDefinition"), &metav1.PartialObjectMetadata{})
	scheme.AddKnownTypeWithName(gv.WithKind("CustomResourceDefinitionList"), &metav1.PartialObjectMetadataList{})
	f := &fakeGatewayAPI{meta: metadatafake.NewSimpleMetadataClient(scheme), gw: gwfake.NewSimpleClientset(),
		served: map[graph.Resource]bool{}}
	// Through the tracker with their resource named: the fake guesses
	// "gatewaies" from the kind Gateway.
	for _, o := range objs {
		var r graph.Resource
		switch o.(type) {
		case *gatewayv1.GatewayClass:
			r = graph.GatewayClasses
		case *gatewayv1.Gateway:
			r = graph.Gateways
		case *gatewayv1.HTTPRoute:
			r = graph.HTTPRoutes
		case *gatewayv1.GRPCRoute:
			r = graph.GRPCRoutes
		}
		m := metaOf(o)
		gvr := schema.GroupVersionResource{Group: graph.GatewayGroup, Version: "v1", Resource: string(r)}
		if err := f.gw.Tracker().Create(gvr, o, m.GetNamespace()); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fakeGatewayAPI) discover(context.Context) (map[graph.Resource]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return maps.Clone(f.served), nil
}

// install serves every Gateway API resource and creates their CRDs, as
// kubectl apply of the standard CRDs does.
func (f *fakeGatewayAPI) install(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	for _, r := range gatewayResources {
		f.served[r.name] = true
	}
	f.mu.Unlock()
	for _, r := range gatewayResources {
		crd := &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"},
			ObjectMeta: metav1.ObjectMeta{Name: string(r.name) + "." + graph.GatewayGroup}}
		if _, err := f.meta.Resource(crdGVR).(metadatafake.MetadataClient).CreateFake(crd, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// uninstall deletes the CRDs and stops serving the resources.
func (f *fakeGatewayAPI) uninstall(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	clear(f.served)
	f.mu.Unlock()
	for _, r := range gatewayResources {
		if err := f.meta.Resource(crdGVR).Delete(context.Background(), string(r.name)+"."+graph.GatewayGroup, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func gatewayObjects() []runtime.Object {
	mf := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate}}
	meta := func(ns, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: ns, Name: name, UID: "u-" + "x", ResourceVersion: "1", ManagedFields: mf,
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}, Labels: map[string]string{"app": "shop"}}
	}
	gw := &gatewayv1.Gateway{ObjectMeta: meta("shop", "gw"), Spec: gatewayv1.GatewaySpec{GatewayClassName: "eg",
		Listeners: []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType,
			AllowedRoutes: &gatewayv1.AllowedRoutes{Namespaces: &gatewayv1.RouteNamespaces{From: ptr(gatewayv1.NamespacesFromSame)}}}}}}
	class := &gatewayv1.GatewayClass{ObjectMeta: meta("", "eg"), Spec: gatewayv1.GatewayClassSpec{ControllerName: "example.com/gw", Description: ptr("the class")}}
	backend := func(name string, w int32) gatewayv1.HTTPBackendRef {
		return gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{Name: gatewayv1.ObjectName(name)}, Weight: &w},
			Filters: []gatewayv1.HTTPRouteFilter{{Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier}}}
	}
	route := &gatewayv1.HTTPRoute{ObjectMeta: meta("shop", "web"), Spec: gatewayv1.HTTPRouteSpec{
		CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "gw"}}},
		Hostnames:       []gatewayv1.Hostname{"shop.example"},
		Rules: []gatewayv1.HTTPRouteRule{{BackendRefs: []gatewayv1.HTTPBackendRef{backend("stable", 90), backend("canary", 10)},
			Timeouts: &gatewayv1.HTTPRouteTimeouts{Request: ptr(gatewayv1.Duration("5s"))}}}},
		Status: gatewayv1.HTTPRouteStatus{RouteStatus: gatewayv1.RouteStatus{Parents: []gatewayv1.RouteParentStatus{{
			ParentRef: gatewayv1.ParentReference{Name: "gw"}, ControllerName: "example.com/gw",
			Conditions: []metav1.Condition{{Type: "Accepted", Status: metav1.ConditionTrue, Reason: "Accepted", LastTransitionTime: metav1.Now(), ObservedGeneration: 3}}}}}}}
	grpc := &gatewayv1.GRPCRoute{ObjectMeta: meta("shop", "cart"), Spec: gatewayv1.GRPCRouteSpec{
		CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "gw"}}},
		Rules:           []gatewayv1.GRPCRouteRule{{BackendRefs: []gatewayv1.GRPCBackendRef{{BackendRef: backend("cart", 1).BackendRef}}}}}}
	return []runtime.Object{class, gw, route, grpc}
}

// TestGatewayDiscovery: without the Gateway API nothing is watched and
// nothing errs; its CRDs installed while Podium runs start the informers
// (no restart), and the objects show; RBAC denying one resource names it
// in denied; the CRDs deleted take the objects out again.
func TestGatewayDiscovery(t *testing.T) {
	for _, namespaces := range [][]string{nil, {"shop", "other"}} {
		t.Run(fmt.Sprintf("namespaces %v", namespaces), func(t *testing.T) { testGatewayDiscovery(t, namespaces) })
	}
}

func testGatewayDiscovery(t *testing.T, namespaces []string) {
	api := newFakeGatewayAPI(t, gatewayObjects()...)
	api.gw.PrependReactor("list", "grpcroutes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: graph.GatewayGroup, Resource: "grpcroutes"}, "", errors.New("RBAC: access denied"))
	})
	client := fake.NewClientset(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "stable"}})
	l := graph.NewLog("e", 64)
	w := newFake(t, client, l, Options{Logger: slog.New(slog.DiscardHandler), Namespaces: namespaces}, &api.gw.Fake)
	w.gw = newGatewayWatch(w, api.meta, api.discover)
	run(t, w)
	waitFor(t, l, "sync", w.Synced)
	if hasNode(l, "Gateway/shop/gw") || len(w.Status().Denied) > 0 || len(w.Status().Unavailable) > 0 {
		t.Fatalf("without the Gateway API: gateway in the graph %v, status %+v", hasNode(l, "Gateway/shop/gw"), w.Status())
	}
	if acts := api.gw.Actions(); len(acts) > 0 {
		t.Errorf("without the Gateway API, Podium asked for %v", acts)
	}

	api.install(t)
	// The Gateway with its class's controller: the class may come after.
	waitFor(t, l, "the Gateway API's objects", func() bool {
		gw := nodeIn(l, "Gateway/shop/gw")
		return gw != nil && gw.Gateway().ClassController == "example.com/gw" && hasNode(l, "HTTPRoute/shop/web")
	})
	waitFor(t, l, "grpcroutes denied", func() bool { return slices.Contains(w.Status().Denied, "grpcroutes.gateway.networking.k8s.io") })
	snap := l.Snapshot(graph.Filter{})
	var edges []string
	for _, e := range snap.Edges {
		if e.Kind == graph.EdgeRoutes {
			edges = append(edges, fmt.Sprintf("%s accepted=%q weight=%v", e.ID, e.Accepted, ptrString(e.Weight)))
		}
	}
	want := []string{
		`routes:Gateway/shop/gw->HTTPRoute/shop/web accepted="true" weight=-`,
		`routes:HTTPRoute/shop/web->Service/shop/canary accepted="" weight=10`,
		`routes:HTTPRoute/shop/web->Service/shop/stable accepted="" weight=90`,
	}
	slices.Sort(edges)
	if diff := cmp.Diff(want, edges); diff != "" {
		t.Errorf("routes edges (-want +got):\n%s", diff)
	}
	// Restricted to namespaces, the namespaced resources are listed in
	// each of them, as the built-in kinds are; GatewayClasses cluster-wide.
	for _, a := range api.gw.Actions() {
		if a.GetVerb() != "list" {
			continue
		}
		res := a.GetResource().Resource
		if want := namespaces; res == string(graph.GatewayClasses) || len(want) == 0 {
			if a.GetNamespace() != "" {
				t.Errorf("listed %s in namespace %q, want all", res, a.GetNamespace())
			}
		} else if !slices.Contains(want, a.GetNamespace()) {
			t.Errorf("listed %s in namespace %q, want one of %v", res, a.GetNamespace(), want)
		}
	}
	// What is cached is transformed.
	w.mu.Lock()
	for _, wd := range w.gwWatched {
		for _, obj := range wd.informer.GetStore().List() {
			if m := metaOf(obj); len(m.GetManagedFields()) > 0 || len(m.GetAnnotations()) > 0 {
				t.Errorf("%s: cached %s with its managed fields or annotations", wd.res.qualified(), m.GetName())
			}
		}
	}
	w.mu.Unlock()

	api.uninstall(t)
	waitFor(t, l, "the Gateway API's objects gone", func() bool {
		return !hasNode(l, "Gateway/shop/gw") && !hasNode(l, "HTTPRoute/shop/web")
	})
	waitFor(t, l, "grpcroutes no longer denied", func() bool { return len(w.Status().Denied) == 0 })
	for _, e := range l.Snapshot(graph.Filter{}).Edges {
		if e.Kind == graph.EdgeRoutes {
			t.Errorf("edge %s left after the CRDs went", e.ID)
		}
	}
	if !hasNode(l, "Service/shop/stable") {
		t.Error("the Service went with the Gateway API")
	}
}

// nodeIn returns the node of l's snapshot with this id, or nil.
func nodeIn(l *graph.Log, id string) *graph.Node {
	for _, n := range l.Snapshot(graph.Filter{}).Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

func ptrString(p *int) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// TestTransformGateway: the model derives the same from a stripped
// Gateway API object as from the whole one, and stripping is idempotent.
func TestTransformGateway(t *testing.T) {
	now := metav1.Now().Time
	for _, obj := range gatewayObjects() {
		t.Run(fmt.Sprintf("%T", obj), func(t *testing.T) {
			full, stripped := graph.NewModel(), graph.NewModel()
			full.Set(obj.DeepCopyObject(), now)
			before := len(jsonOf(t, obj))
			out, err := TransformGateway(obj)
			if err != nil {
				t.Fatal(err)
			}
			if out != obj {
				t.Fatalf("TransformGateway returned a %T at %p, not its input at %p stripped in place", out, out, obj)
			}
			stripped.Set(out, now)
			if diff := cmp.Diff(full.Nodes(), stripped.Nodes()); diff != "" {
				t.Errorf("nodes (-full +stripped):\n%s", diff)
			}
			if diff := cmp.Diff(full.Edges(), stripped.Edges()); diff != "" {
				t.Errorf("edges (-full +stripped):\n%s", diff)
			}
			a := jsonOf(t, out)
			t.Logf("JSON %d B whole, %d B stripped", before, len(a))
			again, err := TransformGateway(out)
			if err != nil {
				t.Fatal(err)
			}
			if b := jsonOf(t, again); a != b {
				t.Errorf("not idempotent:\n%s\n%s", a, b)
			}
			for _, gone := range []string{"managedFields", "last-applied", "filters", "timeouts", "allowedRoutes", "description", `"lastTransitionTime":"`, `"labels"`} {
				if strings.Contains(a, gone) {
					t.Errorf("stripped object still has %s: %s", gone, a)
				}
			}
		})
	}
}

// TestGatewayAtStart: a cluster that has the Gateway API when Podium
// starts has its objects in the first synced snapshot.
func TestGatewayAtStart(t *testing.T) {
	api := newFakeGatewayAPI(t, gatewayObjects()...)
	api.install(t)
	l := graph.NewLog("e", 64)
	w := newFake(t, fake.NewClientset(), l, Options{Logger: slog.New(slog.DiscardHandler)}, &api.gw.Fake)
	w.gw = newGatewayWatch(w, api.meta, api.discover)
	run(t, w)
	waitFor(t, l, "sync", w.Synced)
	for _, id := range []string{"Gateway/shop/gw", "HTTPRoute/shop/web", "GRPCRoute/shop/cart"} {
		if !hasNode(l, id) {
			t.Errorf("%s is not in the first synced snapshot", id)
		}
	}
}
