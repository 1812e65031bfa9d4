package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// drain reads a cursor until it is up to date, writing each message as one
// line that names what a subscriber would see.
func drain(t *testing.T, c *Cursor) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatalf("cursor never settles: %v", out)
		}
		m, ok := c.Next()
		if !ok {
			return out
		}
		out = append(out, describe(t, m))
	}
}

func describe(t *testing.T, m Message) string {
	t.Helper()
	nodeIDs := func(ns []*Node) string {
		var ids []string
		for _, n := range ns {
			ids = append(ids, n.ID)
		}
		slices.Sort(ids)
		return strings.Join(ids, ",")
	}
	set := 0
	var s string
	if m.Snapshot != nil {
		set++
		s = fmt.Sprintf("snapshot %s@%d [%s]", m.Snapshot.Epoch, m.Snapshot.Seq, nodeIDs(m.Snapshot.Nodes))
		if m.Value() != m.Snapshot {
			t.Errorf("Value() of a snapshot is %T", m.Value())
		}
	}
	if m.Delta != nil {
		set++
		s = fmt.Sprintf("delta %d→%d +[%s] -[%s]", m.Delta.From, m.Delta.Seq, nodeIDs(m.Delta.Upsert.Nodes), strings.Join(m.Delta.Remove.Nodes, ","))
		if m.Value() != m.Delta {
			t.Errorf("Value() of a delta is %T", m.Value())
		}
	}
	if m.Status != nil {
		set++
		s = fmt.Sprintf("status %s synced=%v denied=%v", m.Status.APIServer, m.Status.Synced, m.Status.Denied)
		if m.Value() != m.Status {
			t.Errorf("Value() of a status is %T", m.Value())
		}
	}
	if set != 1 {
		t.Fatalf("message %+v sets %d of snapshot, delta and status, want exactly 1", m, set)
	}
	if typ := strings.Fields(s)[0]; m.Type() != typ {
		t.Errorf("Type() = %q on a %s, want %q (the protocol's type field)", m.Type(), typ, typ)
	}
	if m.Gap {
		s += " gap"
	}
	return s
}

