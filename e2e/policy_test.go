//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/kubesteps"
	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// policyLayers turns every layer on, those of issue #13 included (their
// names are the page's: web/static/layout.js LAYERS).
const policyLayers = allLayers + ",identity,netpol,quotas"

// policyRun is one run of issue #13's acceptance: two namespaces (a, the
// scenario's; b, a neighbour with a quota), Podium, a stream of both, and
// a page.
type policyRun struct {
	t      *testing.T
	cs     kubernetes.Interface
	nsA    string
	nsB    string
	sc     *scope
	filter string // "namespace=a,b"
	p      *podiumtest.Podium
	s      *podiumtest.Stream
	b      *browser
}

func newPolicyRun(t *testing.T, page bool) *policyRun {
	r := &policyRun{t: t, cs: lab.Client()}
	r.nsA = labtest.NamespacePrefixed(t, lab, "labe2e")
	r.nsB = labtest.NamespacePrefixed(t, lab, "labe2e-b")
	// Cluster-scoped objects the test makes are named after nsA.
	r.sc = &scope{namespaces: []string{r.nsA, r.nsB}, prefix: r.nsA}
	r.filter = "namespace=" + r.nsA + "," + r.nsB
	r.p = podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	r.s = r.p.Dial(t, r.filter)
	if page {
		r.b = newBrowser(t, true)
		r.b.tag = "policy"
		r.b.open(r.p.URL + "/?lang=en&namespace=" + url.QueryEscape(r.nsA+","+r.nsB) + "&layers=" + policyLayers)
		r.b.waitJS(`document.querySelector('[data-testid=banner]').dataset.state === 'live'`, 30*time.Second, "the page to be live")
	}
	return r
}

func (r *policyRun) with(t *testing.T) *policyRun {
	c := *r
	c.t = t
	if r.b != nil {
		c.b = r.b.with(t)
	}
	return &c
}

func (r *policyRun) idA(kind, name string) string { return graph.ID(kind, r.nsA, name) }
func (r *policyRun) idB(kind, name string) string { return graph.ID(kind, r.nsB, name) }

// step waits for the three-way check over both namespaces, then for the
// page to draw what it must, and takes the step's screenshot.
func (r *policyRun) step(name string) graph.Snapshot {
	r.t.Helper()
	start := time.Now()
	g := convergedIn(r.t, r.p, r.s, r.cs, r.sc, r.filter, name)
	if r.b != nil {
		r.pageDraws(name, g)
		r.b.shot(name)
	}
	r.t.Logf("%s: converged and drawn in %s", name, time.Since(start).Round(time.Millisecond))
	return g
}

func (r *policyRun) eventually(what string, timeout time.Duration, cond func(ctx context.Context) error) {
	r.t.Helper()
	start := time.Now()
	settle(r.t, timeout, func(ctx context.Context) error {
		if err := cond(ctx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
	r.t.Logf("%s: got there in %s", what, time.Since(start).Round(time.Millisecond))
}

// settle is labtest.Eventually reporting cond's last real error, not the
// deadline cutting its last call short.
func settle(t testing.TB, timeout time.Duration, cond func(ctx context.Context) error) {
	t.Helper()
	var last error
	labtest.Eventually(t, timeout, func(ctx context.Context) error {
		err := cond(ctx)
		if err != nil && ctx.Err() != nil && last != nil {
			return last
		}
		last = err
		return err
	})
}

// convergedIn is the three-way check over a scope: the graph rebuilt from
// the stream equals /api/graph (filter), which equals the API server's
// truth within sc.
func convergedIn(t testing.TB, p *podiumtest.Podium, s *podiumtest.Stream, cs kubernetes.Interface, sc *scope, filter, step string) graph.Snapshot {
	t.Helper()
	var got graph.Snapshot
	settle(t, 60*time.Second, func(ctx context.Context) error {
		return func() error {
			api, err := streamMatchesAPI(ctx, p, s, filter, step)
			if err != nil {
				return err
			}
			want, err := listScopeTruth(ctx, cs, sc)
			if err != nil {
				return err
			}
			if d := want.diff(truthOf(api)); d != "" {
				return fmt.Errorf("%s: /api/graph differs from the API server:\n%s", step, d)
			}
			got = api
			return nil
		}()
	})
	return got
}

// pageDraws waits until the page draws what it must of g: every entity of
// the two namespaces but ServiceAccounts no drawn pod runs as and nothing
// grants to, and Roles granted to nothing; a Namespace that has quotas or
// limits (its band's info); the Users and Groups a RoleBinding in view
// names; the ClusterRoles granted to a ServiceAccount in view or to a
// drawn User or Group; and their edges (owns is placement; mounts, runs-as
// and isolates may be drawn once for a whole workload).
func (r *policyRun) pageDraws(step string, g graph.Snapshot) {
	r.t.Helper()
	inView := func(ns string) bool { return ns == r.nsA || ns == r.nsB }
	byID := map[string]*graph.Node{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	runsTo, grantFrom, grantTo := map[string]bool{}, map[string]bool{}, map[string]bool{}
	subjects := map[string]bool{} // Users and Groups a RoleBinding in view names
	for _, e := range g.Edges {
		switch e.Kind {
		case graph.EdgeRunsAs:
			runsTo[e.To] = true
		case graph.EdgeGrants:
			grantFrom[e.From], grantTo[e.To] = true, true
			if e.Detail == nil {
				continue
			}
			if parts := strings.Split(e.Binding, "/"); parts[0] == "RoleBinding" && len(parts) == 3 && inView(parts[1]) {
				subjects[e.From] = true
			}
		}
	}
	drawn := map[string]bool{}
	for _, n := range g.Nodes {
		switch {
		case inView(n.Namespace):
			switch n.Kind {
			case graph.KindServiceAccount:
				drawn[n.ID] = runsTo[n.ID] || grantFrom[n.ID]
			case graph.KindRole:
				drawn[n.ID] = grantTo[n.ID]
			default:
				drawn[n.ID] = true
			}
		case n.Kind == graph.KindNamespace:
			f := n.NamespaceInfo()
			drawn[n.ID] = inView(n.Name) && f != nil && (len(f.Quotas) > 0 || len(f.LimitRanges) > 0)
		case n.Kind == graph.KindUser || n.Kind == graph.KindGroup:
			drawn[n.ID] = subjects[n.ID]
		}
	}
	for _, e := range g.Edges {
		// The Nodes pods in view run on.
		if e.Kind == graph.EdgeRunsOn && drawn[e.From] && byID[e.To] != nil {
			drawn[e.To] = true
		}
		if e.Kind != graph.EdgeGrants || byID[e.To] == nil || byID[e.To].Kind != graph.KindClusterRole {
			continue
		}
		if f := byID[e.From]; f != nil && (inView(f.Namespace) || drawn[f.ID]) {
			drawn[e.To] = true
		}
	}
	ids, edges, shared := []string{}, []string{}, []string{} // JSON arrays, never null
	for id, ok := range drawn {
		if ok {
			ids = append(ids, id)
		}
	}
	for _, e := range g.Edges {
		if !drawn[e.From] || !drawn[e.To] {
			continue
		}
		switch e.Kind {
		case graph.EdgeOwns:
		case graph.EdgeMounts:
			shared = append(shared, e.ID, "agg:mounts:", "->"+e.To)
		case graph.EdgeRunsAs:
			shared = append(shared, e.ID, "agg:runs-as:", "->"+e.To)
		case graph.EdgeIsolates:
			shared = append(shared, e.ID, "agg:isolates:"+e.From+"->", "")
		default:
			edges = append(edges, e.ID)
		}
	}
	sort.Strings(ids)
	waitDrawn(r.t, r.b, step, ids, edges, shared)
}

// pool is a pair of KWOK nodes only this test's pods may use (a taint
// keeps every other pod off, a required affinity keeps these pods on), so
// cordoning and draining one disturbs no other test on the shared lab.
type pool struct {
	key, value string
	nodes      []string
}

const poolKey = "podium.dev/labe2e-pool"

func newPool(value string) *pool { return &pool{key: poolKey, value: value} }

// add creates a KWOK node of the pool and waits until it is Ready.
func (pl *pool) add(t testing.TB, cs kubernetes.Interface, name string, cidr string) {
	t.Helper()
	ctx := context.Background()
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("16"),
		corev1.ResourceMemory: resource.MustParse("64Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels:      map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "type": "kwok", pl.key: pl.value},
			Annotations: map[string]string{labtest.FakeNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"}},
		Spec: corev1.NodeSpec{PodCIDR: cidr, PodCIDRs: []string{cidr},
			Taints: []corev1.Taint{{Key: pl.key, Value: pl.value, Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Capacity: res, Allocatable: res},
	}
	if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node %s: %v", name, err)
	}
	pl.nodes = append(pl.nodes, name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := cs.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Logf("delete node %s: %v", name, err)
		}
	})
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !labtest.NodeReady(n) {
			return fmt.Errorf("node %s not Ready", name)
		}
		return nil
	})
}

// place puts a pod template on the pool.
func (pl *pool) place(s *corev1.PodSpec) {
	s.Tolerations = append(s.Tolerations, corev1.Toleration{Key: pl.key, Operator: corev1.TolerationOpEqual, Value: pl.value, Effect: corev1.TaintEffectNoSchedule})
	s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
			Key: pl.key, Operator: corev1.NodeSelectorOpIn, Values: []string{pl.value}}}}}}}}
}

