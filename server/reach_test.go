package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ktypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podiumhq/podium/informers/graph"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func kpod(ns, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: ktypes.UID("u-" + name), Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:v1",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
}

// reachGraph publishes, through the model: in namespace a the pods web and
// db, a Service web, and a policy letting only web reach db; in b a pod
// cli.
func reachGraph(t *testing.T, log *graph.Log) {
	t.Helper()
	m := graph.NewModel()
	m.Set(kpod("a", "web", map[string]string{"app": "web"}), t0)
	m.Set(kpod("a", "db", map[string]string{"app": "db"}), t0)
	m.Set(kpod("b", "cli", map[string]string{"app": "cli"}), t0)
	m.Set(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}}}}, t0)
	m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "db"}, Spec: networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
		Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}}},
	}}, t0)
	log.Append(m.Flush())
}

func getJSON(t *testing.T, ts *httptest.Server, path string, into any) (int, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", path, ct)
	}
	if resp.StatusCode == http.StatusOK && into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("%s: %v: %s", path, err, body)
		}
	}
	return resp.StatusCode, string(body)
}

func TestReachabilityPod(t *testing.T) {
	ts, log := newTestServer(t, Config{})
	reachGraph(t, log)
	var r graph.Reachability
	if code, body := getJSON(t, ts, "/api/reachability?pod="+url.QueryEscape("Pod/a/db"), &r); code != 200 {
		t.Fatalf("GET Pod/a/db: %d %s", code, body)
	}
	if !r.Ingress.Isolated || len(r.Ingress.Allowed) != 1 || r.Ingress.Allowed[0].From != "Pod/a/web" ||
		r.Ingress.Allowed[0].Policy != "NetworkPolicy/a/db" || r.Egress.Isolated || len(r.Egress.Allowed) != 2 {
		t.Errorf("Pod/a/db: %+v; want isolated ingress from a/web only by NetworkPolicy/a/db, egress to both others", r)
	}
	// The viewer's filter: peers outside it are counted, not named.
	r = graph.Reachability{}
	if code, body := getJSON(t, ts, "/api/reachability?namespace=a&pod=Pod/a/web", &r); code != 200 || r.Ingress.Hidden != 1 ||
		len(r.Ingress.Allowed) != 1 || r.Ingress.Allowed[0].From != "Pod/a/db" {
		t.Errorf("Pod/a/web viewed from namespace a: %d, allowed %+v, %d hidden; want 200, from a/db, 1 (b/cli) hidden: %s",
			code, r.Ingress.Allowed, r.Ingress.Hidden, body)
	}
}

func TestReachabilityErrors(t *testing.T) {
	ts, log := newTestServer(t, Config{})
	reachGraph(t, log)
	for _, c := range []struct {
		query string
		code  int
		says  string
	}{
		{"", 400, "pod is required"},
		{"?pod=", 400, "pod is required"},
		{"?pod=db", 400, "is not an id of the form Pod/namespace/name"},
		{"?pod=Pod/a", 400, "is not an id of the form"},
		{"?pod=Pod/a/db/x", 400, "is not an id of the form"},
		{"?pod=Deployment/a/db", 400, `is not a Pod: its kind is "Deployment"`},
		{"?pod=Pod/A_B/db", 400, "invalid namespace"},
		{"?pod=Pod/a/DB!", 400, "invalid name"},
		{"?pod=Pod/a/" + strings.Repeat("x", 400), 400, "too long"},
		{"?pod=Pod/a/db&pods=x", 400, "unknown query parameter"},
		{"?pod=Pod/a/db&service=Service/a/web", 400, "not both"},
		{"?pod=Pod/a/db&from=b", 400, "from goes with service"},
		{"?pod=Pod/a/nope", 404, `pod "Pod/a/nope" is not in the graph`},
		{"?pod=Pod/b/cli&namespace=a", 404, `pod "Pod/b/cli" is not in the graph of namespaces a`},
		{"?service=Service/a/web", 400, "from is required"},
		{"?service=Service/a/web&from=B!", 400, "not a valid namespace name"},
		{"?service=Pod/a/web&from=b", 400, "is not a Service"},
		{"?service=Service/a/nope&from=b", 404, "is not in the graph"},
		{"?service=Service/a/web&from=b&namespace=b", 404, "is not in the graph of namespaces b"},
	} {
		code, body := getJSON(t, ts, "/api/reachability"+c.query, nil)
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err != nil || code != c.code || !strings.Contains(e.Error, c.says) {
			t.Errorf("%s: %d %s; want %d with an error saying %q", c.query, code, body, c.code, c.says)
		}
	}
}

func TestReachabilityService(t *testing.T) {
	ts, log := newTestServer(t, Config{IngressNamespace: "b"})
	reachGraph(t, log)
	var r graph.ServiceReach
	if code, body := getJSON(t, ts, "/api/reachability?service=Service/a/web", &r); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if r.From != "b" || strings.Join(r.Reachable, ",") != "Pod/a/web" || len(r.Unreachable) != 0 {
		t.Errorf("Service/a/web from the ingress namespace b: %+v, want a/web reachable", r)
	}
	if code, body := getJSON(t, ts, "/api/reachability?service=Service/a/web&from=c", &r); code != 200 || r.From != "c" {
		t.Errorf("from=c overrides --ingress-namespace: %d %s", code, body)
	}
}

// TestReachabilityBusy: answers beyond ReachConcurrency at once get 503.
func TestReachabilityBusy(t *testing.T) {
	log := graph.NewLog("e", 4)
	reachGraph(t, log)
	s := New(Config{Log: log, ReachConcurrency: 1})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	s.reach <- struct{}{} // an answer in progress
	if code, body := getJSON(t, ts, "/api/reachability?pod=Pod/a/db", nil); code != 503 || !strings.Contains(body, "at once") {
		t.Errorf("while busy: %d %s, want 503", code, body)
	}
	select { // free the slot again
	case <-s.reach:
	case <-time.After(5 * time.Second):
		t.Fatal("the slot taken for the test was freed by someone else")
	}
	if code, body := getJSON(t, ts, "/api/reachability?pod=Pod/a/db", nil); code != 200 {
		t.Errorf("after: %d %s, want 200", code, body)
	}
}

// TestReachability10k checks the endpoint's answer for one pod among
// 10,000 pods with 20 policies; its time is e2e's BenchmarkReachability10k
// (speed lives in benchmarks).
func TestReachability10k(t *testing.T) {
	m := graph.NewModel()
	for ns := range 20 {
		for app := range 5 {
			labels := map[string]string{"app": fmt.Sprint("app-", app)}
			for i := range 100 {
				m.Set(kpod(fmt.Sprint("team-", ns), fmt.Sprintf("app-%d-%03d", app, i), labels), t0)
			}
		}
		if ns < 10 {
			m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprint("team-", ns), Name: "deny"}}, t0)
			m.Set(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprint("team-", ns), Name: "allow"}, Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "app-0"}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "app-1"}}}}}},
			}}, t0)
		}
	}
	log := graph.NewLog("e", 4)
	log.Append(m.Flush())
	h := New(Config{Log: log}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/reachability?pod=Pod/team-0/app-0-042", nil))
	var r graph.Reachability
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != 200 || len(r.Ingress.Allowed) != 2000 {
		t.Fatalf("%d, %d allowed (want 200, app-1 of 20 namespaces: 2000), %v: %.200s", rec.Code, len(r.Ingress.Allowed), err, rec.Body.Bytes())
	}
}
