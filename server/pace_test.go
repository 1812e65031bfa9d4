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
	for i := range paceBurst {
		if d := p.delay(t0); d != 0 {
			t.Fatalf("message %d of a burst waits %v: up to %d go at once", i+1, d, paceBurst)
		}
		p.sent(t0)
	}
	token := frame / framePace
	if d := p.delay(t0); d != token {
		t.Errorf("a message past the burst waits %v, want one token's time %v", d, token)
	}
	// Under a flood, framePace messages a frame on average.
	at, sent := t0, 0
	for at.Before(t0.Add(10 * frame)) {
		at = at.Add(p.delay(at))
		p.sent(at)
		sent++
	}
	if want := 10 * framePace; sent < want || sent > want+1 {
		t.Errorf("%d messages went out in 10 frames of a flood, want %d", sent, want)
	}
	// A quiet spell fills the bucket again, but no further than the burst.
	later := at.Add(time.Minute)
	for i := range paceBurst {
		if d := p.delay(later); d != 0 {
			t.Fatalf("after a quiet minute, message %d waits %v", i+1, d)
		}
		p.sent(later)
	}
	if d := p.delay(later); d == 0 {
		t.Errorf("after a quiet minute, message %d goes at once: the bucket holds more than %d", paceBurst+1, paceBurst)
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
	// At most framePace messages a frame on average and paceBurst at
	// once, counted over the whole burst (reads may bunch up; the count
	// cannot).
	elapsed := time.Since(start)
	if most := framePace*int(elapsed/frame) + paceBurst; messages > most {
		t.Errorf("%d messages in %v: more than %d per frame", messages, elapsed, framePace)
	}
	if messages < 2 {
		t.Errorf("%d changes arrived in %d message(s): the burst did not exercise pacing", n, messages)
	}
	t.Logf("%d changes in %d messages over %v", n, messages, elapsed)
}