// fastDeployment makes a Deployment of fast lab pods labelled app=name.
func fastDeployment(name string, replicas int32, change func(*corev1.PodSpec)) *appsv1.Deployment {
	lbl := map[string]string{"app": name}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbl}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: name, Image: name + ":v1"}}}}
	fastPods(&tmpl.ObjectMeta)
	if change != nil {
		change(&tmpl.Spec)
	}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.DeploymentSpec{
		Replicas: ptrs.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: lbl}, Template: tmpl}}
}

// deploymentReady reports (nil) whether the Deployment has exactly its
// replicas, all ready, and no other pod with its label.
func deploymentReady(ctx context.Context, cs kubernetes.Interface, ns, name string) error {
	return kubesteps.Settled(ctx, cs, ns, name, "app="+name, "", false)
}

// must fails t on a call's error: must(t)(cs.X().Create(…)).
func must(t testing.TB) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// appPods is podsByApp for one namespace, failing t on an error.
func appPods(t testing.TB, cs kubernetes.Interface, ns string) map[string][]string {
	t.Helper()
	m, err := podsByApp(context.Background(), cs, ns)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// happened waits until the stream has a happening matching ok.
func (r *policyRun) happened(what string, ok func(h graph.Happening) bool) graph.Happening {
	r.t.Helper()
	var got graph.Happening
	labtest.Eventually(r.t, 30*time.Second, func(context.Context) error {
		for _, h := range r.s.Happenings() {
			if ok(h) {
				got = h
				return nil
			}
		}
		return fmt.Errorf("no %s happening on /ws yet", what)
	})
	return got
}

// reach is GET /api/reachability's answer.
type reach struct {
	Pod     string    `json:"pod"`
	Ingress reachSide `json:"ingress"`
	Egress  reachSide `json:"egress"`
}

type reachSide struct {
	Isolated bool              `json:"isolated"`
	Allowed  []reachPeer       `json:"allowed"`
	Beyond   []json.RawMessage `json:"beyond"`
}

type reachPeer struct {
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	Policy string   `json:"policy,omitempty"`
	Rule   *int     `json:"rule,omitempty"`
	Ports  []string `json:"ports,omitempty"`
}

// getReach fetches /api/reachability with query; a status other than 200
// is returned with the body.
func getReach(ctx context.Context, base, query string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/reachability?"+query, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, buf.Bytes(), nil
}

func (r *policyRun) reachOf(ctx context.Context, pod string) (reach, error) {
	var out reach
	code, body, err := getReach(ctx, r.p.URL, "pod="+url.QueryEscape(pod))
	if err != nil {
		return out, err
	}
	if code != http.StatusOK {
		return out, fmt.Errorf("reachability of %s: %d %s", pod, code, body)
	}
	return out, json.Unmarshal(body, &out)
}

// matrix is a reachability case as the upstream netpol suite writes one:
// rows are destinations, columns sources, "X" allowed and "." denied; each
// name stands for every pod labelled app=name, and a pod is not its own
// peer, so a one-pod app against itself is "-".
type matrix struct {
	names []string
	rows  []string
	// ports: allowed pairs "from>to" whose answer must list exactly these.
	ports map[string][]string
}

// checkReach compares /api/reachability for every pod of the scenario with
// m, and prints the matrix it got when they differ.
func (r *policyRun) checkReach(ctx context.Context, step string, pods map[string][]string, m matrix) error {
	got := make([][]string, len(m.names))
	var bad []string
	for i, dst := range m.names {
		got[i] = make([]string, len(m.names))
		allowed, denied := make([]int, len(m.names)), make([]int, len(m.names))
		for _, dp := range pods[dst] {
			a, err := r.reachOf(ctx, dp)
			if err != nil {
				return err
			}
			from := map[string]reachPeer{}
			for _, p := range a.Ingress.Allowed {
				from[p.From] = p
			}
			for j, src := range m.names {
				for _, sp := range pods[src] {
					if sp == dp {
						continue
					}
					peer, ok := from[sp]
					if !ok {
						denied[j]++
						continue
					}
					allowed[j]++
					if want, ok := m.ports[src+">"+dst]; ok && !slices.Equal(peer.Ports, want) {
						bad = append(bad, fmt.Sprintf("%s → %s: ports %v, want %v", sp, dp, peer.Ports, want))
					}
				}
			}
		}
		for j := range m.names {
			switch {
			case allowed[j] > 0 && denied[j] > 0:
				got[i][j] = "~" // some pairs allowed, some not
			case allowed[j] > 0:
				got[i][j] = "X"
			case denied[j] > 0:
				got[i][j] = "."
			default:
				got[i][j] = "-" // no pair: a one-pod app against itself
			}
		}
	}
	var diff bool
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %s\n", "dst\\src", strings.Join(m.names, " "))
	for i, dst := range m.names {
		row := strings.Join(got[i], strings.Repeat(" ", 1))
		want := strings.Join(strings.Fields(m.rows[i]), " ")
		mark := ""
		if row != want {
			diff, mark = true, "   want "+want
		}
		fmt.Fprintf(&b, "%-8s %s%s\n", dst, row, mark)
	}
	if diff || len(bad) > 0 {
		return fmt.Errorf("%s: reachability differs from the table (names stand for app labels, one letter per column):\n%s%s", step, b.String(), strings.Join(bad, "\n"))
	}
	r.t.Logf("%s: reachability as the table says:\n%s", step, b.String())
	return nil
}

// podsByApp lists the pods of namespaces by their app label.
func podsByApp(ctx context.Context, cs kubernetes.Interface, namespaces ...string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, ns := range namespaces {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, p := range pods.Items {
			if app := p.Labels["app"]; app != "" && p.DeletionTimestamp == nil {
				out[app] = append(out[app], graph.ID(graph.KindPod, ns, p.Name))
			}
		}
	}
	return out, nil
}

// TestPolicyAcceptance is issue 13's acceptance, step by step against the
// lab: after each step the graph rebuilt from /ws, /api/graph and the API
// server agree (over both namespaces and the cluster-scoped objects the
// test made), the page draws the new entities and edges, and a screenshot
// records it (artifacts/policy-NN-<step>.png).
func TestPolicyAcceptance(t *testing.T) {
	r := newPolicyRun(t, true)
	ctx := t.Context()
	cs, a, b := r.cs, r.nsA, r.nsB
	aggLabel := "podium.dev/aggregate-to-" + a[len(a)-5:] // a label value is at most 63 characters; the suffix is the namespace's random part
	// The cluster-scoped objects live as long as the whole test, not the
	// step that makes them.
	t.Cleanup(func() { cleanupClusterRBAC(cs, a) })

	// (a) ServiceAccounts and bindings.
	t.Run("identity", func(t *testing.T) {
		r := r.with(t)
		must(t)(cs.CoreV1().ServiceAccounts(a).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}, metav1.CreateOptions{}))
		must(t)(cs.CoreV1().ServiceAccounts(a).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "quiet"},
			AutomountServiceAccountToken: ptrs.To(false)}, metav1.CreateOptions{}))
		must(t)(cs.RbacV1().Roles(a).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "secret-reader"},
			Rules: []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}}}}, metav1.CreateOptions{}))
		must(t)(cs.RbacV1().RoleBindings(a).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "reader-secrets"},
			Subjects: []rbacv1.Subject{
				{Kind: rbacv1.ServiceAccountKind, Name: "reader", Namespace: a},
				{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: a + "-alice"},
				{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: a + "-devs"},
			},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "secret-reader"}}, metav1.CreateOptions{}))
		// Two labelled ClusterRoles and one aggregating them.
		for name, rule := range map[string]rbacv1.PolicyRule{
			a + "-agg-pods": {Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}},
			a + "-agg-logs": {Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}},
		} {
			must(t)(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{aggLabel: "true"}},
				Rules: []rbacv1.PolicyRule{rule}}, metav1.CreateOptions{}))
		}
		must(t)(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: a + "-aggregate"},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{aggLabel: "true"}}}}},
			metav1.CreateOptions{}))
		must(t)(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: a + "-aggregate"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "reader", Namespace: a}, {Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: a + "-ops"}},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: a + "-aggregate"}}, metav1.CreateOptions{}))
		must(t)(cs.RbacV1().RoleBindings(a).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "quiet-pods"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "quiet", Namespace: a}},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: a + "-agg-pods"}}, metav1.CreateOptions{}))
		must(t)(cs.AppsV1().Deployments(a).Create(ctx, fastDeployment("web", 2, func(s *corev1.PodSpec) { s.ServiceAccountName = "reader" }), metav1.CreateOptions{}))
		must(t)(cs.AppsV1().Deployments(a).Create(ctx, fastDeployment("quiet", 1, func(s *corev1.PodSpec) { s.ServiceAccountName = "quiet" }), metav1.CreateOptions{}))
		solo := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "solo", Labels: map[string]string{"app": "solo"}}, Spec: corev1.PodSpec{
			ServiceAccountName: "reader", AutomountServiceAccountToken: ptrs.To(false), Containers: []corev1.Container{{Name: "solo", Image: "solo:v1"}}}}
		fastPods(&solo.ObjectMeta)
		must(t)(cs.CoreV1().Pods(a).Create(ctx, solo, metav1.CreateOptions{}))
		r.eventually("web and quiet run, solo is ready, the aggregation controller filled the aggregate", 90*time.Second, func(ctx context.Context) error {
			for _, d := range []string{"web", "quiet"} {
				if err := deploymentReady(ctx, cs, a, d); err != nil {
					return err
				}
			}
			p, err := cs.CoreV1().Pods(a).Get(ctx, "solo", metav1.GetOptions{})
			if err != nil || !labtest.PodReady(p) {
				return fmt.Errorf("solo not ready (%v)", err)
			}
			cr, err := cs.RbacV1().ClusterRoles().Get(ctx, a+"-aggregate", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if len(cr.Rules) != 2 {
				return fmt.Errorf("the controller wrote %d rules into %s, want 2: is clusterrole-aggregation running?", len(cr.Rules), cr.Name)
			}
			return nil
		})
		g := r.step("identity")

		reader := node(g, r.idA(graph.KindServiceAccount, "reader"))
		if reader == nil || reader.ServiceAccount() == nil || !slices.Contains(reader.ServiceAccount().Risky, graph.RiskySecrets) {
			t.Errorf("ServiceAccount reader: %+v, want risky secrets (granted secret-reader)", reader)
		}
		role := node(g, r.idA(graph.KindRole, "secret-reader"))
		if role == nil || role.Role() == nil || !slices.Equal(role.Role().Risky, []string{graph.RiskySecrets}) {
			t.Errorf("Role secret-reader: %+v, want risky [secrets]", role)
		}
		agg := node(g, graph.ID(graph.KindClusterRole, "", a+"-aggregate"))
		wantFrom := []string{graph.ID(graph.KindClusterRole, "", a+"-agg-logs"), graph.ID(graph.KindClusterRole, "", a+"-agg-pods")}
		if agg == nil || agg.ClusterRole() == nil || !slices.Equal(agg.ClusterRole().AggregatedFrom, wantFrom) || len(agg.ClusterRole().Rules) != 2 {
			t.Errorf("ClusterRole %s-aggregate: %+v, want 2 rules aggregated from %v", a, agg, wantFrom)
		}
		for _, want := range []struct{ from, to, binding, ns string }{
			{r.idA(graph.KindServiceAccount, "reader"), r.idA(graph.KindRole, "secret-reader"), r.idA("RoleBinding", "reader-secrets"), ""},
			{graph.ID(graph.KindUser, "", a+"-alice"), r.idA(graph.KindRole, "secret-reader"), r.idA("RoleBinding", "reader-secrets"), ""},
			{graph.ID(graph.KindGroup, "", a+"-devs"), r.idA(graph.KindRole, "secret-reader"), r.idA("RoleBinding", "reader-secrets"), ""},
			{r.idA(graph.KindServiceAccount, "reader"), graph.ID(graph.KindClusterRole, "", a+"-aggregate"), graph.ID("ClusterRoleBinding", "", a+"-aggregate"), ""},
			{graph.ID(graph.KindGroup, "", a+"-ops"), graph.ID(graph.KindClusterRole, "", a+"-aggregate"), graph.ID("ClusterRoleBinding", "", a+"-aggregate"), ""},
			{r.idA(graph.KindServiceAccount, "quiet"), graph.ID(graph.KindClusterRole, "", a+"-agg-pods"), r.idA("RoleBinding", "quiet-pods"), a},
		} {
			id := graph.EdgeID(graph.EdgeGrants, want.from, want.to) + "@" + want.binding
			if e := edge(g, id); e == nil || e.Detail == nil || e.Binding != want.binding || e.Namespace != want.ns {
				t.Errorf("grants %s: %+v, want binding %s namespace %q", id, e, want.binding, want.ns)
			}
		}
		tokens := map[string]bool{}
		for _, e := range g.Edges {
			if e.Kind == graph.EdgeRunsAs && graph.NamespaceOf(e.From) == a {
				p := node(g, e.From)
				tokens[p.Pod.Labels["app"]+">"+e.To] = e.Detail != nil && e.Token // no Detail: no token
			}
		}
		for k, want := range map[string]bool{
			"web>" + r.idA(graph.KindServiceAccount, "reader"):  true,  // unset everywhere: mounted
			"quiet>" + r.idA(graph.KindServiceAccount, "quiet"): false, // the ServiceAccount says no
			"solo>" + r.idA(graph.KindServiceAccount, "reader"): false, // the pod says no
		} {
			if got, ok := tokens[k]; !ok || got != want {
				t.Errorf("runs-as %s: token %v (present %v), want %v", k, got, ok, want)
			}
		}
	})

	// (b) NetworkPolicy: a default-deny ingress policy, then an allow
	// from one app on a named port. probe, in b, is labelled app=web too:
	// a podSelector alone selects in the policy's namespace only.
	t.Run("netpol", func(t *testing.T) {
		r := r.with(t)
		must(t)(cs.AppsV1().Deployments(a).Create(ctx, fastDeployment("api", 1, func(s *corev1.PodSpec) {
			s.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}
		}), metav1.CreateOptions{}))
		probe := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Labels: map[string]string{"app": "web", "role": "probe"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "probe", Image: "probe:v1"}}}}
		fastPods(&probe.ObjectMeta)
		must(t)(cs.CoreV1().Pods(b).Create(ctx, probe, metav1.CreateOptions{}))
		r.eventually("api and probe run", 60*time.Second, func(ctx context.Context) error {
			if err := deploymentReady(ctx, cs, a, "api"); err != nil {
				return err
			}
			p, err := cs.CoreV1().Pods(b).Get(ctx, "probe", metav1.GetOptions{})
			if err != nil || !labtest.PodReady(p) {
				return fmt.Errorf("probe not ready (%v)", err)
			}
			return nil
		})
		r.step("netpol-pods")

		must(t)(cs.NetworkingV1().NetworkPolicies(a).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default-deny"},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{}, PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}},
			metav1.CreateOptions{}))
		g := r.step("netpol-default-deny")
		if n := node(g, r.idA(graph.KindNetworkPolicy, "default-deny")); n == nil || n.NetworkPolicy() == nil || !slices.Equal(n.NetworkPolicy().PolicyTypes, []string{"Ingress"}) {
			t.Errorf("NetworkPolicy default-deny: %+v, want types [Ingress]", n)
		}
		// probe is a pod of b: its column reads web's, but it is a
		// separate name so the table tells the namespaces apart.
		names := []string{"web", "quiet", "solo", "api", "probe"}
		pods := func(ctx context.Context) (map[string][]string, error) {
			m, err := podsByApp(ctx, cs, a)
			if err != nil {
				return nil, err
			}
			m["probe"] = []string{r.idB(graph.KindPod, "probe")}
			return m, nil
		}
		deny := matrix{names: names, rows: []string{
			//       web quiet solo api probe
			/*web*/ ". . . . .",
			/*quiet*/ ". - . . .",
			/*solo*/ ". . - . .",
			/*api*/ ". . . - .",
			/*probe*/ "X X X X -",
		}}
		// The scenario's pods are settled: list them once (a list per poll
		// would run into the client's rate limit).
		scenario, err := pods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r.eventually("reachability under default-deny", 30*time.Second, func(ctx context.Context) error {
			return r.checkReach(ctx, "default-deny", scenario, deny)
		})
		if a, err := r.reachOf(ctx, r.idB(graph.KindPod, "probe")); err != nil || a.Ingress.Isolated {
			t.Errorf("probe: %+v %v, want ingress not isolated (no policy in %s)", a, err, b)
		}

		must(t)(cs.NetworkingV1().NetworkPolicies(a).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "web-to-api"},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Port: ptrs.To(intstr.FromString("http"))}},
				}},
			}}, metav1.CreateOptions{}))
		g = r.step("netpol-allow-web")
		allow := matrix{names: names, rows: []string{
			//       web quiet solo api probe
			/*web*/ ". . . . .",
			/*quiet*/ ". - . . .",
			/*solo*/ ". . - . .",
			/*api*/ "X . . - .",
			/*probe*/ "X X X X -",
		}, ports: map[string][]string{"web>api": {"TCP/8080"}}}
		r.eventually("reachability with web allowed to api on http", 30*time.Second, func(ctx context.Context) error {
			return r.checkReach(ctx, "allow-web", scenario, allow)
		})
		api := appPods(t, cs, a)["api"][0]
		isolates := 0
		for _, e := range g.Edges {
			if e.Kind == graph.EdgeIsolates && e.From == r.idA(graph.KindNetworkPolicy, "web-to-api") {
				isolates++
				if e.To != api {
					t.Errorf("web-to-api isolates %s, want only %s", e.To, api)
				}
			}
		}
		if isolates != 1 {
			t.Errorf("web-to-api isolates %d pods, want 1", isolates)
		}
	})

	// (c) A ResourceQuota of 4 pods in b filling as a Deployment scales
	// 2 → 6: probe holds one, fill gets three, the rest are refused.
	t.Run("quota", func(t *testing.T) {
		r := r.with(t)
		must(t)(cs.CoreV1().ResourceQuotas(b).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "pods"},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("4")}}}, metav1.CreateOptions{}))
		r.eventually("the quota controller counts b's pods", 60*time.Second, func(ctx context.Context) error {
			q, err := cs.CoreV1().ResourceQuotas(b).Get(ctx, "pods", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if u := q.Status.Used[corev1.ResourcePods]; u.String() != "1" {
				return fmt.Errorf("used %v, want 1 (probe): is the resourcequota controller running?", q.Status.Used)
			}
			return nil
		})
		must(t)(cs.AppsV1().Deployments(b).Create(ctx, fastDeployment("fill", 2, nil), metav1.CreateOptions{}))
		r.eventually("fill runs 2", 60*time.Second, func(ctx context.Context) error { return deploymentReady(ctx, cs, b, "fill") })
		g := r.step("quota-2")
		if q := quotaOf(g, r.nsB, "pods", "pods"); q == nil || q.Used != "3" || q.Hard != "4" {
			t.Errorf("Namespace %s quota pods: %+v, want used 3 of 4", b, q)
		}
		must(t)(nil, kubesteps.UpdateDeployment(ctx, cs, b, "fill", func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(int32(6)) }))
		r.eventually("fill is refused past the quota", 60*time.Second, func(ctx context.Context) error {
			q, err := cs.CoreV1().ResourceQuotas(b).Get(ctx, "pods", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if u := q.Status.Used[corev1.ResourcePods]; u.String() != "4" {
				return fmt.Errorf("used %v, want 4", q.Status.Used)
			}
			evs, err := cs.CoreV1().Events(b).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedCreate"})
			if err != nil {
				return err
			}
			for _, e := range evs.Items {
				if strings.Contains(e.Message, "exceeded quota") {
					return nil
				}
			}
			return fmt.Errorf("no FailedCreate event about the quota yet")
		})
		g = r.step("quota-full")
		if q := quotaOf(g, r.nsB, "pods", "pods"); q == nil || q.Used != "4" || q.Hard != "4" {
			t.Errorf("Namespace %s quota pods: %+v, want used 4 of 4", b, q)
		}
		h := r.happened("warning about the quota refusal", func(h graph.Happening) bool {
			return h.Kind == graph.HappeningWarning && strings.HasPrefix(h.Ref, "ReplicaSet/"+b+"/fill-") && strings.Contains(h.Text, "exceeded quota")
		})
		t.Logf("the refusal on /ws: %s", h.Text)
		if r.b != nil {
			r.b.waitJS(`(() => { const n = document.querySelector('[data-id="Namespace/`+b+`"]'); return !!n && n.textContent.includes('4'); })()`,
				20*time.Second, "the page to show b's quota")
		}
	})

	// (d) A LimitRange: its defaults appear on the Namespace node.
	t.Run("limitrange", func(t *testing.T) {
		r := r.with(t)
		must(t)(cs.CoreV1().LimitRanges(b).Create(ctx, &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
			Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
				Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
				Max:            corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			}}}}, metav1.CreateOptions{}))
		g := r.step("limitrange")
		n := node(g, graph.ID(graph.KindNamespace, "", b))
		var cpu *graph.LimitRangeItem
		if n != nil && n.NamespaceInfo() != nil {
			for i, l := range n.NamespaceInfo().LimitRanges {
				if l.Name == "defaults" && l.Resource == "cpu" {
					cpu = &n.NamespaceInfo().LimitRanges[i]
				}
			}
		}
		if cpu == nil || cpu.Type != "Container" || cpu.Default != "200m" || cpu.DefaultRequest != "100m" || cpu.Max != "1" {
			t.Errorf("Namespace %s limit range defaults/cpu: %+v, want Container default 200m request 100m max 1", b, cpu)
		}
	})

	// (e) Cordon, drain with a PodDisruptionBudget in the way, relax it,
	// uncordon: on two KWOK nodes of the test's own.
	t.Run("drain", func(t *testing.T) {
		r := r.with(t)
		pl := newPool(a[len(a)-5:])
		nodeA, nodeB := a+"-a", a+"-b"
		pl.add(t, cs, nodeA, "10.250.0.0/24")
		// batch's two pods are evicted; queue's one is held by its budget.
		must(t)(cs.AppsV1().Deployments(a).Create(ctx, fastDeployment("batch", 2, pl.place), metav1.CreateOptions{}))
		must(t)(cs.AppsV1().Deployments(a).Create(ctx, fastDeployment("queue", 1, pl.place), metav1.CreateOptions{}))
		must(t)(cs.PolicyV1().PodDisruptionBudgets(a).Create(ctx, &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "queue"},
			Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptrs.To(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "queue"}}}},
			metav1.CreateOptions{}))
		r.eventually("batch and queue run on "+nodeA+", the disruption controller allows queue nothing", 90*time.Second, func(ctx context.Context) error {
			for _, d := range []string{"batch", "queue"} {
				if err := deploymentReady(ctx, cs, a, d); err != nil {
					return err
				}
			}
			pdb, err := cs.PolicyV1().PodDisruptionBudgets(a).Get(ctx, "queue", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if pdb.Status.ObservedGeneration < pdb.Generation || pdb.Status.CurrentHealthy != 1 || pdb.Status.DisruptionsAllowed != 0 {
				return fmt.Errorf("budget queue: %+v: is the disruption controller running?", pdb.Status)
			}
			return nil
		})
		pl.add(t, cs, nodeB, "10.250.1.0/24")
		g := r.step("drain-before")
		for _, e := range g.Edges {
			if e.Kind == graph.EdgeRunsOn && graph.NamespaceOf(e.From) == a && strings.Contains(e.From, "/batch-") && e.To != "Node/"+nodeA {
				t.Fatalf("%s runs on %s, want %s", e.From, e.To, nodeA)
			}
		}

		must(t)(nil, kubesteps.Cordon(ctx, cs, nodeA))
		r.happened("cordoned "+nodeA, func(h graph.Happening) bool {
			return h.Kind == graph.HappeningCordoned && h.Ref == "Node/"+nodeA && h.Params["state"] == "cordoned"
		})
		g = r.step("cordoned")
		if n := node(g, "Node/"+nodeA); n == nil || !n.Node.Unschedulable {
			t.Errorf("Node %s: %+v, want unschedulable", nodeA, n)
		}
		if r.b != nil {
			r.b.waitJS(`(() => { const n = document.querySelector('[data-id="Node/`+nodeA+`"]'); return !!n && (n.dataset.cordoned === 'true' || n.classList.contains('cordoned')); })()`,
				20*time.Second, "the page to draw "+nodeA+" cordoned")
		}

		res, err := kubesteps.Drain(ctx, cs, nodeA, kubesteps.DrainOptions{Timeout: 20 * time.Second})
		if !errors.Is(err, kubesteps.ErrHeld) {
			t.Fatalf("drain %s: %v, want queue held by its budget", nodeA, err)
		}
		queue := appPods(t, cs, a)["queue"]
		if len(res.Evicted) != 2 || len(res.Held) != 1 || res.Held[strings.TrimPrefix(queue[0], "Pod/")] != a+"/queue" {
			t.Fatalf("drain: evicted %v, held %v; want batch's 2 evicted and %s held by %s/queue", res.Evicted, res.Held, queue[0], a)
		}
		r.eventually("batch runs again, on "+nodeB, 60*time.Second, func(ctx context.Context) error {
			if err := deploymentReady(ctx, cs, a, "batch"); err != nil {
				return err
			}
			pods, err := cs.CoreV1().Pods(a).List(ctx, metav1.ListOptions{LabelSelector: "app=batch"})
			if err != nil {
				return err
			}
			for _, p := range pods.Items {
				if p.Spec.NodeName != nodeB {
					return fmt.Errorf("%s on %q", p.Name, p.Spec.NodeName)
				}
			}
			return nil
		})
		g = r.step("drain-held")
		for _, ev := range res.Evicted {
			id := "Pod/" + ev
			r.happened("evicted "+ev, func(h graph.Happening) bool {
				return h.Kind == graph.HappeningDrained && h.Ref == id && h.Params["state"] == "evicted" && h.Params["node"] == nodeA
			})
		}
		r.happened("held by queue", func(h graph.Happening) bool {
			return h.Kind == graph.HappeningDrained && h.Ref == r.idA(graph.KindPDB, "queue") && h.Params["state"] == "held" && h.Params["node"] == nodeA
		})
		for _, e := range g.Edges {
			if e.Kind == graph.EdgeRunsOn && strings.Contains(e.From, "/batch-") && e.To != "Node/"+nodeB {
				t.Errorf("%s runs on %s after the drain, want %s", e.From, e.To, nodeB)
			}
		}

		// The budget relents: the drain finishes.
		must(t)(nil, func() error {
			p, err := cs.PolicyV1().PodDisruptionBudgets(a).Get(ctx, "queue", metav1.GetOptions{})
			if err != nil {
				return err
			}
			p.Spec.MinAvailable = ptrs.To(intstr.FromInt32(0))
			_, err = cs.PolicyV1().PodDisruptionBudgets(a).Update(ctx, p, metav1.UpdateOptions{})
			return err
		}())
		if res, err = kubesteps.Drain(ctx, cs, nodeA, kubesteps.DrainOptions{Timeout: 60 * time.Second}); err != nil || len(res.Evicted) != 1 {
			t.Fatalf("second drain: evicted %v held %v: %v", res.Evicted, res.Held, err)
		}
		r.eventually("queue runs again, on "+nodeB, 60*time.Second, func(ctx context.Context) error { return deploymentReady(ctx, cs, a, "queue") })
		r.happened("drain of "+nodeA+" done", func(h graph.Happening) bool {
			return h.Kind == graph.HappeningDrained && h.Ref == "Node/"+nodeA && h.Params["state"] == "done"
		})
		r.step("drained")

		must(t)(nil, kubesteps.Uncordon(ctx, cs, nodeA))
		r.happened("uncordoned "+nodeA, func(h graph.Happening) bool {
			return h.Kind == graph.HappeningCordoned && h.Ref == "Node/"+nodeA && h.Params["state"] == "uncordoned"
		})
		g = r.step("uncordoned")
		if n := node(g, "Node/"+nodeA); n == nil || n.Node.Unschedulable {
			t.Errorf("Node %s: %+v, want schedulable", nodeA, n)
		}
		var got []string
		for _, h := range r.s.Happenings() {
			if h.Kind == graph.HappeningCordoned || h.Kind == graph.HappeningDrained {
				got = append(got, fmt.Sprintf("%s %s %s", h.Kind, h.Params["state"], h.Ref))
			}
		}
		t.Logf("cordon and drain happenings on /ws:\n%s", strings.Join(got, "\n"))
	})
}

