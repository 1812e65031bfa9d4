package informers

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/kube"
)

// newFake returns a Watcher over fake clientsets (unit-level wiring only):
// the built-in kinds from client's tracker and reactors, the Gateway
// API's from gw's when given.
func newFake(t testing.TB, client *fake.Clientset, log *graph.Log, opts Options, gw ...*k8stesting.Fake) *Watcher {
	t.Helper()
	w, err := newWatcher(fakeListWatch(&client.Fake, gw...), log, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fakeListWatch lists and watches through the fakes' reactors, as the
// generated fake clients do: the Gateway API's resources through gw[0]
// if given, the rest through core.
func fakeListWatch(core *k8stesting.Fake, gw ...*k8stesting.Fake) listWatcher {
	return func(r resource, ns string) (cache.ListerWatcher, error) {
		f := core
		if isGatewayResource(r.name) && len(gw) > 0 {
			f = gw[0]
		}
		kinds, _, err := kube.Scheme.ObjectKinds(r.obj)
		if err != nil {
			return nil, err
		}
		modify := r.modify
		if modify == nil {
			modify = func(*metav1.ListOptions) {}
		}
		lw := &cache.ListWatch{
			ListWithContextFunc: func(_ context.Context, o metav1.ListOptions) (runtime.Object, error) {
				modify(&o)
				return f.Invokes(k8stesting.NewListActionWithOptions(r.gvr(), kinds[0], ns, o), nil)
			},
			WatchFuncWithContext: func(_ context.Context, o metav1.ListOptions) (watch.Interface, error) {
				modify(&o)
				return f.InvokesWatch(k8stesting.NewWatchActionWithOptions(r.gvr(), ns, o))
			},
		}
		return cache.ToListWatcherWithWatchListSemantics(lw, noWatchList{}), nil
	}
}

// noWatchList says a fake has no watch-list: the reflector lists, then
// watches.
type noWatchList struct{}

func (noWatchList) IsWatchListSemanticsUnSupported() bool { return true }

// TestResourcesInScheme: every built-in and Gateway API resource Podium
// watches has its kind in kube.Scheme, at the group version it is listed
// at: the informers decode with that scheme and nothing else.
func TestResourcesInScheme(t *testing.T) {
	for _, r := range append(slices.Clone(resources), gatewayResources...) {
		kinds, _, err := kube.Scheme.ObjectKinds(r.obj)
		if err != nil {
			t.Errorf("%s: %v", r.qualified(), err)
			continue
		}
		if gv := kinds[0].GroupVersion(); gv != r.gvr().GroupVersion() {
			t.Errorf("%s is listed at %s, but its kind %s is %s in the scheme", r.qualified(), r.gvr().GroupVersion(), kinds[0].Kind, gv)
		}
		list := kinds[0].GroupVersion().WithKind(kinds[0].Kind + "List")
		if !kube.Scheme.Recognizes(list) {
			t.Errorf("%s: the scheme does not know %s", r.qualified(), list)
		}
	}
}
