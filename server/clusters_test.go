package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/a-h/templ"

	"github.com/podiumhq/podium/informers/graph"
)

// twoClusters serves clusters "east" and "west", each with its own graph
// and epoch; west's status is whatever westDown says.
func twoClusters(t *testing.T, westDown *atomic.Bool) (*httptest.Server, *graph.Log, *graph.Log) {
	t.Helper()
	east, west := graph.NewLog("ep-east", 16), graph.NewLog("ep-west", 16)
	east.Append(upsert(pod("a", "p1", "Running")))
	west.Append(upsert(pod("a", "p1", "Pending"), pod("b", "p2", "Running")))
	up := func() graph.Status {
		return graph.Status{Type: "status", APIServer: "connected", Synced: true, Denied: []string{}}
	}
	cfg := Config{
		Clusters: []Cluster{
			{Name: "east", Log: east, Status: up},
			{Name: "west", Log: west, Status: func() graph.Status {
				if westDown.Load() {
					return graph.Status{Type: "status", APIServer: "reconnecting", Denied: []string{}}
				}
				return up()
			}},
		},
		Page: func(r PageRequest) templ.Component {
			return templ.Raw("<p>page of " + r.Cluster + " among " + strings.Join(r.Clusters, ",") + "</p>")
		},
		SideBySide: func(lang string, frames []Frame) templ.Component {
			var b strings.Builder
			for _, f := range frames {
				b.WriteString("<iframe data-cluster=\"" + f.Cluster + "\" src=\"" + f.Src + "\"></iframe>")
			}
			return templ.Raw(b.String())
		},
	}
	s := New(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, east, west
}

func TestClustersEachTheirOwnGraph(t *testing.T) {
	var westDown atomic.Bool
	ts, _, west := twoClusters(t, &westDown)

	var list struct {
		Clusters []ClusterInfo `json:"clusters"`
	}
	resp, body := get(t, ts.URL+"/api/clusters")
	code := resp.StatusCode
	if code != http.StatusOK {
		t.Fatalf("/api/clusters: %d %s", code, body)
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Clusters) != 2 || list.Clusters[0].Name != "east" || list.Clusters[1].Name != "west" ||
		list.Clusters[0].Epoch != "ep-east" || list.Clusters[1].Seq != 1 || !list.Clusters[1].Status.Synced {
		t.Fatalf("/api/clusters = %+v", list.Clusters)
	}

	// Each route reads the cluster it names; none names the first.
	for query, want := range map[string]string{"": "ep-east", "?cluster=east": "ep-east", "?cluster=west": "ep-west", "?cluster=west&namespace=b": "ep-west"} {
		resp, body := get(t, ts.URL+"/api/graph"+query)
		code := resp.StatusCode
		var snap graph.Snapshot
		if err := json.Unmarshal([]byte(body), &snap); code != http.StatusOK || err != nil || snap.Epoch != want {
			t.Errorf("/api/graph%s: %d, epoch %q, want %q (%v)", query, code, snap.Epoch, want, err)
		}
	}
	c := dial(t, ts, "?cluster=west&namespace=b")
	snap := c.nextOf("snapshot")
	if snap["epoch"] != "ep-west" || len(snap["nodes"].([]any)) != 1 {
		t.Fatalf("/ws?cluster=west&namespace=b snapshot = %v", snap)
	}
	west.Append(upsert(pod("b", "p3", "Running")))
	if d := c.nextOf("delta"); d["seq"] != 2.0 || !strings.Contains(fmt.Sprint(d["upsert"]), "Pod/b/p3") {
		t.Fatalf("west's delta = %v", d)
	}

	// A name the server does not watch is refused, naming the ones it does.
	for _, path := range []string{"/api/graph?cluster=north", "/api/graph.svg?cluster=north", "/api/status?cluster=north",
		"/api/reachability?cluster=north&pod=Pod/a/p1", "/?cluster=east,north", "/api/graph?cluster=east,west"} {
		resp, body := get(t, ts.URL+path)
		code := resp.StatusCode
		if code != http.StatusBadRequest || !strings.Contains(body, "cluster") {
			t.Errorf("%s: %d %s, want 400 naming the cluster", path, code, body)
		}
		if strings.Contains(path, "north") && !strings.Contains(strings.ReplaceAll(body, `\"`, `"`), `"north" is not one this server watches; it watches: east, west`) {
			t.Errorf("%s: %s, want the clusters it watches named", path, body)
		}
	}
	if _, _, err := dialErr(ts.URL, "?cluster=north"); err == nil {
		t.Error("/ws?cluster=north opened")
	}

	// The page: one cluster, or a frame each side by side, framed by this
	// origin only.
	resp, body = get(t, ts.URL+"/?cluster=west&lang=zh-CN")
	code, h := resp.StatusCode, resp.Header
	if code != http.StatusOK || body != "<p>page of west among east,west</p>" {
		t.Errorf("/?cluster=west: %d %s", code, body)
	}
	if h.Get("X-Frame-Options") != "SAMEORIGIN" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("a page of several clusters must be frameable by its own origin: %v", h)
	}
	resp, body = get(t, ts.URL+"/?cluster=east,west&lang=zh-CN&namespace=a")
	code = resp.StatusCode
	want := `<iframe data-cluster="east" src="./?cluster=east&lang=zh-CN&namespace=a"></iframe><iframe data-cluster="west" src="./?cluster=west&lang=zh-CN&namespace=a"></iframe>`
	if code != http.StatusOK || body != want {
		t.Errorf("side by side: %d\n got %s\nwant %s", code, body, want)
	}
	if resp, body := get(t, ts.URL+"/?cluster=east,west&namespace=Bad_NS"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("side by side with a bad namespace: %d %s", resp.StatusCode, body)
	}
	// Other routes keep refusing every framing.
	if resp, _ := get(t, ts.URL+"/api/clusters"); resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("/api/clusters X-Frame-Options = %q", resp.Header.Get("X-Frame-Options"))
	}
}

