package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
	"github.com/podiumhq/podium/server"
)

// talkStep is one step of the built-in lesson placed on the built-in
// recording: the state right after its happening (the picture a speaker
// who steps to it shows).
type talkStep struct {
	i      int
	until  string // what it waits for, for messages
	marker replay.Marker
	nodes  map[string]*graph.Node
	edges  []*graph.Edge
}

// talkSteps places the embedded lesson's steps on the embedded recording,
// failing the test when a step with until has no happening (marker < 0).
func talkSteps(t *testing.T) (*replay.Recording, []talkStep) {
	t.Helper()
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	les, err := loadDemoLesson()
	if err != nil {
		t.Fatal(err)
	}
	markers := rec.Markers()
	timeline := make([]graph.Happening, len(markers))
	for i, m := range markers {
		timeline[i] = graph.Happening{Kind: m.Kind, Ref: m.Ref, Params: m.Params}
	}
	at, err := les.Markers(demoLessonName, timeline)
	if err != nil {
		t.Fatalf("the built-in lesson does not follow the built-in recording: %v", err)
	}
	var out []talkStep
	for i, s := range les.Steps {
		if s.Until == nil {
			continue
		}
		if at[i] < 0 {
			t.Fatalf("step %d (%s) waits for %s but has marker %d", i+1, s.Title.En, s.Until, at[i])
		}
		m := markers[at[i]]
		st := rec.StateAfter(m.Frame)
		out = append(out, talkStep{i: i, until: s.Until.String(), marker: m, nodes: st.Nodes, edges: st.Snapshot(graph.Filter{}).Edges})
	}
	return rec, out
}

func edgesOf(edges []*graph.Edge, kind, from string) []*graph.Edge {
	var out []*graph.Edge
	for _, e := range edges {
		if e.Kind == kind && (from == "" || e.From == from) {
			out = append(out, e)
		}
	}
	return out
}

// TestEmbeddedDemo checks that the embedded recording parses, stays
// talk-sized, and that the embedded lesson finds every step's happening in
// it (the check `make demo-record` makes before it writes the recording).
func TestEmbeddedDemo(t *testing.T) {
	rec, steps := talkSteps(t)
	if rec.Truncated != "" {
		t.Errorf("the embedded demo was cut short: %s", rec.Truncated)
	}
	if n := len(demoRecording); n > 200<<10 {
		t.Errorf("the embedded demo is %d bytes; keep it under 200 KB", n)
	}
	if rec.Duration < 10*time.Second || rec.Duration > 5*time.Minute {
		t.Errorf("demo lasts %v; want a watchable length", rec.Duration)
	}
	les, err := loadDemoLesson()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(les.Steps); n < 15 || n > 25 {
		t.Errorf("the lesson has %d steps; a talk-sized lesson has 15 to 25", n)
	}
	if len(steps) < len(les.Steps)/2 {
		t.Errorf("only %d of %d steps wait for a happening: the replay cannot seek the others", len(steps), len(les.Steps))
	}
	// Both languages, every step: the audience reads one or the other.
	han := regexp.MustCompile(`\p{Han}`)
	for i, s := range les.Steps {
		for _, x := range []struct{ field, en, zh string }{{"title", s.Title.En, s.Title.ZhCN}, {"text", s.Text.En, s.Text.ZhCN}} {
			if strings.TrimSpace(x.en) == "" || han.MatchString(x.en) {
				t.Errorf("step %d %s: English %q is empty or not English", i+1, x.field, x.en)
			}
			if !han.MatchString(x.zh) {
				t.Errorf("step %d %s: zh-CN %q has no Chinese", i+1, x.field, x.zh)
			}
		}
	}

	// Talk-sized: every frame fits a projector (the text-fit test seeks to
	// every happening at 1024×768).
	for i := range rec.Frames {
		pods := 0
		for _, n := range rec.StateAfter(i).Nodes {
			if n.Kind == graph.KindPod {
				pods++
			}
		}
		if pods > 10 {
			t.Errorf("frame %d (%.1fs) has %d pods on screen; keep the talk at 10 or fewer", i, rec.Frames[i].At.Seconds(), pods)
			break
		}
	}
}

