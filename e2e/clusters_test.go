//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/chromedp/chromedp"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// clusterList is GET /api/clusters.
type clusterList struct {
	Clusters []struct {
		Name   string       `json:"name"`
		Epoch  string       `json:"epoch"`
		Status graph.Status `json:"status"`
	} `json:"clusters"`
}

func clustersOf(ctx context.Context, p *podiumtest.Podium) (clusterList, error) {
	var l clusterList
	req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/api/clusters", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return l, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return l, fmt.Errorf("/api/clusters: %s", resp.Status)
	}
	return l, json.NewDecoder(resp.Body).Decode(&l)
}

// TestSeveralClusters is issue #16's "two labs on the machine: one Podium
// shows both; stopping one lab shows it reconnecting while the other stays
// live; /api/clusters reports both". A second lab runs beside the shared
// one; both have the same namespace, a Service and pods with the same
// names (ids are unique within a cluster only). One Podium watches both
// through their two kubeconfigs (both call their context podium-lab: the
// second is podium-lab-2). Each cluster's stream equals its /api/graph,
// which equals its own API server; the page draws both side by side. With
// the second lab stopped, it is reported reconnecting, on /api/clusters and
// on its frame, while the first stays live and keeps changing on the page
// and the stream; started again, it is live again and converges.
func TestSeveralClusters(t *testing.T) {
	ctx := t.Context()
	second, err := labtest.Start(ctx, labtest.Options{Dir: t.TempDir(), Log: io.Discard, Delays: &labtest.Delays{Ready: 0, Delete: 0, RestartInterval: labtest.DefaultDelays.RestartInterval}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := second.Down(); err != nil {
			t.Errorf("the second lab: down: %v", err)
		}
	})
	ns := labtest.NamespacePrefixed(t, lab, "clusters")
	csA, csB := lab.Client(), second.Client()
	if _, err := csB.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	populate := func(cs kubernetes.Interface, pods ...string) {
		t.Helper()
		if _, err := cs.CoreV1().Services(ns).Create(ctx, bareService(ns, "web"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, name := range pods {
			if _, err := cs.CoreV1().Pods(ns).Create(ctx, barePod(ns, name, map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	populate(csA, "web-1", "web-2")
	populate(csB, "web-1")

	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--kubeconfig", second.Kubeconfig(), "--namespace", ns}})
	const a, b = "podium-lab", "podium-lab-2"
	sc := &scope{namespaces: []string{ns}}
	fa, fb := "cluster="+a+"&namespace="+ns, "cluster="+b+"&namespace="+ns
	sa, sb := p.Dial(t, fa), p.Dial(t, fb)
	podID := func(name string) string { return graph.ID(graph.KindPod, ns, name) }
	ga := convergedIn(t, p, sa, csA, sc, fa, "first lab")
	gb := convergedIn(t, p, sb, csB, sc, fb, "second lab")
	wantPods(t, "first lab", ga, []string{podID("web-1"), podID("web-2")})
	wantPods(t, "second lab", gb, []string{podID("web-1")})
	if ga.Epoch == gb.Epoch {
		t.Errorf("the two clusters share the epoch %s", ga.Epoch)
	}

	// /api/clusters: both, synced and connected.
	list, err := clustersOf(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list.Clusters {
		names = append(names, c.Name)
		if !c.Status.Synced || c.Status.APIServer != "connected" {
			t.Errorf("/api/clusters: %s is %+v, want synced and connected", c.Name, c.Status)
		}
	}
	if !slices.Equal(names, []string{a, b}) {
		t.Fatalf("/api/clusters names %v, want [%s %s]", names, a, b)
	}

	// The page: both side by side, each frame drawing its own cluster.
	br := newBrowser(t, true)
	br.tag = "clusters"
	if err := chromedp.Do(br.ctx, chromedp.Navigate(p.URL+"/?lang=en&namespace="+ns+"&cluster="+url.QueryEscape(a+","+b))); err != nil {
		t.Fatal(err)
	}
	frame := func(name string) string {
		return fmt.Sprintf(`document.querySelector('iframe[data-cluster=%q]')?.contentDocument`, name)
	}
	for _, name := range []string{a, b} {
		br.waitJS(frame(name)+`?.defaultView?.podium !== undefined`, 30*time.Second, "the "+name+" frame's app to start")
	}
	frameDraws := func(step, name string, want []string) {
		t.Helper()
		js := fmt.Sprintf(`(() => { const d = %s; if (!d) return ''; return [...d.querySelectorAll('.pod[data-id]')].map((e) => e.dataset.id).sort().join(' '); })()`, frame(name))
		slices.Sort(want)
		br.waitJS(fmt.Sprintf(`%s === %q`, js, fmt.Sprint(want)[1:len(fmt.Sprint(want))-1]), 30*time.Second, step+": the "+name+" frame to draw "+fmt.Sprint(want))
	}
	frameDraws("side by side", a, []string{podID("web-1"), podID("web-2")})
	frameDraws("side by side", b, []string{podID("web-1")})
	for _, name := range []string{a, b} {
		if got := eval[string](br, frame(name)+`.querySelector('[data-testid=cluster-select]').value`); got != name {
			t.Errorf("the %s frame's picker says %q", name, got)
		}
		// Each frame takes half the window's width and all its height, and
		// its picture most of the frame.
		r := eval[[]float64](br, fmt.Sprintf(`(() => { const f = document.querySelector('iframe[data-cluster=%q]'), r = f.getBoundingClientRect(), s = f.contentDocument.querySelector('[data-testid=stage]').getBoundingClientRect(); return [r.width, innerWidth, r.height, innerHeight, s.height]; })()`, name))
		if r[0] < r[1]/2-10 || r[2] < r[3]-1 || r[4] < r[2]/2 {
			t.Errorf("the %s frame is %v×%v in a %v×%v window, its picture %v high: want half the width, all the height, and most of it the picture", name, r[0], r[2], r[1], r[3], r[4])
		}
	}
	br.shot("side-by-side")

	// The second lab stops: reported reconnecting, on /api/clusters and on
	// its frame, while the first stays live and keeps changing.
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		list, err := clustersOf(ctx, p)
		if err != nil {
			return err
		}
		if st := list.Clusters[1].Status; st.APIServer != "reconnecting" {
			return fmt.Errorf("%s is %+v with its lab stopped, want reconnecting", b, st)
		}
		if st := list.Clusters[0].Status; st.APIServer != "connected" || !st.Synced {
			return fmt.Errorf("%s is %+v while the other lab is stopped, want connected", a, st)
		}
		return nil
	})
	br.waitJS(frame(b)+`.querySelector('[data-testid=banner]').dataset.state === 'apiserver'`, 30*time.Second, "the stopped lab's frame to say it is reconnecting")
	// ... where it can be read: the banner is inside its frame.
	if r := eval[[]float64](br, `(() => { const d = `+frame(b)+`, r = d.querySelector('[data-testid=banner]').getBoundingClientRect(); return [r.left, r.right, r.width, d.defaultView.innerWidth]; })()`); r[0] < 0 || r[1] > r[3] || r[2] == 0 {
		t.Errorf("the stopped lab's banner spans %v..%v of its %v-wide frame", r[0], r[1], r[3])
	}
	if code := httpStatus(t, p.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with one lab stopped: %d, want 200", code)
	}
	if _, err := csA.CoreV1().Pods(ns).Create(ctx, barePod(ns, "web-3", map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ga = convergedIn(t, p, sa, csA, sc, fa, "first lab, the second stopped")
	wantPods(t, "first lab, the second stopped", ga, []string{podID("web-1"), podID("web-2"), podID("web-3")})
	frameDraws("the second stopped", a, []string{podID("web-1"), podID("web-2"), podID("web-3")})
	if got := eval[string](br, frame(a)+`.querySelector('[data-testid=banner]').dataset.state`); got != "live" {
		t.Errorf("the first lab's frame is %q while the second is stopped, want live", got)
	}
	br.shot("one-stopped")

	// Started again: the second is live again, its stream converges.
	if err := second.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := csB.CoreV1().Pods(ns).Create(ctx, barePod(ns, "web-4", map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gb = convergedIn(t, p, sb, csB, sc, fb, "second lab, back")
	wantPods(t, "second lab, back", gb, []string{podID("web-1"), podID("web-4")})
	frameDraws("the second back", b, []string{podID("web-1"), podID("web-4")})
	br.waitJS(frame(b)+`.querySelector('[data-testid=banner]').dataset.state === 'live'`, 30*time.Second, "the second lab's frame to be live again")
}

func httpStatus(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestClusterDownAtStart: a cluster unreachable from the start (a
// kubeconfig naming a closed port) holds back neither the start, nor
// /readyz, nor the other cluster; it is reported reconnecting.
func TestClusterDownAtStart(t *testing.T) {
	dead := filepath.Join(t.TempDir(), "kubeconfig")
	kc := clientcmdapi.NewConfig()
	kc.Clusters["dead"] = &clientcmdapi.Cluster{Server: "https://" + podiumtest.FreeAddr(t), InsecureSkipTLSVerify: true}
	kc.AuthInfos["dead"] = &clientcmdapi.AuthInfo{Token: "unused"}
	kc.Contexts["dead"] = &clientcmdapi.Context{Cluster: "dead", AuthInfo: "dead"}
	kc.CurrentContext = "dead"
	if err := clientcmd.WriteToFile(*kc, dead); err != nil {
		t.Fatal(err)
	}
	ns := labtest.Namespace(t, lab)
	if _, err := lab.Client().CoreV1().Pods(ns).Create(t.Context(), barePod(ns, "web-1", map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Start waits for /readyz: it must come with one cluster down.
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--kubeconfig", dead, "--namespace", ns}})
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		list, err := clustersOf(ctx, p)
		if err != nil {
			return err
		}
		if len(list.Clusters) != 2 || list.Clusters[1].Name != "dead" || list.Clusters[1].Status.APIServer != "reconnecting" || !list.Clusters[0].Status.Synced {
			return fmt.Errorf("/api/clusters = %+v, want podium-lab synced and dead reconnecting", list.Clusters)
		}
		return nil
	})
	g, err := p.Graph(t.Context(), "cluster=podium-lab&namespace="+ns)
	if err != nil {
		t.Fatal(err)
	}
	wantPods(t, "one cluster down", g, []string{graph.ID(graph.KindPod, ns, "web-1")})
	s := p.Dial(t, "cluster=dead")
	labtest.Eventually(t, 30*time.Second, func(context.Context) error {
		if st := s.Status(); st.APIServer != "reconnecting" {
			return fmt.Errorf("the dead cluster's viewer has status %+v, want reconnecting", st)
		}
		return s.Err()
	})
}
