package replay

import (
	"testing"

	"github.com/podiumhq/podium/informers/graph"
)

// TestWave1DemoPlays: the first built-in demo (testdata, the hellok8s
// tutorial) was recorded before wave 2, when a pod's "containers" was an
// integer count. Recordings of that time must still load, and every pod
// must come out with its containers (and their images), not an empty list.
func TestWave1DemoPlays(t *testing.T) {
	rec, err := ReadFile("testdata/wave1-hellok8s.jsonl.gz")
	if err != nil {
		t.Fatalf("the wave-1 demo does not load: %v", err)
	}
	pods := 0
	check := func(nodes []*graph.Node) {
		for _, n := range nodes {
			if n.Kind != graph.KindPod {
				continue
			}
			pods++
			if len(n.Pod.Containers) == 0 {
				t.Errorf("%s has no containers", n.ID)
				continue
			}
			for i, c := range n.Pod.Containers {
				if i < len(n.Pod.Images) && c.Image != n.Pod.Images[i] {
					t.Errorf("%s container %d has image %q, want %q from images", n.ID, i, c.Image, n.Pod.Images[i])
				}
			}
		}
	}
	for _, f := range rec.Frames {
		if f.Snapshot != nil {
			check(f.Snapshot.Nodes)
		}
		if f.Delta != nil {
			check(f.Delta.Upsert.Nodes)
		}
	}
	if pods == 0 {
		t.Fatal("the demo holds no pods")
	}
	t.Logf("%d pod upserts, each with its containers", pods)
}