// quotaOf finds a quota entry of a Namespace node.
func quotaOf(g graph.Snapshot, ns, quota, res string) *graph.Quota {
	n := node(g, graph.ID(graph.KindNamespace, "", ns))
	if n == nil || n.NamespaceInfo() == nil {
		return nil
	}
	for i, q := range n.NamespaceInfo().Quotas {
		if q.Name == quota && q.Resource == res {
			return &n.NamespaceInfo().Quotas[i]
		}
	}
	return nil
}

// cleanupClusterRBAC deletes the ClusterRoles and ClusterRoleBindings whose
// names start with prefix (a namespace's deletion takes only the rest).
// Aggregating ClusterRoles go last, and are deleted again if they come
// back: the aggregation controller applies an aggregate's rules with a
// server-side apply, which re-creates one deleted before its members.
func cleanupClusterRBAC(cs kubernetes.Interface, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if l, err := cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{}); err == nil {
		for _, b := range l.Items {
			if strings.HasPrefix(b.Name, prefix) {
				_ = cs.RbacV1().ClusterRoleBindings().Delete(ctx, b.Name, metav1.DeleteOptions{})
			}
		}
	}
	ours := func(aggregating bool) []string {
		var out []string
		if l, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{}); err == nil {
			for _, r := range l.Items {
				if strings.HasPrefix(r.Name, prefix) && (r.AggregationRule != nil) == aggregating {
					out = append(out, r.Name)
				}
			}
		}
		return out
	}
	for _, name := range ours(false) {
		_ = cs.RbacV1().ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{})
	}
	// Until the controller has emptied the aggregates, it may still apply
	// them.
	_ = labtest.Poll(ctx, 10*time.Second, func(ctx context.Context) error {
		for _, name := range ours(true) {
			if r, err := cs.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{}); err == nil && len(r.Rules) > 0 {
				return fmt.Errorf("%s still has %d rules", name, len(r.Rules))
			}
		}
		return nil
	})
	_ = labtest.Poll(ctx, 20*time.Second, func(ctx context.Context) error {
		left := ours(true)
		for _, name := range left {
			_ = cs.RbacV1().ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{})
		}
		if len(left) > 0 {
			return fmt.Errorf("aggregating ClusterRoles left: %v", left)
		}
		// Gone now; seen gone twice in a row, the controller has let go.
		if len(ours(true)) > 0 {
			return fmt.Errorf("an aggregating ClusterRole came back")
		}
		return nil
	})
}

