//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podiumhq/podium/e2e/labtest"
	"github.com/podiumhq/podium/e2e/podiumtest"
	"github.com/podiumhq/podium/informers/graph"
)

// TestPerUserViews runs podium behind an auth proxy with per-user views on
// against the lab's real RBAC: a user bound to a Role in one namespace sees
// that namespace only, on /api/graph and /ws; cluster admins see both; an
// identity with no grant is refused, and so is a request without one.
func TestPerUserViews(t *testing.T) {
	cs := lab.Client()
	ctx := context.Background()
	nsA := labtest.Namespace(t, lab)
	nsB := nsA + "-b"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsB,
		Labels: map[string]string{"podium.dev/e2e": "true"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), nsB, metav1.DeleteOptions{}) })
	labtest.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		_, err := cs.CoreV1().ServiceAccounts(nsB).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
	createApp(t, cs, nsA, "web", 1)
	createApp(t, cs, nsB, "db", 1)

	user := "alice-" + nsA
	if _, err := cs.RbacV1().Roles(nsA).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().RoleBindings(nsA).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	p := podiumtest.Start(t, podiumtest.Options{Kubeconfig: lab.Kubeconfig(), Args: []string{
		"--namespace", nsA + "," + nsB,
		"--auth-proxy-header", "X-Forwarded-User", "--auth-proxy-groups-header", "X-Forwarded-Groups",
		"--auth-proxy-cidrs", "127.0.0.0/8", "--per-user-views",
	}})

	get := func(user, groups string) (int, []string) {
		req, _ := http.NewRequest("GET", p.URL+"/api/graph", nil)
		if user != "" {
			req.Header.Set("X-Forwarded-User", user)
		}
		if groups != "" {
			req.Header.Set("X-Forwarded-Groups", groups)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return resp.StatusCode, nil
		}
		var snap graph.Snapshot
		if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
			t.Fatal(err)
		}
		return 200, namespacesOf(snap.Nodes)
	}
	// Both apps must be in the graph before views are compared.
	labtest.Eventually(t, 60*time.Second, func(context.Context) error {
		if _, ns := get("admin", "system:masters"); strings.Join(ns, ",") != strings.Join(sorted(nsA, nsB), ",") {
			return fmt.Errorf("admin sees %v", ns)
		}
		return nil
	})
	if code, ns := get(user, ""); code != 200 || strings.Join(ns, ",") != nsA {
		t.Errorf("%s sees %d %v, want only %s", user, code, ns, nsA)
	}
	if code, _ := get("mallory", "team-x"); code != http.StatusForbidden {
		t.Errorf("an identity with no grant: %d, want 403", code)
	}
	if code, _ := get("", ""); code != http.StatusUnauthorized {
		t.Errorf("no identity: %d, want 401", code)
	}

	// The stream is filtered the same way.
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(p.URL, "http")+"/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"X-Forwarded-User": {user}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 20)
	_, data, err := conn.Read(dctx)
	if err != nil {
		t.Fatal(err)
	}
	var snap graph.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Type != "snapshot" {
		t.Fatalf("first /ws message: %v %.200s", err, data)
	}
	if ns := namespacesOf(snap.Nodes); strings.Join(ns, ",") != nsA {
		t.Errorf("%s's /ws snapshot has namespaces %v, want only %s", user, ns, nsA)
	}
}

func namespacesOf(nodes []*graph.Node) []string {
	seen := map[string]bool{}
	for _, n := range nodes {
		if n.Namespace != "" {
			seen[n.Namespace] = true
		}
	}
	var out []string
	for ns := range seen {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func sorted(ss ...string) []string {
	sort.Strings(ss)
	return ss
}
