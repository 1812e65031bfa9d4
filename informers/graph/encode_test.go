package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

// encNode is a pod with fields that exercise escaping and omitempty.
func encNode(ns, name, status string, r *rand.Rand) *Node {
	n := pod(ns, name, status)
	n.UID = fmt.Sprintf("uid-%d", r.Intn(1000))
	n.Pod.Images = []string{"web:v1", "<side>&car"}
	n.Pod.Restarts = r.Intn(5)
	n.Pod.Node = "Node/worker-1"
	if r.Intn(2) == 0 {
		n.Pod.Labels = map[string]string{"app": "web<1>", "tier": "\u2028front"}
		n.Pod.Created = time.Unix(1700000000+int64(r.Intn(1000)), 0).UTC()
	}
	return n
}

// checkEncode fails unless e encodes m exactly as json.Marshal does, twice
// (the second time from the cache).
func checkEncode(t *testing.T, e *Encoder, m Message, f Filter) {
	t.Helper()
	want, err := json.Marshal(m.Value())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		got, err := e.Encode(m, f)
		if err != nil {
			t.Fatalf("Encode %s: %v", m.Type(), err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Encode %s (call %d) differs from json.Marshal:\n got %s\nwant %s", m.Type(), i, got, want)
		}
		enc, err := e.EncodeMessage(m, f)
		if err != nil {
			t.Fatalf("EncodeMessage %s: %v", m.Type(), err)
		}
		var w chunkWriter
		n, err := enc.WriteTo(&w)
		if err != nil || n != int64(len(want)) || enc.Len() != len(want) || !bytes.Equal(w.buf.Bytes(), want) {
			t.Fatalf("WriteTo %s (call %d): %d bytes (Len %d), %v, differs from json.Marshal:\n got %s\nwant %s",
				m.Type(), i, n, enc.Len(), err, w.buf.Bytes(), want)
		}
	}
}

// chunkWriter collects what is written, and how many writes it took.
type chunkWriter struct {
	buf    bytes.Buffer
	writes int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}

// TestEncodedWriteTo: a big snapshot streams in bounded writes (its nodes
// gathered, never one write per node), the bytes Encode joins, and a
// failing writer's error comes back at once.
func TestEncodedWriteTo(t *testing.T) {
	l := NewLog("e1", 4)
	var d Delta
	for i := range 2000 {
		d.Upsert.Nodes = append(d.Upsert.Nodes, pod("a", fmt.Sprintf("web-%04d", i), "Running"))
	}
	l.Append(d)
	m, _ := NewCursor(l, NewFilter(), nil).Next()
	enc, err := l.Encoder().EncodeMessage(m, NewFilter())
	if err != nil {
		t.Fatal(err)
	}
	var w chunkWriter
	if _, err := enc.WriteTo(&w); err != nil {
		t.Fatal(err)
	}
	joined, _ := l.Encoder().Encode(m, NewFilter())
	if !bytes.Equal(w.buf.Bytes(), joined) {
		t.Fatal("WriteTo and Encode differ")
	}
	if max := 2 + enc.Len()/(16<<10); w.writes > max || w.writes < 3 {
		t.Errorf("%d bytes in %d writes, want 3 to %d (gathered, not one per node)", enc.Len(), w.writes, max)
	}
	boom := errors.New("boom")
	fails := &failingWriter{after: 2, err: boom}
	if _, err := enc.WriteTo(fails); !errors.Is(err, boom) || fails.writes != 3 {
		t.Errorf("WriteTo to a writer failing at its third write: %v after %d writes, want boom after 3", err, fails.writes)
	}
}

type failingWriter struct {
	after, writes int
	err           error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > w.after {
		return 0, w.err
	}
	return len(p), nil
}

// TestEncodeGraphAndWSSnapshots: /api/graph's snapshot (no "type") and a
// /ws snapshot of the same seq and filter are cached apart, each as
// json.Marshal writes it.
func TestEncodeGraphAndWSSnapshots(t *testing.T) {
	l := NewLog("e1", 4)
	l.Append(upsertPod("a", "p"))
	e := l.Encoder()
	api := l.Snapshot(NewFilter())
	ws, _ := NewCursor(l, NewFilter(), nil).Next()
	checkEncode(t, e, Message{Snapshot: &api}, NewFilter())
	checkEncode(t, e, ws, NewFilter())
	checkEncode(t, e, Message{Snapshot: &api}, NewFilter())
	if got := e.Encodings(); got != 2 {
		t.Errorf("%d encodings, want 2 (one each, then shared)", got)
	}
}

func TestEncodeMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	tests := []struct {
		name   string
		filter Filter
	}{
		{"all", NewFilter()},
		{"one namespace", NewFilter("a")},
		{"two namespaces", NewFilter("b", "a")},
		{"no such namespace", NewFilter("zz")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLog("e1", 8)
			e := l.Encoder()
			c := NewCursor(l, tc.filter, func() Status { return Status{APIServer: "ok"} })
			// The empty graph: nil node and edge lists encode as null.
			m, _ := c.Next()
			checkEncode(t, e, m, tc.filter)
			l.Append(Delta{Upsert: Items{
				Nodes: []*Node{encNode("a", "p1", "Running", r), encNode("b", "p2", "Pending", r),
					{ID: "Node/worker-1", Kind: KindNode, Name: "worker-1", Node: &NodeFields{}}},
				Edges: []*Edge{{ID: EdgeID(EdgeSelects, "Node/worker-1", "Pod/a/p1"), Kind: EdgeSelects, From: "Node/worker-1", To: "Pod/a/p1", Detail: &Detail{Label: "<x>"}}}},
				Happenings: []Happening{{Time: time.Unix(5, 0).UTC(), Kind: "failed", Ref: "Pod/a/p1", Text: "a & b"}},
				Time:       1234})
			l.Append(Delta{Remove: Removals{Nodes: []string{"Pod/b/p2"}}, Time: 1200})
			l.Append(Delta{Upsert: Items{Nodes: []*Node{encNode("a", "p1", "Failed", r)}}})
			// Coalesced deltas, then a status, then nothing.
			for m, ok := c.Next(); ok; m, ok = c.Next() {
				checkEncode(t, e, m, tc.filter)
			}
			// A single logged delta and a fresh snapshot.
			l.Append(Delta{Upsert: Items{Nodes: []*Node{encNode("b", "p3", "Running", r)}}})
			for m, ok := c.Next(); ok; m, ok = c.Next() {
				checkEncode(t, e, m, tc.filter)
			}
			m, _ = NewCursor(l, tc.filter, func() Status { return Status{} }).Next()
			checkEncode(t, e, m, tc.filter)
		})
	}
}

// TestEncodeRandom follows a random log with cursors of several filters,
// some lagging behind or falling out of the history, and checks every
// message against json.Marshal.
func TestEncodeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	nss := []string{"a", "b", "c"}
	filters := []Filter{NewFilter(), NewFilter("a"), NewFilter("a", "c"), NewFilter("c"), NewFilter()}
	for round := range 20 {
		l := NewLog(fmt.Sprintf("e%d", round), 4)
		e := NewEncoder(1+r.Intn(6), 1<<20)
		cursors := make([]*Cursor, len(filters))
		for i, f := range filters {
			cursors[i] = NewCursor(l, f, func() Status { return Status{Synced: true} })
		}
		for range 60 {
			var d Delta
			for range 1 + r.Intn(4) {
				ns, name := nss[r.Intn(len(nss))], fmt.Sprintf("p%d", r.Intn(8))
				switch r.Intn(4) {
				case 0:
					d.Remove.Nodes = append(d.Remove.Nodes, ID(KindPod, ns, name))
				case 1:
					to := ID(KindPod, ns, name)
					d.Upsert.Edges = append(d.Upsert.Edges, &Edge{ID: EdgeID(EdgeSelects, "Node/n1", to), Kind: EdgeSelects, From: "Node/n1", To: to})
				default:
					d.Upsert.Nodes = append(d.Upsert.Nodes, encNode(ns, name, "Running", r))
				}
			}
			if r.Intn(3) == 0 {
				d.Time = int64(1 + r.Intn(1000))
			}
			l.Append(d)
			for i, c := range cursors {
				if r.Intn(4) == 0 && i > 0 {
					continue // lagging: coalesces more next time, or needs a snapshot
				}
				for m, ok := c.Next(); ok; m, ok = c.Next() {
					checkEncode(t, e, m, filters[i])
				}
			}
		}
	}
}

