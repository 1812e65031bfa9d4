package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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

	// idle, armed by every encoding, lets go of what is kept once no
	// message was encoded for idleAfter: a burst of viewers is served,
	// then the cache stops holding a copy of the graph's JSON (5.6 MB
	// at 5,000 pods, a tenth of Podium's idle RSS budget).
	idleAfter time.Duration
	idleMu    sync.Mutex
	idle      *time.Timer
}

// defaultIdleAfter is how long an Encoder keeps what it encoded once
// nothing new is asked of it.
const defaultIdleAfter = 30 * time.Second

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
	return &Encoder{maxEntries: maxEntries, maxBytes: maxBytes, idleAfter: defaultIdleAfter,
		entries: map[encKey]*encEntry{}, nodes: map[*Node]json.RawMessage{}}
}

// touch arms (or pushes back) the release of what is kept.
func (e *Encoder) touch() {
	e.idleMu.Lock()
	defer e.idleMu.Unlock()
	if e.idle == nil {
		e.idle = time.AfterFunc(e.idleAfter, e.release)
		return
	}
	e.idle.Reset(e.idleAfter)
}

// release drops every finished message and the node table. Messages still
// being sent live on with their senders; the next ones are encoded afresh.
func (e *Encoder) release() {
	e.mu.Lock()
	for k, en := range e.entries {
		select {
		case <-en.done:
			delete(e.entries, k)
			e.order = slices.DeleteFunc(e.order, func(o encKey) bool { return o == k })
			if en.enc != nil {
				e.bytes -= en.enc.Len()
			}
		default: // still being encoded: its waiters need it
		}
	}
	e.mu.Unlock()
	e.nodeMu.Lock()
	e.nodes = map[*Node]json.RawMessage{}
	e.nodeMu.Unlock()
	// An idle process allocates too little to start a collection (Go forces
	// one only every 2 minutes), and returns freed pages only slowly: hand
	// them back now, once per idle spell, for a few milliseconds of work.
	debug.FreeOSMemory()
}

// keptNodes reports how many node encodings the Encoder holds (Len says
// how many messages): a test hook.
func (e *Encoder) keptNodes() int {
	e.nodeMu.Lock()
	defer e.nodeMu.Unlock()
	return len(e.nodes)
}

type encKey struct {
	kind            byte // 's'napshot or 'd'elta
	epoch           string
	since, from, to uint64
	filter          string
}

type encEntry struct {
	done chan struct{}
	enc  *Encoded
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
// it, for a subscriber that sees f, in one slice. The bytes are shared:
// never modify them. A big snapshot is better sent with EncodeMessage,
// which does not join it into one slice.
func (e *Encoder) Encode(m Message, f Filter) ([]byte, error) {
	enc, err := e.EncodeMessage(m, f)
	if err != nil {
		return nil, err
	}
	return enc.Bytes(), nil
}

// EncodeMessage returns the JSON of m, exactly as json.Marshal(m.Value())
// writes it, for a subscriber that sees f. Snapshots and deltas come from
// the cache; statuses, which are tiny and per-subscriber, are marshalled.
// The result is shared: only read it.
func (e *Encoder) EncodeMessage(m Message, f Filter) (*Encoded, error) {
	var k encKey
	switch {
	case m.Snapshot != nil:
		kind := byte('s')
		if m.Snapshot.Type == "" {
			kind = 'g' // /api/graph's: no "type"
		}
		k = encKey{kind: kind, epoch: m.Snapshot.Epoch, to: m.Snapshot.Seq, filter: f.key()}
	case m.Delta != nil && m.epoch != "":
		k = encKey{kind: 'd', epoch: m.epoch, since: m.since, from: m.Delta.From, to: m.Delta.Seq, filter: f.key()}
	default:
		// A status, or a delta not from a Cursor: nothing says which log
		// content it is.
		b, err := json.Marshal(m.Value())
		if err != nil {
			return nil, err
		}
		return NewEncoded(b), nil
	}
	e.touch()
	e.mu.Lock()
	if en, ok := e.entries[k]; ok {
		e.mu.Unlock()
		<-en.done
		return en.enc, en.err
	}
	en := &encEntry{done: make(chan struct{})}
	e.entries[k] = en
	e.order = append(e.order, k)
	e.mu.Unlock()

	en.enc, en.err = e.encode(m)
	close(en.done)

	e.mu.Lock()
	if en.err != nil {
		if e.entries[k] == en {
			delete(e.entries, k)
			e.order = slices.DeleteFunc(e.order, func(o encKey) bool { return o == k })
		}
	} else if e.entries[k] == en {
		e.bytes += en.enc.Len()
	}
	e.evictLocked()
	e.mu.Unlock()
	return en.enc, en.err
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
		e.bytes -= en.enc.Len()
	}
}

// encode is one real encoding, assembled from cached node JSON.
func (e *Encoder) encode(m Message) (*Encoded, error) {
	e.encodings.Add(1)
	if s := m.Snapshot; s != nil {
		return e.encodeSnapshot(s)
	}
	d := m.Delta
	nodes, err := e.nodeJSON(d.Upsert.Nodes)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(wireDelta{d.Type, d.From, d.Seq, wireItems{nodes, d.Upsert.Edges}, d.Remove, d.Happenings, d.Time})
	if err != nil {
		return nil, err
	}
	return NewEncoded(b), nil
}

