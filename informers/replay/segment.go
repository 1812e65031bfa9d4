package replay

import (
	"fmt"

	"github.com/podiumhq/podium/informers/graph"
)

// SegmentVersion is the "version" of a Segment's JSON, which the offline
// player (web/static/player.js) reads.
const SegmentVersion = 1

// Segment is the part of a recording between two happenings, as an offline
// export plays it: the state at happening From as one snapshot, then every
// message after it through happening To. Times are milliseconds since the
// segment's start (happening From's frame).
type Segment struct {
	Version   int    `json:"version"`
	Name      string `json:"name"` // the recording's file name
	Recording Header `json:"recording"`
	From      int    `json:"from"`
	To        int    `json:"to"`
	// Duration runs from happening From's frame to happening To's.
	Duration int64 `json:"duration"`
	// Happenings are the markers From through To, with their indexes in
	// the whole recording and Time in seconds since the segment's start.
	Happenings []Marker `json:"happenings"`
	// Frames are protocol v1 messages: first the snapshot and the status
	// at From, then the recorded messages up to To's frame.
	Frames []SegmentFrame `json:"frames"`
}

// SegmentFrame is one message of a Segment, at T milliseconds.
type SegmentFrame struct {
	T   int64 `json:"t"`
	Msg any   `json:"msg"`
}

// RangeError is a from/to pair that names no segment of the recording.
type RangeError struct{ Msg string }

func (e *RangeError) Error() string { return e.Msg }

// Segment cuts happenings from through to (indexes into Markers, as GET
// /api/replay lists them) out of r. The state at from is exactly what a
// seek to that happening shows (SeekHappening); from == to is a still
// picture. A range the recording does not have is a *RangeError.
func (r *Recording) Segment(from, to int) (*Segment, error) {
	return r.segment(r.Markers(), from, to)
}

func (r *Recording) segment(ms []Marker, from, to int) (*Segment, error) {
	if len(ms) == 0 {
		return nil, &RangeError{Msg: fmt.Sprintf("%s has no happenings to cut a segment between", r.Name)}
	}
	for _, x := range []struct {
		name string
		v    int
	}{{"from", from}, {"to", to}} {
		if x.v < 0 || x.v >= len(ms) {
			return nil, &RangeError{Msg: fmt.Sprintf("%s %d: the recording has %d happenings (0 to %d)", x.name, x.v, len(ms), len(ms)-1)}
		}
	}
	if from > to {
		return nil, &RangeError{Msg: fmt.Sprintf("from %d is after to %d: a segment runs forwards", from, to)}
	}
	first, last := ms[from].Frame, ms[to].Frame
	start := r.Frames[first].At
	rel := func(i int) int64 { return (r.Frames[i].At - start).Milliseconds() }

	s := r.StateAfter(first)
	snap := s.Snapshot(graph.Filter{})
	snap.Type, snap.Epoch, snap.Happenings = "snapshot", "segment", r.RecentAt(first)
	status := r.StatusAt(first)
	seg := &Segment{
		Version: SegmentVersion, Name: r.Name, Recording: r.Header, From: from, To: to,
		Duration: rel(last),
		Frames:   []SegmentFrame{{T: 0, Msg: &snap}, {T: 0, Msg: &status}},
	}
	for _, m := range ms[from : to+1] {
		m.Time = float64(rel(m.Frame)) / 1000
		seg.Happenings = append(seg.Happenings, m)
	}
	for i := first + 1; i <= last; i++ {
		f := &r.Frames[i]
		switch {
		case f.Snapshot != nil:
			// A recorder that fell behind took a fresh snapshot; it starts a
			// new epoch for the page, as it did for /ws.
			sn := *f.Snapshot
			sn.Type, sn.Epoch, sn.Happenings = "snapshot", fmt.Sprintf("segment-%d", i), r.RecentAt(i)
			seg.Frames = append(seg.Frames, SegmentFrame{T: rel(i), Msg: &sn})
		case f.Delta != nil:
			d := *f.Delta
			// The latency readout measures from when the page applies it.
			d.Type, d.Time = "delta", 0
			seg.Frames = append(seg.Frames, SegmentFrame{T: rel(i), Msg: &d})
		case f.Status != nil:
			st := r.StatusAt(i)
			seg.Frames = append(seg.Frames, SegmentFrame{T: rel(i), Msg: &st})
		}
	}
	return seg, nil
}
