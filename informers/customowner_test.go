package informers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podiumhq/podium/informers/graph"
)

// TestCustomOwnerBound: at most MaxCustomOwnerKinds kinds are noted; the
// first refused one is logged, once; a kind seen again is not noted again.
func TestCustomOwnerBound(t *testing.T) {
	var logs bytes.Buffer
	w := &Watcher{opts: Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}}
	c := newCustomWatch(w, nil, nil, nil, nil)
	owned := func(i int) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "rs", OwnerReferences: []metav1.OwnerReference{
			{APIVersion: fmt.Sprintf("g%d.example.com/v1", i), Kind: "Thing", Name: "x", Controller: ptr(true)}}}}
	}
	for i := range MaxCustomOwnerKinds + 5 {
		c.note(owned(i))
		c.note(owned(i)) // again: nothing new
	}
	if got := len(c.pending); got != MaxCustomOwnerKinds {
		t.Errorf("%d kinds pending, want the bound %d", got, MaxCustomOwnerKinds)
	}
	if n := strings.Count(logs.String(), "custom owner kinds"); n != 1 {
		t.Errorf("the bound was logged %d times, want once:\n%s", n, logs.String())
	}
	// Built-in owners are not custom.
	c.note(&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{
		{APIVersion: "apps/v1", Kind: "Deployment", Name: "d", Controller: ptr(true)}}}})
	if got := len(c.pending); got != MaxCustomOwnerKinds {
		t.Errorf("a Deployment owner was noted: %d pending", got)
	}
}

// TestParseReadStatus: GROUP/RESOURCE, and a clear error naming a bad one.
func TestParseReadStatus(t *testing.T) {
	if gr, err := ParseReadStatus("argoproj.io/rollouts"); err != nil || gr != (schema.GroupResource{Group: "argoproj.io", Resource: "rollouts"}) {
		t.Errorf("argoproj.io/rollouts: %v %v", gr, err)
	}
	for v, want := range map[string]string{
		"rollouts":                      "want GROUP/RESOURCE",
		"argoproj.io/":                  "want GROUP/RESOURCE",
		"/rollouts":                     "want GROUP/RESOURCE",
		"argoproj.io/v1alpha1/rollouts": "without a version",
		"apps/deployments":              "not a custom resource group",
		"argoproj.io/Rollouts":          "lower-case plural",
	} {
		_, err := ParseReadStatus(v)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", v)) {
			t.Errorf("ParseReadStatus(%q) = %v, want an error naming it and saying %q", v, err, want)
		}
	}
}

// TestCustomTransform: metadata only keeps identity; an unstructured
// object (status opted in) keeps its conditions and nothing of its spec.
func TestCustomTransform(t *testing.T) {
	gvk := schema.GroupVersionKind{Group: "podium-test.example.com", Version: "v1", Kind: "Widget"}
	tr := customTransform(gvk, graph.CustomResource(gvk.Group, "widgets"))
	pom := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "w", UID: "u", ResourceVersion: "7",
		Labels: map[string]string{"big": "label"}, Annotations: map[string]string{"x": strings.Repeat("y", 1000)}}}
	got, err := tr(pom)
	if err != nil {
		t.Fatal(err)
	}
	o := got.(*graph.CustomObject)
	if o.Name != "w" || o.Namespace != "a" || o.UID != "u" || o.ResourceVersion != "7" || o.Labels != nil || o.Annotations != nil || o.Conditions != nil || o.GVK != gvk {
		t.Errorf("metadata transform kept %+v", o)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "podium-test.example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"namespace": "a", "name": "w", "uid": "u", "resourceVersion": "8"},
		"spec":     map[string]any{"secretish": "s3cr3t"},
		"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Fine", "message": "ok", "lastTransitionTime": "2026-12-02T07:00:00Z"},
			map[string]any{"status": "True"}, // no type: dropped
			"junk",
		}},
	}}
	got, err = tr(u)
	if err != nil {
		t.Fatal(err)
	}
	o = got.(*graph.CustomObject)
	want := []graph.Condition{{Type: "Ready", Status: "True", Reason: "Fine", Message: "ok"}}
	if fmt.Sprint(o.Conditions) != fmt.Sprint(want) || strings.Contains(fmt.Sprintf("%+v", o), "s3cr3t") {
		t.Errorf("status transform kept %+v, want conditions %v and no spec", o, want)
	}
}

// TestCustomOwnerUnservedRetried: a kind discovery does not serve is
// logged once, and asked again when a CRD is created, not before.
func TestCustomOwnerUnservedRetried(t *testing.T) {
	var logs bytes.Buffer
	w := &Watcher{opts: Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}}
	asked := 0
	c := newCustomWatch(w, nil, nil, func(context.Context, schema.GroupVersionKind) (string, bool, bool, error) {
		asked++
		return "", false, false, nil
	}, nil)
	gvk := schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Rollout"}
	c.startKind(context.Background(), gvk)
	c.startKind(context.Background(), gvk)
	if n := strings.Count(logs.String(), "is not served"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
	if len(c.pending) != 0 {
		t.Fatalf("pending %v before any CRD event", c.pending)
	}
	c.crdChanged("rollouts.argoproj.io", false)
	if len(c.pending) != 1 || c.pending[0] != gvk {
		t.Errorf("after a CRD was created, pending %v, want [%v]", c.pending, gvk)
	}
	if asked != 2 {
		t.Errorf("discovery asked %d times, want 2", asked)
	}
}
