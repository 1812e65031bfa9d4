//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	"github.com/podiumhq/podium/e2e/gatewaycrds"
	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers"
	"github.com/podiumhq/podium/informers/graph"
)

// TestGatewayAPI is issue #16's Gateway API acceptance: Podium, started
// before the cluster has the Gateway API, discovers its CRDs once they are
// installed (no restart); a Gateway and an HTTPRoute splitting traffic
// 90/10 between two Services show as nodes and weighted routes edges, the
// route accepted once its status says so (there is no controller: the test
// writes the status); the three-way check holds; the page draws them. The
// CRDs deleted, the objects leave the picture.
func TestGatewayAPI(t *testing.T) {
	ctx := context.Background()
	cs := lab.Client()
	ext, err := apiextensions.NewForConfig(lab.Config())
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gwclient.NewForConfig(lab.Config())
	if err != nil {
		t.Fatal(err)
	}
	// A run that died left them: discovery must start from none.
	if err := gatewaycrds.Uninstall(ctx, ext); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := gatewaycrds.Uninstall(ctx, ext); err != nil {
			t.Errorf("remove the Gateway API CRDs: %v", err)
		}
	})
	ns := labtest.NamespacePrefixed(t, lab, "gateway")
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns}})
	s := p.Dial(t, "namespace="+ns)

	for _, name := range []string{"stable", "canary"} {
		if _, err := cs.CoreV1().Services(ns).Create(ctx, bareService(ns, name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	gatewayConverged(t, p, s, cs, gw, ns, "without the Gateway API")
	if st, err := p.Status(ctx); err != nil || st.APIServer != "connected" || len(st.Denied) > 0 || len(st.Unavailable) > 0 {
		t.Fatalf("without the Gateway API: status %+v (%v); want connected, nothing denied or unavailable", st, err)
	}

	start := time.Now()
	names, err := gatewaycrds.Install(ctx, ext)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("installed %d CRDs from %s in %s", len(names), gatewaycrds.Module, time.Since(start).Round(time.Millisecond))

	className := ns // cluster-scoped: named after the test's namespace
	class := &gatewayv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: className},
		Spec: gatewayv1.GatewayClassSpec{ControllerName: "podium.dev/e2e"}}
	if _, err := gw.GatewayV1().GatewayClasses().Create(ctx, class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	g := &gatewayv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gatewayv1.GatewaySpec{GatewayClassName: gatewayv1.ObjectName(className),
			Listeners: []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType}}}}
	if _, err := gw.GatewayV1().Gateways(ns).Create(ctx, g, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	weight := func(w int32) *int32 { return &w }
	route := &gatewayv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: gatewayv1.HTTPRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "gw"}}},
			Hostnames:       []gatewayv1.Hostname{"shop.example"},
			Rules: []gatewayv1.HTTPRouteRule{{BackendRefs: []gatewayv1.HTTPBackendRef{
				{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{Name: "stable", Port: ptrPort(80)}, Weight: weight(90)}},
				{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{Name: "canary", Port: ptrPort(80)}, Weight: weight(10)}},
			}}},
		}}
	route, err = gw.GatewayV1().HTTPRoutes(ns).Create(ctx, route, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gid, rid := graph.ID(graph.KindGateway, ns, "gw"), graph.ID(graph.KindHTTPRoute, ns, "web")
	toGW := graph.EdgeID(graph.EdgeRoutes, gid, rid)
	toStable := graph.EdgeID(graph.EdgeRoutes, rid, graph.ID(graph.KindService, ns, "stable"))
	toCanary := graph.EdgeID(graph.EdgeRoutes, rid, graph.ID(graph.KindService, ns, "canary"))

	// Discovered without a restart: the three-way check covers the new kinds.
	snap := gatewayConverged(t, p, s, cs, gw, ns, "the Gateway API installed")
	t.Logf("Podium drew the Gateway API's objects %s after the CRDs were installed", time.Since(start).Round(time.Millisecond))
	if e := edge(snap, toGW); e == nil || e.Detail == nil || e.Accepted != graph.StatusUnknown {
		t.Errorf("before any status: %s is %+v, want accepted unknown", toGW, e)
	}
	for id, want := range map[string][2]int{toStable: {90, 90}, toCanary: {10, 10}} {
		e := edge(snap, id)
		if e == nil || e.Detail == nil || e.Weight == nil || e.Share == nil || *e.Weight != want[0] || *e.Share != want[1] {
			t.Errorf("%s: %+v, want weight %d, share %d%%", id, e, want[0], want[1])
		}
	}
	if n := node(snap, gid); n == nil || n.Gateway() == nil || n.Gateway().ClassController != "podium.dev/e2e" {
		t.Errorf("Gateway node %+v: want its class's controller", n)
	}

	// No controller runs in the lab: write the status one would.
	route.Status.Parents = []gatewayv1.RouteParentStatus{{
		ParentRef: gatewayv1.ParentReference{Name: "gw"}, ControllerName: "podium.dev/e2e",
		Conditions: []metav1.Condition{{Type: string(gatewayv1.RouteConditionAccepted), Status: metav1.ConditionTrue,
			Reason: string(gatewayv1.RouteReasonAccepted), ObservedGeneration: route.Generation, LastTransitionTime: metav1.Now()}},
	}}
	if _, err := gw.GatewayV1().HTTPRoutes(ns).UpdateStatus(ctx, route, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap = gatewayConverged(t, p, s, cs, gw, ns, "route accepted")
	if e := edge(snap, toGW); e == nil || e.Detail == nil || e.Accepted != graph.StatusTrue {
		t.Errorf("after the status: %s is %+v, want accepted true", toGW, e)
	}

	// Credentials without one of the resources: it is named in denied,
	// the rest is drawn, as for the built-in kinds.
	t.Run("RBAC without httproutes", func(t *testing.T) {
		deniedButDrawn(t, cs, ns, "httproutes.gateway.networking.k8s.io", func(g graph.Snapshot) error {
			if node(g, gid) == nil || node(g, rid) != nil {
				return fmt.Errorf("the Gateway drawn: %v, the route drawn: %v; want the Gateway only", node(g, gid) != nil, node(g, rid) != nil)
			}
			return nil
		})
	})

	// The page draws them, in the Ingress column.
	b := newBrowser(t, true)
	b.open(p.URL + "/?lang=en&namespace=" + url.QueryEscape(ns))
	waitDrawn(t, b, "gateway", []string{gid, rid, graph.ID(graph.KindService, ns, "stable"), graph.ID(graph.KindService, ns, "canary")},
		[]string{toGW, toStable, toCanary}, []string{})
	col := eval[[]float64](b, `(() => {
	  const x = (id) => document.querySelector('[data-id="' + CSS.escape(id) + '"]').getBoundingClientRect();
	  const g = x(`+jsString(gid)+`), r = x(`+jsString(rid)+`), s = x(`+jsString(graph.ID(graph.KindService, ns, "stable"))+`);
	  return [g.left, r.left, s.left, g.bottom, r.top];
	})()`)
	if col[0] != col[1] || col[2] <= col[1] || col[3] > col[4] {
		t.Errorf("Gateway at x %v, route at %v, Service at %v; Gateway bottom %v, route top %v: want the Gateway above its route in one column left of the Services", col[0], col[1], col[2], col[3], col[4])
	}
	labels := eval[[]string](b, `[...document.querySelectorAll('[data-edge^="routes:`+rid+`->"] text')].map((t) => t.textContent).sort()`)
	if !slices.Equal(labels, []string{"10%", "90%"}) {
		t.Errorf("route → Service labels %q, want 10%% and 90%%", labels)
	}
	if st := eval[string](b, `document.querySelector('[data-id="' + CSS.escape(`+jsString(rid)+`) + '"]').dataset.status`); st != "Accepted" {
		t.Errorf("route data-status %q, want Accepted", st)
	}
	b.shot("gateway")

	// The CRDs go: so do their objects, and nothing reads as unavailable.
	if err := gatewaycrds.Uninstall(ctx, ext); err != nil {
		t.Fatal(err)
	}
	gatewayConverged(t, p, s, cs, gw, ns, "the Gateway API removed")
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		if len(st.Denied) > 0 || len(st.Unavailable) > 0 || !st.Synced {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
}

func ptrPort(p gatewayv1.PortNumber) *gatewayv1.PortNumber { return &p }

// gatewayConverged is the three-way check with the Gateway API in it: the
// stream equals /api/graph (streamMatchesAPI), and /api/graph equals the
// API server's truth, the built-in kinds as listTruth has them and the
// Gateway API's as gatewayTruth derives them from the objects.
func gatewayConverged(t *testing.T, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, gw gwclient.Interface, ns, step string) graph.Snapshot {
	t.Helper()
	var got graph.Snapshot
	var last error // the last real mismatch, not the deadline cutting a request short
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		err := gatewayConvergedOnce(ctx, p, s, cs, gw, ns, step, &got)
		if err != nil && ctx.Err() != nil && last != nil {
			return last
		}
		last = err
		return err
	})
	return got
}

