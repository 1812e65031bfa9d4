package graph

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

var widgetGVK = schema.GroupVersionKind{Group: "podium-test.example.com", Version: "v1", Kind: "Widget"}

func ctrlRef(apiVersion, kind, name string) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: types.UID("u-" + name), Controller: ptr.To(true)}}
}

func widget(ns, name string, conds ...Condition) *CustomObject {
	return &CustomObject{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("u-" + name)},
		GVK: widgetGVK, Resource: CustomResource("podium-test.example.com", "widgets"), Conditions: conds}
}

// ownsEdges returns the ids of the model's owns edges, sorted.
func ownsEdges(m *Model) []string {
	out := []string{}
	for _, e := range m.Edges() {
		if e.Kind == EdgeOwns {
			out = append(out, e.ID)
		}
	}
	slices.Sort(out)
	return out
}

// TestCustomOwnerChain: a custom resource owns a ReplicaSet, which owns a
// pod; a StatefulSet, a DaemonSet and a pod owned by custom resources
// directly. The owned objects show with their owns edges whether the owner
// is there or not (no placeholder), and the owner's deletion leaves them.
func TestCustomOwnerChain(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	m := NewModel()
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web-1", UID: "rs",
		OwnerReferences: ctrlRef("podium-test.example.com/v1", "Widget", "web")}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web-1-a", UID: "p",
		OwnerReferences: ctrlRef("apps/v1", "ReplicaSet", "web-1")}}
	ss := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "db", UID: "ss",
		OwnerReferences: ctrlRef("postgresql.cnpg.io/v1", "Cluster", "pg")}}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "agent", UID: "ds",
		OwnerReferences: ctrlRef("podium-test.example.com/v1", "Widget", "agent")}}
	lone := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "kafka-0", UID: "k",
		OwnerReferences: ctrlRef("kafka.strimzi.io/v1beta2", "Kafka", "k")}}
	// A static pod's controller is its Node (core group): not a custom owner.
	mirror := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "etcd-n1", UID: "e",
		OwnerReferences: ctrlRef("v1", "Node", "n1")}}
	for _, o := range []any{rs, pod, ss, ds, lone, mirror} {
		m.Set(o, now)
	}
	m.Flush()
	want := []string{
		"owns:Cluster/app/pg->StatefulSet/app/db",
		"owns:Kafka/app/k->Pod/app/kafka-0",
		"owns:ReplicaSet/app/web-1->Pod/app/web-1-a",
		"owns:Widget/app/agent->DaemonSet/app/agent",
		"owns:Widget/app/web->ReplicaSet/app/web-1",
	}
	if diff := cmp.Diff(want, ownsEdges(m)); diff != "" {
		t.Errorf("owns edges with the owners missing (-want +got):\n%s", diff)
	}
	if got := m.node("ReplicaSet/app/web-1").ReplicaSet.Owner; got != "Widget/app/web" {
		t.Errorf("ReplicaSet owner %q, want Widget/app/web", got)
	}
	if m.node("Widget/app/web") != nil {
		t.Error("a placeholder owner node was drawn before the owner was seen")
	}

	m.Set(widget("app", "web"), now)
	m.Flush()
	n := m.node("Widget/app/web")
	if n == nil {
		t.Fatal("no Widget node")
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"id":"Widget/app/web","kind":"Widget","namespace":"app","name":"web","uid":"u-web","group":"podium-test.example.com","version":"podium-test.example.com/v1"}`; got != want {
		t.Errorf("Widget JSON\n got %s\nwant %s", got, want)
	}
	var back Node
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decoding a custom owner: %v", err)
	}
	if !nodeEqual(&back, n) {
		t.Errorf("decoded %+v, want %+v", back.CustomOwner(), n.CustomOwner())
	}

	m.Delete(CustomResource("podium-test.example.com", "widgets"), "app", "web", now)
	d := m.Flush()
	if !slices.Contains(d.Remove.Nodes, "Widget/app/web") {
		t.Errorf("deleting the Widget removed %v", d.Remove.Nodes)
	}
	if m.node("ReplicaSet/app/web-1") == nil || !slices.Contains(ownsEdges(m), "owns:Widget/app/web->ReplicaSet/app/web-1") {
		t.Error("the ReplicaSet or its owns edge left with its owner")
	}
	// The ReplicaSet loses its owner: the edge goes.
	rs2 := rs.DeepCopy()
	rs2.OwnerReferences = nil
	rs2.ResourceVersion = "2"
	m.Set(rs2, now)
	m.Flush()
	if slices.Contains(ownsEdges(m), "owns:Widget/app/web->ReplicaSet/app/web-1") {
		t.Error("the owns edge stayed after the owner reference went")
	}
}

// TestCustomOwnerConditions: conditions are on the node only when read
// (opted in), and a change of them is a change of the node.
func TestCustomOwnerConditions(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	m := NewModel()
	m.Set(widget("app", "w"), now)
	m.Flush()
	if f := m.node("Widget/app/w").CustomOwner(); f == nil || f.Conditions != nil {
		t.Fatalf("fields %+v, want no conditions", f)
	}
	ready := Condition{Type: "Ready", Status: "True", Reason: "Done", Message: "all good"}
	m.Set(widget("app", "w", ready), now)
	d := m.Flush()
	if len(d.Upsert.Nodes) != 1 {
		t.Fatalf("a condition change upserted %d nodes, want 1", len(d.Upsert.Nodes))
	}
	b, _ := json.Marshal(m.node("Widget/app/w"))
	if want := `"conditions":[{"type":"Ready","status":"True","reason":"Done","message":"all good"}]`; !json.Valid(b) || !strings.Contains(string(b), want) {
		t.Errorf("JSON %s lacks %s", b, want)
	}
	m.Set(widget("app", "w", ready), now)
	if d := m.Flush(); len(d.Upsert.Nodes) != 0 {
		t.Errorf("an unchanged Widget upserted %d nodes", len(d.Upsert.Nodes))
	}
}

// TestCustomOwnerClusterScoped: a cluster-scoped owner is Kind/name.
func TestCustomOwnerClusterScoped(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	m := NewModel()
	o := widget("", "global")
	o.GVK.Kind, o.Resource = "Fleet", CustomResource("podium-test.example.com", "fleets")
	m.Set(o, now)
	m.Flush()
	n := m.node("Fleet/global")
	if n == nil || n.Namespace != "" || n.CustomOwner().Group != "podium-test.example.com" {
		t.Fatalf("cluster-scoped owner node %+v", n)
	}
	m.Delete(o.Resource, "", "global", now)
	m.Flush()
	if m.node("Fleet/global") != nil {
		t.Error("the cluster-scoped owner stayed after its deletion")
	}
}

// TestIsCustomGroup: custom groups have a dot and are not Kubernetes' own.
func TestIsCustomGroup(t *testing.T) {
	for g, want := range map[string]bool{
		"": false, "apps": false, "batch": false, "networking.k8s.io": false, "rbac.authorization.k8s.io": false,
		"argoproj.io": true, "postgresql.cnpg.io": true, "cluster.x-k8s.io": true, "podium-test.example.com": true,
	} {
		if got := IsCustomGroup(g); got != want {
			t.Errorf("IsCustomGroup(%q) = %v, want %v", g, got, want)
		}
	}
	refs := append(ctrlRef("argoproj.io/v1alpha1", "Rollout", "r"), metav1.OwnerReference{APIVersion: "x.example.com/v1", Kind: "NotController", Name: "n"})
	if got := CustomOwnerRefs(refs); len(got) != 1 || got[0].Kind != "Rollout" || got[0].Version != "v1alpha1" {
		t.Errorf("CustomOwnerRefs = %v, want the Rollout controller only", got)
	}
}