// TestEmbeddedDemoShowsEachStep checks that the picture at each step's
// happening shows what the step is about (TALK.md, "What the picture must
// make obvious"), reading the step's entity and numbers from the lesson and
// the recording.
func TestEmbeddedDemoShowsEachStep(t *testing.T) {
	_, steps := talkSteps(t)
	les, _ := loadDemoLesson()
	seen := map[string]bool{}
	for _, st := range steps {
		u := les.Steps[st.i].Until
		where := fmt.Sprintf("step %d (%s, at %.1fs)", st.i+1, st.until, st.marker.Time)
		ref := st.nodes[u.Ref]
		seen[u.Kind] = true
		switch u.Kind {
		case graph.HappeningEndpoints:
			// The Service fans out to exactly its ready endpoints.
			ready := 0
			for _, e := range edgesOf(st.edges, graph.EdgeSelects, u.Ref) {
				if e.State == graph.EndpointReady {
					ready++
				}
			}
			if want := u.Params[graph.ParamTo]; fmt.Sprint(ready) != want {
				t.Errorf("%s: %s selects %d ready pods, want %s", where, u.Ref, ready, want)
			}
		case graph.HappeningRollout:
			dep := ref
			if dep == nil || dep.Deployment == nil {
				t.Errorf("%s: no Deployment %s", where, u.Ref)
				continue
			}
			lanes := 0
			for _, n := range st.nodes {
				if n.ReplicaSet != nil && n.ReplicaSet.Owner == u.Ref && n.ReplicaSet.Current > 0 {
					lanes++
				}
			}
			switch u.Params[graph.ParamState] {
			case graph.RolloutStarted:
				// Two lanes: the old ReplicaSet and the new, both with pods.
				if lanes < 2 {
					t.Errorf("%s: %d ReplicaSet(s) of %s have pods, want two lanes", where, lanes, u.Ref)
				}
			case graph.RolloutComplete:
				if lanes != 1 || dep.Deployment.Ready != dep.Deployment.Replicas {
					t.Errorf("%s: %d lanes with pods, %d of %d ready; want one lane, all ready", where, lanes, dep.Deployment.Ready, dep.Deployment.Replicas)
				}
			}
		case graph.HappeningReplaced:
			if was := st.marker.Params[graph.ParamWas]; was != "" {
				// A Deployment's pod: a new name, under the same ReplicaSet.
				p := st.nodes[st.marker.Ref]
				if p == nil || p.Pod == nil || p.Pod.Owner != st.marker.Params[graph.ParamOwner] || st.marker.Ref == graph.ID(graph.KindPod, p.Namespace, path.Base(was)) {
					t.Errorf("%s: the replacement %s of %s is not drawn under %s", where, st.marker.Ref, was, st.marker.Params[graph.ParamOwner])
				}
				continue
			}
			// A StatefulSet's: the same name, on the same claim.
			if ref == nil {
				t.Errorf("%s: %s is not there", where, u.Ref)
				continue
			}
			claims := edgesOf(st.edges, graph.EdgeMounts, u.Ref)
			if len(claims) == 0 || !strings.HasSuffix(claims[0].To, "-"+ref.Name) || st.marker.Params[graph.ParamClaims] == "" {
				t.Errorf("%s: %s mounts %v (happening says claims %q); want its own claim back", where, u.Ref, claims, st.marker.Params[graph.ParamClaims])
			}
		case graph.HappeningCreated:
			if ref == nil {
				t.Errorf("%s: %s is not there", where, u.Ref)
			}
			if ref != nil && ref.Kind == graph.KindIngress {
				// Paths to Services: each rule leads to a Service drawn.
				routes := edgesOf(st.edges, graph.EdgeRoutes, u.Ref)
				if len(routes) < 2 {
					t.Errorf("%s: %s routes to %d Services, want its paths to lead to two", where, u.Ref, len(routes))
				}
				for _, r := range routes {
					if st.nodes[r.To] == nil {
						t.Errorf("%s: %s routes to %s, which is not drawn", where, u.Ref, r.To)
					}
				}
			}
		case graph.HappeningWarning:
			// A creation refused by a quota: the namespace's quota is full.
			ns := st.nodes[graph.ID(graph.KindNamespace, "", graph.NamespaceOf(st.marker.Ref))]
			full := false
			if ns != nil && ns.NamespaceInfo() != nil {
				for _, q := range ns.NamespaceInfo().Quotas {
					if q.Resource == "pods" && q.Used == q.Hard {
						full = true
					}
				}
			}
			if !full {
				t.Errorf("%s: %q, but the namespace's pod quota is not full: %+v", where, st.marker.Text, ns)
			}
		case graph.HappeningCordoned:
			if ref == nil || !ref.Node.Unschedulable {
				t.Errorf("%s: %s is not drawn cordoned: %+v", where, u.Ref, ref)
			}
		case graph.HappeningDrained:
			// The pods moved: none runs on the drained node any more.
			for _, e := range st.edges {
				if e.Kind == graph.EdgeRunsOn && e.To == u.Ref {
					t.Errorf("%s: %s still runs on %s", where, e.From, u.Ref)
				}
			}
		case graph.HappeningDeleted:
			if ref != nil {
				t.Errorf("%s: %s is still there", where, u.Ref)
			}
		}
	}
	for _, k := range []string{graph.HappeningEndpoints, graph.HappeningRollout, graph.HappeningReplaced, graph.HappeningWarning, graph.HappeningDrained} {
		if !seen[k] {
			t.Errorf("no step waits for a %s happening", k)
		}
	}

	// What the chapters without a happening of their own must show, at the
	// step that has them on screen (found by its focus).
	focusAt := func(kind graph.Kind) (talkStep, bool) {
		for _, st := range steps {
			if f := les.Steps[st.i].Focus; strings.HasPrefix(f, string(kind)+"/") {
				return st, true
			}
		}
		t.Errorf("no step of the lesson focuses a %s", kind)
		return talkStep{}, false
	}
	var nodePort *graph.Node
	for _, st := range steps {
		if n := st.nodes[les.Steps[st.i].Focus]; n != nil && n.Service != nil && n.Service.Type == "NodePort" {
			nodePort = n
		}
	}
	if nodePort == nil || len(nodePort.Service.Ports) == 0 || nodePort.Service.Ports[0].NodePort != 30000 {
		t.Errorf("no step shows a NodePort Service on node port 30000: %+v", nodePort)
	}
	if st, ok := focusAt(graph.KindServiceAccount); ok {
		sa := les.Steps[st.i].Focus
		runsAs := 0
		for _, e := range st.edges {
			if e.Kind == graph.EdgeRunsAs && e.To == sa {
				runsAs++
			}
		}
		risky := false
		for _, g := range edgesOf(st.edges, graph.EdgeGrants, sa) {
			if r := st.nodes[g.To]; r != nil && r.ClusterRole() != nil && slices.Contains(r.ClusterRole().Risky, graph.RiskySecrets) {
				risky = true
			}
		}
		if runsAs == 0 || !risky {
			t.Errorf("step %d: %d pods run as %s, risky secrets grant %v; want pods running as it and the grant called out", st.i+1, runsAs, sa, risky)
		}
	}
	if st, ok := focusAt(graph.KindNetworkPolicy); ok {
		if n := len(edgesOf(st.edges, graph.EdgeIsolates, les.Steps[st.i].Focus)); n == 0 {
			t.Errorf("step %d: %s isolates no pod", st.i+1, les.Steps[st.i].Focus)
		}
	}
	// Config and storage: pods mount a ConfigMap and a Secret, by name.
	mounted := map[graph.Kind]bool{}
	for _, st := range steps {
		if !slices.Contains(les.Steps[st.i].Layers, "config") {
			continue
		}
		for _, e := range st.edges {
			if n := st.nodes[e.To]; e.Kind == graph.EdgeMounts && n != nil {
				mounted[n.Kind] = true
			}
		}
	}
	if !mounted[graph.KindConfigMap] || !mounted[graph.KindSecret] {
		t.Errorf("the config step's pods mount %v; want a ConfigMap and a Secret", mounted)
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
	rec, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	if !info.Loop || !info.Playing || len(info.Happenings) != len(rec.Markers()) || !slices.Equal(info.Recording.Namespaces, rec.Header.Namespaces) {
		t.Errorf("/api/replay = %+v; want the embedded recording, looping and playing, with its %d happenings", info, len(rec.Markers()))
	}
	// The built-in lesson comes with it, every step placed.
	var st server.LessonState
	getJSON(t, base+"/api/lesson", &st)
	les, err := loadDemoLesson()
	if err != nil {
		t.Fatal(err)
	}
	if st.Lesson == nil || st.Error != "" || len(st.Markers) != len(les.Steps) {
		t.Fatalf("/api/lesson = %+v; want the built-in lesson with a marker per step", st)
	}
	for i, m := range st.Markers {
		if (les.Steps[i].Until != nil) != (m >= 0) || m >= len(info.Happenings) {
			t.Errorf("step %d has marker %d (until %v)", i+1, m, les.Steps[i].Until)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("demo stopped with %v", err)
	}
}

// TestDemoNoLesson: --no-lesson plays the demo without the built-in lesson.
func TestDemoNoLesson(t *testing.T) {
	base, stop := startCmd(t, "demo", "--listen", "127.0.0.1:0", "--paused", "--no-lesson")
	resp, err := http.Get(base + "/api/lesson")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/lesson with --no-lesson: %s, want 404", resp.Status)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
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
		if err := w.Write(rec.Header.Start.Add(f.At), f.Message()); err != nil {
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
		{"demo lesson and no lesson", []string{"demo", "--no-lesson", "--lesson", notRec}, "--lesson and --no-lesson: choose one"},
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
