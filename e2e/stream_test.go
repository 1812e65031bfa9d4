//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	appsv1 "k8s.io/api/apps/v1"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
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

// TestResume: a client that reconnects with the epoch and since=N gets
// exactly the changes after N, merged into one delta however many the log
// holds after N; a since that fell out of the history gets a snapshot.
func TestResume(t *testing.T) {
	const history = 64
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	// Watching only this namespace keeps other tests' changes out of the
	// seq arithmetic below.
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{"--history", strconv.Itoa(history), "--namespace", ns}})
	s := p.Dial(t, "namespace="+ns)
	createApp(t, cs, ns, "web", 1)
	settled(t, cs, ns, "web", false)
	before := converged(t, p, s, cs, ns, "create")

	// The client "disconnects" at seq N; the cluster changes.
	scale(t, cs, ns, "web", 2)
	settled(t, cs, ns, "web", false)
	after := converged(t, p, s, cs, ns, "scale to 2")
	missed := after.Seq - before.Seq
	t.Logf("the scale 1 → 2 took %d deltas (seq %d → %d)", missed, before.Seq, after.Seq)
	// A scale brings the new pod first, and its readiness a second later
	// (KWOK's delay), so it is never one delta: the resume below must merge.
	if missed < 2 {
		t.Fatalf("the scale 1 → 2 took %d delta(s); it brings a pod and, later, its readiness, so at least 2", missed)
	}
	// The scale is about a dozen API events, so more deltas than the
	// history is a bug, and would leave nothing to resume from.
	if missed > history {
		t.Fatalf("the scale 1 → 2 took %d deltas, more than the history of %d", missed, history)
	}

	resumed := p.Resume(t, "namespace="+ns, before)
	// The first message carries every missed change at once; later ones,
	// if the cluster moved on meanwhile, follow it.
	if h := firstHead(t, resumed); h.Type != "delta" || h.From != before.Seq || h.Seq < after.Seq {
		t.Fatalf("resume from %d began with a %s (%d, %d], want one delta (%d, %d] or later", before.Seq, h.Type, h.From, h.Seq, before.Seq, after.Seq)
	}
	// Exactly the missed changes: applied to the graph at N, they give
	// /api/graph's graph and the API server's truth.
	converged(t, p, resumed, cs, ns, "resumed")

	// Push the history past N, then resume from N again: a snapshot. A
	// label only Podium draws changes one pod, so each patch adds a delta.
	pod := podOf(t, cs, ns, "app=web")
	for i := 0; ; i++ {
		g, err := p.Graph(context.Background(), "namespace="+ns)
		if err != nil {
			t.Fatal(err)
		}
		if g.Seq > before.Seq+history {
			break
		}
		patch := fmt.Sprintf(`{"metadata":{"labels":{"resume":"%d"}}}`, i)
		if _, err := cs.CoreV1().Pods(ns).Patch(context.Background(), pod, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		labtest.Eventually(t, 10*time.Second, func(ctx context.Context) error {
			if g2, err := p.Graph(ctx, "namespace="+ns); err != nil || g2.Seq == g.Seq {
				return fmt.Errorf("seq still %d after patch %d (%v)", g.Seq, i, err)
			}
			return nil
		})
	}
	expired := p.Resume(t, "namespace="+ns, before)
	if h := firstHead(t, expired); h.Type != "snapshot" {
		t.Fatalf("resume from %d, out of the history of %d, began with a %s (%d, %d], want a snapshot", before.Seq, history, h.Type, h.From, h.Seq)
	}
	converged(t, p, expired, cs, ns, "resumed after the history moved on")
}

// firstHead waits for s's first message and returns what it was.
func firstHead(t testing.TB, s *podiumtest.Stream) podiumtest.Head {
	t.Helper()
	labtest.Eventually(t, 10*time.Second, func(context.Context) error {
		if len(s.Heads()) == 0 {
			return fmt.Errorf("no message yet (stream error: %v)", s.Err())
		}
		return nil
	})
	return s.Heads()[0]
}

// podOf returns the name of a pod matching selector in ns that is not
// being deleted.
func podOf(t testing.TB, cs kubernetes.Interface, ns, selector string) string {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	var running []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			running = append(running, p.Name)
		}
	}
	if len(running) == 0 {
		t.Fatalf("no pod matches %s in %s", selector, ns)
	}
	return running[0]
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