func gatewayConvergedOnce(ctx context.Context, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, gw gwclient.Interface, ns, step string, got *graph.Snapshot) error {
	api, err := streamMatchesAPI(ctx, p, s, "namespace="+ns, step)
	if err != nil {
		return err
	}
	want, err := listTruth(ctx, cs, ns)
	if err != nil {
		return err
	}
	if err := gatewayTruth(ctx, gw, ns, want); err != nil {
		return err
	}
	have := truthOf(api)
	for _, n := range api.Nodes {
		if n.Gateway() != nil || n.HTTPRoute() != nil || n.GRPCRoute() != nil {
			have.Nodes[n.ID] = gatewayNodeSummary(n)
		}
	}
	for _, e := range api.Edges {
		if e.Kind == graph.EdgeRoutes && e.Detail != nil && (e.Accepted != "" || e.Weight != nil) {
			have.Edges[e.ID] = routeEdgeSummary(e.Accepted, e.Weight)
		}
	}
	if d := want.diff(have); d != "" {
		return fmt.Errorf("%s: /api/graph differs from the API server:\n%s", step, d)
	}
	*got = api
	return nil
}

// gatewayTruth adds the Gateway API objects of ns to t, derived from the
// objects as the API server has them (not through the graph package):
// none while the API server does not serve them.
func gatewayTruth(ctx context.Context, gw gwclient.Interface, ns string, t truth) error {
	gws, err := gw.GatewayV1().Gateways(ns).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) { // not served: the CRDs are not installed
		return nil
	}
	if err != nil {
		return err
	}
	classes, err := gw.GatewayV1().GatewayClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	controller := map[string]string{}
	for _, c := range classes.Items {
		controller[c.Name] = string(c.Spec.ControllerName)
	}
	for _, g := range gws.Items {
		class := string(g.Spec.GatewayClassName)
		t.Nodes[graph.ID(graph.KindGateway, ns, g.Name)] = "class=" + class + " controller=" + controller[class]
	}
	routes, err := gw.GatewayV1().HTTPRoutes(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, r := range routes.Items {
		rid := graph.ID(graph.KindHTTPRoute, ns, r.Name)
		t.Nodes[rid] = fmt.Sprintf("rules=%d", len(r.Spec.Rules))
		for _, pr := range r.Spec.ParentRefs {
			accepted := graph.StatusUnknown
			for _, st := range r.Status.Parents {
				if st.ParentRef.Name != pr.Name {
					continue
				}
				for _, c := range st.Conditions {
					if c.Type == string(gatewayv1.RouteConditionAccepted) {
						accepted = strings.ToLower(string(c.Status))
					}
				}
			}
			t.Edges[graph.EdgeID(graph.EdgeRoutes, graph.ID(graph.KindGateway, ns, string(pr.Name)), rid)] = routeEdgeSummary(accepted, nil)
		}
		weights := map[string]int{}
		for _, rule := range r.Spec.Rules {
			for _, b := range rule.BackendRefs {
				w := 1
				if b.Weight != nil {
					w = int(*b.Weight)
				}
				weights[graph.ID(graph.KindService, ns, string(b.Name))] += w
			}
		}
		for svc, w := range weights {
			t.Edges[graph.EdgeID(graph.EdgeRoutes, rid, svc)] = routeEdgeSummary("", &w)
		}
	}
	return nil
}

