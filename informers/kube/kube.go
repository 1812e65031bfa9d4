// Package kube is Podium's client of the Kubernetes API: a scheme of the API
// groups Podium reads and nothing else, REST clients for them, the
// list-and-watch its informers run on, discovery and access reviews.
//
// client-go's Clientset, informer factory and discovery client would do the
// same, but each of them links k8s.io/client-go/kubernetes/scheme, which
// registers every type of every API group (60 group versions) at start: on
// 2026-12-02 that was 12.6 MB of Podium's binary and about 9 MiB of its
// resident memory (docs/benchmarks.md, "Memory at 5,000 pods"). Only this
// package talks to the API server; the informers package decides what to
// watch.
package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Scheme knows the types of the API groups Podium reads (and
// authorization's reviews), and no others.
var Scheme = runtime.NewScheme()

// Codecs are Scheme's serializers: JSON, YAML and protobuf.
var Codecs = serializer.NewCodecFactory(Scheme)

func init() {
	// The unversioned meta types (Status, WatchEvent…) as every client's
	// scheme has them, so errors and watch events decode.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, autoscalingv2.AddToScheme,
		networkingv1.AddToScheme, discoveryv1.AddToScheme, storagev1.AddToScheme, rbacv1.AddToScheme,
		policyv1.AddToScheme, authorizationv1.AddToScheme, gatewayv1.Install,
	} {
		utilruntime.Must(add(Scheme))
	}
}

// builtIn reports whether the API server serves gv's types as protobuf:
// every group but the custom resources' (the Gateway API's).
func builtIn(gv schema.GroupVersion) bool { return gv.Group != gatewayv1.GroupName }

// Client talks to one API server. Its REST clients, one per group version,
// share one HTTP client (and so its connections) as a Clientset's do.
type Client struct {
	cfg  *rest.Config
	http *http.Client

	mu   sync.Mutex
	rest map[schema.GroupVersion]*rest.RESTClient
}

// New returns a Client for the API server cfg names.
func New(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.UserAgent == "" {
		cfg.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, http: hc, rest: map[schema.GroupVersion]*rest.RESTClient{}}, nil
}

// restFor returns the REST client of gv, which must be one of Scheme's.
func (c *Client) restFor(gv schema.GroupVersion) (*rest.RESTClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rc := c.rest[gv]; rc != nil {
		return rc, nil
	}
	if !Scheme.IsVersionRegistered(gv) {
		return nil, fmt.Errorf("kube: %s is not in Podium's scheme", gv)
	}
	cfg := rest.CopyConfig(c.cfg)
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	// Protobuf for the built-in kinds, as client-go's generated clients
	// ask: a pod decodes several times faster than from JSON. Custom
	// resources are JSON only.
	if builtIn(gv) && cfg.ContentType == "" {
		cfg.ContentType = runtime.ContentTypeProtobuf
		cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	}
	cfg.NegotiatedSerializer = Codecs.WithoutConversion()
	rc, err := rest.RESTClientForConfigAndClient(cfg, c.http)
	if err != nil {
		return nil, err
	}
	c.rest[gv] = rc
	return rc, nil
}

// ListWatch returns the list-and-watch of gvr's objects in ns ("" for all
// namespaces, or a cluster-scoped resource), with modify applied to each
// request's options (a field selector, say); nil modifies nothing.
func (c *Client) ListWatch(gvr schema.GroupVersionResource, ns string, modify func(*metav1.ListOptions)) (cache.ListerWatcher, error) {
	rc, err := c.restFor(gvr.GroupVersion())
	if err != nil {
		return nil, err
	}
	if modify == nil {
		modify = func(*metav1.ListOptions) {}
	}
	lw := cache.NewFilteredListWatchFromClient(rc, gvr.Resource, ns, modify)
	lw.WatchFuncWithContext = ListThenWatch(lw.WatchFuncWithContext)
	// The REST client streams lists (watch-list) as the generated
	// informers' clients do.
	return cache.ToListWatcherWithWatchListSemantics(lw, rc), nil
}

// Resources returns the resources the API server serves in gv. A group
// version it does not serve is an error for which apierrors.IsNotFound
// holds.
func (c *Client) Resources(ctx context.Context, gv schema.GroupVersion) (*metav1.APIResourceList, error) {
	path := "/apis/" + gv.String()
	if gv.Group == "" {
		path = "/api/" + gv.Version
	}
	var list metav1.APIResourceList
	if err := c.getJSON(ctx, path, &list); err != nil {
		return nil, err
	}
	return &list, nil
}

// ServerVersion returns the API server's version.
func (c *Client) ServerVersion(ctx context.Context) (*version.Info, error) {
	var v version.Info
	if err := c.getJSON(ctx, "/version", &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// getJSON reads path, a discovery document, into out.
func (c *Client) getJSON(ctx context.Context, path string, out any) error {
	rc, err := c.restFor(metav1.Unversioned)
	if err != nil {
		return err
	}
	body, err := rc.Get().AbsPath(path).SetHeader("Accept", runtime.ContentTypeJSON).Do(ctx).Raw()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// ReviewAccess asks the API server whether sar's subject may do what it
// describes.
func (c *Client) ReviewAccess(ctx context.Context, sar *authorizationv1.SubjectAccessReview) (*authorizationv1.SubjectAccessReview, error) {
	rc, err := c.restFor(authorizationv1.SchemeGroupVersion)
	if err != nil {
		return nil, err
	}
	out := &authorizationv1.SubjectAccessReview{}
	err = rc.Post().Resource("subjectaccessreviews").Body(sar).Do(ctx).Into(out)
	return out, err
}