func TestEncoderBounded(t *testing.T) {
	l := NewLog("e1", 4)
	snapshotAt := func() Message {
		m, _ := NewCursor(l, NewFilter(), func() Status { return Status{} }).Next()
		return m
	}
	e := NewEncoder(3, 1<<20)
	for i := range 10 {
		l.Append(upsertPod("a", fmt.Sprintf("p%d", i)))
		if _, err := e.Encode(snapshotAt(), NewFilter()); err != nil {
			t.Fatal(err)
		}
		if n := e.Len(); n > 3 {
			t.Fatalf("after %d snapshots the encoder holds %d, want at most 3", i+1, n)
		}
	}
	if e.Encodings() != 10 {
		t.Errorf("encodings = %d, want 10 distinct snapshots", e.Encodings())
	}
	// A byte budget smaller than one snapshot still keeps the newest.
	small := NewEncoder(100, 10)
	for range 3 {
		l.Append(upsertPod("b", fmt.Sprintf("q%d", l.Seq())))
		if _, err := small.Encode(snapshotAt(), NewFilter()); err != nil {
			t.Fatal(err)
		}
	}
	if n := small.Len(); n != 1 {
		t.Errorf("encoder over its byte budget holds %d messages, want 1", n)
	}
}

// TestEncoderLetsGoWhenIdle: once nothing was encoded for a while, the
// encoder keeps neither messages nor node JSON (an idle dashboard does not
// hold a copy of its graph's JSON), and encodes the same bytes afresh after.
func TestEncoderLetsGoWhenIdle(t *testing.T) {
	l := NewLog("e1", 4)
	for i := range 50 {
		l.Append(upsertPod("a", fmt.Sprintf("p%d", i)))
	}
	m, _ := NewCursor(l, NewFilter(), func() Status { return Status{} }).Next()
	e := NewEncoder(16, 1<<20)
	e.idleAfter = 20 * time.Millisecond
	first, err := e.Encode(m, NewFilter())
	if err != nil {
		t.Fatal(err)
	}
	if msgs, nodes := e.Len(), e.keptNodes(); msgs != 1 || nodes != 50 {
		t.Fatalf("right after a snapshot the encoder keeps %d messages and %d nodes, want 1 and 50", msgs, nodes)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, nodes := e.Len(), e.keptNodes()
		if msgs == 0 && nodes == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("idle for 10 s, the encoder still keeps %d messages and %d nodes", msgs, nodes)
		}
		time.Sleep(5 * time.Millisecond) // polling the condition, with a deadline
	}
	again, err := e.Encode(m, NewFilter())
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(first) || e.Encodings() != 2 {
		t.Errorf("after letting go: same bytes %v, encodings %d (want a second, equal encoding)", string(again) == string(first), e.Encodings())
	}
}

func upsertPod(ns, name string) Delta {
	return Delta{Upsert: Items{Nodes: []*Node{pod(ns, name, "Running")}}}
}

// TestEncodeSingleFlight: subscribers asking at once for the same message
// share one encoding, and the same bytes.
func TestEncodeSingleFlight(t *testing.T) {
	l := NewLog("e1", 4)
	for i := range 500 {
		l.Append(upsertPod("a", fmt.Sprintf("p%d", i)))
	}
	e := l.Encoder()
	const n = 50
	out := make([][]byte, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _ := NewCursor(l, NewFilter("a"), func() Status { return Status{} }).Next()
			<-start
			b, err := e.Encode(m, NewFilter("a"))
			if err != nil {
				t.Error(err)
			}
			out[i] = b
		}()
	}
	close(start)
	wg.Wait()
	if got := e.Encodings(); got != 1 {
		t.Errorf("%d subscribers caused %d encodings, want 1", n, got)
	}
	for i := range out {
		if &out[i][0] != &out[0][0] {
			t.Fatalf("subscriber %d got its own copy of the snapshot", i)
		}
	}
}