func gatewayNodeSummary(n *graph.Node) string {
	if f := n.Gateway(); f != nil {
		return "class=" + f.Class + " controller=" + f.ClassController
	}
	f := n.HTTPRoute()
	if f == nil {
		f = n.GRPCRoute()
	}
	return fmt.Sprintf("rules=%d", len(f.Rules))
}

func routeEdgeSummary(accepted string, weight *int) string {
	if weight != nil {
		return fmt.Sprintf("weight=%d", *weight)
	}
	return "accepted=" + accepted
}

// deniedButDrawn starts Podium on ns with credentials that may read all it
// reads but res (gatewayKubeconfigWithout), and waits until its status is
// synced with exactly res denied and drawn(the graph of ns) holds: a kind
// Podium may not read is named, and the rest is drawn.
func deniedButDrawn(t *testing.T, cs kubernetes.Interface, ns, res string, drawn func(graph.Snapshot) error) {
	t.Helper()
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: gatewayKubeconfigWithout(t, cs, ns, res), Args: []string{"--namespace", ns}})
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		if !st.Synced || !slices.Equal(st.Denied, []string{res}) {
			return fmt.Errorf("status %+v; want synced, denied [%s]", st, res)
		}
		g, err := p.Graph(ctx, "namespace="+ns)
		if err != nil {
			return err
		}
		return drawn(g)
	})
}

// gatewayKubeconfigWithout returns a kubeconfig whose credentials (a
// ServiceAccount of ns, a ClusterRole named after ns) may read everything
// Podium reads but res.
func gatewayKubeconfigWithout(t *testing.T, cs kubernetes.Interface, ns, res string) string {
	t.Helper()
	ctx := context.Background()
	name := ns + "-without"
	sa, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "podium"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rules []rbacv1.PolicyRule
	for _, r := range informers.Resources() {
		if r == res {
			continue
		}
		resource, group, _ := strings.Cut(r, ".")
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: []string{"get", "list", "watch"}})
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := clientcmd.LoadFromFile(lab.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	raw.AuthInfos = map[string]*clientcmdapi.AuthInfo{"sa": {Token: tok.Status.Token}}
	for _, c := range raw.Contexts {
		c.AuthInfo = "sa"
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	return path
}
