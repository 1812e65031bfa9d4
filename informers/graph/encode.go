package graph

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Encoder turns a Cursor's messages into wire bytes once and shares them:
// every subscriber with the same filter at the same point of the log gets
// the very same []byte. Without it, 200 clients connecting to a 5,000-pod
// graph each marshalled its own 4.7 MB snapshot (333 MB at the peak).
//
// It keeps the last few encoded snapshots and deltas (keyed by kind, epoch,
// seq range and filter; a key names one content forever, since the history
// of an epoch never changes), lets concurrent requests for one key share
// one encoding, and keeps the JSON of each node, which is immutable, so a
// message is assembled from node JSON encoded once when the node changed.
// It is safe for concurrent use.
type Encoder struct {
	maxEntries int
	maxBytes   int

	mu      sync.Mutex
	entries map[encKey]*encEntry
	order   []encKey // oldest first
	bytes   int      // encoded bytes held in entries

	nodeMu sync.Mutex
	nodes  map[*Node]json.RawMessage
	// live reports how many nodes the graph has now, which bounds the
	// node table; nil means only the nodes asked for count.
	live func() int

	encodings atomic.Uint64
}

// Default bounds of an Encoder: a burst of clients at one seq needs one
// entry per filter, and what is kept stays on the heap after they leave,
// so little is kept (a 10,000-pod snapshot is some 5 MB; the newest is
// kept whatever its size).
const (
	defaultEncoderEntries = 16
	defaultEncoderBytes   = 16 << 20
)

// NewEncoder returns an Encoder that keeps at most maxEntries messages and,
// beyond the newest one, at most maxBytes of them.
func NewEncoder(maxEntries, maxBytes int) *Encoder {
	if maxEntries < 1 {
		maxEntries = 1
	}
	return &Encoder{maxEntries: maxEntries, maxBytes: maxBytes,
		entries: map[encKey]*encEntry{}, nodes: map[*Node]json.RawMessage{}}
}

type encKey struct {
	kind            byte // 's'napshot or 'd'elta
	epoch           string
	since, from, to uint64
	filter          string
}

type encEntry struct {
	done chan struct{}
	b    []byte
	err  error
}

// Encodings reports how many messages were encoded rather than shared: a
// test hook, and a measure of how well sharing works.
func (e *Encoder) Encodings() uint64 { return e.encodings.Load() }

// Len reports how many encoded messages the cache holds.
func (e *Encoder) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.entries)
}

// Encode returns the JSON of m, exactly as json.Marshal(m.Value()) writes
// it, for a subscriber that sees f. Snapshots and deltas come from the
// cache; statuses, which are tiny and per-subscriber, are marshalled.
// The bytes are shared: never modify them.
func (e *Encoder) Encode(m Message, f Filter) ([]byte, error) {
	var k encKey
	switch {
	case m.Snapshot != nil:
		k = encKey{kind: 's', epoch: m.Snapshot.Epoch, to: m.Snapshot.Seq, filter: f.key()}
	case m.Delta != nil && m.epoch != "":
		k = encKey{kind: 'd', epoch: m.epoch, since: m.since, from: m.Delta.From, to: m.Delta.Seq, filter: f.key()}
	default:
		// A status, or a delta not from a Cursor: nothing says which log
		// content it is.
		return json.Marshal(m.Value())
	}
	e.mu.Lock()
	if en, ok := e.entries[k]; ok {
		e.mu.Unlock()
		<-en.done
		return en.b, en.err
	}
	en := &encEntry{done: make(chan struct{})}
	e.entries[k] = en
	e.order = append(e.order, k)
	e.mu.Unlock()

	en.b, en.err = e.encode(m)
	close(en.done)

	e.mu.Lock()
	if en.err != nil {
		if e.entries[k] == en {
			delete(e.entries, k)
			e.order = slices.DeleteFunc(e.order, func(o encKey) bool { return o == k })
		}
	} else if e.entries[k] == en {
		e.bytes += len(en.b)
	}
	e.evictLocked()
	e.mu.Unlock()
	return en.b, en.err
}

// evictLocked drops the oldest finished messages beyond the bounds, always
// keeping the newest. An evicted message lives on for the subscribers still
// sending it.
func (e *Encoder) evictLocked() {
	for len(e.order) > 1 && (len(e.order) > e.maxEntries || e.bytes > e.maxBytes) {
		k := e.order[0]
		en := e.entries[k]
		select {
		case <-en.done:
		default:
			return // still being encoded; its waiters need it
		}
		e.order = e.order[1:]
		delete(e.entries, k)
		e.bytes -= len(en.b)
	}
}

