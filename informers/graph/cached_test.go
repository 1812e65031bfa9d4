package graph

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCachedPodMeta(t *testing.T) {
	p := mkRunning("default", "web-1", onNode("worker-1"), ownedBy("ReplicaSet", "web-7d9c"))
	p.ResourceVersion = "42"
	p.CreationTimestamp = metav1.NewTime(t0)
	c := NewCachedPod(p)
	// The informer's store and handlers reach objects through meta.Accessor.
	acc, err := meta.Accessor(c)
	if err != nil {
		t.Fatalf("meta.Accessor: %v", err)
	}
	got := []string{acc.GetNamespace(), acc.GetName(), string(acc.GetUID()), acc.GetResourceVersion(), acc.GetLabels()["app"]}
	if diff := cmp.Diff([]string{"default", "web-1", "uid-web-1", "42", "web"}, got); diff != "" {
		t.Errorf("meta (-want +got):\n%s", diff)
	}
	if !acc.GetCreationTimestamp().Time.Equal(t0) || acc.GetDeletionTimestamp() != nil || acc.GetAnnotations() != nil {
		t.Errorf("creation %v, deletion %v, annotations %v", acc.GetCreationTimestamp(), acc.GetDeletionTimestamp(), acc.GetAnnotations())
	}
	if diff := cmp.Diff(PodNode(p), c.Node); diff != "" {
		t.Errorf("CachedPod.Node (-PodNode +cached):\n%s", diff)
	}
	cp := c.DeepCopyObject().(*CachedPod)
	cp.SetResourceVersion("43")
	if c.ResourceVersion != "42" || cp.ResourceVersion != "43" || cp.Node != c.Node {
		t.Errorf("DeepCopyObject: original %q, copy %q, shares node %v", c.ResourceVersion, cp.ResourceVersion, cp.Node == c.Node)
	}
}

func TestCachedSliceMeta(t *testing.T) {
	s := mkSlice("default", "web-abc", "web", map[string]string{"a": EndpointReady, "b": EndpointTerminating})
	s.ResourceVersion = "7"
	c := NewCachedSlice(s)
	acc, err := meta.Accessor(c)
	if err != nil {
		t.Fatalf("meta.Accessor: %v", err)
	}
	if acc.GetNamespace() != "default" || acc.GetName() != "web-abc" || acc.GetResourceVersion() != "7" || acc.GetLabels()[LabelServiceName] != "web" {
		t.Errorf("meta: %s/%s rv %s labels %v", acc.GetNamespace(), acc.GetName(), acc.GetResourceVersion(), acc.GetLabels())
	}
	if diff := cmp.Diff(map[string]string{"a": "ready", "b": "terminating"}, c.Pods); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
	cp := c.DeepCopyObject().(*CachedSlice)
	cp.Pods["a"] = EndpointNone
	if c.Pods["a"] != EndpointReady {
		t.Error("DeepCopyObject shares the pods map")
	}
}

func TestInterning(t *testing.T) {
	a := NewCachedPod(mkRunning("default", "a", onNode("worker-1"), ownedBy("ReplicaSet", "rs"), labelled("app", "web", "hash", "1")))
	b := NewCachedPod(mkRunning("default", "b", onNode("worker-1"), ownedBy("ReplicaSet", "rs"), labelled("hash", "1", "app", "web")))
	c := NewCachedPod(mkRunning("default", "c", onNode("worker-1"), labelled("app", "web", "hash", "2")))
	same := func(x, y map[string]string) bool {
		return reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	}
	if !same(a.Node.Pod.Labels, b.Node.Pod.Labels) {
		t.Error("equal label sets are not shared")
	}
	if same(a.Node.Pod.Labels, c.Node.Pod.Labels) || c.Node.Pod.Labels["hash"] != "2" {
		t.Errorf("different label sets are shared: %v", c.Node.Pod.Labels)
	}
	if reflect.ValueOf(a.Node.Pod.Node).UnsafePointer() != reflect.ValueOf(b.Node.Pod.Node).UnsafePointer() {
		t.Error("node ids are not shared")
	}
	if a.Node.Pod.Owner != "ReplicaSet/default/rs" || internID("") != "" {
		t.Errorf("owner %q", a.Node.Pod.Owner)
	}
}

// TestModelNeverModifiesCachedPods: the model shares a CachedPod's Node
// with the informer cache; changes and deletions must leave it as it was.
func TestModelNeverModifiesCachedPods(t *testing.T) {
	m := NewModel()
	m.Set(mkService("default", "web", map[string]string{"app": "web"}), t0)
	c := NewCachedPod(mkRunning("default", "a", onNode("w"), ownedBy("ReplicaSet", "rs")))
	want := *c.Node
	wantPod := *c.Node.Pod
	m.Set(c, t0)
	m.Flush()
	m.Set(NewCachedPod(mkRunning("default", "a", onNode("x"), labelled("app", "db"))), t0)
	m.Delete(Pods, "default", "a", t0)
	m.Flush()
	if diff := cmp.Diff(want, *c.Node, cmp.Comparer(func(a, b *PodFields) bool { return a == b })); diff != "" {
		t.Errorf("cached node modified (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantPod, *c.Node.Pod); diff != "" {
		t.Errorf("cached pod fields modified (-before +after):\n%s", diff)
	}
}
