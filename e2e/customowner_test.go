//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

const widgetGroup = "podium-test.example.com"

var widgetGVR = schema.GroupVersionResource{Group: widgetGroup, Version: "v1", Resource: "widgets"}

// TestCustomOwner is issue #16's custom owner acceptance: a CRD of the
// test's own (Widget), a Widget, and a "controller" step that creates a
// ReplicaSet owned by it. Podium draws the Widget as the ReplicaSet's
// owner with metadata only, and the owns edge; the three-way check holds.
// Credentials that may not list widgets name them in denied and still
// show the ReplicaSet. With --read-status the Widget's conditions show.
// The page draws the Widget's box.
func TestCustomOwner(t *testing.T) {
	ctx := context.Background()
	cs := lab.Client()
	ext, err := apiextensions.NewForConfig(lab.Config())
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(lab.Config())
	if err != nil {
		t.Fatal(err)
	}
	installWidgetCRD(t, ext)
	ns := labtest.NamespacePrefixed(t, lab, "crowners")
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", ns}})
	s := p.Dial(t, "namespace="+ns)

	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": widgetGroup + "/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "web", "namespace": ns},
		"spec":     map[string]any{"size": "large"},
	}}
	w, err = dyn.Resource(widgetGVR).Namespace(ns).Create(ctx, w, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The "controller": a ReplicaSet of 2 owned by the Widget.
	two := int32(2)
	labels := map[string]string{"app": "widget-web"}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web-1",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: widgetGroup + "/v1", Kind: "Widget", Name: "web", UID: w.GetUID(), Controller: ptr(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:v1"}}}}}}
	if _, err := cs.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wid, rsID := graph.ID("Widget", ns, "web"), graph.ID(graph.KindReplicaSet, ns, "web-1")
	owns := graph.EdgeID(graph.EdgeOwns, wid, rsID)

	snap := customConverged(t, p, s, cs, dyn, ns, "Widget owns a ReplicaSet", 2)
	n := node(snap, wid)
	if n == nil || n.CustomOwner() == nil || n.CustomOwner().Group != widgetGroup || n.CustomOwner().Version != widgetGroup+"/v1" || n.CustomOwner().Conditions != nil {
		t.Fatalf("Widget node %+v; want group and version, metadata only", n)
	}
	if e := edge(snap, owns); e == nil {
		t.Errorf("no %s", owns)
	}

	// A condition, as a controller would write it: not read without the opt-in.
	_ = unstructured.SetNestedSlice(w.Object, []any{map[string]any{"type": "Ready", "status": "True", "reason": "Reconciled", "message": "2 replicas",
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}, "status", "conditions")
	w, err = dyn.Resource(widgetGVR).Namespace(ns).UpdateStatus(ctx, w, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snap = customConverged(t, p, s, cs, dyn, ns, "Widget status written", 2)
	if c := node(snap, wid).CustomOwner().Conditions; c != nil {
		t.Errorf("conditions %v read without --read-status", c)
	}

	t.Run("read-status", func(t *testing.T) {
		p2 := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(),
			Args: []string{"--namespace", ns, "--read-status", widgetGroup + "/widgets"}})
		labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
			g, err := p2.Graph(ctx, "namespace="+ns)
			if err != nil {
				return err
			}
			n := node(g, wid)
			want := []graph.Condition{{Type: "Ready", Status: "True", Reason: "Reconciled", Message: "2 replicas"}}
			if n == nil || n.CustomOwner() == nil || !slices.Equal(n.CustomOwner().Conditions, want) {
				return fmt.Errorf("Widget node %+v; want conditions %v", n, want)
			}
			return nil
		})
	})

	t.Run("RBAC without widgets", func(t *testing.T) {
		deniedButDrawn(t, cs, ns, "widgets."+widgetGroup, func(g graph.Snapshot) error {
			if node(g, rsID) == nil || node(g, wid) != nil || edge(g, owns) == nil {
				return fmt.Errorf("ReplicaSet drawn: %v, Widget drawn: %v, owns edge: %v; want the ReplicaSet and its edge only",
					node(g, rsID) != nil, node(g, wid) != nil, edge(g, owns) != nil)
			}
			return nil
		})
	})

	b := newBrowser(t, true)
	b.open(p.URL + "/?lang=en&namespace=" + url.QueryEscape(ns))
	// An owns edge is drawn as containment, as a Deployment's: the
	// ReplicaSet's lane inside the Widget's box.
	waitDrawn(t, b, "custom owner", []string{wid, rsID}, []string{}, []string{})
	in := eval[bool](b, `(() => {
	  const r = (id) => document.querySelector('[data-id="' + CSS.escape(id) + '"]').getBoundingClientRect();
	  const w = r(`+jsString(wid)+`), l = r(`+jsString(rsID)+`);
	  return l.left >= w.left && l.right <= w.right && l.top >= w.top && l.bottom <= w.bottom;
	})()`)
	if !in {
		t.Errorf("the ReplicaSet's lane is not inside the Widget's box")
	}
	if got := eval[string](b, `document.querySelector('[data-id="' + CSS.escape(`+jsString(wid)+`) + '"]').textContent`); !strings.Contains(got, "Widget") || !strings.Contains(got, "web") {
		t.Errorf("Widget box reads %q; want its kind and name", got)
	}
	b.shot("customowner")

	// The Widget goes: so does its node; the ReplicaSet stays.
	if err := dyn.Resource(widgetGVR).Namespace(ns).Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: ptr(metav1.DeletePropagationOrphan)}); err != nil {
		t.Fatal(err)
	}
	customConverged(t, p, s, cs, dyn, ns, "Widget deleted", -1)

	// The CRD goes: the watch of widgets stops, nothing reads as
	// unavailable, and the ReplicaSet stays.
	if err := ext.ApiextensionsV1().CustomResourceDefinitions().Delete(ctx, "widgets."+widgetGroup, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, "widgets."+widgetGroup, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("CRD still there (%v)", err)
		}
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		if !st.Synced || len(st.Denied) > 0 || len(st.Unavailable) > 0 {
			return fmt.Errorf("after the CRD went: status %+v; want synced, nothing denied or unavailable", st)
		}
		g, err := p.Graph(ctx, "namespace="+ns)
		if err != nil {
			return err
		}
		if node(g, rsID) == nil {
			return fmt.Errorf("the ReplicaSet left with the CRD")
		}
		return nil
	})
}

