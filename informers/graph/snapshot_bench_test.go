package graph

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// wave2Log folds 10,000 pods of the wave-2 shape (with their Services and
// slices) into a model and publishes them in a Log, as the server holds
// them after the first sync.
func wave2Log(tb testing.TB) *Log {
	podData, objects := wave2Objects(20, 5, 100)
	m := NewModel()
	now := time.Now()
	for _, obj := range objects {
		m.Set(obj, now)
	}
	for _, b := range podData {
		var p corev1.Pod
		if err := json.Unmarshal(b, &p); err != nil {
			tb.Fatal(err)
		}
		m.Set(NewCachedPod(&p), now)
	}
	l := NewLog("e", 16)
	l.Append(m.Flush())
	return l
}

// BenchmarkFirstSnapshot10k measures a new /ws client's first message at
// 10,000 pods, on the server's own path (a cursor and the shared encoder),
// short of the socket. Cold: the first client after a change to every node
// (an encoder that has encoded nothing). Warm: node JSON already encoded,
// as for a client arriving after another (a new seq, so the message itself
// is not shared). The target is 300 ms cold.
func BenchmarkFirstSnapshot10k(b *testing.B) {
	l := wave2Log(b)
	var size int
	run := func(b *testing.B, e *Encoder, fresh bool) {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			if fresh {
				e = NewEncoder(defaultEncoderEntries, defaultEncoderBytes)
			} else {
				l.Append(Delta{Remove: Removals{Nodes: []string{"none"}}}) // a new seq
			}
			m, _ := NewCursor(l, Filter{}, nil).Next()
			body, err := e.Encode(m, Filter{})
			if err != nil || m.Snapshot == nil {
				b.Fatalf("first message: %v", err)
			}
			size = len(body)
		}
		b.ReportMetric(float64(size), "B/snapshot")
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "snapshot-ms")
	}
	b.Run("cold", func(b *testing.B) { run(b, nil, true) })
	b.Run("warm", func(b *testing.B) { run(b, l.Encoder(), false) })
}
