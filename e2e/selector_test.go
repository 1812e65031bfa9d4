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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// TestSelectorAcrossNamespaces is issue #15's "a selector filter that
// matches pods across namespaces; the three-way check holds with the
// filter": web and db pods in two namespaces, Podium scoped to them, and a
// viewer with ?selector=app=web. /api/graph holds exactly the web pods of
// both namespaces; relabelling a db pod to web and a web pod to db moves
// them in and out of the stream, of a stream resumed from before, and of
// the page; each time the stream equals /api/graph, which equals the API
// server's pods that the selector matches.
func TestSelectorAcrossNamespaces(t *testing.T) {
	cs := lab.Client()
	nsA := labtest.NamespacePrefixed(t, lab, "selector-a")
	nsB := labtest.NamespacePrefixed(t, lab, "selector-b")
	ctx := t.Context()
	for _, ns := range []string{nsA, nsB} {
		if _, err := cs.CoreV1().Services(ns).Create(ctx, bareService(ns, "web"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pods := map[string][]string{nsA: {"web-1", "web-2", "db-1"}, nsB: {"web-1", "db-1"}}
	for ns, names := range pods {
		for _, name := range names {
			app, _, _ := strings.Cut(name, "-")
			if _, err := cs.CoreV1().Pods(ns).Create(ctx, barePod(ns, name, map[string]string{"app": app}), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}

	const sel = "app=web"
	filter := "selector=" + url.QueryEscape(sel)
	sc := &scope{namespaces: []string{nsA, nsB}}
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--namespace", nsA + "," + nsB}})
	s := p.Dial(t, filter)
	b := newBrowser(t, true)
	b.tag = "selector"
	b.open(p.URL + "/?lang=en&" + filter)
	b.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 30*time.Second, "the page to be live")
	if got := eval[string](b, `document.querySelector('[data-testid=selector-chip]:not([hidden]) .selector-value')?.textContent || ''`); got != sel {
		t.Errorf("the page's selector chip says %q, want %q", got, sel)
	}

	podID := func(ns, name string) string { return graph.ID(graph.KindPod, ns, name) }
	web := []string{podID(nsA, "web-1"), podID(nsA, "web-2"), podID(nsB, "web-1")}
	db := []string{podID(nsA, "db-1"), podID(nsB, "db-1")}
	g := selectorConverged(t, p, s, cs, sc, filter, sel, "first")
	wantPods(t, "first", g, web)
	pageShows(t, b, "first", web, db)
	before := g

	// A db pod becomes web, a web pod becomes db, in one patch each.
	relabel := func(ns, name, app string) {
		patch := fmt.Sprintf(`{"metadata":{"labels":{"app":%q}}}`, app)
		if _, err := cs.CoreV1().Pods(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	relabel(nsA, "db-1", "web")
	relabel(nsB, "web-1", "db")
	web = []string{podID(nsA, "db-1"), podID(nsA, "web-1"), podID(nsA, "web-2")}
	db = []string{podID(nsB, "db-1"), podID(nsB, "web-1")}
	g = selectorConverged(t, p, s, cs, sc, filter, sel, "relabelled")
	wantPods(t, "relabelled", g, web)
	if !slices.ContainsFunc(g.Edges, func(e *graph.Edge) bool { return e.Kind == graph.EdgeSelects && e.To == podID(nsA, "db-1") }) {
		t.Errorf("relabelled: the pod relabelled web came without the selects edge from its Service")
	}
	pageShows(t, b, "relabelled", web, db)
	b.shot("relabelled")

	// A viewer that held the view from before resumes into the same view.
	resumed := p.Resume(t, filter, before)
	selectorConverged(t, p, resumed, cs, sc, filter, sel, "resumed")
	if h := resumed.Heads(); len(h) == 0 || h[0].Type != "delta" || h[0].From != before.Seq {
		t.Errorf("resumed from %d: the first message was %+v, want the deltas after it", before.Seq, h)
	}

	// A deleted web pod leaves the view.
	if err := cs.CoreV1().Pods(nsA).Delete(ctx, "web-2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Until KWOK has finished it the pod is terminating and still there,
	// for the API server and so for the three-way check, which would then
	// converge with it in the view.
	labtest.Eventually(t, time.Minute, func(ctx context.Context) error {
		_, err := cs.CoreV1().Pods(nsA).Get(ctx, "web-2", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("web-2 is still there (%v)", err)
	})
	web = []string{podID(nsA, "db-1"), podID(nsA, "web-1")}
	g = selectorConverged(t, p, s, cs, sc, filter, sel, "deleted")
	wantPods(t, "deleted", g, web)

	// The chip's × clears the selector: every pod is drawn again.
	b.waitJS(`(document.querySelector('[data-testid=selector-clear]').click(), true)`, 5*time.Second, "the clear button")
	b.waitJS(`!new URL(location.href).searchParams.has('selector')`, 5*time.Second, "the selector to leave the address")
	pageShows(t, b, "cleared", append(web, db...), nil)
}

// selectorConverged is the three-way check under a selector: the graph
// rebuilt from stream s equals /api/graph (filter), which equals the API
// server's truth within sc with the pods sel does not match (as the API
// server selects them) and their edges taken out.
func selectorConverged(t *testing.T, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, sc *scope, filter, sel, step string) graph.Snapshot {
	t.Helper()
	var got graph.Snapshot
	start := time.Now()
	settle(t, 60*time.Second, func(ctx context.Context) error {
		api, err := streamMatchesAPI(ctx, p, s, filter, step)
		if err != nil {
			return err
		}
		want, err := listScopeTruth(ctx, cs, sc)
		if err != nil {
			return err
		}
		matched := map[string]bool{}
		for _, ns := range sc.namespaces {
			list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				return err
			}
			for _, pod := range list.Items {
				matched[graph.ID(graph.KindPod, ns, pod.Name)] = true
			}
		}
		out := func(id string) bool { return strings.HasPrefix(id, graph.KindPod+"/") && !matched[id] }
		for id := range want.Nodes {
			if out(id) {
				delete(want.Nodes, id)
			}
		}
		for id := range want.Edges {
			_, rest, _ := strings.Cut(id, ":")
			from, to, _ := strings.Cut(rest, "->")
			if out(from) || out(to) {
				delete(want.Edges, id)
			}
		}
		// The truth's diff ignores what Podium shows outside the truth's
		// scope, and pods out of the selector are inside it: name them.
		for _, n := range api.Nodes {
			if out(n.ID) {
				return fmt.Errorf("%s: /api/graph holds %s, which %q does not match", step, n.ID, sel)
			}
		}
		if d := want.diff(truthOf(api)); d != "" {
			return fmt.Errorf("%s: /api/graph differs from the API server's pods matching %q:\n%s", step, sel, d)
		}
		got = api
		return nil
	})
	t.Logf("%s: converged in %s", step, time.Since(start).Round(time.Millisecond))
	return got
}

// wantPods fails unless g's pods are exactly want.
func wantPods(t *testing.T, step string, g graph.Snapshot, want []string) {
	t.Helper()
	var got []string
	for _, n := range g.Nodes {
		if n.Kind == graph.KindPod {
			got = append(got, n.ID)
		}
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s: /api/graph pods %v, want %v", step, got, want)
	}
}

// pageShows waits until the page draws every pod of in (data-id) and none
// of out.
func pageShows(t *testing.T, b *browser, step string, in, out []string) {
	t.Helper()
	waitDrawn(t, b, step, in, []string{}, []string{}) // JSON arrays, never null
	q := func(ids []string) string {
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf(`document.querySelector('[data-id=%q]') === null`, id))
		}
		return strings.Join(append(parts, "true"), " && ")
	}
	b.waitJS(q(out), 20*time.Second, fmt.Sprintf("%s: the page to drop %v", step, out))
}