// TestPolicyRBACLab holds Podium's risky flags and grants to a table
// written here, against real Roles, ClusterRoles (one aggregated),
// RoleBindings and ClusterRoleBindings on the lab, then as the objects
// change: a labelled ClusterRole leaves the aggregation, bindings go.
func TestPolicyRBACLab(t *testing.T) {
	cs := lab.Client()
	ctx := t.Context()
	ns := labtest.NamespacePrefixed(t, lab, "labe2e")
	p := ns // cluster-scoped objects are named after the namespace
	sc := &scope{namespaces: []string{ns}, prefix: p}
	pod := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	s := pod.Dial(t, "namespace="+ns)
	t.Cleanup(func() { cleanupClusterRBAC(cs, p) })
	aggLabel := "podium.dev/aggregate-to-" + ns[len(ns)-5:]
	rule := func(verbs, groups, resources []string, names ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	core, l := []string{""}, func(s ...string) []string { return s }

	roles := []struct {
		name  string
		rules []rbacv1.PolicyRule
		want  []string // exact flags, in their order
	}{
		{"secrets-named", []rbacv1.PolicyRule{rule(l("get"), core, l("secrets"), "db-password")}, l(graph.RiskySecrets)},
		{"secrets-watch", []rbacv1.PolicyRule{rule(l("watch"), core, l("secrets"))}, l(graph.RiskySecrets)},
		{"secrets-write", []rbacv1.PolicyRule{rule(l("create", "update", "delete"), core, l("secrets"))}, nil},
		{"configmaps", []rbacv1.PolicyRule{rule(l("get", "list", "watch"), core, l("configmaps"))}, nil},
		{"exec", []rbacv1.PolicyRule{rule(l("create"), core, l("pods/exec"))}, l(graph.RiskyExec)},
		{"exec-get", []rbacv1.PolicyRule{rule(l("get"), core, l("pods/exec", "pods/attach"))}, nil},
		{"attach", []rbacv1.PolicyRule{rule(l("create"), core, l("pods/attach"))}, l(graph.RiskyExec)},
		{"escalate", []rbacv1.PolicyRule{rule(l("escalate"), l("rbac.authorization.k8s.io"), l("roles"))}, l(graph.RiskyEscalate)},
		{"bind", []rbacv1.PolicyRule{rule(l("bind"), l("rbac.authorization.k8s.io"), l("rolebindings"))}, l(graph.RiskyBind)},
		{"secrets-and-exec", []rbacv1.PolicyRule{rule(l("list"), core, l("secrets")), rule(l("create"), core, l("pods/exec"))}, l(graph.RiskySecrets, graph.RiskyExec)},
		{"pods-read", []rbacv1.PolicyRule{rule(l("get", "list"), core, l("pods", "pods/log"))}, nil},
	}
	for _, r := range roles {
		must(t)(cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: r.name}, Rules: r.rules}, metav1.CreateOptions{}))
	}
	clusterRoles := []struct {
		name   string
		labels map[string]string
		rules  []rbacv1.PolicyRule
		agg    bool
		want   []string // exact flags
		wantIn []string // flags that must be among them (wildcards imply more, by reading)
	}{
		{name: "impersonate", rules: []rbacv1.PolicyRule{rule(l("impersonate"), core, l("users", "groups"))}, want: l(graph.RiskyImpersonate)},
		{name: "wild-verbs", rules: []rbacv1.PolicyRule{rule(l("*"), l("apps"), l("deployments"))}, wantIn: l(graph.RiskyWildcard)},
		{name: "wild-groups", rules: []rbacv1.PolicyRule{rule(l("get"), l("*"), l("deployments"))}, wantIn: l(graph.RiskyWildcard)},
		{name: "admin", rules: []rbacv1.PolicyRule{rule(l("*"), l("*"), l("*"))}, wantIn: l(graph.RiskyWildcard, graph.RiskyClusterAdmin)},
		{name: "agg-secrets", labels: map[string]string{aggLabel: "true"}, rules: []rbacv1.PolicyRule{rule(l("get"), core, l("secrets"))}, want: l(graph.RiskySecrets)},
		{name: "agg-attach", labels: map[string]string{aggLabel: "true"}, rules: []rbacv1.PolicyRule{rule(l("create"), core, l("pods/attach"))}, want: l(graph.RiskyExec)},
		{name: "agg", agg: true}, // its flags follow its members: check's aggWant
	}
	for _, c := range clusterRoles {
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: p + "-" + c.name, Labels: c.labels}, Rules: c.rules}
		if c.agg {
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{aggLabel: "true"}}}}
		}
		must(t)(cs.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}))
	}
	for _, name := range []string{"alpha", "beta", "gamma", "delta"} {
		must(t)(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}))
	}
	sa := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
	}
	bind := func(name, kind, role string, subjects ...rbacv1.Subject) {
		must(t)(cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: role}}, metav1.CreateOptions{}))
	}
	bind("rb-secrets", "Role", "secrets-named", sa("alpha"))
	bind("rb-agg", "ClusterRole", p+"-agg", sa("alpha"), rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: p + "-carol"})
	bind("rb-configmaps", "Role", "configmaps", sa("gamma"))
	must(t)(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: p + "-impersonate"},
		Subjects: []rbacv1.Subject{sa("beta"), {Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: p + "-ops"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: p + "-impersonate"}}, metav1.CreateOptions{}))

	saID := func(name string) string { return graph.ID(graph.KindServiceAccount, ns, name) }
	crID := func(name string) string { return graph.ID(graph.KindClusterRole, "", p+"-"+name) }
	grant := func(from, to, binding string) string { return graph.EdgeID(graph.EdgeGrants, from, to) + "@" + binding }
	rb := func(name string) string { return graph.ID("RoleBinding", ns, name) }

	// check waits for Podium to agree with the table: each role's and each
	// account's flags, and exactly these grants from the namespace's
	// accounts and the test's subjects; then the three-way check.
	check := func(step string, aggWant []string, saWant map[string][]string, grants map[string]string) {
		t.Helper()
		settle(t, 60*time.Second, func(ctx context.Context) error {
			g, err := pod.Graph(ctx, "namespace="+ns)
			if err != nil {
				return err
			}
			var bad []string
			for _, r := range roles {
				n := node(g, graph.ID(graph.KindRole, ns, r.name))
				if n == nil || n.Role() == nil {
					bad = append(bad, "no Role "+r.name)
				} else if !slices.Equal(n.Role().Risky, r.want) {
					bad = append(bad, fmt.Sprintf("Role %s: risky %v, want %v", r.name, n.Role().Risky, r.want))
				}
			}
			for _, c := range clusterRoles {
				want := c.want
				if c.agg {
					want = aggWant
				}
				n := node(g, crID(c.name))
				switch {
				case n == nil || n.ClusterRole() == nil:
					bad = append(bad, "no ClusterRole "+c.name)
				case c.wantIn != nil:
					for _, f := range c.wantIn {
						if !slices.Contains(n.ClusterRole().Risky, f) {
							bad = append(bad, fmt.Sprintf("ClusterRole %s: risky %v, want %s among them", c.name, n.ClusterRole().Risky, f))
						}
					}
				case !slices.Equal(n.ClusterRole().Risky, want):
					bad = append(bad, fmt.Sprintf("ClusterRole %s: risky %v, want %v", c.name, n.ClusterRole().Risky, want))
				}
			}
			for name, want := range saWant {
				n := node(g, saID(name))
				if n == nil || n.ServiceAccount() == nil {
					bad = append(bad, "no ServiceAccount "+name)
				} else if !slices.Equal(n.ServiceAccount().Risky, want) {
					bad = append(bad, fmt.Sprintf("ServiceAccount %s: risky %v, want %v", name, n.ServiceAccount().Risky, want))
				}
			}
			got := map[string]string{}
			for _, e := range g.Edges {
				if e.Kind == graph.EdgeGrants && sc.edge(e.ID) {
					got[e.ID] = e.Namespace
				}
			}
			for id, want := range grants {
				if ns, ok := got[id]; !ok || ns != want {
					bad = append(bad, fmt.Sprintf("grants %s: present %v namespace %q, want namespace %q", id, ok, ns, want))
				}
			}
			for id := range got {
				if _, ok := grants[id]; !ok {
					bad = append(bad, "extra grants "+id)
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				return fmt.Errorf("%s:\n%s", step, strings.Join(bad, "\n"))
			}
			return nil
		})
		convergedIn(t, pod, s, cs, sc, "namespace="+ns, step)
	}

	grants := map[string]string{
		grant(saID("alpha"), graph.ID(graph.KindRole, ns, "secrets-named"), rb("rb-secrets")):                                     "",
		grant(saID("alpha"), crID("agg"), rb("rb-agg")):                                                                           ns,
		grant(graph.ID(graph.KindUser, "", p+"-carol"), crID("agg"), rb("rb-agg")):                                                ns,
		grant(saID("gamma"), graph.ID(graph.KindRole, ns, "configmaps"), rb("rb-configmaps")):                                     "",
		grant(saID("beta"), crID("impersonate"), graph.ID("ClusterRoleBinding", "", p+"-impersonate")):                            "",
		grant(graph.ID(graph.KindGroup, "", p+"-ops"), crID("impersonate"), graph.ID("ClusterRoleBinding", "", p+"-impersonate")): "",
	}
	check("bound", l(graph.RiskySecrets, graph.RiskyExec), map[string][]string{
		"alpha": l(graph.RiskySecrets, graph.RiskyExec), "beta": l(graph.RiskyImpersonate), "gamma": nil, "delta": nil,
	}, grants)

	// agg-attach leaves the aggregation: agg and alpha lose exec.
	cr, err := cs.RbacV1().ClusterRoles().Get(ctx, p+"-agg-attach", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cr.Labels = nil
	must(t)(cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}))
	check("agg-attach unlabelled", l(graph.RiskySecrets), map[string][]string{"alpha": l(graph.RiskySecrets), "beta": l(graph.RiskyImpersonate)}, grants)

	// Bindings go: their grants and the User go, and alpha's flags follow.
	must(t)(nil, cs.RbacV1().RoleBindings(ns).Delete(ctx, "rb-agg", metav1.DeleteOptions{}))
	delete(grants, grant(saID("alpha"), crID("agg"), rb("rb-agg")))
	delete(grants, grant(graph.ID(graph.KindUser, "", p+"-carol"), crID("agg"), rb("rb-agg")))
	check("rb-agg deleted", l(graph.RiskySecrets), map[string][]string{"alpha": l(graph.RiskySecrets)}, grants)
	g, err := pod.Graph(ctx, "namespace="+ns)
	if err != nil {
		t.Fatal(err)
	}
	if n := node(g, graph.ID(graph.KindUser, "", p+"-carol")); n != nil {
		t.Errorf("User %s-carol still drawn with no binding naming it", p)
	}
	must(t)(nil, cs.RbacV1().RoleBindings(ns).Delete(ctx, "rb-secrets", metav1.DeleteOptions{}))
	delete(grants, grant(saID("alpha"), graph.ID(graph.KindRole, ns, "secrets-named"), rb("rb-secrets")))
	check("rb-secrets deleted", l(graph.RiskySecrets), map[string][]string{"alpha": nil}, grants)
}

