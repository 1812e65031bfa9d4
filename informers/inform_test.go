package informers

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// The reflector's store is the informer's cache: each change is cached,
// then handled, on the caller's goroutine; a relist reports what it
// changed only.
func TestInformerQueue(t *testing.T) {
	pod := func(name, rv string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, ResourceVersion: rv,
			Annotations: map[string]string{"strip": "me"}}}
	}
	inf := newInformerOf(&cache.ListWatch{}, &corev1.Pod{})
	inf.transform = func(obj any) (any, error) {
		obj.(*corev1.Pod).Annotations = nil
		return obj, nil
	}
	var got []string
	inf.handle = func(obj any, deleted bool) {
		p := obj.(*corev1.Pod)
		// The handler reads the cache (as the fold loop does): the change
		// is there already, transformed.
		cached, ok, _ := inf.GetStore().GetByKey("ns/" + p.Name)
		switch {
		case deleted && ok:
			t.Errorf("%s deleted but still cached", p.Name)
		case !deleted && (!ok || cached.(*corev1.Pod).ResourceVersion != p.ResourceVersion):
			t.Errorf("%s at %s handled before the cache had it", p.Name, p.ResourceVersion)
		case !deleted && len(cached.(*corev1.Pod).Annotations) > 0:
			t.Errorf("%s cached untransformed", p.Name)
		}
		what := "set"
		if deleted {
			what = "deleted"
		}
		got = append(got, what+" "+p.Name+"@"+p.ResourceVersion)
	}
	q := (*inlineQueue)(inf)
	expect := func(step string, want ...string) {
		t.Helper()
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: handled %q, want %q", step, got, want)
		}
		got = nil
	}

	if inf.HasSynced() {
		t.Fatal("synced before the first list")
	}
	if err := q.Replace([]any{pod("a", "1"), pod("b", "1"), pod("c", "1")}, "1"); err != nil {
		t.Fatal(err)
	}
	expect("first list", "set a@1", "set b@1", "set c@1")
	if !inf.HasSynced() {
		t.Fatal("not synced after the first list was handled")
	}

	if err := q.Add(pod("d", "2")); err != nil {
		t.Fatal(err)
	}
	if err := q.Update(pod("a", "3")); err != nil {
		t.Fatal(err)
	}
	if err := q.Delete(pod("b", "1")); err != nil {
		t.Fatal(err)
	}
	expect("watch events", "deleted b@1", "set a@3", "set d@2")

	// A relist after the watch fell behind: c is unchanged, a changed, d
	// is gone and e is new.
	if err := q.Replace([]any{pod("a", "5"), pod("c", "1"), pod("e", "4")}, "5"); err != nil {
		t.Fatal(err)
	}
	expect("relist", "deleted d@2", "set a@5", "set e@4")
	keys := inf.GetStore().ListKeys()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"ns/a", "ns/c", "ns/e"}) {
		t.Errorf("cache after the relist holds %v", keys)
	}
}