// installWidgetCRD installs the Widget CRD (namespaced, with a status
// subresource) and waits until it is established; the test's cleanup
// deletes it.
func installWidgetCRD(t *testing.T, ext apiextensions.Interface) {
	t.Helper()
	ctx := context.Background()
	name := "widgets." + widgetGroup
	crd := &apiextv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: apiextv1.CustomResourceDefinitionSpec{
			Group: widgetGroup, Scope: apiextv1.NamespaceScoped,
			Names: apiextv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Versions: []apiextv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Subresources: &apiextv1.CustomResourceSubresources{Status: &apiextv1.CustomResourceSubresourceStatus{}},
				Schema: &apiextv1.CustomResourceValidation{OpenAPIV3Schema: &apiextv1.JSONSchemaProps{Type: "object",
					XPreserveUnknownFields: ptr(true)}}}},
		}}
	_, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ext.ApiextensionsV1().CustomResourceDefinitions().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		c, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cond := range c.Status.Conditions {
			if cond.Type == apiextv1.Established && cond.Status == apiextv1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("CRD %s not established yet", name)
	})
}

// customConverged is the three-way check with the custom owners in it:
// the stream equals /api/graph, and /api/graph equals the API server's
// truth, the Widgets (metadata only) and the owns edges of the
// ReplicaSets they control derived from the objects. pods >= 0 also waits
// for that many pods of the ReplicaSet.
func customConverged(t *testing.T, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, dyn dynamic.Interface, ns, step string, pods int) graph.Snapshot {
	t.Helper()
	var got graph.Snapshot
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		api, err := streamMatchesAPI(ctx, p, s, "namespace="+ns, step)
		if err != nil {
			return err
		}
		want, err := listTruth(ctx, cs, ns)
		if err != nil {
			return err
		}
		ws, err := dyn.Resource(widgetGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, w := range ws.Items {
			want.Nodes[graph.ID("Widget", ns, w.GetName())] = "group=" + widgetGroup
		}
		rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, rs := range rss.Items {
			if ref := metav1.GetControllerOf(&rs); ref != nil && ref.Kind == "Widget" {
				want.Edges[graph.EdgeID(graph.EdgeOwns, graph.ID("Widget", ns, ref.Name), graph.ID(graph.KindReplicaSet, ns, rs.Name))] = ""
			}
		}
		have := truthOf(api)
		n := 0
		for _, x := range api.Nodes {
			if f := x.CustomOwner(); f != nil {
				have.Nodes[x.ID] = "group=" + f.Group
			}
			if x.Pod != nil && x.Pod.Owner == graph.ID(graph.KindReplicaSet, ns, "web-1") {
				n++
			}
		}
		if d := want.diff(have); d != "" {
			return fmt.Errorf("%s: /api/graph differs from the API server:\n%s", step, d)
		}
		if pods >= 0 && n != pods {
			return fmt.Errorf("%s: %d pods of the ReplicaSet, want %d", step, n, pods)
		}
		got = api
		return nil
	})
	return got
}
