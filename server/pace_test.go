package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

func TestPacer(t *testing.T) {
	var p pacer
	t0 := time.Unix(100, 0)
	if d := p.delay(t0); d != 0 {
		t.Errorf("a first message waits %v", d)
	}
	p.sent(t0)
	if d := p.delay(t0); d != 0 {
		t.Errorf("a second message in the frame waits %v: lone changes must go at once", d)
	}
	p.sent(t0.Add(time.Millisecond))
	if d := p.delay(t0.Add(2 * time.Millisecond)); d != frame-2*time.Millisecond {
		t.Errorf("a third message in the frame waits %v, want the frame's rest %v", d, frame-2*time.Millisecond)
	}
	if d := p.delay(t0.Add(frame + time.Millisecond)); d != 0 {
		t.Errorf("a message a frame later waits %v", d)
	}
}

// TestWSPacedUnderLoad: 1,000 changes in a burst reach a client as at most
// about two messages per frame, in order, with nothing lost: the final
// state is every pod.
func TestWSPacedUnderLoad(t *testing.T) {
	ts, l := newTestServer(t, Config{Log: graph.NewLog("ep1", 4096)})
	c := dial(t, ts, "")
	c.nextOf("snapshot")
	const n = 1000
	start := time.Now()
	go func() {
		// 2,000 changes a second: a 5,000-pod scale-up's pace.
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for i := range n {
			<-tick.C
			l.Append(upsert(pod("a", fmt.Sprintf("p%04d", i), "Running")))
		}
	}()
	seen := map[string]bool{}
	var last float64
	messages := 0
	for len(seen) < n {
		m := c.next()
		if m["type"] != "delta" {
			continue
		}
		messages++
		if m["from"].(float64) != last && last != 0 {
			t.Fatalf("delta from %v after seq %v: a gap", m["from"], last)
		}
		last = m["seq"].(float64)
		for _, id := range nodeIDs(m["upsert"].(map[string]any)["nodes"]) {
			seen[id] = true
		}
	}
	// At most framePace messages a frame, counted over the whole burst
	// (reads may bunch up; the count cannot).
	elapsed := time.Since(start)
	if most := framePace*int(elapsed/frame) + framePace; messages > most {
		t.Errorf("%d messages in %v: more than %d per frame", messages, elapsed, framePace)
	}
	if messages < 2 {
		t.Errorf("%d changes arrived in %d message(s): the burst did not exercise pacing", n, messages)
	}
	t.Logf("%d changes in %d messages over %v", n, messages, elapsed)
}
