package informers

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/podiumhq/podium/informers/kube"
)

// AccessReviewer decides, with SubjectAccessReviews, in which namespaces a
// user may list pods: what a per-user view shows. Answers are cached
// briefly per user, groups and namespace, so a wall of viewers costs a few
// reviews a minute, not one per request.
type AccessReviewer struct {
	review func(context.Context, *authorizationv1.SubjectAccessReview) (*authorizationv1.SubjectAccessReview, error)
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex // guards cache
	cache map[string]reviewAnswer
}

type reviewAnswer struct {
	allowed bool
	at      time.Time
}

// maxReviewCache bounds the cache; past it, it starts over.
const maxReviewCache = 10000

// NewAccessReviewer returns a reviewer that asks the API server client
// talks to, and caches answers for ttl.
func NewAccessReviewer(client *kube.Client, ttl time.Duration) *AccessReviewer {
	return newAccessReviewer(client.ReviewAccess, ttl)
}

func newAccessReviewer(review func(context.Context, *authorizationv1.SubjectAccessReview) (*authorizationv1.SubjectAccessReview, error), ttl time.Duration) *AccessReviewer {
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	return &AccessReviewer{review: review, ttl: ttl, now: time.Now, cache: map[string]reviewAnswer{}}
}

// Namespaces reports whether user (in groups) may list pods in every
// namespace, and otherwise in which of the candidates.
func (a *AccessReviewer) Namespaces(ctx context.Context, user string, groups []string, candidates []string) (all bool, allowed []string, err error) {
	if all, err = a.mayListPods(ctx, user, groups, ""); err != nil || all {
		return all, nil, err
	}
	for _, ns := range candidates {
		ok, err := a.mayListPods(ctx, user, groups, ns)
		if err != nil {
			return false, nil, err
		}
		if ok {
			allowed = append(allowed, ns)
		}
	}
	sort.Strings(allowed)
	return false, allowed, nil
}

// mayListPods asks the API server (or the cache) whether user may list pods
// in ns ("" for all namespaces).
func (a *AccessReviewer) mayListPods(ctx context.Context, user string, groups []string, ns string) (bool, error) {
	g := append([]string(nil), groups...)
	sort.Strings(g)
	key := user + "\x00" + strings.Join(g, "\x01") + "\x00" + ns
	now := a.now()
	a.mu.Lock()
	ans, ok := a.cache[key]
	a.mu.Unlock()
	if ok && now.Sub(ans.at) < a.ttl {
		return ans.allowed, nil
	}
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:   user,
		Groups: g,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: ns, Verb: "list", Resource: "pods",
		},
	}}
	res, err := a.review(ctx, sar)
	if err != nil {
		return false, fmt.Errorf("subject access review for %s: %w", user, err)
	}
	a.mu.Lock()
	if len(a.cache) >= maxReviewCache {
		a.cache = map[string]reviewAnswer{}
	}
	a.cache[key] = reviewAnswer{allowed: res.Status.Allowed, at: now}
	a.mu.Unlock()
	return res.Status.Allowed, nil
}