// TestSlowClient: a client that stops reading is judged too slow once a
// write to it has waited the write timeout, and closed with 1008 (policy
// violation), and meanwhile another client's
// deltas keep coming on time and the server's memory stays flat.
//
// The stalled client must really stall: loopback TCP buffers hold about
// 3-4 MB between a server and a client that never reads, so it asks for a
// namespace whose snapshot is larger than that (pods with many labels, sent
// uncompressed) from a socket with a tiny receive buffer.
func TestSlowClient(t *testing.T) {
	cs := lab.Client()
	ns := labtest.Namespace(t, lab)
	heavy := labtest.Namespace(t, lab)
	// 40 pods of 1,000 labels: a snapshot of about 5 MB.
	const heavyCount = 40
	snapshotBytes := heavyPods(t, heavy, heavyCount, 1000)
	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig()})
	createApp(t, cs, ns, "web", 1)
	settled(t, cs, ns, "web", false)

	fast := p.Dial(t, "namespace="+ns)
	converged(t, p, fast, cs, ns, "start")
	labtest.Eventually(t, 60*time.Second, func(ctx context.Context) error {
		if g, err := p.Graph(ctx, "namespace="+heavy); err != nil || count(g, isPod) != heavyCount {
			return fmt.Errorf("the heavy namespace is not in the graph yet (%v)", err)
		}
		return nil
	})
	heapBefore := metric(t, p, "go_memstats_heap_inuse_bytes")
	if n := metric(t, p, "podium_ws_clients"); n != 1 {
		t.Fatalf("%v clients connected before the stalled one, want 1", n)
	}

	stalled := dialStalled(t, p, "namespace="+heavy) // reads nothing until the end
	stallStart := time.Now()
	fastLags0 := len(fast.Lags())
	fastMsgs0, _ := fast.Counters()
	// Notice the server closing the stalled client while the fast one is
	// being served, and count the fast client's messages until then.
	// Once the server has judged it, the stalled client reads again: the
	// message in flight completes and the server closes with 1008. (A client
	// that never reads again is dropped without a close frame, which could
	// never reach it.)
	closed := make(chan int, 1)
	stalledErr := make(chan error, 1)
	go func() {
		for time.Since(stallStart) < 2*time.Minute {
			if log, _ := os.ReadFile(p.LogPath); strings.Contains(string(log), "closing a client that cannot keep up") {
				msgs, _ := fast.Counters()
				closed <- msgs - fastMsgs0
				stalledErr <- drain(stalled, 30*time.Second)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(closed)
	}()

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
	duringStall, ok := <-closed
	if !ok {
		t.Fatalf("the stalled client (a %.1f MB snapshot it never reads) was not closed within 2 minutes; log: %s", float64(snapshotBytes)/1e6, p.LogPath)
	}
	closedAfter := time.Since(stallStart) // an upper bound: the rounds may have outlasted the close
	readErr := <-stalledErr
	if websocket.CloseStatus(readErr) != websocket.StatusPolicyViolation {
		t.Errorf("the stalled client's connection ended with %v (close status %d), want 1008 (policy violation); log: %s",
			readErr, websocket.CloseStatus(readErr), p.LogPath)
	}
	labtest.Eventually(t, 10*time.Second, func(context.Context) error {
		if n := metric(t, p, "podium_ws_clients"); n != 1 {
			return fmt.Errorf("%v clients connected after the stalled one was closed, want 1", n)
		}
		return nil
	})

	settled(t, cs, ns, "web", false)
	converged(t, p, fast, cs, ns, "end")
	heapAfter := metric(t, p, "go_memstats_heap_inuse_bytes")
	deltaLags := fast.Lags()[fastLags0:]
	t.Logf("stalled client: a %.1f MB snapshot unread; closed by the server (write timed out) within %s of dialling, its reads then ended with %q (close status %d)",
		float64(snapshotBytes)/1e6, closedAfter.Round(100*time.Millisecond), readErr, websocket.CloseStatus(readErr))
	t.Logf("fast client: %d messages while the other stalled; %d deltas after the stall began, arrived p50 %s, p99 %s, max %s after the server received their first event; each scale complete on screen in %v (KWOK's ready delay %s); heap in use %.1f → %.1f MiB",
		duringStall, len(deltaLags), percentile(deltaLags, 0.5), percentile(deltaLags, 0.99), percentile(deltaLags, 1), lags, lab.Delays().Ready, heapBefore/(1<<20), heapAfter/(1<<20))
	if duringStall == 0 {
		t.Errorf("the fast client received nothing while the other stalled")
	}
	// A loose bound: under load the machine's own scheduling shows in the
	// tail; the point is that the deltas keep coming, not the milliseconds.
	if p99 := percentile(deltaLags, 0.99); p99 > time.Second {
		t.Errorf("the fast client's deltas arrived p99 %s after their event: the stalled client held them up", p99)
	}
	if growth := heapAfter - heapBefore; growth > 32<<20 {
		t.Errorf("heap grew by %.1f MiB while a client stalled", growth/(1<<20))
	}
	if err := fast.Err(); err != nil {
		t.Fatalf("fast client's stream failed: %v", err)
	}
}

// heavyPods creates n unscheduled pods in ns, each with labels of about
// 130 B in JSON each (the longest keys and values Kubernetes allows), and
// returns the approximate size of their snapshot in bytes. Their scheduler
// does not exist, so they stay Pending and never change.
func heavyPods(t testing.TB, ns string, n, labels int) int {
	t.Helper()
	cfg := rest.CopyConfig(lab.Config())
	cfg.QPS, cfg.Burst = 200, 200
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := map[string]string{}
	size := 0
	for i := range labels {
		h := fmt.Sprintf("%x", sha256.Sum256([]byte(strconv.Itoa(i))))
		k, v := fmt.Sprintf("l%04d-%s", i, h[:57]), h[:63]
		l[k] = v
		size += len(k) + len(v) + 6
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("heavy-%03d", i), Namespace: ns, Labels: l},
				Spec: corev1.PodSpec{SchedulerName: "no-such-scheduler", Containers: []corev1.Container{{Name: "c", Image: "hellok8s:v1"}}}}
			if _, err := cs.CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	return n * size
}

// dialStalled opens /ws for a client that will not read: no compression
// (so the server's bytes are the JSON's) and a 4 KiB socket receive buffer.
func dialStalled(t testing.TB, p *podiumtest.Podium, query string) *websocket.Conn {
	t.Helper()
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) }); err != nil {
			return err
		}
		return serr
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.URL, "http")+"/ws?"+query, &websocket.DialOptions{
		HTTPClient:      &http.Client{Transport: &http.Transport{DialContext: d.DialContext}},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(256 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// drain reads c until it fails or d passes, and returns the error.
func drain(c *websocket.Conn, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return err
		}
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
