package informers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"

	"github.com/podiumhq/podium/informers/kube"
)

// TestAccessReviewer checks the wiring, over HTTP as kube.Client sends the
// reviews (a fake API server decides like a tiny RBAC); the lab's e2e test
// checks real SubjectAccessReviews.
func TestAccessReviewer(t *testing.T) {
	reviews := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/apis/authorization.k8s.io/v1/subjectaccessreviews" {
			t.Errorf("%s %s, want POST of a SubjectAccessReview", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		obj, err := runtime.Decode(kube.Codecs.UniversalDeserializer(), body)
		if err != nil {
			t.Errorf("review body (%s): %v", r.Header.Get("Content-Type"), err)
			return
		}
		reviews++
		sar := obj.(*authorizationv1.SubjectAccessReview)
		ra := sar.Spec.ResourceAttributes
		if ra.Verb != "list" || ra.Resource != "pods" {
			t.Errorf("review asks %s %s, want list pods", ra.Verb, ra.Resource)
		}
		allowed := sar.Spec.User == "admin" ||
			sar.Spec.User == "alice" && ra.Namespace == "team-a" ||
			strings.Contains(strings.Join(sar.Spec.Groups, ","), "team-b") && ra.Namespace == "team-b"
		sar.Status.Allowed = allowed
		sar.APIVersion, sar.Kind = "authorization.k8s.io/v1", "SubjectAccessReview"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sar)
	}))
	defer api.Close()
	client, err := kube.New(&rest.Config{Host: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	ar := NewAccessReviewer(client, time.Minute)
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