// A cluster that is down holds back neither readiness nor the others.
func TestClusterDownHoldsBackNoOther(t *testing.T) {
	var westDown atomic.Bool
	westDown.Store(true)
	ts, _, _ := twoClusters(t, &westDown)
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz with west down: %d %s", resp.StatusCode, body)
	}
	resp, body := get(t, ts.URL+"/api/status?cluster=west")
	if code := resp.StatusCode; code != http.StatusOK || !strings.Contains(body, `"apiserver":"reconnecting"`) {
		t.Fatalf("/api/status?cluster=west: %d %s", resp.StatusCode, body)
	}
	c := dial(t, ts, "?cluster=east")
	if snap := c.nextOf("snapshot"); snap["epoch"] != "ep-east" {
		t.Fatalf("east while west is down: %v", snap)
	}
}

func TestReadyNeedsEveryConnectedClusterSynced(t *testing.T) {
	status := func(api string, synced bool) func() graph.Status {
		return func() graph.Status { return graph.Status{APIServer: api, Synced: synced} }
	}
	for _, c := range []struct {
		name  string
		st    []func() graph.Status
		ready bool
	}{
		{"one synced", []func() graph.Status{status("connected", true)}, true},
		{"one syncing", []func() graph.Status{status("connected", false)}, false},
		{"one synced, one still on its first sync", []func() graph.Status{status("connected", true), status("connected", false)}, false},
		{"one synced, one down", []func() graph.Status{status("connected", true), status("reconnecting", false)}, true},
		{"one synced, one refused", []func() graph.Status{status("connected", true), status("unauthorized", false)}, true},
		{"all down", []func() graph.Status{status("reconnecting", false), status("reconnecting", false)}, false},
	} {
		var cls []Cluster
		for i, st := range c.st {
			cls = append(cls, Cluster{Name: string(rune('a' + i)), Log: graph.NewLog("e", 4), Status: st})
		}
		if got := New(Config{Clusters: cls}).ready(); got != c.ready {
			t.Errorf("%s: ready = %v, want %v", c.name, got, c.ready)
		}
	}
}