func TestCursor(t *testing.T) {
	connected := Status{APIServer: "connected", Synced: true, Denied: []string{}}
	add := func(ns, name string) func(*Log, *Status) {
		return func(l *Log, _ *Status) { l.Append(Delta{Upsert: Items{Nodes: []*Node{pod(ns, name, "Running")}}}) }
	}
	both := func(fs ...func(*Log, *Status)) func(*Log, *Status) {
		return func(l *Log, st *Status) {
			for _, f := range fs {
				f(l, st)
			}
		}
	}
	setStatus := func(s Status) func(*Log, *Status) { return func(_ *Log, st *Status) { *st = s } }

	type step struct {
		do   func(*Log, *Status) // a change to the log or the status, or nil
		want []string            // the messages a subscriber then gets, in order
	}
	tests := []struct {
		name    string
		history int
		filter  Filter
		before  []string // pods in namespace a, appended one per seq before the cursor starts
		resume  *[2]any  // epoch, since
		resumed bool     // what Resume reports
		steps   []step
	}{
		{
			name:   "a snapshot, the status, then nothing until a change",
			before: []string{"p1"},
			steps: []step{
				{nil, []string{"snapshot e1@1 [Pod/a/p1]", "status connected synced=true denied=[]"}},
				{nil, nil},
				{add("a", "p2"), []string{"delta 1→2 +[Pod/a/p2] -[]"}},
			},
		},
		{
			name: "changes between two turns coalesce into one delta",
			steps: []step{
				{nil, []string{"snapshot e1@0 []", "status connected synced=true denied=[]"}},
				{both(add("a", "p1"), add("a", "p2"), add("a", "p1")), []string{"delta 0→3 +[Pod/a/p1,Pod/a/p2] -[]"}},
			},
		},
		{
			name: "the status only when it changed, after the turn's delta",
			steps: []step{
				{nil, []string{"snapshot e1@0 []", "status connected synced=true denied=[]"}},
				{setStatus(Status{APIServer: "reconnecting", Synced: true, Denied: []string{}}),
					[]string{"status reconnecting synced=true denied=[]"}},
				{setStatus(Status{APIServer: "reconnecting", Synced: true}), nil}, // nil Denied reads as empty
				{both(add("a", "p1"), setStatus(Status{APIServer: "connected", Synced: true, Denied: []string{"ingresses.networking.k8s.io"}})),
					[]string{"delta 0→1 +[Pod/a/p1] -[]", "status connected synced=true denied=[ingresses.networking.k8s.io]"}},
				{setStatus(Status{APIServer: "connected", Synced: true, Denied: []string{"ingresses.networking.k8s.io"}}), nil},
			},
		},
		{
			name:    "resuming in the epoch gives only the missed deltas",
			before:  []string{"p1", "p2", "p3"},
			resume:  &[2]any{"e1", uint64(1)},
			resumed: true,
			steps: []step{
				{nil, []string{"delta 1→3 +[Pod/a/p2,Pod/a/p3] -[]", "status connected synced=true denied=[]"}},
			},
		},
		{
			name:    "resuming at the head gives no delta",
			before:  []string{"p1"},
			resume:  &[2]any{"e1", uint64(1)},
			resumed: true,
			steps:   []step{{nil, []string{"status connected synced=true denied=[]"}}},
		},
		{
			name:   "resuming from another epoch gives a snapshot",
			before: []string{"p1"},
			resume: &[2]any{"e0", uint64(1)},
			steps:  []step{{nil, []string{"snapshot e1@1 [Pod/a/p1]", "status connected synced=true denied=[]"}}},
		},
		{
			name:   "resuming from the future gives a snapshot",
			before: []string{"p1"},
			resume: &[2]any{"e1", uint64(9)},
			steps:  []step{{nil, []string{"snapshot e1@1 [Pod/a/p1]", "status connected synced=true denied=[]"}}},
		},
		{
			name:    "resuming from before the history gives a snapshot",
			history: 2,
			before:  []string{"p1", "p2", "p3"},
			resume:  &[2]any{"e1", uint64(0)},
			steps:   []step{{nil, []string{"snapshot e1@3 [Pod/a/p1,Pod/a/p2,Pod/a/p3]", "status connected synced=true denied=[]"}}},
		},
		{
			name:    "falling out of the history gives a snapshot marked as a gap",
			history: 2,
			steps: []step{
				{nil, []string{"snapshot e1@0 []", "status connected synced=true denied=[]"}},
				{both(add("a", "p1"), add("a", "p2"), add("a", "p3")), []string{"snapshot e1@3 [Pod/a/p1,Pod/a/p2,Pod/a/p3] gap"}},
				{add("a", "p4"), []string{"delta 3→4 +[Pod/a/p4] -[]"}},
			},
		},
		{
			name: "a new epoch gives a snapshot that is no gap",
			steps: []step{
				{nil, []string{"snapshot e1@0 []", "status connected synced=true denied=[]"}},
				{func(l *Log, _ *Status) { l.Reset("e2", 10, []*Node{pod("a", "r1", "Running")}, nil, nil) },
					[]string{"snapshot e2@10 [Pod/a/r1]"}},
				{add("a", "p1"), []string{"delta 10→11 +[Pod/a/p1] -[]"}},
			},
		},
		{
			name:   "seqs outside the filter are skipped, not a gap",
			filter: NewFilter("b"),
			before: []string{"p1"},
			steps: []step{
				{nil, []string{"snapshot e1@1 []", "status connected synced=true denied=[]"}},
				{both(add("a", "p2"), add("b", "q1")), []string{"delta 1→3 +[Pod/b/q1] -[]"}},
				{add("a", "p3"), nil},
				{add("b", "q2"), []string{"delta 3→5 +[Pod/b/q2] -[]"}},
				{func(l *Log, _ *Status) { l.Append(Delta{Remove: Removals{Nodes: []string{"Pod/b/q1", "Pod/a/p1"}}}) },
					[]string{"delta 5→6 +[] -[Pod/b/q1]"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.history == 0 {
				tc.history = 16
			}
			l := NewLog("e1", tc.history)
			for _, name := range tc.before {
				l.Append(Delta{Upsert: Items{Nodes: []*Node{pod("a", name, "Running")}}})
			}
			status := connected
			c := NewCursor(l, tc.filter, func() Status { return status })
			if tc.resume != nil {
				if got := c.Resume(tc.resume[0].(string), tc.resume[1].(uint64)); got != tc.resumed {
					t.Fatalf("Resume(%v) = %v, want %v", *tc.resume, got, tc.resumed)
				}
			}
			for i, s := range tc.steps {
				if s.do != nil {
					s.do(l, &status)
				}
				if diff := cmp.Diff(s.want, drain(t, c)); diff != "" {
					t.Fatalf("step %d: messages differ (-want +got):\n%s", i, diff)
				}
			}
			if c.Resume("e1", 0) {
				t.Error("Resume after the first message moved the cursor")
			}
		})
	}
}

// TestCursorStatusType: the status message is typed whatever the source
// filled in, so a recording or a client can tell it from the others.
func TestCursorStatusType(t *testing.T) {
	c := NewCursor(NewLog("e1", 4), Filter{}, func() Status { return Status{APIServer: "connected"} })
	c.Next() // the snapshot
	m, ok := c.Next()
	if !ok || m.Status == nil || m.Status.Type != "status" {
		t.Fatalf("second message %+v, want a status of type \"status\"", m)
	}
}
