//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	appsv1 "k8s.io/api/apps/v1"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers"
)

func scale(t testing.TB, cs kubernetes.Interface, ns, name string, n int32) {
	updateDeployment(t, cs, ns, name, func(d *appsv1.Deployment) { d.Spec.Replicas = ptrs.To(n) })
}

// TestResume: reconnecting with the epoch and since=N yields exactly the
// missing deltas; a since that fell out of the history yields a snapshot.
func TestResume(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	// Watching only this namespace keeps other tests' changes out of the
	// seq arithmetic below.
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--history", "8", "--namespace", ns}})
	s := p.Dial(t, "namespace="+ns)
	createApp(t, cs, ns, "web", 1)
	settled(t, cs, ns, "web", false)
	before := converged(t, p, s, cs, ns, "create")

	// The client "disconnects" at seq N; the cluster changes.
	scale(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	after := converged(t, p, s, cs, ns, "scale to 2")
	if after.Seq-before.Seq > 8 {
		t.Skipf("the scale took %d deltas, more than the history of 8", after.Seq-before.Seq)
	}

	raw := dialRaw(t, p, fmt.Sprintf("namespace=%s&epoch=%s&since=%d", ns, before.Epoch, before.Seq))
	first := readMsg(t, raw)
	if first["type"] != "delta" || first["from"] != float64(before.Seq) || first["seq"] != float64(after.Seq) {
		t.Fatalf("resume from %d gave %v (from %v, seq %v), want one delta (%d, %d]", before.Seq, first["type"], first["from"], first["seq"], before.Seq, after.Seq)
	}

	// Push the history past N, then resume from N again: a snapshot.
	for i := int32(3); i <= 6; i++ {
		scale(t, cs, ns, "web", i)
		settled(t, cs, ns, "web", false)
	}
	converged(t, p, s, cs, ns, "scale to 6")
	raw2 := dialRaw(t, p, fmt.Sprintf("namespace=%s&epoch=%s&since=%d", ns, before.Epoch, before.Seq))
	if m := readMsg(t, raw2); m["type"] != "snapshot" {
		t.Fatalf("expired resume gave %v, want a snapshot", m["type"])
	}
}

func dialRaw(t testing.TB, p *podiumtest.Podium, query string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.URL, "http")+"/ws?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(256 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readMsg(t testing.TB, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var m map[string]any
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// metric reads one unlabelled value from /metrics.
func metric(t testing.TB, p *podiumtest.Podium, name string) float64 {
	t.Helper()
	resp, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestSlowClient: a client that stops reading does not delay another
// client's deltas, and the server's memory stays flat while it stalls.
func TestSlowClient(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	createApp(t, cs, ns, "web", 1)
	settled(t, cs, ns, "web", false)

	stalled := dialRaw(t, p, "") // reads nothing from here on
	_ = stalled
	fast := p.Dial(t, "namespace="+ns)
	converged(t, p, fast, cs, ns, "start")
	heapBefore := metric(t, p, "go_memstats_heap_inuse_bytes")

	var lags []time.Duration
	for round := range 6 {
		n := int32(8)
		if round%2 == 1 {
			n = 1
		}
		start := time.Now()
		scale(t, cs, ns, "web", n)
		labtest.Eventually(t, 60*time.Second, func(context.Context) error {
			if c := count(fast.Snapshot(), isPod); c != int(n) {
				return fmt.Errorf("fast client sees %d pods, want %d", c, n)
			}
			return nil
		})
		lags = append(lags, time.Since(start))
	}
	settled(t, cs, ns, "web", false)
	converged(t, p, fast, cs, ns, "end")
	heapAfter := metric(t, p, "go_memstats_heap_inuse_bytes")
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	deltaLags := fast.Lags()
	t.Logf("with a stalled peer: the fast client's %d deltas arrived p50 %s, max %s after the server received their first event; each scale was complete on screen in %v (includes KWOK's ready delay of %s); heap in use %.1f → %.1f MiB",
		len(deltaLags), percentile(deltaLags, 0.5), percentile(deltaLags, 1), lags, lab.Delays().Ready, heapBefore/(1<<20), heapAfter/(1<<20))
	if worst := percentile(deltaLags, 1); worst > 2*time.Second {
		t.Errorf("a delta reached the fast client %s after its event: the stalled client held it up", worst)
	}
	if growth := heapAfter - heapBefore; growth > 32<<20 {
		t.Errorf("heap grew by %.1f MiB while a client stalled", growth/(1<<20))
	}
	if err := fast.Err(); err != nil {
		t.Fatalf("fast client's stream failed: %v", err)
	}
}

// proxy is a loopback TCP proxy the test can cut and restore.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close(); c.Close() }()
		go func() { io.Copy(c, up); up.Close(); c.Close() }()
	}
}