func TestFilterKeyCanonical(t *testing.T) {
	if a, b := NewFilter("a", "b").key(), NewFilter("b", "a", "").key(); a != b {
		t.Errorf("same namespaces, different keys %q and %q", a, b)
	}
	if a, b := NewFilter("a,b").key(), NewFilter("a", "b").key(); a == b {
		t.Errorf("namespace \"a,b\" and namespaces a, b share key %q", a)
	}
	if NewFilter().key() == NewFilter("a").key() {
		t.Error("all namespaces and one share a key")
	}
}

// BenchmarkSnapshot200Clients measures what 200 clients connecting to a
// 5,000-pod graph allocate: each marshalling its own snapshot, as /ws did,
// against sharing one encoding through a fresh Encoder.
func BenchmarkSnapshot200Clients(b *testing.B) {
	l := NewLog("e1", 16)
	var nodes []*Node
	for i := range 5000 {
		ns := fmt.Sprintf("team-%d", i%20)
		n := pod(ns, fmt.Sprintf("web-7d9f8c6b5-%05d", i), "Running")
		n.UID = fmt.Sprintf("0b5c8f9e-1d2a-4f3b-9c8d-%012d", i)
		n.Pod.Ready, n.Pod.ReadyContainers = true, 2
		n.Pod.Containers = []Container{{Name: "web", Image: "registry.example/team/web:v1.2.3", State: ContainerRunning, Ready: true},
			{Name: "sidecar", Image: "registry.example/team/sidecar:v4", State: ContainerRunning, Ready: true}}
		n.Pod.Node = fmt.Sprintf("Node/worker-%d", i%50)
		n.Pod.Owner = ID(KindReplicaSet, ns, "web-7d9f8c6b5")
		n.Pod.Images = []string{"registry.example/team/web:v1.2.3", "registry.example/team/sidecar:v4"}
		n.Pod.IP = fmt.Sprintf("10.1.%d.%d", i/250, i%250)
		n.Pod.Labels = map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5", "tier": "frontend"}
		n.Pod.Created = time.Unix(1700000000+int64(i), 0).UTC()
		nodes = append(nodes, n)
	}
	l.Append(Delta{Upsert: Items{Nodes: nodes}})
	status := func() Status { return Status{} }
	const clients = 200
	var size int
	b.Run("marshal-each", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for range clients {
				m, _ := NewCursor(l, NewFilter(), status).Next()
				out, err := json.Marshal(m.Value())
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
		}
		b.ReportMetric(float64(size), "snapshot-bytes")
	})
	b.Run("shared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := NewEncoder(defaultEncoderEntries, defaultEncoderBytes) // cold: node JSON too
			for range clients {
				m, _ := NewCursor(l, NewFilter(), status).Next()
				out, err := e.Encode(m, NewFilter())
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
		}
		b.ReportMetric(float64(size), "snapshot-bytes")
	})
}

// TestEncodeDeltaKeyedBySince: two subscribers of one filter both last got
// seq 1, but one has read past a change outside its filter; their deltas
// differ (the oldest change time) though From and Seq are the same.
func TestEncodeDeltaKeyedBySince(t *testing.T) {
	l := NewLog("e1", 8)
	f := NewFilter("a")
	status := func() Status { return Status{} }
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p0", "Running")}}, Time: 50})
	ahead, behind := NewCursor(l, f, status), NewCursor(l, f, status)
	ahead.Next()
	behind.Next()
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("b", "q", "Running")}}, Time: 100})
	for _, ok := ahead.Next(); ok; _, ok = ahead.Next() {
	}
	l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", "p1", "Running")}}, Time: 500})
	e := l.Encoder()
	mb, _ := behind.Next()
	ma, _ := ahead.Next()
	if mb.Delta == nil || ma.Delta == nil || mb.Delta.From != ma.Delta.From || mb.Delta.Time == ma.Delta.Time {
		t.Fatalf("setup: want two deltas with the same From and different times, got %+v and %+v", mb.Delta, ma.Delta)
	}
	checkEncode(t, e, mb, f)
	checkEncode(t, e, ma, f)
}
