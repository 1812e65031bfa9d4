package informers

import (
	"context"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestAccessReviewer checks the wiring only (the fake decides like a tiny
// RBAC); the lab's e2e test checks real SubjectAccessReviews.
func TestAccessReviewer(t *testing.T) {
	cs := fake.NewClientset()
	reviews := 0
	cs.PrependReactor("create", "subjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		reviews++
		sar := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview)
		ra := sar.Spec.ResourceAttributes
		if ra.Verb != "list" || ra.Resource != "pods" {
			t.Errorf("review asks %s %s, want list pods", ra.Verb, ra.Resource)
		}
		allowed := sar.Spec.User == "admin" ||
			sar.Spec.User == "alice" && ra.Namespace == "team-a" ||
			strings.Contains(strings.Join(sar.Spec.Groups, ","), "team-b") && ra.Namespace == "team-b"
		sar.Status.Allowed = allowed
		return true, sar, nil
	})
	ar := NewAccessReviewer(cs, time.Minute)
	clk := time.Now()
	ar.now = func() time.Time { return clk }
	ctx := context.Background()
	cands := []string{"team-a", "team-b", "kube-system"}
	for _, c := range []struct {
		user   string
		groups []string
		all    bool
		want   string
	}{
		{"admin", nil, true, ""},
		{"alice", nil, false, "team-a"},
		{"alice", []string{"team-b"}, false, "team-a,team-b"},
		{"bob", nil, false, ""},
	} {
		all, got, err := ar.Namespaces(ctx, c.user, c.groups, cands)
		if err != nil || all != c.all || strings.Join(got, ",") != c.want {
			t.Errorf("%s %v: all=%v %v %v, want all=%v %q", c.user, c.groups, all, got, err, c.all, c.want)
		}
	}
	before := reviews
	ar.Namespaces(ctx, "alice", nil, cands)
	if reviews != before {
		t.Errorf("a cached answer was asked again (%d reviews)", reviews-before)
	}
	clk = clk.Add(2 * time.Minute)
	ar.Namespaces(ctx, "alice", nil, cands)
	if reviews == before {
		t.Error("an expired answer was not asked again")
	}
}