// TestPolicyBadInput sends /api/reachability what a careless or hostile
// client sends, and makes the lab hold a NetworkPolicy with 300 rules of
// selectors: every bad request gets 400 or 404 with the JSON error body the
// other endpoints use, Podium stays live, and reachability answers in a
// measured time.
func TestPolicyBadInput(t *testing.T) {
	cs := lab.Client()
	ctx := t.Context()
	ns := labtest.NamespacePrefixed(t, lab, "labe2e")
	other := labtest.NamespacePrefixed(t, lab, "labe2e-other")
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	for _, at := range []struct{ ns, name string }{{ns, "x"}, {other, "y"}} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: at.name, Labels: map[string]string{"app": at.name}}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "c:v1", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}}
		fastPods(&pod.ObjectMeta)
		must(t)(cs.CoreV1().Pods(at.ns).Create(ctx, pod, metav1.CreateOptions{}))
	}
	x, y := graph.ID(graph.KindPod, ns, "x"), graph.ID(graph.KindPod, other, "y")
	settle(t, 60*time.Second, func(ctx context.Context) error {
		code, body, err := getReach(ctx, p.URL, "pod="+url.QueryEscape(x))
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("%s: %d %s %v", x, code, body, err)
		}
		code, body, err = getReach(ctx, p.URL, "pod="+url.QueryEscape(y))
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("%s: %d %s %v", y, code, body, err)
		}
		return nil
	})

	for _, c := range []struct {
		name, query string
		code        int
	}{
		{"no pod parameter", "", http.StatusBadRequest},
		{"empty pod", "pod=", http.StatusBadRequest},
		{"kind only", "pod=" + url.QueryEscape("Pod/"), http.StatusBadRequest},
		{"no namespace", "pod=" + url.QueryEscape("Pod/a"), http.StatusBadRequest},
		{"not a pod", "pod=" + url.QueryEscape("Deployment/a/b"), http.StatusBadRequest},
		{"invalid namespace", "pod=" + url.QueryEscape("Pod/UPPER/x"), http.StatusBadRequest},
		{"invalid name", "pod=" + url.QueryEscape("Pod/"+ns+"/Bad_Name"), http.StatusBadRequest},
		{"too many parts", "pod=" + url.QueryEscape("Pod/"+ns+"/x/y"), http.StatusBadRequest},
		{"5,000 characters", "pod=" + url.QueryEscape("Pod/"+ns+"/"+strings.Repeat("a", 5000)), http.StatusBadRequest},
		{"control characters", "pod=" + url.QueryEscape("Pod/"+ns+"/x\x00\n"), http.StatusBadRequest},
		{"unknown pod", "pod=" + url.QueryEscape("Pod/"+ns+"/nowhere"), http.StatusNotFound},
		{"unknown namespace", "pod=" + url.QueryEscape("Pod/no-such-ns/x"), http.StatusNotFound},
		{"outside the viewer's namespace filter", "pod=" + url.QueryEscape(y) + "&namespace=" + ns, http.StatusNotFound},
		{"an invalid namespace filter", "pod=" + url.QueryEscape(x) + "&namespace=BAD_NS", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body, err := getReach(ctx, p.URL, c.query)
			if err != nil {
				t.Fatal(err)
			}
			var e struct {
				Error string `json:"error"`
			}
			if code != c.code || json.Unmarshal(body, &e) != nil || e.Error == "" {
				t.Fatalf("%q: %d %.300s, want %d with {\"error\": …}", c.query, code, body, c.code)
			}
			if len(body) > 1024 {
				t.Errorf("a %d-byte error body: the input echoed whole?", len(body))
			}
			t.Logf("%d %s", code, e.Error)
		})
	}
	code, body, err := getReach(ctx, p.URL, "pod="+url.QueryEscape(x)+"&namespace="+ns)
	if err != nil || code != http.StatusOK {
		t.Fatalf("inside the filter: %d %s %v", code, body, err)
	}

	// A policy with 300 ingress and 300 egress rules, each with selectors
	// of every sort and ports, selecting x.
	big := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Spec: networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}}
	for i := range 300 {
		peers := []networkingv1.NetworkPolicyPeer{
			{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%d", i)},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b", fmt.Sprint(i)}}}}},
			{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpExists}}},
				PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "y"}}},
			{IPBlock: &networkingv1.IPBlock{CIDR: fmt.Sprintf("10.%d.0.0/16", i%256), Except: []string{fmt.Sprintf("10.%d.1.0/24", i%256)}}},
		}
		ports := []networkingv1.NetworkPolicyPort{{Port: ptrs.To(intstr.FromString("http"))}, {Port: ptrs.To(intstr.FromInt32(int32(9000 + i))), EndPort: ptrs.To(int32(9100 + i))}}
		big.Spec.Ingress = append(big.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: peers, Ports: ports})
		big.Spec.Egress = append(big.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: peers, Ports: ports})
	}
	// Every namespace label the rules look at is on y's namespace, so
	// the second peer of every rule allows y.
	nsObj, err := cs.CoreV1().Namespaces().Get(ctx, other, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nsObj.Labels["team"] = "blue"
	must(t)(cs.CoreV1().Namespaces().Update(ctx, nsObj, metav1.UpdateOptions{}))
	created := time.Now()
	must(t)(cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, big, metav1.CreateOptions{}))
	var a reach
	settle(t, 60*time.Second, func(ctx context.Context) error {
		code, body, err := getReach(ctx, p.URL, "pod="+url.QueryEscape(x))
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("%d %s %v", code, body, err)
		}
		a = reach{}
		if err := json.Unmarshal(body, &a); err != nil {
			return err
		}
		if !a.Ingress.Isolated || !a.Egress.Isolated {
			return fmt.Errorf("x not isolated yet: %+v", a)
		}
		return nil
	})
	t.Logf("the 300-rule policy reached /api/reachability %s after its creation", time.Since(created).Round(time.Millisecond))
	var fromY *reachPeer
	for i, peer := range a.Ingress.Allowed {
		if peer.From == y {
			fromY = &a.Ingress.Allowed[i]
		}
	}
	if fromY == nil || fromY.Policy != graph.ID(graph.KindNetworkPolicy, ns, "big") || fromY.Rule == nil || *fromY.Rule != 0 {
		t.Errorf("y → x: %+v, want allowed by big's rule 0 (namespace team exists, app=y)", fromY)
	}
	var times []time.Duration
	for range 20 {
		t0 := time.Now()
		code, body, err := getReach(ctx, p.URL, "pod="+url.QueryEscape(x))
		times = append(times, time.Since(t0))
		if err != nil || code != http.StatusOK {
			t.Fatalf("%d %s %v", code, body, err)
		}
	}
	slices.Sort(times)
	t.Logf("/api/reachability of x under a 300+300-rule policy, 20 requests (race build): p50 %s, max %s; %d ingress peers, %d beyond",
		times[len(times)/2], times[len(times)-1], len(a.Ingress.Allowed), len(a.Ingress.Beyond))
	if times[len(times)/2] > time.Second {
		t.Errorf("p50 %s: not bounded", times[len(times)/2])
	}
	st, err := p.Status(ctx)
	if err != nil || st.APIServer != "connected" || !st.Synced {
		t.Errorf("status %+v %v: not live", st, err)
	}
	select {
	case <-p.Exited():
		t.Fatal("podium exited")
	default:
	}
}
