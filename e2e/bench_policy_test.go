//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	ptrs "k8s.io/utils/ptr"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/server"
)

// policyGraph builds, through the model as the informers feed it, the graph
// BenchmarkReachability10k asks about: 20 namespaces (labelled by team) of
// 5 apps × 100 pods, each app's container naming its port "http" with a
// number of its own, and per namespace a default-deny ingress policy and
// one allowing app-0 of its namespace and app-1 of team-0's namespaces on
// "http". Creating 10,000 pods on the lab takes about half an hour; the
// model is what the server reads, so building it in process measures the
// same path from the request on.
func policyGraph(tb testing.TB) (*graph.Log, []string) {
	const namespaces, apps, perApp = 20, 5, 100
	m := graph.NewModel()
	now := time.Now()
	var pods []string
	i := 0
	for n := range namespaces {
		ns := fmt.Sprintf("team-%02d", n)
		m.Set(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, UID: types.UID("ns-" + ns),
			Labels: map[string]string{"kubernetes.io/metadata.name": ns, "team": fmt.Sprint(n % 4)}}}, now)
		m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default-deny", UID: types.UID("dd-" + ns)},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}, now)
		m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "allow", UID: types.UID("allow-" + ns)},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"app-2", "app-3", "app-4"}}}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From: []networkingv1.NetworkPolicyPeer{
						{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "app-0"}}},
						{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "0"}}, PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "app-1"}}},
					},
					Ports: []networkingv1.NetworkPolicyPort{{Port: ptrs.To(intstr.FromString("http"))}},
				}},
			}}, now)
		for a := range apps {
			app := fmt.Sprintf("app-%d", a)
			for p := range perApp {
				name := fmt.Sprintf("%s-7d9c5f6b8-%05d", app, p)
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(fmt.Sprintf("0b7e1c52-6a63-4c1e-9a55-%012d", i)),
						Labels:          map[string]string{"app": app, "pod-template-hash": "7d9c5f6b8"},
						OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-7d9c5f6b8", UID: "u-rs", Controller: ptrs.To(true)}}},
					Spec: corev1.PodSpec{NodeName: fmt.Sprintf("worker-%d", i%100), ServiceAccountName: app,
						Containers: []corev1.Container{{Name: "web", Image: "registry.example/team/web:v1.4.2",
							Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(8080 + a), Protocol: corev1.ProtocolTCP}}}}},
					Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.%d.%d.%d", n, a, p),
						Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
				}
				m.Set(graph.NewCachedPod(pod), now)
				pods = append(pods, graph.ID(graph.KindPod, ns, name))
				i++
			}
		}
	}
	l := graph.NewLog("bench", 16)
	l.Append(m.Flush())
	return l, pods
}

// BenchmarkReachability10k measures GET /api/reachability for one pod
// among 10,000 (the server's whole path, over HTTP on loopback): p50 and
// p99 over 200 requests for pods across every namespace and app, and the
// answer's size. The target is ≤ 50 ms (issue #13).
func BenchmarkReachability10k(b *testing.B) {
	l, pods := policyGraph(b)
	if got := len(pods); got != 10000 {
		b.Fatalf("%d pods", got)
	}
	srv := httptest.NewServer(server.New(server.Config{Log: l, Status: func() graph.Status {
		return graph.Status{Type: "status", APIServer: "connected", Synced: true}
	}}).Handler())
	defer srv.Close()
	get := func(pod string) (int, time.Duration, reach) {
		t0 := time.Now()
		resp, err := http.Get(srv.URL + "/api/reachability?pod=" + url.QueryEscape(pod))
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %.300s %v", pod, resp.StatusCode, body, err)
		}
		var a reach
		if err := json.Unmarshal(body, &a); err != nil {
			b.Fatalf("%s: %v", pod, err)
		}
		if a.Pod != pod {
			b.Fatalf("answer for %q, asked %q", a.Pod, pod)
		}
		return len(body), d, a
	}
	// An allowed pair the policies say exists: app-0 of team-05 reaches
	// app-2 of team-05; and app-1 of team-04 (team 0) reaches it too.
	size, _, a := get(graph.ID(graph.KindPod, "team-05", "app-2-7d9c5f6b8-00000"))
	from := map[string]bool{}
	for _, p := range a.Ingress.Allowed {
		from[p.From] = true
	}
	for id, want := range map[string]bool{
		graph.ID(graph.KindPod, "team-05", "app-0-7d9c5f6b8-00042"): true,
		graph.ID(graph.KindPod, "team-04", "app-1-7d9c5f6b8-00007"): true,
		graph.ID(graph.KindPod, "team-05", "app-1-7d9c5f6b8-00007"): false, // team-05 is team 1
		graph.ID(graph.KindPod, "team-05", "app-3-7d9c5f6b8-00000"): false,
	} {
		if from[id] != want {
			b.Fatalf("%s → %s allowed %v, want %v: the answer measured would be wrong", id, a.Pod, from[id], want)
		}
	}
	b.Logf("one answer: %d B, %d pods allowed in", size, len(a.Ingress.Allowed))
	for range b.N {
		var times []time.Duration
		var bytes int
		for k := range 200 {
			s, d, _ := get(pods[(k*4999)%len(pods)]) // spread over namespaces and apps
			times = append(times, d)
			bytes += s
		}
		slices.Sort(times)
		b.ReportMetric(ms(times[len(times)/2]), "reach-p50-ms")
		b.ReportMetric(ms(times[len(times)*99/100]), "reach-p99-ms")
		b.ReportMetric(float64(bytes)/200, "answer-B")
		b.Logf("/api/reachability among 10,000 pods, 200 requests: p50 %s, p99 %s, max %s, %d B per answer",
			times[len(times)/2], times[len(times)*99/100], times[len(times)-1], bytes/200)
	}
}
