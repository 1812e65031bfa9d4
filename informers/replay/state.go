package replay

import (
	"slices"
	"sort"
	"time"

	"github.com/podiumhq/podium/informers/graph"
)

// applyFrame folds one frame into s, as a /ws client does.
func applyFrame(s *graph.State, f *Frame) {
	switch {
	case f.Snapshot != nil:
		s.Load(f.Snapshot.Seq, f.Snapshot.Nodes, f.Snapshot.Edges)
	case f.Delta != nil:
		s.Apply(f.Delta)
	}
}

// StateAfter returns the graph once frames[0..i] are applied; i < 0 is the
// empty graph before the first frame. It starts from the last snapshot at
// or before i, so the cost is that of one snapshot plus the deltas after it.
func (r *Recording) StateAfter(i int) *graph.State {
	s := graph.NewState()
	if i >= len(r.Frames) {
		i = len(r.Frames) - 1
	}
	start := 0
	for j := i; j >= 0; j-- {
		if r.Frames[j].Snapshot != nil {
			start = j
			break
		}
	}
	for j := start; j <= i; j++ {
		applyFrame(s, &r.Frames[j])
	}
	return s
}

// RecentAt returns the happenings that led to frame i, oldest first: the
// last graph.RecentHappenings of the deltas up to it, and of the snapshot
// frame they start from, as a live snapshot carries them.
func (r *Recording) RecentAt(i int) []graph.Happening {
	var rev []graph.Happening // newest first
	for j := min(i, len(r.Frames)-1); j >= 0 && len(rev) < graph.RecentHappenings; j-- {
		f := &r.Frames[j]
		var hs []graph.Happening
		if f.Delta != nil {
			hs = f.Delta.Happenings
		} else if f.Snapshot != nil {
			hs = f.Snapshot.Happenings
		}
		for k := len(hs) - 1; k >= 0 && len(rev) < graph.RecentHappenings; k-- {
			rev = append(rev, hs[k])
		}
		if f.Snapshot != nil {
			break
		}
	}
	slices.Reverse(rev)
	return rev
}

// IndexAt returns the index of the last frame at or before t, or -1.
func (r *Recording) IndexAt(t time.Duration) int {
	return sort.Search(len(r.Frames), func(i int) bool { return r.Frames[i].At > t }) - 1
}

// StatusAt returns the last status recorded at or before frame i; a
// recording without one reports a connected, synced source.
func (r *Recording) StatusAt(i int) graph.Status {
	for j := min(i, len(r.Frames)-1); j >= 0; j-- {
		if s := r.Frames[j].Status; s != nil {
			st := *s
			st.Type = "status"
			if st.Denied == nil {
				st.Denied = []string{}
			}
			return st
		}
	}
	return graph.Status{Type: "status", APIServer: "connected", Synced: true, Denied: []string{}}
}

// Marker is one happening on the replay timeline.
type Marker struct {
	Index  int               `json:"index"`
	Time   float64           `json:"time"` // seconds since the recording's start
	At     time.Time         `json:"at"`   // wall time when it happened
	Kind   string            `json:"kind"`
	Ref    string            `json:"ref"`
	Text   string            `json:"text"`
	Params map[string]string `json:"params,omitempty"`
	// Frame is the index of the frame that carries it; seeking to the
	// marker applies frames up to and including this one.
	Frame int `json:"frame"`
}

// HappeningCreated marks an Ingress, Service or workload that appeared
// during the recording, on the replay timeline, so a tutorial's "kubectl
// apply" steps can be jumped to as well.
const HappeningCreated = graph.HappeningCreated

// Markers lists the recording's happenings in order: those the deltas
// carry, plus a "created" marker for each Ingress, Service or workload
// that appeared after the first snapshot.
func (r *Recording) Markers() []Marker {
	var out []Marker
	seen := map[string]bool{}
	snapped := false
	for i := range r.Frames {
		f := &r.Frames[i]
		if f.Snapshot != nil {
			snapped = true
			for _, n := range f.Snapshot.Nodes {
				seen[n.ID] = true
			}
			continue
		}
		if f.Delta == nil || !snapped {
			continue
		}
		at := r.Header.Start.Add(f.At)
		for _, n := range f.Delta.Upsert.Nodes {
			if seen[n.ID] || !graph.CreationIsNews(n.Kind) {
				continue
			}
			seen[n.ID] = true
			// A recording made since the live model says "created" itself
			// carries the happening: mark it once, from the delta.
			if slices.ContainsFunc(f.Delta.Happenings, func(h graph.Happening) bool {
				return h.Kind == graph.HappeningCreated && h.Ref == n.ID
			}) {
				continue
			}
			h := graph.CreatedHappening(n, at)
			out = append(out, Marker{Time: f.At.Seconds(), At: at, Kind: h.Kind, Ref: h.Ref, Text: h.Text, Params: h.Params, Frame: i})
		}
		for _, id := range f.Delta.Remove.Nodes {
			delete(seen, id)
		}
		for _, h := range f.Delta.Happenings {
			out = append(out, Marker{Time: f.At.Seconds(), At: h.Time, Kind: h.Kind, Ref: h.Ref, Text: h.Text, Params: h.Params, Frame: i})
		}
	}
	for i := range out {
		out[i].Index = i
	}
	return out
}
