package graph

import (
	"maps"
	"slices"
)

// A Log serves selector views (selectorfilter.go) from the deltas it
// logged, which say what changed by id only. To turn them into a view's
// deltas it needs two things a namespace view does not:
//   - whether each pod a delta touched was in the view before it, which
//     takes the pod's labels and presence before the delta (podWas);
//   - the edges touching a pod, to send them when the pod enters the view
//     and remove them when it leaves (an edge's id says nothing of labels).
//
// Both cost a little on every Append, so the Log keeps them only from the
// first selector view on (watchLabels): a Log no one asks for a selector
// pays nothing. A client resuming from before that point gets a snapshot,
// as one that fell out of the history does.

// labelIndex is what a Log keeps for selector views. Guarded by Log.mu.
type labelIndex struct {
	// from is the seq at which the Log started recording: the deltas after
	// it have their was entries.
	from uint64
	// was holds, by delta seq, the pods whose labels or presence that
	// delta changed, as they were before it. A delta not here changed
	// neither for any pod: a pod it upserts was present before, with the
	// labels of the upsert. Entries leave with their delta's history.
	was map[uint64]map[string]podWas
	// edges holds, for each pod id, the ids of the edges touching it in
	// the Log's state.
	edges map[string][]string
}

// podWas is a pod as it was before a delta: present or not, and its labels.
type podWas struct {
	labels  map[string]string
	present bool
}

// watchLabels makes l keep what selector views need, from now on.
func (l *Log) watchLabels() {
	if l.labelsOn.Load() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.labels == nil {
		l.labels = &labelIndex{from: l.state.Seq, was: map[uint64]map[string]podWas{}, edges: l.state.podEdgeIndex()}
		l.labelsOn.Store(true)
	}
}

// recordLocked notes what d, about to be applied to s, changes of each
// pod's presence or labels.
func (x *labelIndex) recordLocked(s *State, d *Delta) {
	var w map[string]podWas
	note := func(id string, old *Node) {
		if w == nil {
			w = map[string]podWas{}
		}
		if _, ok := w[id]; !ok { // the first note is the state before d
			w[id] = podWas{labels: podLabels(old), present: old != nil}
		}
	}
	for _, id := range d.Remove.Nodes {
		if isPodID(id) {
			note(id, s.Nodes[id])
		}
	}
	for _, n := range d.Upsert.Nodes {
		if n.Kind != KindPod {
			continue
		}
		if old := s.Nodes[n.ID]; old == nil || !maps.Equal(podLabels(old), podLabels(n)) {
			note(n.ID, old)
		}
	}
	if w != nil {
		x.was[d.Seq] = w
	}
}

// applyLocked follows d's edge changes in the pod edge index: the state
// holds exactly the edges upserted and not removed since.
func (x *labelIndex) applyLocked(d *Delta) {
	for _, id := range d.Remove.Edges {
		if p := edgePod(id); p != "" {
			if ids := slices.DeleteFunc(x.edges[p], func(e string) bool { return e == id }); len(ids) == 0 {
				delete(x.edges, p)
			} else {
				x.edges[p] = ids
			}
		}
	}
	for _, e := range d.Upsert.Edges {
		if p := edgePod(e.ID); p != "" && !slices.Contains(x.edges[p], e.ID) {
			x.edges[p] = append(x.edges[p], e.ID)
		}
	}
}

// selectLocked is Changes for a filter with a selector: the delta that
// takes a view of f from since to the current seq, given the logged deltas
// after since (window). A pod that left the view is removed with every
// edge touching it; one that entered is upserted with every edge touching
// it; a pod that stayed out, and its edges, are not sent at all.
func (l *Log) selectLocked(window []*Delta, f Filter, since uint64) Delta {
	x := l.labels
	d := Delta{Type: "delta", From: since, Seq: l.state.Seq}
	was := map[string]bool{} // pods touched, in f's namespaces: in the view at since?
	nodes := map[string]*Node{}
	edges := map[string]*Edge{}
	var happenings []Happening
	for _, h := range window {
		if d.Time == 0 || (h.Time != 0 && h.Time < d.Time) {
			d.Time = h.Time
		}
		w := x.was[h.Seq]
		for _, id := range h.Remove.Nodes {
			switch {
			case !f.Node(id):
			case isPodID(id):
				if _, ok := was[id]; !ok {
					r := w[id] // always noted: d removes it
					was[id] = r.present && f.matches(r.labels)
				}
			default:
				nodes[id] = nil
			}
		}
		for _, n := range h.Upsert.Nodes {
			switch {
			case !f.Node(n.ID):
			case n.Kind == KindPod:
				if _, ok := was[n.ID]; !ok {
					if r, ok := w[n.ID]; ok {
						was[n.ID] = r.present && f.matches(r.labels)
					} else {
						was[n.ID] = f.matches(podLabels(n))
					}
				}
			default:
				nodes[n.ID] = n
			}
		}
		foldEdges(edges, h, f)
		for _, hp := range h.Happenings {
			if f.Node(hp.Ref) {
				happenings = append(happenings, hp)
			}
		}
	}
	// now caches whether each pod is in the view at the current seq.
	now := map[string]bool{}
	isIn := func(p string) bool {
		in, ok := now[p]
		if !ok {
			in = f.podIn(l.state.Nodes[p])
			now[p] = in
		}
		return in
	}
	for p, in := range was {
		is := isIn(p)
		switch {
		case is:
			d.Upsert.Nodes = append(d.Upsert.Nodes, l.state.Nodes[p])
			if !in {
				for _, id := range x.edges[p] {
					if f.Edge(id) {
						edges[id] = l.state.Edge(id)
					}
				}
			}
		case in:
			d.Remove.Nodes = append(d.Remove.Nodes, p)
			for _, id := range x.edges[p] {
				if f.Edge(id) {
					edges[id] = nil
				}
			}
		}
	}
	for id, n := range nodes {
		if n == nil {
			d.Remove.Nodes = append(d.Remove.Nodes, id)
		} else {
			d.Upsert.Nodes = append(d.Upsert.Nodes, l.state.Nodes[id])
		}
	}
	for id, e := range edges {
		if p := edgePod(id); p != "" {
			in, touched := was[p]
			is := isIn(p)
			switch {
			case !touched && !is, touched && !in && !is:
				continue // out of the view before and after
			case touched && in && !is:
				e = nil // the pod left: every edge it had goes
			case touched && !in && is && e == nil:
				continue // the pod entered: the view never had this edge
			}
		}
		if e == nil {
			d.Remove.Edges = append(d.Remove.Edges, id)
		} else {
			d.Upsert.Edges = append(d.Upsert.Edges, e)
		}
	}
	for _, hp := range happenings {
		if isPodID(hp.Ref) {
			// About a pod: for the views that hold it before or after.
			if in, touched := was[hp.Ref]; !(touched && in) && !isIn(hp.Ref) {
				continue
			}
		}
		d.Happenings = append(d.Happenings, hp)
	}
	sortDelta(&d)
	return d
}
