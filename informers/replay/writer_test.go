package replay

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/podiumhq/podium/informers/graph"
)

// TestRecordFollowsTheLog records a log that changes before and after its
// source syncs, stops like Ctrl-C does, and reads the file back.
func TestRecordFollowsTheLog(t *testing.T) {
	for _, name := range []string{"live.jsonl", "live.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			log := graph.NewLog("E", 64)
			var synced atomic.Bool
			status := func() graph.Status {
				return graph.Status{Type: "status", APIServer: "connected", Synced: synced.Load(), Denied: []string{}}
			}
			// No start: the first snapshot's time becomes it.
			w, err := Create(path, Header{PodiumVersion: "test", Namespaces: []string{"demo"}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Record(ctx, log, status, w, time.Now) }()

			// Before the sync: only the snapshot will show it.
			log.Append(graph.Delta{Upsert: graph.Items{Nodes: []*graph.Node{deployment(1, 1), pod("a", "Running", true)}}})
			synced.Store(true)
			lines := func() int {
				b, _ := os.ReadFile(path)
				if strings.HasSuffix(name, ".gz") {
					rec, err := Read(name, strings.NewReader(string(b)))
					if err != nil {
						return 0
					}
					return len(rec.Frames) + 1
				}
				return strings.Count(string(b), "\n")
			}
			waitFor := func(n int, what string) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for lines() < n {
					if time.Now().After(deadline) {
						t.Fatalf("%s: %d lines after 10s, want %d", what, lines(), n)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			waitFor(3, "header, snapshot and status") // header + snapshot + status
			log.Append(graph.Delta{Upsert: graph.Items{Nodes: []*graph.Node{deployment(2, 1), pod("b", "Pending", false)}},
				Happenings: []graph.Happening{{Time: time.Now(), Kind: "scaled", Ref: "Deployment/demo/web", Text: "scaled 1 → 2"}}})
			waitFor(4, "first delta")
			log.Append(graph.Delta{Remove: graph.Removals{Nodes: []string{"Pod/demo/a"}}})
			waitFor(5, "second delta")
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}

			rec, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Truncated != "" {
				t.Errorf("clean stop left a truncated file: %s", rec.Truncated)
			}
			if rec.Frames[0].At != 0 || rec.Header.Start.IsZero() {
				t.Errorf("first frame at %v, start %v; want 0 and the snapshot's time", rec.Frames[0].At, rec.Header.Start)
			}
			if rec.Frames[0].Snapshot == nil || len(rec.Frames[0].Snapshot.Nodes) != 2 {
				t.Errorf("first frame %+v, want the synced snapshot with 2 nodes", rec.Frames[0])
			}
			want := log.Snapshot(graph.Filter{})
			got := rec.StateAfter(len(rec.Frames) - 1).Snapshot(graph.Filter{})
			got.Epoch = want.Epoch
			got.Happenings = rec.RecentAt(len(rec.Frames) - 1)
			if d := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); d != "" {
				t.Errorf("recorded final state differs from the log (-log +recording):\n%s", d)
			}
			if ms := rec.Markers(); len(ms) != 1 || ms[0].Kind != "scaled" {
				t.Errorf("markers %+v, want the scaled happening", ms)
			}
		})
	}
}

func TestCreateBadPath(t *testing.T) {
	_, err := Create(filepath.Join(t.TempDir(), "no", "such", "dir", "x.jsonl"), Header{})
	if err == nil || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("err = %v, want an --out error", err)
	}
}
