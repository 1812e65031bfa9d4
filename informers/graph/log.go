package graph

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"
)

// Log is the published graph and its bounded change history: the one place
// the server reads from. The informers (or a replay) Append deltas; clients
// read a Snapshot or the coalesced Changes since their cursor. It is safe for
// concurrent use.
type Log struct {
	mu sync.RWMutex
	// Guarded by mu.
	epoch string
	state *State   // the published graph; state.Seq is the last seq
	hist  []*Delta // oldest first, at most cap entries
	cap   int
	// recent holds the last RecentHappenings happenings, oldest first,
	// for snapshots: the history above may be shorter, or coalesced.
	recent []Happening
	subs   map[chan struct{}]struct{}
	// labels is what selector views need, nil until the first one
	// (selectorlog.go); labelsOn says it is set, without the lock.
	labels   *labelIndex
	labelsOn atomic.Bool

	enc *Encoder // shares the encoding of what subscribers read

	mergedMu   sync.Mutex
	merged     map[mergedKey]Delta // Changes' merged deltas, for mergedSeq
	mergedSeq  uint64
	mergedHits uint64
}

// NewLog returns an empty log for epoch that keeps the last history deltas.
func NewLog(epoch string, history int) *Log {
	if history < 1 {
		history = 1
	}
	l := &Log{
		epoch: epoch,
		state: NewState(),
		cap:   history,
		subs:  map[chan struct{}]struct{}{},
		enc:   NewEncoder(defaultEncoderEntries, defaultEncoderBytes),
	}
	l.enc.live = func() int {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return len(l.state.Nodes)
	}
	return l
}

// Encoder returns the log's Encoder, which every subscriber of the log
// should encode its Cursor's messages with, to share them.
func (l *Log) Encoder() *Encoder { return l.enc }

// Epoch returns the current epoch.
func (l *Log) Epoch() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.epoch
}

// Seq returns the seq of the last appended delta.
func (l *Log) Seq() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.state.Seq
}

// Append publishes d as the next seq, returns that seq and wakes subscribers.
// Node and edge pointers in d become shared and must not be modified after.
// An empty delta publishes nothing and returns the current seq.
func (l *Log) Append(d Delta) uint64 {
	if d.Empty() {
		return l.Seq()
	}
	l.mu.Lock()
	d.Type = "delta"
	d.From = l.state.Seq
	d.Seq = d.From + 1
	if l.labels != nil {
		l.labels.recordLocked(l.state, &d)
	}
	l.state.Apply(&d)
	if l.labels != nil {
		l.labels.applyLocked(&d)
	}
	l.recent = appendRecent(l.recent, d.Happenings)
	if len(l.hist) == l.cap {
		if l.labels != nil {
			delete(l.labels.was, l.hist[0].Seq)
		}
		copy(l.hist, l.hist[1:])
		l.hist = l.hist[:len(l.hist)-1]
	}
	l.hist = append(l.hist, &d)
	seq := d.Seq
	l.wakeLocked()
	l.mu.Unlock()
	return seq
}

// Reset replaces the whole graph and starts a new epoch with an empty
// history, as a replay loop does. Every client then needs a snapshot.
// recent are the happenings that led there, oldest first (the last
// RecentHappenings are kept).
func (l *Log) Reset(epoch string, seq uint64, nodes []*Node, edges []*Edge, recent []Happening) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.epoch, l.hist = epoch, nil
	l.state.Load(seq, nodes, edges)
	if l.labels != nil {
		l.labels.from, l.labels.was, l.labels.edges = seq, map[uint64]map[string]podWas{}, l.state.podEdgeIndex()
	}
	l.recent = appendRecent(nil, recent)
	l.mergedMu.Lock()
	l.merged = nil // another history, maybe under the same epoch
	l.mergedMu.Unlock()
	l.wakeLocked()
}

// appendRecent appends hs to recent and keeps the last RecentHappenings,
// in a new slice when it must drop some: snapshots share the old one.
func appendRecent(recent, hs []Happening) []Happening {
	if len(hs) == 0 {
		return recent
	}
	if n := len(recent) + len(hs); n > RecentHappenings {
		out := make([]Happening, 0, RecentHappenings)
		all := append(recent[:len(recent):len(recent)], hs...)
		return append(out, all[len(all)-RecentHappenings:]...)
	}
	return append(recent[:len(recent):len(recent)], hs...)
}