// setCut cuts (closing every open connection) or restores the proxy.
func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		p.conns = map[net.Conn]bool{}
	}
}

// kubeconfigVia writes a copy of the lab's kubeconfig whose server is addr.
func kubeconfigVia(t testing.TB, addr string) string {
	cfg, err := clientcmd.LoadFromFile(lab.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		c.Server = "https://" + addr
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func waitStatus(t testing.TB, s *podiumtest.Stream, want string) {
	t.Helper()
	labtest.Eventually(t, 60*time.Second, func(context.Context) error {
		if got := s.Status().APIServer; got != want {
			return fmt.Errorf("status %q, want %q", got, want)
		}
		return nil
	})
}

// TestFaultCutOff: Podium is cut off from the API server while the cluster
// changes; it reports reconnecting, then converges with no ghost pods.
func TestFaultCutOff(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	host := strings.TrimPrefix(lab.Config().Host, "https://")
	px := newProxy(t, host)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: kubeconfigVia(t, px.ln.Addr().String())})
	s := p.Dial(t, "namespace="+ns)
	createApp(t, cs, ns, "web", 3)
	settled(t, cs, ns, "web", false)
	converged(t, p, s, cs, ns, "before the cut")

	px.setCut(true)
	waitStatus(t, s, "reconnecting")
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pod := range pods.Items[:2] {
		if err := cs.CoreV1().Pods(ns).Delete(context.Background(), pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptrs.To(int64(0))}); err != nil {
			t.Fatal(err)
		}
	}
	scale(t, cs, ns, "web", 5)
	updateDeployment(t, cs, ns, "web", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "hellok8s:v2" })
	settled(t, cs, ns, "web", false)

	px.setCut(false)
	waitStatus(t, s, "connected")
	g := converged(t, p, s, cs, ns, "after the cut")
	for _, pod := range pods.Items[:2] {
		if find(g, "Pod/"+ns+"/"+pod.Name) != nil {
			t.Errorf("ghost pod %s is still drawn", pod.Name)
		}
	}
}

// TestFaultLabRestart: the whole control plane restarts on the same etcd
// data; Podium reports reconnecting, then converges.
func TestFaultLabRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	priv, err := labtest.Start(ctx, labtest.Options{Dir: filepath.Join(t.TempDir(), "lab"), Delays: &labtest.Delays{Ready: 0, Delete: 0, RestartInterval: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { priv.Down() })
	cs := priv.Client()
	ns := labtest.Namespace(t, priv)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: priv.Kubeconfig()})
	s := p.Dial(t, "namespace="+ns)
	createApp(t, cs, ns, "web", 3)
	settled(t, cs, ns, "web", false)
	converged(t, p, s, cs, ns, "before the restart")

	if err := priv.Stop(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, "reconnecting")
	if err := priv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	cs = priv.Client()
	scale(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	waitStatus(t, s, "connected")
	converged(t, p, s, cs, ns, "after the restart")
}

// TestPermissions: with credentials that may not list Ingresses, everything
// else is served and the missing permission shows in status.
func TestPermissions(t *testing.T) {
	cs := lab.Client()
	ctx := context.Background()
	ns := labtest.Namespace(t, lab)
	name := "podium-no-ingress-" + ns
	sa, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "podium"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rules []rbacv1.PolicyRule
	for _, r := range informers.Resources() {
		res, group, _ := strings.Cut(r, ".")
		if r == "ingresses.networking.k8s.io" {
			continue
		}
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{res}, Verbs: []string{"get", "list", "watch"}})
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: ns}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: ptrs.To(int64(3600))}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	createApp(t, cs, ns, "web", 2)

	raw, err := clientcmd.LoadFromFile(lab.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	raw.AuthInfos = map[string]*clientcmdapi.AuthInfo{"sa": {Token: tok.Status.Token}}
	for _, c := range raw.Contexts {
		c.AuthInfo = "sa"
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: path})
	s := p.Dial(t, "namespace="+ns)
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		st := s.Status()
		if !st.Synced || len(st.Denied) != 1 || st.Denied[0] != "ingresses.networking.k8s.io" {
			return fmt.Errorf("status %+v, want synced with ingresses denied", st)
		}
		g := s.Snapshot()
		if count(g, isPod) != 2 || find(g, "Service/"+ns+"/web") == nil {
			return fmt.Errorf("pods and services not served: %d pods", count(g, isPod))
		}
		if find(g, "Ingress/"+ns+"/web") != nil {
			return fmt.Errorf("an ingress is drawn although it may not be listed")
		}
		return nil
	})
	log, _ := os.ReadFile(p.LogPath)
	if n := strings.Count(string(log), "not allowed to list and watch ingresses.networking.k8s.io"); n != 1 {
		t.Errorf("the denied resource was logged %d times, want once", n)
	}
}
