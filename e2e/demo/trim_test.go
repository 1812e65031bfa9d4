package main

import (
	"bytes"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/podiumhq/podium/informers/graph"
	"github.com/podiumhq/podium/informers/replay"
)

func node(kind graph.Kind, ns, name string) *graph.Node {
	return &graph.Node{ID: graph.ID(kind, ns, name), Kind: kind, Namespace: ns, Name: name, UID: "u-" + name}
}

func edge(kind, from, to string) *graph.Edge {
	return &graph.Edge{ID: graph.EdgeID(kind, from, to), Kind: kind, From: from, To: to}
}

// TestTrim: the talk's recording keeps its namespaces, its Nodes and the
// cluster-scoped objects its objects point at; what the shared lab holds
// besides (other Nodes, Namespaces, ClusterRoles, and their happenings) is
// dropped, a delta left empty goes, and the seq chain still reads.
func TestTrim(t *testing.T) {
	pod := node(graph.KindPod, "demo", "web-1")
	pvc := node(graph.KindPVC, "demo", "data-db-0")
	pvc.PersistentVolumeClaim = &graph.PVCFields{StorageClass: "lab-static"}
	sa := node(graph.KindServiceAccount, "demo", "web")
	talkNode := node(graph.KindNode, "", "demo-node-1")
	talkNode.Node = &graph.NodeFields{Unschedulable: true, Taints: []graph.Taint{
		{Key: "podium.dev/talk", Value: "demo", Effect: "NoSchedule"}, {Key: "node.kubernetes.io/unschedulable", Effect: "NoSchedule"}}}
	snap := &graph.Snapshot{Type: "snapshot", Epoch: "e", Seq: 10,
		Nodes: []*graph.Node{pod, pvc, sa,
			talkNode, node(graph.KindNode, "", "worker-1"),
			node(graph.KindNamespace, "", "demo"), node(graph.KindNamespace, "", "bench-mem"),
			node(graph.KindClusterRole, "", "demo-secret-reader"), node(graph.KindClusterRole, "", "admin"),
			node(graph.KindGroup, "", "system:masters"), node(graph.KindStorageClass, "", "lab-static"),
			node(graph.KindStorageClass, "", "other")},
		Edges: []*graph.Edge{
			edge(graph.EdgeRunsOn, pod.ID, "Node/demo-node-1"),
			edge(graph.EdgeGrants, sa.ID, "ClusterRole/demo-secret-reader"),
			edge(graph.EdgeGrants, "Group/system:masters", "ClusterRole/admin"),
		},
		Happenings: []graph.Happening{{Kind: graph.HappeningCordoned, Ref: "Node/worker-1"}, {Kind: graph.HappeningCreated, Ref: "Namespace/demo"}},
	}
	pv := node(graph.KindPV, "", "demo-data-0")
	pv.PersistentVolume = &graph.PVFields{StorageClass: "lab-static"}
	foreign := &graph.Delta{Type: "delta", From: 10, Seq: 11,
		Upsert:     graph.Items{Nodes: []*graph.Node{node(graph.KindNode, "", "labe2e-a")}, Edges: []*graph.Edge{}},
		Remove:     graph.Removals{Nodes: []string{"Namespace/bench-mem"}, Edges: []string{}},
		Happenings: []graph.Happening{{Kind: graph.HappeningCordoned, Ref: "Node/labe2e-a"}}}
	mixed := &graph.Delta{Type: "delta", From: 11, Seq: 12,
		Upsert: graph.Items{Nodes: []*graph.Node{pv, node(graph.KindClusterRole, "", "edit")},
			Edges: []*graph.Edge{edge(graph.EdgeBound, pvc.ID, pv.ID)}},
		Remove:     graph.Removals{Nodes: []string{"Node/worker-1"}, Edges: []string{graph.EdgeID(graph.EdgeGrants, "Group/system:masters", "ClusterRole/admin"), graph.EdgeID(graph.EdgeRunsOn, pod.ID, "Node/demo-node-1")}},
		Happenings: []graph.Happening{{Kind: graph.HappeningDrained, Ref: "Node/worker-1"}, {Kind: graph.HappeningReplaced, Ref: pod.ID}}}
	t0 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	rec := &replay.Recording{Header: replay.Header{Start: t0, Namespaces: []string{"demo"}}, Duration: 3 * time.Second,
		Frames: []replay.Frame{{Snapshot: snap}, {At: time.Second, Delta: foreign}, {At: 2 * time.Second, Delta: mixed}}}

	sc := newScope([]string{"demo", "demo-team"}, []string{"demo-node-1"})
	sc.poolTaint = "podium.dev/talk"
	frames := trim(rec, sc)

	if len(frames) != 2 || frames[0].Snapshot == nil || frames[1].Delta == nil {
		t.Fatalf("trim kept %d frames, want the snapshot and the delta that has something of the talk's: %+v", len(frames), frames)
	}
	var ids []string
	for _, n := range frames[0].Snapshot.Nodes {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	want := []string{"ClusterRole/demo-secret-reader", "Namespace/demo", "Node/demo-node-1", "PersistentVolumeClaim/demo/data-db-0",
		"Pod/demo/web-1", "ServiceAccount/demo/web", "StorageClass/lab-static"}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("snapshot nodes (-want +got):\n%s", d)
	}
	for _, n := range frames[0].Snapshot.Nodes {
		if n.ID == talkNode.ID && (len(n.Node.Taints) != 1 || n.Node.Taints[0].Key != "node.kubernetes.io/unschedulable") {
			t.Errorf("the talk's Node keeps taints %+v, want only the cordon's", n.Node.Taints)
		}
	}
	if len(talkNode.Node.Taints) != 2 {
		t.Errorf("trim changed the recording it was given: %+v", talkNode.Node.Taints)
	}
	if n := len(frames[0].Snapshot.Edges); n != 2 {
		t.Errorf("snapshot keeps %d edges, want runs-on and the ServiceAccount's grant", n)
	}
	if h := frames[0].Snapshot.Happenings; len(h) != 1 || h[0].Ref != "Namespace/demo" {
		t.Errorf("snapshot happenings: %+v, want only the talk's", h)
	}
	d := frames[1].Delta
	if d.From != 10 || d.Seq != 12 {
		t.Errorf("the delta after a dropped one reads from %d to %d, want 10 → 12", d.From, d.Seq)
	}
	if len(d.Upsert.Nodes) != 1 || d.Upsert.Nodes[0].ID != pv.ID || len(d.Upsert.Edges) != 1 {
		t.Errorf("delta upserts %+v, want the bound PersistentVolume and its edge", d.Upsert)
	}
	if !cmp.Equal(d.Remove.Nodes, []string{}) || !slices.Equal(d.Remove.Edges, []string{graph.EdgeID(graph.EdgeRunsOn, pod.ID, "Node/demo-node-1")}) {
		t.Errorf("delta removes %+v, want only the talk's runs-on edge", d.Remove)
	}
	if len(d.Happenings) != 1 || d.Happenings[0].Ref != pod.ID {
		t.Errorf("delta happenings %+v, want only the talk's", d.Happenings)
	}

	// What trim returns is a recording the player reads.
	var buf bytes.Buffer
	if err := writeFrames(&buf, rec.Header, frames, rec.Duration); err != nil {
		t.Fatal(err)
	}
	back, err := replay.Read("trimmed", &buf)
	if err != nil {
		t.Fatalf("the trimmed recording does not read back: %v", err)
	}
	if len(back.Frames) != 2 || back.Duration != rec.Duration {
		t.Errorf("read back %d frames over %v, want 2 over %v", len(back.Frames), back.Duration, rec.Duration)
	}
}

