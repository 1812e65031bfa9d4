package graph

import (
	"bytes"
	"compress/flate"
	"io"
	"sync"
	"sync/atomic"
)

// A message's permessage-deflate form (RFC 7692 §7.2.1: raw DEFLATE,
// sync-flushed, without the flush's final 00 00 ff ff), compressed once
// and shared like the message's JSON. With no context takeover, a
// message's compressed bytes are the same on every connection: deflating
// each delta once per viewer was half the server's CPU with 500 viewers,
// and 500 viewers dialling a 5,000-pod graph deflated its 3.9 MB snapshot
// 500 times.

// deflateChunk is how much compressed output is published at a time: a
// reader of a big message starts writing after the first chunk, while the
// rest is being compressed.
const deflateChunk = 32 << 10

// deflateAside is the size from which a message is compressed on a
// goroutine of its own, so that its readers write what is ready while the
// rest is compressed (a 50,000-pod snapshot is 62 MB of JSON); a smaller
// one is compressed by its first reader, in one go.
const deflateAside = 64 << 10

// asideTurns bounds the big messages compressed at once; asideWaiting
// counts those waiting for a turn.
var (
	asideTurns   = make(chan struct{}, 2)
	asideWaiting atomic.Int32
)

// syncTail is what a sync flush ends with; RFC 7692 leaves it off.
var syncTail = []byte{0, 0, 0xff, 0xff}

// deflation is one message's compressed form, as it grows.
type deflation struct {
	mu     sync.Mutex
	grew   sync.Cond
	chunks [][]byte // published, never changed
	done   bool

	pending []byte // compressor output not published yet; the producer's
}

// deflation returns m's, starting its compression the first time.
func (m *Encoded) deflation() *deflation {
	m.deflateOnce.Do(func() {
		d := &deflation{}
		d.grew.L = &d.mu
		m.deflated = d
		deflations.Add(1)
		if m.size >= deflateAside {
			go func() {
				// It runs to the end even when its readers have gone,
				// so a client that dials and hangs up could start one
				// per snapshot: they take turns.
				asideWaiting.Add(1)
				asideTurns <- struct{}{}
				asideWaiting.Add(-1)
				defer func() { <-asideTurns }()
				d.compress(m)
			}()
		} else {
			d.compress(m)
		}
	})
	return m.deflated
}

// compress writes m through a compressor into d's chunks.
func (d *deflation) compress(m *Encoded) {
	w, _ := flateWriters.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(d, flate.BestSpeed)
	} else {
		w.Reset(d)
	}
	// d's Write does not fail, so neither do these.
	_, _ = m.WriteTo(w)
	_ = w.Flush()
	flateWriters.Put(w)
	d.publish(bytes.Clone(bytes.TrimSuffix(d.pending, syncTail)), true)
	d.pending = nil
}

// Write takes the compressor's output. It keeps the last bytes back, so
// that the tail left off at the end is never in a published chunk, and
// publishes exact copies: the chunks live as long as the message.
func (d *deflation) Write(p []byte) (int, error) {
	d.pending = append(d.pending, p...)
	for len(d.pending) >= deflateChunk+len(syncTail) {
		d.publish(bytes.Clone(d.pending[:deflateChunk]), false)
		d.pending = append(d.pending[:0], d.pending[deflateChunk:]...)
	}
	return len(p), nil
}

// publish adds a chunk for the readers; last says the message is complete.
func (d *deflation) publish(chunk []byte, last bool) {
	d.mu.Lock()
	if len(chunk) > 0 {
		d.chunks = append(d.chunks, chunk)
	}
	d.done = last
	d.mu.Unlock()
	d.grew.Broadcast()
}

// next waits for the chunks after the first i, and returns them; none
// means the message is complete.
func (d *deflation) next(i int) [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i >= len(d.chunks) && !d.done {
		d.grew.Wait()
	}
	return d.chunks[i:]
}

// Deflated returns the message's permessage-deflate form in one slice,
// shared: never modify it. A big message is better sent with
// WriteDeflatedTo, which does not wait for the whole.
func (m *Encoded) Deflated() []byte {
	d := m.deflation()
	d.mu.Lock()
	for !d.done {
		d.grew.Wait()
	}
	d.mu.Unlock()
	if len(d.chunks) == 1 { // a message compressed in one go: no copy
		return d.chunks[0]
	}
	return bytes.Join(d.chunks, nil)
}

// WriteDeflatedTo writes the message's permessage-deflate form to w, each
// chunk as soon as it is compressed, in writes of deflateChunk bytes (but
// the last). The compression is shared with every other writer of m.
func (m *Encoded) WriteDeflatedTo(w io.Writer) (int64, error) {
	d := m.deflation()
	var n int64
	for i := 0; ; {
		more := d.next(i)
		if len(more) == 0 {
			return n, nil
		}
		for _, c := range more {
			k, err := w.Write(c)
			n += int64(k)
			if err != nil {
				return n, err
			}
		}
		i += len(more)
	}
}

// flateWriters keeps compressors: each holds about 1.2 MB of tables, too
// much to make per message.
var flateWriters sync.Pool

// deflations counts the messages compressed.
var deflations atomic.Uint64

// Deflations reports how many messages were deflated rather than shared: a
// test hook, as Encodings is.
func Deflations() uint64 { return deflations.Load() }