// Snapshot returns the graph at the current seq, restricted to f, sorted by id.
func (l *Log) Snapshot(f Filter) Snapshot {
	if f.sel != nil {
		// Its subscriber will ask for the Changes after it.
		l.watchLabels()
	}
	l.mu.RLock()
	s := l.state.collect(f)
	s.Epoch = l.epoch
	for _, h := range l.recent {
		// A happening about a pod, for the views that hold the pod now.
		if f.Node(h.Ref) && (f.sel == nil || !isPodID(h.Ref) || f.podIn(l.state.Nodes[h.Ref])) {
			s.Happenings = append(s.Happenings, h)
		}
	}
	l.mu.RUnlock()
	s.Sort() // outside the lock: sorting 10,000 nodes must not hold up Append
	return s
}

// Changes returns one delta that takes a client from since to the current
// seq, restricted to f, with repeated changes to an entity collapsed into its
// final state. ok is false when the client needs a snapshot instead: another
// epoch, a seq from the future, or one that fell out of the history. The
// delta may be empty when nothing inside f changed.
func (l *Log) Changes(epoch string, since uint64, f Filter) (d Delta, ok bool) {
	if f.sel != nil {
		l.watchLabels()
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if epoch != l.epoch || since > l.state.Seq {
		return Delta{}, false
	}
	d = Delta{Type: "delta", From: since, Seq: l.state.Seq}
	if since == l.state.Seq {
		return d, true
	}
	if len(l.hist) == 0 || l.hist[0].From > since {
		return Delta{}, false
	}
	// The first delta after since, found by seq arithmetic: history is
	// contiguous.
	start := int(since - l.hist[0].From)
	window := l.hist[start:]
	if f.sel != nil && since < l.labels.from {
		return Delta{}, false // from before the Log kept what a selector needs
	}
	if len(window) == 1 && f.All() {
		return filterDelta(window[0], f, since), true
	}
	// Subscribers at the same point with the same filter (500 viewers of
	// one namespace) get the same delta: it is merged once.
	k := mergedKey{l.epoch, since, l.state.Seq, f.key()}
	if d, ok := l.mergedDelta(k); ok {
		return d, true
	}
	d = l.mergeLocked(window, f, since, d)
	l.keepMerged(k, d)
	return d, true
}

// mergedKey names a merged delta: a history never changes within an epoch,
// so it is the same for whoever asks.
type mergedKey struct {
	epoch      string
	since, seq uint64
	filter     string
}

// mergedDelta returns the delta merged for k, if it is kept.
func (l *Log) mergedDelta(k mergedKey) (Delta, bool) {
	l.mergedMu.Lock()
	defer l.mergedMu.Unlock()
	d, ok := l.merged[k]
	if ok {
		l.mergedHits++
	}
	return d, ok
}

// keepMerged keeps d as the delta merged for k; only the newest seq's are
// kept, which is what subscribers ask for.
func (l *Log) keepMerged(k mergedKey, d Delta) {
	l.mergedMu.Lock()
	defer l.mergedMu.Unlock()
	if l.merged == nil || l.mergedSeq != k.seq || len(l.merged) >= maxMerged {
		l.merged, l.mergedSeq = map[mergedKey]Delta{}, k.seq
	}
	l.merged[k] = d
}

// maxMerged bounds the merged deltas kept for one seq (one per point and
// filter).
const maxMerged = 64

// MergedHits reports how many Changes were answered with a delta merged
// already: a test hook.
func (l *Log) MergedHits() uint64 {
	l.mergedMu.Lock()
	defer l.mergedMu.Unlock()
	return l.mergedHits
}

// mergeLocked is Changes' delta over window (the history after since),
// restricted to f, d holding its type and seqs.
func (l *Log) mergeLocked(window []*Delta, f Filter, since uint64, d Delta) Delta {
	if f.sel != nil {
		return l.selectLocked(window, f, since)
	}
	if len(window) == 1 {
		return filterDelta(window[0], f, since)
	}
	// Last operation per id wins; an id upserted then removed ends removed.
	nodes := map[string]*Node{}
	edges := map[string]*Edge{}
	for _, h := range window {
		if d.Time == 0 || (h.Time != 0 && h.Time < d.Time) {
			d.Time = h.Time
		}
		for _, id := range h.Remove.Nodes {
			if f.Node(id) {
				nodes[id] = nil
			}
		}
		for _, n := range h.Upsert.Nodes {
			if f.Node(n.ID) {
				nodes[n.ID] = n
			}
		}
		foldEdges(edges, h, f)
		for _, hp := range h.Happenings {
			if f.Node(hp.Ref) {
				d.Happenings = append(d.Happenings, hp)
			}
		}
	}
	for id, n := range nodes {
		if n == nil {
			d.Remove.Nodes = append(d.Remove.Nodes, id)
		} else {
			// The current value, not the last upserted: warning
			// happenings after that upsert changed it, and a client
			// applies none about a node its delta upserts.
			d.Upsert.Nodes = append(d.Upsert.Nodes, l.state.Nodes[id])
		}
	}
	for id, e := range edges {
		if e == nil {
			d.Remove.Edges = append(d.Remove.Edges, id)
		} else {
			d.Upsert.Edges = append(d.Upsert.Edges, e)
		}
	}
	sortDelta(&d)
	return d
}

// foldEdges applies the edge changes of logged delta h that f admits to
// edges (nil: removed): applied in log order, the last operation per id
// wins.
func foldEdges(edges map[string]*Edge, h *Delta, f Filter) {
	for _, id := range h.Remove.Edges {
		if f.Edge(id) {
			edges[id] = nil
		}
	}
	for _, e := range h.Upsert.Edges {
		if f.Edge(e.ID) {
			edges[e.ID] = e
		}
	}
}

// filterDelta restricts one logged delta to f, sharing what it can.
func filterDelta(h *Delta, f Filter, since uint64) Delta {
	if f.All() {
		d := *h
		d.From = since
		return d
	}
	d := Delta{Type: "delta", From: since, Seq: h.Seq, Time: h.Time}
	for _, n := range h.Upsert.Nodes {
		if f.Node(n.ID) {
			d.Upsert.Nodes = append(d.Upsert.Nodes, n)
		}
	}
	for _, e := range h.Upsert.Edges {
		if f.Edge(e.ID) {
			d.Upsert.Edges = append(d.Upsert.Edges, e)
		}
	}
	for _, id := range h.Remove.Nodes {
		if f.Node(id) {
			d.Remove.Nodes = append(d.Remove.Nodes, id)
		}
	}
	for _, id := range h.Remove.Edges {
		if f.Edge(id) {
			d.Remove.Edges = append(d.Remove.Edges, id)
		}
	}
	for _, hp := range h.Happenings {
		if f.Node(hp.Ref) {
			d.Happenings = append(d.Happenings, hp)
		}
	}
	return d
}

func sortDelta(d *Delta) {
	sort.Slice(d.Upsert.Nodes, func(i, j int) bool { return d.Upsert.Nodes[i].ID < d.Upsert.Nodes[j].ID })
	sort.Slice(d.Upsert.Edges, func(i, j int) bool { return d.Upsert.Edges[i].ID < d.Upsert.Edges[j].ID })
	sort.Strings(d.Remove.Nodes)
	sort.Strings(d.Remove.Edges)
}

// Subscribe returns a one-slot channel that receives a wake-up after each
// Append or Reset, and a function that unsubscribes. A wake-up that finds the
// slot full is dropped: the subscriber reads everything new on its next turn,
// so a slow subscriber never makes a backlog.
func (l *Log) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
	}
}

// Wake wakes every subscriber without a change, e.g. when the status changed.
func (l *Log) Wake() {
	l.mu.Lock()
	l.wakeLocked()
	l.mu.Unlock()
}

func (l *Log) wakeLocked() {
	for ch := range l.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// NewEpoch returns a random epoch id for a new Log: a reconnecting client
// that lands on another process, replica or replay loop must not resume
// with a seq from this one.
func NewEpoch() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