// TestCoalesce: deltas within the window fold into one, stamped at the
// last, the later change of an id winning; a status or a gap ends a group;
// the result reads back as a recording.
func TestCoalesce(t *testing.T) {
	a, b := node(graph.KindPod, "demo", "a"), node(graph.KindPod, "demo", "b")
	a2 := *a
	a2.UID = "u-a2"
	delta := func(from, seq uint64, up []*graph.Node, rm []string, hs ...string) *graph.Delta {
		d := &graph.Delta{Type: "delta", From: from, Seq: seq, Upsert: graph.Items{Nodes: up, Edges: []*graph.Edge{}}, Remove: graph.Removals{Nodes: rm, Edges: []string{}}}
		for _, h := range hs {
			d.Happenings = append(d.Happenings, graph.Happening{Kind: graph.HappeningCreated, Ref: h})
		}
		return d
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	frames := []replay.Frame{
		{Snapshot: &graph.Snapshot{Type: "snapshot", Epoch: "e", Seq: 1, Nodes: []*graph.Node{}, Edges: []*graph.Edge{}}},
		{At: ms(1000), Delta: delta(1, 2, []*graph.Node{a}, []string{}, "first")},
		{At: ms(1100), Delta: delta(2, 3, []*graph.Node{b}, []string{}, "second")},
		{At: ms(1250), Delta: delta(3, 4, []*graph.Node{&a2}, []string{b.ID})},
		{At: ms(1400), Delta: delta(4, 5, []*graph.Node{}, []string{a.ID}, "after the window")},
		{At: ms(1450), Status: &graph.Status{Type: "status", APIServer: "connected", Synced: true}},
		{At: ms(1500), Delta: delta(5, 6, []*graph.Node{b}, []string{})},
	}
	got := coalesce(frames, 300*time.Millisecond)
	if len(got) != 5 {
		t.Fatalf("coalesce gave %d frames, want snapshot, one merged delta, the delta after the window, the status, the last delta", len(got))
	}
	m := got[1]
	if m.At != ms(1250) || m.Delta.From != 1 || m.Delta.Seq != 4 {
		t.Errorf("merged delta at %v from %d to %d, want at 1.25s, 1 → 4", m.At, m.Delta.From, m.Delta.Seq)
	}
	if len(m.Delta.Upsert.Nodes) != 1 || m.Delta.Upsert.Nodes[0].UID != "u-a2" || !slices.Equal(m.Delta.Remove.Nodes, []string{b.ID}) {
		t.Errorf("merged delta upserts %+v, removes %v; want a's latest, b removed", m.Delta.Upsert.Nodes, m.Delta.Remove.Nodes)
	}
	if len(m.Delta.Happenings) != 2 || m.Delta.Happenings[0].Ref != "first" || m.Delta.Happenings[1].Ref != "second" {
		t.Errorf("merged happenings %+v, want both, in order", m.Delta.Happenings)
	}
	if got[2].Delta == nil || got[2].Delta.From != 4 || got[3].Status == nil || got[4].Delta == nil {
		t.Errorf("after the merge: %+v %+v %+v", got[2], got[3], got[4])
	}
	var buf bytes.Buffer
	if err := writeFrames(&buf, replay.Header{Start: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}, got, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := replay.Read("coalesced", &buf); err != nil {
		t.Fatalf("the coalesced recording does not read back: %v", err)
	}
}
