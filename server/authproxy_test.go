package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/podiumhq/podium/informers/graph"
)

func proxyServer(t *testing.T, access AccessFunc) (*httptest.Server, *graph.Log) {
	t.Helper()
	cidrs, err := ParseCIDRs([]string{"127.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	ts, log := newTestServer(t, Config{
		AuthProxy: &AuthProxy{UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups", CIDRs: cidrs},
		Access:    access,
	})
	log.Append(upsert(pod("a", "p1", "Running"), pod("b", "p2", "Running"), pod("c", "p3", "Running")))
	return ts, log
}

func graphAs(t *testing.T, ts *httptest.Server, query string, hdr map[string]string) (int, []string) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/api/graph"+query, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
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
	var ns []string
	for _, n := range snap.Nodes {
		ns = append(ns, n.Namespace)
	}
	sort.Strings(ns)
	return 200, ns
}

func TestAuthProxyIdentity(t *testing.T) {
	ts, _ := proxyServer(t, nil)
	if code, _ := graphAs(t, ts, "", nil); code != http.StatusUnauthorized {
		t.Errorf("no identity header: %d, want 401", code)
	}
	if code, _ := graphAs(t, ts, "", map[string]string{"X-Forwarded-User": "  "}); code != http.StatusUnauthorized {
		t.Errorf("blank identity: %d, want 401", code)
	}
	if code, ns := graphAs(t, ts, "", map[string]string{"X-Forwarded-User": "alice"}); code != 200 || len(ns) != 3 {
		t.Errorf("alice through the proxy: %d %v, want all three namespaces", code, ns)
	}
}

func TestAuthProxyUntrustedAddress(t *testing.T) {
	cidrs, _ := ParseCIDRs([]string{"10.0.0.0/8"})
	ts, _ := newTestServer(t, Config{AuthProxy: &AuthProxy{UserHeader: "X-Forwarded-User", CIDRs: cidrs}})
	if code, _ := graphAs(t, ts, "", map[string]string{"X-Forwarded-User": "admin"}); code != http.StatusUnauthorized {
		t.Errorf("identity header from outside --auth-proxy-cidrs: %d, want 401", code)
	}
	if _, err := ParseCIDRs([]string{"10.0.0.0"}); err == nil {
		t.Error("a bare address was taken as a range")
	}
}

// TestPerUserViews: each viewer sees only the namespaces its identity may
// list pods in, whatever it asks for.
func TestPerUserViews(t *testing.T) {
	var asked []Identity
	access := func(ctx context.Context, id Identity, candidates []string) (Access, error) {
		asked = append(asked, id)
		switch id.User {
		case "admin":
			return Access{All: true}, nil
		case "alice":
			return Access{Namespaces: []string{"a", "b"}}, nil
		case "broken":
			return Access{}, errors.New("apiserver down")
		}
		return Access{}, nil
	}
	ts, _ := proxyServer(t, access)
	for _, c := range []struct {
		user, groups, query string
		code                int
		want                string
	}{
		{"admin", "", "", 200, "a b c"},
		{"alice", "team-a,viewers", "", 200, "a b"},
		{"alice", "", "?namespace=b&namespace=c", 200, "b"},
		{"alice", "", "?namespace=c", 403, ""},
		{"mallory", "", "", 403, ""},
		{"broken", "", "", 503, ""},
	} {
		hdr := map[string]string{"X-Forwarded-User": c.user}
		if c.groups != "" {
			hdr["X-Forwarded-Groups"] = c.groups
		}
		code, ns := graphAs(t, ts, c.query, hdr)
		if code != c.code || strings.Join(ns, " ") != c.want {
			t.Errorf("%s %s: %d %v, want %d %q", c.user, c.query, code, ns, c.code, c.want)
		}
	}
	if len(asked) < 2 || strings.Join(asked[1].Groups, ",") != "team-a,viewers" {
		t.Errorf("groups did not reach the access check: %+v", asked)
	}
}

// TestRepeatedNamespace: ?namespace=a&namespace=b is both, as the protocol
// says, on /api/graph and /ws.
func TestRepeatedNamespace(t *testing.T) {
	ts, log := newTestServer(t, Config{})
	log.Append(upsert(pod("a", "p1", "Running"), pod("b", "p2", "Running"), pod("c", "p3", "Running")))
	if code, ns := graphAs(t, ts, "?namespace=a&namespace=b", nil); code != 200 || strings.Join(ns, " ") != "a b" {
		t.Errorf("/api/graph?namespace=a&namespace=b: %d %v, want a b", code, ns)
	}
	c := dial(t, ts, "?namespace=a&namespace=c")
	snap := c.next()
	var got []string
	for _, n := range snap["nodes"].([]any) {
		got = append(got, n.(map[string]any)["namespace"].(string))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "a c" {
		t.Errorf("/ws?namespace=a&namespace=c snapshot namespaces %v, want a c", got)
	}
}
