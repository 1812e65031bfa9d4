package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// demoRecording reads the built-in demo, whatever its file is called.
func demoRecording(t *testing.T) *Recording {
	t.Helper()
	files, err := filepath.Glob("../../cmd/podium/demo/*.jsonl.gz")
	if err != nil || len(files) != 1 {
		t.Fatalf("want one built-in demo recording, found %v (%v)", files, err)
	}
	rec, err := ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func graphJSON(t *testing.T, s *graph.State) string {
	t.Helper()
	snap := s.Snapshot(graph.Filter{})
	b, err := json.Marshal(struct {
		Seq   uint64
		Nodes []*graph.Node
		Edges []*graph.Edge
	}{snap.Seq, snap.Nodes, snap.Edges})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSegmentReplaysTheRecording: a segment's snapshot is the state a seek to
// its first happening shows, and its messages, applied in order as the
// offline player does, end at exactly the state a seek to its last
// happening shows; times run from 0 to the duration.
func TestSegmentReplaysTheRecording(t *testing.T) {
	rec := demoRecording(t)
	ms := rec.Markers()
	if len(ms) < 3 {
		t.Fatalf("the demo has %d happenings; want several", len(ms))
	}
	pairs := [][2]int{{0, len(ms) - 1}, {0, 0}, {len(ms) / 2, len(ms) - 1}, {1, len(ms) / 2}}
	for _, p := range pairs {
		seg, err := rec.Segment(p[0], p[1])
		if err != nil {
			t.Fatalf("Segment(%d, %d): %v", p[0], p[1], err)
		}
		// Through JSON, as the page reads it.
		b, err := json.Marshal(seg)
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			Duration   int64
			Happenings []Marker
			Frames     []struct {
				T   int64
				Msg json.RawMessage
			}
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		s := graph.NewState()
		last := int64(0)
		for i, f := range back.Frames {
			if f.T < last || f.T > back.Duration {
				t.Errorf("Segment(%d, %d): frame %d at %d ms, after %d ms, duration %d ms", p[0], p[1], i, f.T, last, back.Duration)
			}
			last = f.T
			var head struct{ Type string }
			_ = json.Unmarshal(f.Msg, &head)
			switch head.Type {
			case "snapshot":
				var sn graph.Snapshot
				if err := json.Unmarshal(f.Msg, &sn); err != nil {
					t.Fatal(err)
				}
				s.Load(sn.Seq, sn.Nodes, sn.Edges)
				if i == 0 {
					if got, want := graphJSON(t, s), graphJSON(t, rec.StateAfter(ms[p[0]].Frame)); got != want {
						t.Errorf("Segment(%d, %d): the first snapshot is not the state at happening %d", p[0], p[1], p[0])
					}
				}
			case "delta":
				var d graph.Delta
				if err := json.Unmarshal(f.Msg, &d); err != nil {
					t.Fatal(err)
				}
				if d.From != s.Seq {
					t.Fatalf("Segment(%d, %d): frame %d is a delta from %d, the state is at %d", p[0], p[1], i, d.From, s.Seq)
				}
				s.Apply(&d)
			case "status":
			default:
				t.Fatalf("Segment(%d, %d): frame %d has type %q", p[0], p[1], i, head.Type)
			}
		}
		if i := 0; len(back.Frames) == 0 || !strings.Contains(string(back.Frames[i].Msg), `"type":"snapshot"`) {
			t.Fatalf("Segment(%d, %d) does not start with a snapshot", p[0], p[1])
		}
		if got, want := graphJSON(t, s), graphJSON(t, rec.StateAfter(ms[p[1]].Frame)); got != want {
			t.Errorf("Segment(%d, %d): its messages end at a state other than happening %d's", p[0], p[1], p[1])
		}
		if n := len(back.Happenings); n != p[1]-p[0]+1 || back.Happenings[0].Index != p[0] || back.Happenings[n-1].Index != p[1] {
			t.Errorf("Segment(%d, %d) lists happenings %+v", p[0], p[1], back.Happenings)
		}
		if want := (rec.Frames[ms[p[1]].Frame].At - rec.Frames[ms[p[0]].Frame].At).Milliseconds(); back.Duration != want {
			t.Errorf("Segment(%d, %d): duration %d ms, want %d", p[0], p[1], back.Duration, want)
		}
	}
}

func TestSegmentBadRange(t *testing.T) {
	rec := demoRecording(t)
	n := len(rec.Markers())
	for _, c := range []struct {
		from, to int
		want     string
	}{
		{2, 1, "from 2 is after to 1"},
		{-1, 1, "from -1: the recording has"},
		{0, n, "to " + itoa(n) + ": the recording has " + itoa(n) + " happenings (0 to " + itoa(n-1) + ")"},
	} {
		_, err := rec.Segment(c.from, c.to)
		var re *RangeError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Segment(%d, %d) = %v, want a RangeError with %q", c.from, c.to, err, c.want)
		}
	}
	empty := &Recording{Name: "still.jsonl", Frames: rec.Frames[:1]}
	if _, err := empty.Segment(0, 0); err == nil || !strings.Contains(err.Error(), "still.jsonl has no happenings") {
		t.Errorf("a recording without happenings: %v", err)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// FuzzSegment: any recording the reader accepts cuts into segments whose
// messages apply in order, from the state at the first happening to the
// state at the last.
func FuzzSegment(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, false, Header{Start: t0})
	for _, s := range script() {
		_ = w.Write(t0.Add(s.at), s.msg)
	}
	_ = w.Close(t0.Add(4 * time.Second))
	f.Add(buf.Bytes(), 0, 1)
	f.Add([]byte(okHeader+"\n"+okSnap+"\n"), 0, 0)
	f.Fuzz(func(t *testing.T, data []byte, from, to int) {
		rec, err := Read("fuzz.jsonl", bytes.NewReader(data))
		if err != nil {
			return
		}
		seg, err := rec.Segment(from, to)
		if err != nil {
			var re *RangeError
			if !errors.As(err, &re) {
				t.Fatalf("error %T (%v) is not a *RangeError", err, err)
			}
			return
		}
		if _, err := json.Marshal(seg); err != nil {
			t.Fatal(err)
		}
		s := graph.NewState()
		for i, f := range seg.Frames {
			switch m := f.Msg.(type) {
			case *graph.Snapshot:
				s.Load(m.Seq, m.Nodes, m.Edges)
			case *graph.Delta:
				if m.From != s.Seq {
					t.Fatalf("frame %d: a delta from %d on a state at %d", i, m.From, s.Seq)
				}
				s.Apply(m)
			}
		}
		if got, want := graphJSON(t, s), graphJSON(t, rec.StateAfter(rec.Markers()[to].Frame)); got != want {
			t.Fatalf("Segment(%d, %d) ends elsewhere than happening %d", from, to, to)
		}
	})
}
