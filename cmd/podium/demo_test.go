package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

// TestEmbeddedDemo checks that the embedded recording parses and holds each
// step of the tutorial sequence that e2e/demo runs.
func TestEmbeddedDemo(t *testing.T) {
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Truncated != "" {
		t.Errorf("the embedded demo was cut short: %s", rec.Truncated)
	}
	if n := len(demoRecording); n > 200<<10 {
		t.Errorf("the embedded demo is %d bytes; keep it under 200 KB", n)
	}
	if rec.Duration < 10*time.Second || rec.Duration > 5*time.Minute {
		t.Errorf("demo lasts %v; want a watchable length", rec.Duration)
	}
	const dep = "Deployment/hellok8s/hellok8s-deployment"
	markers := rec.Markers()
	find := func(what string, match func(m replay.Marker) bool) replay.Marker {
		t.Helper()
		for _, m := range markers {
			if match(m) {
				return m
			}
		}
		var all []string
		for _, m := range markers {
			all = append(all, fmt.Sprintf("%.1fs %s: %s", m.Time, m.Kind, m.Text))
		}
		t.Fatalf("the demo has no happening for %s; it has:\n%s", what, strings.Join(all, "\n"))
		return replay.Marker{}
	}
	kindText := func(kind, text string) func(m replay.Marker) bool {
		return func(m replay.Marker) bool { return m.Kind == kind && strings.Contains(m.Text, text) }
	}
	created := find("deploy 1 replica", kindText("created", "Deployment hellok8s/hellok8s-deployment"))
	if d := rec.StateAfter(created.Frame).Nodes[dep]; d == nil || d.Deployment.Replicas != 1 {
		t.Errorf("the Deployment is created with %+v, want 1 replica", d)
	}
	scaled := find("scale to 3", kindText("scaled", "scaled 1 → 3"))
	nodePort := find("the NodePort Service", kindText("created", "service-hellok8s created (NodePort)"))
	ingress := find("the Ingress", kindText("created", "Ingress hellok8s/hello-ingress"))
	v2 := find("roll out v2", kindText("rollout", "revision 1 → 2, image guangzhengli/hellok8s:v1 → guangzhengli/hellok8s:v2"))
	undo := find("roll back", kindText("rollout", "revision 2 → 3, image guangzhengli/hellok8s:v2 → guangzhengli/hellok8s:v1"))
	stalled := find("the stalled rollout", func(m replay.Marker) bool { return m.Kind == "rollout" && m.Params[graph.ParamState] == "stalled" })
	order := []replay.Marker{created, scaled, nodePort, ingress, v2, undo, stalled}
	for i := 1; i < len(order); i++ {
		if order[i].Frame < order[i-1].Frame {
			t.Errorf("%q comes before %q", order[i].Text, order[i-1].Text)
		}
	}

	// Deleting a pod: between the scale and the Service, a pod of the
	// Deployment disappears while the Deployment keeps 3 replicas.
	deleted := false
	for i := scaled.Frame + 1; i < nodePort.Frame; i++ {
		f := rec.Frames[i]
		if f.Delta == nil {
			continue
		}
		for _, id := range f.Delta.Remove.Nodes {
			if strings.HasPrefix(id, "Pod/hellok8s/hellok8s-deployment-") && rec.StateAfter(i).Nodes[dep].Deployment.Replicas == 3 {
				deleted = true
			}
		}
	}
	if !deleted {
		t.Error("no pod of the Deployment is deleted between the scale and the Service")
	}

	// At the rollback, two ReplicaSets have pods: the browser draws two lanes.
	lanes := 0
	at := rec.StateAfter(undo.Frame)
	for _, n := range at.Nodes {
		if n.ReplicaSet != nil && n.ReplicaSet.Owner == dep && n.ReplicaSet.Current > 0 {
			lanes++
		}
	}
	if lanes < 2 {
		t.Errorf("at %q only %d ReplicaSet(s) have pods, want 2 lanes", undo.Text, lanes)
	}

	// The stall: a pod that never became ready sits outside the Service's
	// ready endpoints, and the Ingress routes to the NodePort Service.
	end := rec.StateAfter(len(rec.Frames) - 1)
	if d := end.Nodes[dep]; d == nil || d.Deployment.Rollout != "stalled" {
		t.Errorf("at the end the Deployment is %+v, want stalled", d)
	}
	notReady, routes := 0, 0
	for _, e := range end.Snapshot(graph.Filter{}).Edges {
		if e.Kind == graph.EdgeSelects && e.From == "Service/hellok8s/service-hellok8s" && e.State == graph.EndpointNone {
			notReady++
		}
		if e.Kind == graph.EdgeRoutes && e.From == "Ingress/hellok8s/hello-ingress" {
			routes++
		}
	}
	if notReady == 0 || routes != 2 {
		t.Errorf("at the end: %d never-ready pods outside the endpoints (want >0), %d Ingress routes (want 2)", notReady, routes)
	}
	if svc := end.Nodes["Service/hellok8s/service-hellok8s"]; svc == nil || svc.Service.Type != "NodePort" {
		t.Errorf("service-hellok8s is %+v, want NodePort", svc)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRE = regexp.MustCompile(`url=(http://\S+)`)

// startCmd runs a podium command in-process and returns its URL.
func startCmd(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &logs, &logs) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			var once sync.Once
			var stopErr error
			stop := func() error {
				once.Do(func() {
					cancel()
					select {
					case stopErr = <-done:
					case <-time.After(15 * time.Second):
						stopErr = fmt.Errorf("did not stop within 15s")
					}
				})
				return stopErr
			}
			t.Cleanup(func() { _ = stop() })
			return m[1], stop
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("%v exited: %v\n%s", args, err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%v did not log its URL within 20s:\n%s", args, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestDemoServes runs `podium demo` in-process: the graph and the replay
// controls answer, and it stops cleanly when its context ends.
func TestDemoServes(t *testing.T) {
	base, stop := startCmd(t, "demo", "--listen", "127.0.0.1:0", "--log-level", "info")
	var snap graph.Snapshot
	getJSON(t, base+"/api/graph", &snap)
	if len(snap.Nodes) == 0 || snap.Epoch == "" {
		t.Errorf("/api/graph = %d nodes, epoch %q; want the demo's first snapshot", len(snap.Nodes), snap.Epoch)
	}
	var info replay.Info
	getJSON(t, base+"/api/replay", &info)
	if !info.Loop || !info.Playing || len(info.Happenings) == 0 || info.Recording.Namespaces[0] != "hellok8s" {
		t.Errorf("/api/replay = %+v; want a looping, playing demo with happenings", info)
	}
	if err := stop(); err != nil {
		t.Fatalf("demo stopped with %v", err)
	}
}

// TestReplayServesAFile replays a recording written here, paused, and seeks.
func TestReplayServesAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.jsonl")
	if err := os.WriteFile(path, mustGunzip(t, demoRecording), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop := startCmd(t, "replay", path, "--paused", "--speed", "2", "--listen", "127.0.0.1:0")
	var info replay.Info
	getJSON(t, base+"/api/replay", &info)
	if info.Playing || info.Speed != 2 || info.Loop {
		t.Errorf("replay --paused --speed 2: %+v", info)
	}
	resp, err := http.Post(base+"/api/replay", "application/json", strings.NewReader(fmt.Sprintf(`{"action":"seek","time":%v}`, info.Duration)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("seek to the end: %s", resp.Status)
	}
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	want := rec.StateAfter(len(rec.Frames) - 1).Snapshot(graph.Filter{})
	var got graph.Snapshot
	getJSON(t, base+"/api/graph", &got)
	if len(got.Nodes) != len(want.Nodes) || len(got.Edges) != len(want.Edges) {
		t.Errorf("after seeking to the end: %d nodes, %d edges; want %d, %d", len(got.Nodes), len(got.Edges), len(want.Nodes), len(want.Edges))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func mustGunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	rec, err := replay.Read("x", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := replay.NewWriter(&out, false, rec.Header)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rec.Frames {
		var msg any
		switch {
		case f.Snapshot != nil:
			msg = f.Snapshot
		case f.Delta != nil:
			msg = f.Delta
		default:
			msg = f.Status
		}
		if err := w.Write(rec.Header.Start.Add(f.At), msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(rec.Header.Start.Add(rec.Duration)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRecordReplayDemoBadInvocations(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	notRec := filepath.Join(dir, "notes.txt")
	os.WriteFile(notRec, []byte("shopping list\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"record without --out", []string{"record"}, "--out FILE is required"},
		{"record without a cluster", []string{"record", "--out", filepath.Join(dir, "x.jsonl")}, "podium demo"},
		{"record with a bad kubeconfig", []string{"record", "--out", filepath.Join(dir, "x.jsonl"), "--kubeconfig", notRec}, notRec},
		{"record stray argument", []string{"record", "--out", "x", "y"}, `unexpected argument "y"`},
		{"replay without a file", []string{"replay"}, "which recording?"},
		{"replay missing file", []string{"replay", filepath.Join(dir, "nope.jsonl")}, "nope.jsonl"},
		{"replay not a recording", []string{"replay", notRec}, notRec + ":1: not a Podium recording"},
		{"replay two files", []string{"replay", notRec, notRec}, "unexpected argument"},
		{"replay bad speed", []string{"replay", notRec, "--speed", "0"}, "--speed 0"},
		{"replay NaN speed", []string{"replay", notRec, "--speed", "NaN"}, "--speed NaN"},
		{"replay bad listen", []string{"replay", notRec, "--listen", "8080"}, `--listen "8080"`},
		{"demo bad speed", []string{"demo", "--speed", "100"}, "--speed 100"},
		{"demo stray argument", []string{"demo", "now"}, `unexpected argument "now"`},
		{"demo busy port", []string{"demo", "--listen", "256.0.0.1:1"}, "--listen 256.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}