// encode is one real encoding, assembled from cached node JSON.
func (e *Encoder) encode(m Message) ([]byte, error) {
	e.encodings.Add(1)
	if s := m.Snapshot; s != nil {
		nodes, err := e.nodeJSON(s.Nodes)
		if err != nil {
			return nil, err
		}
		return appendSnapshot(s, nodes)
	}
	d := m.Delta
	nodes, err := e.nodeJSON(d.Upsert.Nodes)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wireDelta{d.Type, d.From, d.Seq, wireItems{nodes, d.Upsert.Edges}, d.Remove, d.Happenings, d.Time})
}

// appendSnapshot writes a snapshot exactly as json.Marshal writes it, into
// one buffer sized up front, with the nodes already encoded: at 10,000
// pods json.Marshal spent most of a first snapshot growing its buffer,
// re-validating node JSON and reflecting over 50,000 edges.
func appendSnapshot(s *Snapshot, nodes []json.RawMessage) ([]byte, error) {
	size := 64 + len(s.Epoch) + 2*len(nodes)
	for _, n := range nodes {
		size += len(n)
	}
	for _, e := range s.Edges {
		size += edgeSize(e)
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	if s.Type != "" {
		b = append(b, `"type":`...)
		b = appendString(b, s.Type)
		b = append(b, ',')
	}
	b = append(b, `"epoch":`...)
	b = appendString(b, s.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, s.Seq, 10)
	b = append(b, `,"nodes":`...)
	if nodes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, n := range nodes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, n...)
		}
		b = append(b, ']')
	}
	b = append(b, `,"edges":`...)
	b = appendEdges(b, s.Edges)
	if len(s.Happenings) > 0 {
		h, err := json.Marshal(s.Happenings)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"happenings":`...)
		b = append(b, h...)
	}
	return append(b, '}'), nil
}

// wireDelta mirrors Delta field for field, with the nodes already encoded;
// json.Marshal copies a RawMessage as it is (compacted and HTML-escaped,
// which node JSON from json.Marshal already is), so the bytes are the same.

type wireItems struct {
	Nodes []json.RawMessage `json:"nodes"`
	Edges []*Edge           `json:"edges"`
}

type wireDelta struct {
	Type       string      `json:"type"`
	From       uint64      `json:"from"`
	Seq        uint64      `json:"seq"`
	Upsert     wireItems   `json:"upsert"`
	Remove     Removals    `json:"remove"`
	Happenings []Happening `json:"happenings,omitempty"`
	Time       int64       `json:"time,omitempty"`
}

// nodeJSON returns the JSON of each node, encoding only nodes not seen
// before. The table forgets everything when it outgrows the nodes asked
// for, so replaced nodes do not pile up; that costs re-encoding, never
// correctness. A nil slice stays nil ("null", as json.Marshal writes it).
func (e *Encoder) nodeJSON(nodes []*Node) ([]json.RawMessage, error) {
	if nodes == nil {
		return nil, nil
	}
	out := make([]json.RawMessage, len(nodes))
	var missing []int
	e.nodeMu.Lock()
	for i, n := range nodes {
		if b, ok := e.nodes[n]; ok {
			out[i] = b
		} else {
			missing = append(missing, i)
		}
	}
	e.nodeMu.Unlock()
	// Encoded outside the lock: two encodings may both encode a new node,
	// which costs only time.
	for _, i := range missing {
		// MarshalJSON's output is compact and HTML-escaped already, as
		// json.Marshal would leave it, without json.Marshal's second pass.
		b, err := nodes[i].MarshalJSON()
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	if len(missing) > 0 {
		e.nodeMu.Lock()
		live := len(nodes)
		if e.live != nil {
			live = max(live, e.live())
		}
		if len(e.nodes)+len(missing) > 2*live+maxStaleNodes {
			e.nodes = make(map[*Node]json.RawMessage, len(nodes))
			for i, n := range nodes {
				e.nodes[n] = out[i]
			}
		} else {
			for _, i := range missing {
				e.nodes[nodes[i]] = out[i]
			}
		}
		e.nodeMu.Unlock()
	}
	return out, nil
}

// maxStaleNodes is how many node encodings beyond twice the graph's nodes
// the table may hold before it starts over.
const maxStaleNodes = 16384

// key is the filter's canonical form: its namespaces, sorted, then its
// selector's canonical form after a "|" (which no quoted namespace holds).
func (f Filter) key() string {
	if f.All() {
		return ""
	}
	ns := make([]string, 0, len(f.namespaces))
	for n := range f.namespaces {
		ns = append(ns, strconv.Quote(n))
	}
	slices.Sort(ns)
	k := strings.Join(ns, ",")
	if f.sel != nil {
		k += "|" + f.sel.String()
	}
	return k
}