// encodeSnapshot writes a snapshot exactly as json.Marshal writes it, as
// three parts: what comes before the nodes, the nodes' cached JSON, and the
// edges and what follows. Nothing joins them into one buffer (at 50,000
// pods it was 62 MB, allocated and copied for each encoding); Encoded.WriteTo
// streams them. The edges, written by hand (appendEdges), are encoded on a
// goroutine of their own while the nodes are looked up or encoded.
func (e *Encoder) encodeSnapshot(s *Snapshot) (*Encoded, error) {
	tail := make(chan []byte, 1)
	go func() {
		size := 32
		for _, e := range s.Edges {
			size += edgeSize(e)
		}
		b := make([]byte, 0, size)
		if s.Nodes != nil {
			b = append(b, ']')
		}
		b = append(b, `,"edges":`...)
		tail <- appendEdges(b, s.Edges)
	}()
	nodes, err := e.nodeJSON(s.Nodes)
	t := <-tail
	if err != nil {
		return nil, err
	}
	if len(s.Happenings) > 0 {
		h, err := json.Marshal(s.Happenings)
		if err != nil {
			return nil, err
		}
		t = append(t, `,"happenings":`...)
		t = append(t, h...)
	}
	t = append(t, '}')

	head := make([]byte, 0, 64+len(s.Epoch))
	head = append(head, '{')
	if s.Type != "" {
		head = append(head, `"type":`...)
		head = appendString(head, s.Type)
		head = append(head, ',')
	}
	head = append(head, `"epoch":`...)
	head = appendString(head, s.Epoch)
	head = append(head, `,"seq":`...)
	head = strconv.AppendUint(head, s.Seq, 10)
	head = append(head, `,"nodes":`...)
	if s.Nodes == nil {
		head = append(head, "null"...)
	} else {
		head = append(head, '[')
	}
	return newEncoded(head, nodes, t), nil
}

// Encoded is one encoded message, shared by every subscriber that sends
// it: JSON in parts, a head, items written joined by commas, and a tail,
// so a big snapshot is never joined into one buffer. Only read it.
type Encoded struct {
	head  []byte
	items []json.RawMessage
	tail  []byte
	size  int

	joined     sync.Once
	joinedData []byte

	deflateOnce sync.Once
	deflated    *deflation // deflate.go
}

func newEncoded(head []byte, items []json.RawMessage, tail []byte) *Encoded {
	size := len(head) + len(tail) + max(len(items)-1, 0)
	for _, it := range items {
		size += len(it)
	}
	return &Encoded{head: head, items: items, tail: tail, size: size}
}

// NewEncoded returns b as an Encoded message, as it is.
func NewEncoded(b []byte) *Encoded { return &Encoded{head: b, size: len(b)} }

// Len is the message's length in bytes.
func (m *Encoded) Len() int { return m.size }

// Bytes returns the message in one slice, joining it the first time (the
// join is kept). Never modify it.
func (m *Encoded) Bytes() []byte {
	if m.items == nil && m.tail == nil {
		return m.head
	}
	m.joined.Do(func() {
		b := make([]byte, 0, m.size)
		b = append(b, m.head...)
		for i, it := range m.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, it...)
		}
		m.joinedData = append(b, m.tail...)
	})
	return m.joinedData
}

// WriteTo writes the message to w in writes of writeBatch bytes at least
// (but the last), the items gathered: a compressing writer decides on the
// first write whether to compress the message at all, and one write per
// node would cost more than the copy.
func (m *Encoded) WriteTo(w io.Writer) (int64, error) {
	g := gather{w: w, buf: make([]byte, 0, writeBatch)}
	g.add(m.head)
	for i, it := range m.items {
		if i > 0 {
			g.add(comma)
		}
		g.add(it)
	}
	g.add(m.tail)
	g.flush()
	return g.n, g.err
}

const writeBatch = 32 << 10

var comma = []byte{','}

// gather buffers small writes into writes of writeBatch bytes; a long
// slice that meets an empty buffer goes out as it is.
type gather struct {
	w   io.Writer
	buf []byte
	n   int64
	err error
}

func (g *gather) add(p []byte) {
	for len(p) > 0 && g.err == nil {
		if len(g.buf) == 0 && len(p) >= writeBatch {
			g.write(p)
			return
		}
		k := min(len(p), writeBatch-len(g.buf))
		g.buf = append(g.buf, p[:k]...)
		p = p[k:]
		if len(g.buf) == writeBatch {
			g.flush()
		}
	}
}

func (g *gather) flush() {
	if len(g.buf) > 0 && g.err == nil {
		g.write(g.buf)
		g.buf = g.buf[:0]
	}
}

func (g *gather) write(p []byte) {
	n, err := g.w.Write(p)
	g.n += int64(n)
	g.err = err
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
	// which costs only time. appendNode's output is compact and
	// HTML-escaped already, as json.Marshal would leave it, without
	// json.Marshal's second pass; each is copied out of one scratch
	// buffer at its size, since the table keeps it.
	var scratch []byte
	for _, i := range missing {
		var err error
		if scratch, err = appendNode(scratch[:0], nodes[i]); err != nil {
			return nil, err
		}
		out[i] = bytes.Clone(scratch)
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
// The zero Filter's is "".
func (f Filter) key() string { return f.canon }

// canonical makes key's form.
func (f Filter) canonical() string {
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
